"""One message's header block in, one :class:`~outlook_networking.model.Interaction` out.

This is the hot path of every mail-file ingest, so it does the least that works: the header block
(bytes up to the first blank line; bodies are never read) is split into fields by hand instead of
through :mod:`email.parser`, and only the dozen fields the product uses are decoded. It never
raises on bad input: a header block that yields no usable message (no parsable ``Date``, no
sender address) comes back as a :class:`~outlook_networking.model.Problem`.

Item ids are stable across files: ``msg:<Message-ID>`` when the message has a well-formed one (so
one message seen in an mbox and a Maildir is one item), else ``sha:<sha1 of the header block>``.

Hostile headers stay cheap: a Message-ID longer than a header line may be (998 characters) is not
well-formed, :func:`message_ids` keeps at most :data:`MAX_IDS` ids (the first and the latest, which
is what threading reads), subjects are cut at :data:`MAX_SUBJECT` characters and address fields at
:data:`MAX_ADDRESS_FIELD` before they are parsed. A date is taken only as written: a year such as
``0001`` or ``-5`` or a zone such as ``+9999`` makes it unreadable (a problem), where the standard
library would read it as another date.

A message marked private (``Sensitivity: Private``, RFC 2156 5.3.4; Exchange writes the header
from an item's sensitivity, [MS-OXCMAIL] PidTagSensitivity) keeps its participants and time, but
its subject is never stored: ``is_private`` tells, for file sources and connectors alike.

Exports: ``split_headers``, ``interaction_from_headers``, ``is_private``, ``mailboxes``,
``message_ids``, ``decode_text``, ``parse_date``, ``conversation_id``, ``thread_index_id``,
``MAX_IDS``, ``MAX_SUBJECT``, ``MAX_ADDRESS_FIELD``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import re
from datetime import UTC, datetime, timedelta
from email.errors import MessageError
from email.header import decode_header, make_header
from email.utils import parsedate_tz
from functools import lru_cache

from ..model import Interaction, Kind, Mailbox, Problem
from ..problems import problem
from .addresses import decode_name, normalise, parse_mailboxes
from .noise import Headers, classify

__all__ = [
    "MAX_ADDRESS_FIELD",
    "MAX_IDS",
    "MAX_SUBJECT",
    "conversation_id",
    "decode_text",
    "interaction_from_headers",
    "is_private",
    "mailboxes",
    "message_ids",
    "parse_date",
    "split_headers",
    "thread_index_id",
]

_ANGLE_ID = re.compile(r"<([^<>]+)>")
_BARE_ID = re.compile(r"^[^<>\s@]+@[^<>\s@]+$")
# What RFC 2047 decoding raises on garbage (CharsetError for a non-ASCII charset name).
_DECODE_ERRORS = (UnicodeError, LookupError, ValueError, TypeError, AssertionError, MessageError)
_FOLD = re.compile(r"\r?\n[ \t]+|\r?\n$")
# One field: a name of printable ASCII, a colon, the value and its continuation lines.
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:(.*(?:\r?\n[ \t].*)*)", re.MULTILINE)
_TRACE_FIELDS = frozenset(
    {"received", "x-received", "dkim-signature", "arc-seal", "arc-message-signature",
     "arc-authentication-results", "authentication-results", "received-spf",
     "x-google-dkim-signature", "x-ms-exchange-crosstenant-network-message-id"}
)  # fmt: skip
_SPECIALS = frozenset(";()\\:[]")
_ADDR = r"[^<>\s@\",]+@[^<>\s@\",]+"
_ONE_MAILBOX = re.compile(
    rf'\s*(?:(?:"([^"\\]*)"|([^"<>@,]*?))\s*<\s*({_ADDR})\s*>|({_ADDR}))\s*(?:,|$)'
)
_KEYWORD_SPLIT = re.compile(r"\s*[,;]\s*")
# Dates before e-mail existed or far in the future are mangled, not real.
_EARLIEST = datetime(1971, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_MAX_OFFSET = 24 * 3600  # what datetime.timezone (and so the email package) accepts
MAX_IDS = 100  # References: the first id and the latest 99
_MAX_ID = 998  # RFC 5322 2.1.1: no line is longer, so no id is
MAX_SUBJECT = 1000  # characters; Outlook cuts subjects at 255
MAX_ADDRESS_FIELD = 64 * 1024  # characters of From/To/Cc/Bcc parsed: some 1,500 addresses


def split_headers(raw: bytes) -> dict[str, list[str]]:
    """The fields of a header block: lower-cased name -> unfolded values in order.

    Lines that are neither ``name: value`` nor a continuation are skipped, as a mail client would.
    Bytes that are not UTF-8 are read as Windows-1252, else Latin-1, so nothing is undecodable.
    Trace fields (``Received`` and the like) are long and only their presence matters, so their
    values are kept empty rather than decoded.
    """
    fields: dict[str, list[str]] = {}
    for name_bytes, value_bytes in _FIELD.findall(raw):
        name = name_bytes.decode("ascii").lower()
        if name in _TRACE_FIELDS:
            value = ""
        else:
            value = _decode(value_bytes)
            if "\n" in value:
                value = _FOLD.sub(" ", value)
            value = value.strip()
        values = fields.get(name)
        if values is None:
            fields[name] = [value]
        else:
            values.append(value)
    return fields


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Outlook's 8-bit headers on Western Windows
    except UnicodeDecodeError:
        return data.decode("latin-1")


def decode_text(value: str) -> str:
    """A header's text with RFC 2047 encoded-words decoded and whitespace unfolded."""
    if "=?" in value:
        # An undecodable encoded-word is shown as it came rather than lost.
        with contextlib.suppress(*_DECODE_ERRORS):
            value = str(make_header(decode_header(value)))
    return " ".join(value.split())


def parse_date(value: str) -> datetime | None:
    """An RFC 5322 date as aware UTC, or None when it is mangled. ``-0000`` counts as UTC."""
    if not value:
        return None
    try:
        parts = parsedate_tz(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parts is None:
        return None
    year, month, day, hour, minute, second = parts[:6]
    if 100 <= year < 200:
        year += 1900  # "0102": a mailer that printed struct tm's years-since-1900 (Y2K bug)
    if not _as_written(value, year, parts[9]):
        return None
    try:
        local = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
        result = local - timedelta(seconds=parts[9] or 0)
    except (OverflowError, ValueError, TypeError):
        return None
    if not _EARLIEST <= result < _LATEST:
        return None
    return result


def _as_written(value: str, year: int, offset: int | None) -> bool:
    """Whether what ``parsedate_tz`` read is what the header says.

    It reads the year ``0001`` as 2001, takes ``-5`` in the year's place for a zone, and reads
    any four digits as a zone (``+9999`` is more than four days), where a mail client refuses
    the date (Python's own ``email.utils.parsedate_to_datetime`` does). So the year must stand
    in the header as four digits (``0102``-style Y2K years included) or as the two or three
    RFC 5322's obsolete syntax allows, and a numeric zone must be ``±hhmm`` within a day.
    """
    if offset is not None and abs(offset) >= _MAX_OFFSET:
        return False
    written = False
    before_time = True
    for token in value.replace(",", " ").split():
        if ":" in token:
            before_time = False
        signed = token[0] in "+-"
        digits = token[1:] if signed else token
        if not (digits.isascii() and digits.isdigit()):
            continue
        number = int(digits)
        if signed:  # a numeric zone
            if len(digits) != 4 or number % 100 >= 60:
                return False
        elif len(token) == 4:
            if before_time and number < 1000 and not 100 <= number < 200:
                return False  # 0001, 0999: no year a mailer writes (after the time: a zone)
            written = written or year in (number, number + 1900)
        elif len(token) == 3:
            written = written or year == number + 1900
        elif len(token) == 2:
            written = written or year == number + (1900 if number > 68 else 2000)
    return written


def message_ids(value: str) -> tuple[str, ...]:
    """The well-formed Message-IDs in a header value, without angle brackets, in order.

    At most :data:`MAX_IDS`: a References header of thousands keeps its first id (the thread's
    start) and the latest ones (the parents threading looks for).
    """
    if not value:
        return ()
    candidates = _ANGLE_ID.findall(value)
    if len(candidates) > 2 * MAX_IDS:  # clean only what can be kept: ~2 µs an id adds up
        candidates = candidates[:MAX_IDS] + candidates[-MAX_IDS:]
    # Whitespace is never part of an id: it comes from folding inside one, so it is dropped.
    found = [i for i in ("".join(m.split()) for m in candidates) if _BARE_ID.match(i)]
    if not found and "<" not in value:
        bare = value.strip()
        if _BARE_ID.match(bare):
            found = [bare]
    seen: set[str] = set()
    result: list[str] = []
    for ident in found:
        if ident not in seen and len(ident) <= _MAX_ID:
            seen.add(ident)
            result.append(ident)
    if len(result) > MAX_IDS:
        del result[1 : len(result) - MAX_IDS + 1]
    return tuple(result)


def mailboxes(*values: str) -> tuple[Mailbox, ...]:
    """Like :func:`addresses.parse_mailboxes`, faster for the forms real headers use.

    A list of ``addr``, ``<addr>``, ``Name <addr>`` and ``"Name" <addr>`` is read with one
    regular expression per mailbox; anything else (comments, groups, escapes) goes through the
    full RFC 5322 parser. Results are cached per header value, since the same From and To lines
    recur throughout a mailbox (bounded, so memory stays flat). Each value is read up to
    :data:`MAX_ADDRESS_FIELD` characters.
    """
    values = tuple(v[:MAX_ADDRESS_FIELD] for v in values)
    if len(values) == 1:
        return _mailboxes_of(values[0])
    return _full_parse(values)


@lru_cache(maxsize=8192)
def _mailboxes_of(value: str) -> tuple[Mailbox, ...]:
    fast = _fast_mailboxes(value)
    return fast if fast is not None else _full_parse((value,))


def _fast_mailboxes(value: str) -> tuple[Mailbox, ...] | None:
    if any(c in value for c in _SPECIALS):
        return None
    result: dict[str, Mailbox] = {}
    position, end = 0, len(value)
    while position < end:
        match = _ONE_MAILBOX.match(value, position)
        if match is None or match.end() == position:
            return None
        quoted, plain, angled, bare = match.groups()
        address = normalise(angled or bare or "")
        if not address:
            return None
        if address not in result:
            result[address] = Mailbox(address, _name(quoted if quoted is not None else plain))
        position = match.end()
    return tuple(result.values())


def _full_parse(values: tuple[str, ...]) -> tuple[Mailbox, ...]:
    return parse_mailboxes(*values)


def _name(raw: str | None) -> str:
    return decode_name(raw) if raw else ""


def _first(fields: Headers, name: str) -> str:
    values = fields.get(name)
    return values[0] if values else ""


def thread_index_id(index: bytes) -> str:
    """Outlook's conversation of a conversation index (``Thread-Index`` decoded, or MAPI's
    ``PR_CONVERSATION_INDEX``): its first 22 bytes (time + GUID), or ``""``."""
    return "ti:" + index[:22].hex() if len(index) >= 22 else ""


def conversation_id(fields: Headers) -> str:
    """Outlook's conversation from the headers: ``Thread-Index``, else Exchange's id."""
    index = _first(fields, "thread-index").strip()
    if index:
        try:
            decoded = base64.b64decode(index + "=" * (-len(index) % 4), validate=False)
        except (binascii.Error, ValueError):
            decoded = b""
        if thread_index_id(decoded):
            return thread_index_id(decoded)
    exchange = _first(fields, "x-ms-exchange-conversation-id") or _first(
        fields, "x-ms-exchange-organization-conversationid"
    )
    return ("ex:" + exchange.strip()) if exchange.strip() else ""


def _categories(fields: Headers) -> tuple[str, ...]:
    seen: list[str] = []
    for name in ("keywords", "x-keywords"):
        for value in fields.get(name, ()):
            for word in _KEYWORD_SPLIT.split(decode_text(value)):
                if word and word not in seen:
                    seen.append(word)
    return tuple(seen)


def is_private(fields: Headers) -> bool:
    """Whether a ``Sensitivity`` header marks the message private (any case, comments aside)."""
    return any(
        value.split("(", 1)[0].strip().lower() == "private"
        for value in fields.get("sensitivity", ())
    )


def interaction_from_headers(
    raw: bytes,
    *,
    where: str,
    source: str = "file",
    folder: str = "",
) -> Interaction | Problem:
    """The interaction a header block describes, or the problem that keeps it from being one.

    Parameters:
        raw: the header block, without any mbox ``From`` line and without the body.
        where: how a problem names this message for people (``"inbox.mbox #12"``).
        source: the source name stored with the item.
        folder: the source's folder hint (``"inbox"``, ``"sent"`` or ``""``).
    """
    fields = split_headers(raw)
    if not fields:
        return Problem(where, problem("no_header_fields"))
    sender_boxes = mailboxes(*fields.get("from", ()))
    if not sender_boxes:
        sender_boxes = mailboxes(*fields.get("sender", ()))
    if not sender_boxes:
        return Problem(where, problem("no_sender"))
    sender = sender_boxes[0]
    raw_date = _first(fields, "date")
    at = parse_date(raw_date)
    if at is None:
        reason = problem("unreadable_date", value=raw_date[:60]) if raw_date else problem("no_date")
        return Problem(where, reason)
    ids = message_ids(_first(fields, "message-id"))
    message_id = ids[0] if ids else ""
    if message_id:
        item_id = "msg:" + message_id
    else:
        digest = hashlib.sha1(raw.replace(b"\r\n", b"\n"), usedforsecurity=False)
        item_id = "sha:" + digest.hexdigest()
    in_reply_to = message_ids(_first(fields, "in-reply-to"))
    to = mailboxes(*fields.get("to", ()))
    cc = mailboxes(*fields.get("cc", ()))
    # Encoded words are at most four times as long as their text.
    subject = decode_text(_first(fields, "subject")[: 4 * MAX_SUBJECT])[:MAX_SUBJECT]
    noise = classify(fields, sender.address, recipients=to + cc, subject=subject)
    return Interaction(
        source=source,
        item_id=item_id,
        kind=Kind.EMAIL,
        at=at,
        sender=sender,
        to=to,
        cc=cc,
        bcc=mailboxes(*fields.get("bcc", ())),
        subject="" if is_private(fields) else subject,
        message_id=message_id,
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=message_ids(" ".join(fields.get("references", ()))),
        conversation_id=conversation_id(fields),
        flags=noise.flags,
        list_id=noise.list_id,
        folder=folder,
        delivered="received" in fields,
        categories=_categories(fields),
    )
