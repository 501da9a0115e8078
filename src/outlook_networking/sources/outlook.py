"""Outlook items as the product's records, from their MAPI properties (see :mod:`.mapi`).

One mapping for every Outlook file: an item of a ``.pst``/``.ost`` and a ``.msg`` become the
same records. What an item is comes from its message class ([MS-OXCMSG] 2.2.1.3):

- **mail** (``IPM.Note`` and its kinds, meeting requests and responses, delivery reports):
  an e-mail :class:`~outlook_networking.model.Interaction`. Sender, recipients (To, Cc, Bcc),
  times, Message-ID, In-Reply-To, References, conversation index and categories come from the
  item's properties; the transport headers, when the item has them, go through the header code
  every mail file uses (:mod:`outlook_networking.parsing`), so list, bulk and automated mail is
  recognised as in an mbox. Exchange-internal (``EX``) addresses are resolved
  through the item's SMTP properties (``PR_SENDER_SMTP_ADDRESS``, ``PR_SMTP_ADDRESS``), else the
  header field of the same display name; one that stays unresolved is never stored as an
  ``/O=…`` string: a recipient is left out (a problem says so), a sender makes the message a
  problem. Unsent drafts are skipped.
- **appointments and meetings** (``IPM.Appointment``): a meeting per occurrence, with organizer,
  attendees and their responses, cancelled or not; a series is expanded within the window
  (:mod:`.recurrence`, :func:`.calendar.expand_series`). Ids follow the ``.ics`` reader's
  (``ev:<UID>``, the UID derived from the meeting's global object id as Outlook derives it for
  iCalendar), so the same meeting from a ``.pst`` and an ``.ics`` export is one item.
- **contacts** (``IPM.Contact``): a :class:`~outlook_networking.model.ContactCard` with all
  three e-mail addresses, the birthday (PidTagBirthday) and the wedding anniversary
  (PidTagWeddingAnniversary), each the day nearest the stored instant
  (:func:`outlook_networking.parsing.dates.key_date_from_instant`).
- **skipped and counted**: contact groups (``IPM.DistList``: a list, never a person), tasks,
  notes, posts (RSS items too), journal entries, instant-message conversation history, and any
  other class (free/busy data, configuration).

A private item (sensitivity private) keeps no subject.

Exports: ``Context``, ``Record``, ``records``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo

from ..model import Attendee, ContactCard, Flag, Interaction, KeyDate, Kind, Mailbox, Response
from ..parsing.addresses import decode_name, normalise
from ..parsing.dates import key_date_from_instant
from ..parsing.headers import (
    conversation_id,
    mailboxes,
    message_ids,
    parse_date,
    split_headers,
    thread_index_id,
)
from ..parsing.noise import classify
from ..ports import Problem, Skipped
from ..problems import problem
from . import mapi
from .calendar import WINDOW_AHEAD, WINDOW_BACK, expand_series
from .recurrence import parse_series, parse_zone

__all__ = ["Context", "Record", "records"]

Record = Interaction | ContactCard | Problem | Skipped

_UNSENT = 0x8  # MSGFLAG_UNSENT: a draft
_CANCELLED = 0x4  # asfCanceled in PidLidAppointmentStateFlags
_ORGANIZER = 0x2  # recipOrganizer in PR_RECIPIENT_FLAGS
_PRIVATE = 2
_TO, _CC, _BCC = 1, 2, 3  # for meetings: required, optional, resource
_RESPONSES = {1: Response.ORGANIZER, 2: Response.TENTATIVE, 3: Response.ACCEPTED,
              4: Response.DECLINED}  # fmt: skip
_SKIPPED_CLASSES = (  # message class prefix -> what the item is, for the count
    ("ipm.note.microsoft.conversation", "instant-message conversations"),
    ("ipm.note.microsoft.missed", "instant-message conversations"),
    ("ipm.distlist", "contact groups"),
    ("ipm.taskrequest", "tasks"),
    ("ipm.task", "tasks"),
    ("ipm.stickynote", "notes"),
    ("ipm.post", "posts"),
    ("ipm.activity", "journal entries"),
)
_MAIL_CLASSES = ("ipm.note", "ipm.schedule.meeting", "report.", "ipm.outlook.recall")
_VCAL_UID = b"vCal-Uid\x01\x00\x00\x00"
_ADDRESS_IN = re.compile(r"[^\s()<>\"',;:\[\]]+@[^\s()<>\"',;:\[\]]+")


@dataclass(frozen=True, slots=True)
class Context:
    """Where an item is read: for its records and for problems naming it."""

    source: str  # the source name stored with every record
    where: str  # how a problem names the item ("archive.pst: Inbox #12")
    folder: str = ""  # the folder hint: "inbox", "sent" or ""
    now: datetime | None = None  # the calendar window's reference time


def records(item: mapi.Item, context: Context) -> list[Record]:
    """The records one item makes (usually one; a series makes one per occurrence)."""
    kind = mapi.text(item.get(mapi.MESSAGE_CLASS)).lower()
    for prefix, what in _SKIPPED_CLASSES:
        if kind.startswith(prefix):
            return [Skipped(what)]
    if kind in ("", "ipm") or kind.startswith(_MAIL_CLASSES):
        return _mail(item, context, automated=kind.startswith("report."))
    if kind.startswith("ipm.appointment"):
        return _meetings(item, context)
    if kind.startswith("ipm.contact"):
        return [_card(item, context)]
    return [Skipped("other items")]


# --- people ------------------------------------------------------------------------------------


def _address(*candidates: str) -> str:
    """The first candidate that is an SMTP address; Exchange DNs (``/O=…``) never are."""
    for candidate in candidates:
        if candidate and not candidate.startswith("/"):
            address = normalise(candidate)
            if address:
                return address
    return ""


def _by_name(name: str, known: Sequence[Mailbox]) -> str:
    folded = name.casefold()
    for box in known:
        if folded and box.name.casefold() == folded:
            return box.address
    return ""


def _party(
    item: mapi.Item, name: int, email: int, smtp: int, known: Sequence[Mailbox]
) -> tuple[Mailbox | None, bool]:
    """A name, address and SMTP address property as a mailbox, and whether an address was
    given that did not resolve."""
    display = decode_name(mapi.text(item.get(name)))
    raw = mapi.text(item.get(email))
    address = _address(mapi.text(item.get(smtp)), raw) or _by_name(display, known)
    if not address:
        return None, bool(raw)
    return Mailbox(address, display if display.casefold() != address else ""), False


def _recipient(row: mapi.Item, known: Sequence[Mailbox]) -> tuple[int, Mailbox | None, bool]:
    """A recipient row's type, mailbox, and whether it named an address that did not resolve."""
    kind = (mapi.number(row.get(mapi.RECIPIENT_TYPE)) or _TO) & 0x0FFFFFFF
    box, lost = _party(row, mapi.DISPLAY_NAME, mapi.EMAIL_ADDRESS, mapi.SMTP_ADDRESS, known)
    return kind, box, lost


def _subject(item: mapi.Item) -> str:
    if mapi.number(item.get(mapi.SENSITIVITY)) == _PRIVATE or mapi.flag(item.named(mapi.PRIVATE)):
        return ""
    subject = mapi.text(item.get(mapi.SUBJECT))
    if subject.startswith("\x01"):  # a .pst's subject starts with a marker and a prefix length
        subject = subject[2:]
    return " ".join(subject.split())


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


# --- mail --------------------------------------------------------------------------------------


def _mail(item: mapi.Item, context: Context, *, automated: bool) -> list[Record]:
    if (mapi.number(item.get(mapi.MESSAGE_FLAGS)) or 0) & _UNSENT:
        return [Skipped("drafts")]
    raw_headers = mapi.text(item.get(mapi.TRANSPORT_MESSAGE_HEADERS))
    fields = split_headers(raw_headers.encode("utf-8", "surrogatepass")) if raw_headers else {}
    header_from = mailboxes(*fields.get("from", ())) or mailboxes(*fields.get("sender", ()))
    header_to = mailboxes(*fields.get("to", ()), *fields.get("cc", ()), *fields.get("bcc", ()))
    sender, unresolved = _party(
        item,
        mapi.SENT_REPRESENTING_NAME,
        mapi.SENT_REPRESENTING_EMAIL_ADDRESS,
        mapi.SENT_REPRESENTING_SMTP_ADDRESS,
        header_from,
    )
    if sender is None:
        sender, unresolved_sender = _party(
            item, mapi.SENDER_NAME, mapi.SENDER_EMAIL_ADDRESS, mapi.SENDER_SMTP_ADDRESS, header_from
        )
        unresolved = unresolved or unresolved_sender
    if sender is None and header_from:
        sender = header_from[0]
    if sender is None:
        reason = problem("sender_exchange_only" if unresolved else "no_sender")
        return [Problem(context.where, reason)]
    first_header_date = fields.get("date", [""])[0]
    at = (
        mapi.time(item.get(mapi.CLIENT_SUBMIT_TIME))
        or parse_date(first_header_date)
        or mapi.time(item.get(mapi.MESSAGE_DELIVERY_TIME))
    )
    if at is None:
        return [Problem(context.where, problem("no_sent_time"))]
    groups: dict[int, list[Mailbox]] = {_TO: [], _CC: [], _BCC: []}
    left_out = 0
    for row in item.recipients():
        kind, box, lost = _recipient(row, header_to)
        if box is not None and kind in groups and box not in groups[kind]:
            groups[kind].append(box)
        left_out += lost
    to, cc, bcc = (tuple(groups[k]) for k in (_TO, _CC, _BCC))
    if not (to or cc or bcc) and fields:  # no usable recipient table: the headers' fields
        to, cc = mailboxes(*fields.get("to", ())), mailboxes(*fields.get("cc", ()))
        bcc = mailboxes(*fields.get("bcc", ()))
        left_out = 0 if to or cc or bcc else left_out
    subject = _subject(item)
    message_id = _first_id(item.get(mapi.INTERNET_MESSAGE_ID), fields, "message-id")
    noise = classify(fields, sender.address, recipients=to + cc, subject=subject)
    flags = noise.flags | {Flag.AUTOMATED} if automated else noise.flags
    search_key = mapi.binary(item.get(mapi.SEARCH_KEY))
    if message_id:
        item_id = "msg:" + message_id
    elif search_key:
        item_id = "mapi:" + search_key.hex()
    else:
        item_id = "sha:" + _digest(sender.address, at.isoformat(), subject, to, cc, bcc)
    references = message_ids(mapi.text(item.get(mapi.INTERNET_REFERENCES))) or message_ids(
        " ".join(fields.get("references", ()))
    )
    received = bool(
        mapi.text(item.get(mapi.RECEIVED_BY_EMAIL_ADDRESS))
        or mapi.text(item.get(mapi.RECEIVED_BY_NAME))
    )
    mail = Interaction(
        source=context.source,
        item_id=item_id,
        kind=Kind.EMAIL,
        at=at,
        sender=sender,
        to=to,
        cc=cc,
        bcc=bcc,
        subject=subject,
        message_id=message_id,
        in_reply_to=_first_id(item.get(mapi.IN_REPLY_TO_ID), fields, "in-reply-to"),
        references=references,
        conversation_id=thread_index_id(mapi.binary(item.get(mapi.CONVERSATION_INDEX)))
        or conversation_id(fields),
        flags=frozenset(flags),
        list_id=noise.list_id,
        folder=context.folder,
        delivered=context.folder != "sent" and ("received" in fields or received),
        categories=mapi.texts(item.named(mapi.CATEGORIES)),
    )
    if not left_out:
        return [mail]
    return [mail, Problem(context.where, problem("recipients_exchange_only", count=left_out))]


def _first_id(value: mapi.Value, fields: dict[str, list[str]], header: str) -> str:
    ids = message_ids(mapi.text(value)) or message_ids(fields.get(header, [""])[0])
    return ids[0] if ids else ""


# --- appointments ------------------------------------------------------------------------------


def _uid(item: mapi.Item) -> str:
    """The meeting's iCalendar UID as Outlook derives it ([MS-OXCICAL] 2.1.3.1.1.20.26)."""
    goid = mapi.binary(item.named(mapi.CLEAN_GLOBAL_OBJECT_ID))
    if not goid:
        goid = mapi.binary(item.named(mapi.GLOBAL_OBJECT_ID))
        if len(goid) >= 20:
            goid = goid[:16] + b"\x00\x00\x00\x00" + goid[20:]  # the series, not an instance
    if len(goid) > 40 and goid[40:].startswith(_VCAL_UID):
        embedded = goid[40 + len(_VCAL_UID) :].split(b"\x00", 1)[0]
        uid = embedded.decode("utf-8", "replace").strip()
        if uid:
            return uid
    if goid:
        return goid.hex().upper()
    search_key = mapi.binary(item.get(mapi.SEARCH_KEY))
    return "mapi:" + search_key.hex() if search_key else ""


def _meetings(item: mapi.Item, context: Context) -> list[Record]:
    start = mapi.time(item.named(mapi.APPOINTMENT_START)) or mapi.time(item.get(mapi.START_DATE))
    end = mapi.time(item.named(mapi.APPOINTMENT_END)) or mapi.time(item.get(mapi.END_DATE))
    if start is None:
        return [Problem(context.where, problem("appointment_no_start"))]
    organizer: Mailbox | None = None
    attendees: list[Attendee] = []
    for row in item.recipients():
        kind, box, _ = _recipient(row, ())
        if box is None or kind == _BCC or any(a.mailbox.address == box.address for a in attendees):
            continue  # unresolved, a room or resource, or listed twice
        if (mapi.number(row.get(mapi.RECIPIENT_FLAGS)) or 0) & _ORGANIZER:
            organizer = box
            response = Response.ORGANIZER
        else:
            status = mapi.number(row.get(mapi.RECIPIENT_TRACK_STATUS)) or 0
            response = _RESPONSES.get(status, Response.NONE)
        attendees.append(Attendee(box, response, optional=kind == _CC))
    if organizer is None:
        organizer = (
            _party(
                item,
                mapi.SENT_REPRESENTING_NAME,
                mapi.SENT_REPRESENTING_EMAIL_ADDRESS,
                mapi.SENT_REPRESENTING_SMTP_ADDRESS,
                (),
            )[0]
            or _party(
                item, mapi.SENDER_NAME, mapi.SENDER_EMAIL_ADDRESS, mapi.SENDER_SMTP_ADDRESS, ()
            )[0]
        )
    zone = parse_zone(mapi.binary(item.named(mapi.TIMEZONE_STRUCT)))
    all_day = mapi.flag(item.named(mapi.APPOINTMENT_SUBTYPE))
    duration = max(0, int((end - start).total_seconds())) if end is not None else 0
    if all_day:
        start = _midnight(start, zone)
        duration = max(1, round(duration / 86400)) * 86400
    uid = _uid(item) or _digest(context.where, start.isoformat())
    meeting = Interaction(
        source=context.source,
        item_id=f"ev:{uid}",
        kind=Kind.MEETING,
        at=start,
        sender=organizer,
        subject=_subject(item),
        folder="calendar",
        attendees=tuple(attendees),
        duration_s=duration,
        cancelled=bool((mapi.number(item.named(mapi.APPOINTMENT_STATE)) or 0) & _CANCELLED),
        categories=mapi.texts(item.named(mapi.CATEGORIES)),
    )
    blob = mapi.binary(item.named(mapi.APPOINTMENT_RECUR))
    if not (mapi.flag(item.named(mapi.RECURRING)) and blob):
        return [meeting]
    now = context.now or datetime.now(UTC)
    try:
        series = parse_series(blob, zone or UTC)
        occurrences = expand_series(series, meeting, uid, now - WINDOW_BACK, now + WINDOW_AHEAD)
    except ValueError as exc:
        return [
            meeting,
            Problem(context.where, problem("recurrence_not_read", detail=str(exc))),
        ]
    if all_day:
        occurrences = [replace(o, at=_midnight(o.at, zone)) for o in occurrences]
    return list(occurrences)


def _midnight(at: datetime, zone: tzinfo | None) -> datetime:
    """An all-day item's day, as midnight UTC (as the ``.ics`` reader stores all-day events)."""
    local = at.astimezone(zone) if zone is not None else at
    return datetime(local.year, local.month, local.day, tzinfo=UTC)


# --- contacts ----------------------------------------------------------------------------------


def _card(item: mapi.Item, context: Context) -> Record:
    addresses: list[str] = []
    # An EX slot's address is a DN; its SMTP form is then in the original display name.
    for _, address_prop, original_prop in mapi.EMAIL_SLOTS:
        for value in (item.named(address_prop), item.named(original_prop)):
            text = mapi.text(value)
            found = _address(text) or next(
                (a for a in (normalise(m) for m in _ADDRESS_IN.findall(text)) if a), ""
            )
            if found:
                if found not in addresses:
                    addresses.append(found)
                break
    given = " ".join(
        p for p in (mapi.text(item.get(mapi.GIVEN_NAME)), mapi.text(item.get(mapi.SURNAME))) if p
    )
    full_name = (
        mapi.text(item.get(mapi.DISPLAY_NAME))
        or mapi.text(item.named(mapi.FILE_UNDER))
        or given
        or _subject(item)
    )
    if not full_name and not addresses:
        return Problem(context.where, problem("contact_empty"))
    nickname = mapi.text(item.get(mapi.NICKNAME))
    names = tuple(n for n in dict.fromkeys((given, nickname)) if n and n != full_name)
    search_key = mapi.binary(item.get(mapi.SEARCH_KEY))
    item_id = "card:" + (search_key.hex() if search_key else _digest(full_name, addresses))
    return ContactCard(
        source=context.source,
        item_id=item_id,
        full_name=full_name,
        addresses=tuple(addresses),
        organisation=mapi.text(item.get(mapi.COMPANY_NAME)),
        categories=mapi.texts(item.named(mapi.CATEGORIES)),
        names=names,
        key_dates=_key_dates(item),
    )


def _key_dates(item: mapi.Item) -> tuple[KeyDate, ...]:
    found = (
        key_date_from_instant(kind, at)
        for kind, prop in (("birthday", mapi.BIRTHDAY), ("anniversary", mapi.WEDDING_ANNIVERSARY))
        if (at := mapi.instant(item.get(prop))) is not None
    )
    return tuple(k for k in found if k is not None)
