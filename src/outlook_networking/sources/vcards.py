"""Contact cards out of a vCard file (.vcf): 2.1 as Outlook exports it, 3.0 and 4.0.

The file is read line by line and split into ``BEGIN:VCARD`` … ``END:VCARD`` cards here; each card
is parsed on its own with vobject, because vobject's reader stops at the first broken line: one
broken card is a problem, the others are read. Each card is decoded as UTF-8, else Windows-1252
(Outlook's export encoding on Western Windows); a UTF-16 file (with its BOM) is decoded as such.
vCard 2.1's quoted-printable soft line breaks (a value ending in ``=``) are joined before parsing,
since vobject reads the continuation as a new, broken line.

Hostile files: binary properties (``PHOTO``, ``LOGO``, ``SOUND``, ``KEY``) are never read, so they
are dropped while the card is split, before vobject sees them; a 40 MB photo costs no memory and
the card is kept. So is any property longer than :data:`MAX_PROPERTY` (a problem if it is one the
product reads, such as ``FN`` or ``EMAIL``). What is left of a card may be at most
:data:`MAX_CARD` bytes, else the card is a problem. The whole file may be at most
``files.max_cards_mb`` (after decompression).

The owner's own card is the one carrying ``X-OUTLOOK-NETWORKING-ME:TRUE`` (the demo writes it;
a user can add it to their exported card).

Key dates: ``BDAY`` is the birthday; the anniversary is vCard 4.0's ``ANNIVERSARY``, Outlook's
``X-MS-ANNIVERSARY`` (its vCard 2.1 export) or ``X-ANNIVERSARY`` (Evolution, KDE), the first
that reads. The forms read are :func:`outlook_networking.parsing.dates.parse_key_date`'s; a
value that names no day is a problem, and the rest of the card is read.

Exports: ``load_vcards``, ``VCardFile``, ``ME_PROPERTY``, ``MAX_PROPERTY``, ``MAX_CARD``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vobject

from ..config import FileLimits
from ..errors import InputError
from ..model import ContactCard, KeyDate
from ..parsing.addresses import normalise
from ..parsing.dates import parse_key_date
from ..ports import Problem
from ..problems import problem
from .textfile import decode_export, export_lines

__all__ = ["MAX_CARD", "MAX_PROPERTY", "ME_PROPERTY", "VCardFile", "load_vcards"]

ME_PROPERTY = "X-OUTLOOK-NETWORKING-ME"
MAX_PROPERTY = 64 << 10  # bytes of one property (a long NOTE is dropped, the card is kept)
MAX_CARD = 1 << 20  # bytes of a card without what is dropped; real cards have a few KiB
DEFAULT_LIMIT = FileLimits().cards_bytes
LIMIT_SETTING = "files.max_cards_mb"
_BEGIN = re.compile(rb"[ \t]*BEGIN:VCARD[ \t]*\r?", re.IGNORECASE)
_END = re.compile(rb"[ \t]*END:VCARD[ \t]*\r?", re.IGNORECASE)
_BINARY = frozenset({b"PHOTO", b"LOGO", b"SOUND", b"KEY"})
# The properties the product reads; any other one longer than MAX_PROPERTY is dropped unnoticed.
_READ = frozenset(
    {b"FN", b"N", b"NICKNAME", b"EMAIL", b"ORG", b"CATEGORIES", b"UID", b"X-OUTLOOK-NETWORKING-ME"}
    | {b"BDAY", b"ANNIVERSARY", b"X-MS-ANNIVERSARY", b"X-ANNIVERSARY"}
)
_QP = b"QUOTED-PRINTABLE"
_KEY_DATES = (("birthday", ("bday",)),
              ("anniversary", ("anniversary", "x-ms-anniversary", "x-anniversary")))  # fmt: skip


def load_vcards(path: Path, *, source: str = "file", limit: int = DEFAULT_LIMIT) -> VCardFile:
    """Check a .vcf file as a whole; raises :class:`InputError` if it holds no card.

    The file is read through once here (cheaply, without parsing), so a broken gzip stream or a
    file over ``limit`` is refused before any card is stored.
    """
    found = False
    for line in export_lines(path, limit, LIMIT_SETTING):
        if not found and _BEGIN.fullmatch(line.rstrip(b"\n")):
            found = True
    if not found:
        raise InputError(str(path), problem("no_vcard"))
    return VCardFile(path, source, limit)


@dataclass
class _Card:
    """One card while it is read: the text kept for vobject and a hash of all of its bytes.

    The hash is over the card as it stands in the file (binary properties included; line ends
    as ``\n``), the item id of a card without UID, so ids do not depend on what is skipped.
    A property is kept piece by piece until it is over :data:`MAX_PROPERTY`; then it is dropped.
    """

    kept: list[bytes] = field(default_factory=list)
    size: int = 0
    digest: Any = field(default_factory=lambda: hashlib.sha1(usedforsecurity=False))
    pending_cr: bool = False  # a piece ended in "\r": "\r\n" may straddle two pieces
    property: list[bytes] = field(default_factory=list)  # the current property's pieces
    property_size: int = 0
    name: bytes = b""
    skipping: bool = False  # the current property is binary or too long
    quoted_printable: bool = False  # the current property is quoted-printable
    soft_break: bool = False  # its last line ended in "=": the next line continues it
    dropped: list[str] = field(default_factory=list)  # read properties left out as too long

    def hash(self, piece: bytes) -> None:
        if self.pending_cr:
            self.pending_cr = False
            if piece.startswith(b"\n"):
                self.digest.update(b"\n")
                piece = piece[1:]
            else:
                self.digest.update(b"\r")
        if piece.endswith(b"\r\n"):
            piece = piece[:-2] + b"\n"
        elif piece.endswith(b"\r"):
            piece, self.pending_cr = piece[:-1], True
        self.digest.update(piece)

    def close_property(self) -> None:
        if not self.skipping and self.size <= MAX_CARD:
            self.kept.extend(self.property)
        if not self.skipping:
            self.size += self.property_size
        self.property, self.property_size = [], 0

    def add(self, piece: bytes, line_start: bool) -> None:
        """Take the next piece of the card (``line_start``: it begins a physical line)."""
        self.hash(piece)
        if line_start:
            continues = piece[:1] in (b" ", b"\t") or (self.quoted_printable and self.soft_break)
            if not continues:
                self.close_property()
                head = piece.split(b":", 1)[0]
                self.name = head.split(b";", 1)[0].rsplit(b".", 1)[-1].strip().upper()
                self.skipping = self.name in _BINARY
                self.quoted_printable = _QP in head.upper()
        if piece.endswith(b"\n"):
            self.soft_break = piece.rstrip(b"\r\n").endswith(b"=")
        if self.skipping:
            return
        self.property.append(piece)
        self.property_size += len(piece)
        if self.property_size > MAX_PROPERTY:
            self.skipping = True
            self.property, self.property_size = [], 0
            if self.name in _READ:
                self.dropped.append(self.name.decode("ascii", errors="replace"))

    def end(self, line: bytes) -> None:
        """The END:VCARD line: counted in the hash without its line break, as it always was."""
        self.digest.update(line[:-1] if line.endswith(b"\n") else line)
        self.close_property()
        self.kept.append(line)

    def finish(self) -> None:
        """The card ends without END:VCARD (at the next BEGIN or the end of the file)."""
        self.close_property()


def _join_soft_breaks(text: str) -> str:
    """The card's lines with quoted-printable soft line breaks joined and blank lines dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if "QUOTED-PRINTABLE" in line.partition(":")[0].upper():
            parts = [line]
            while parts[-1].endswith("=") and index < len(lines):
                parts[-1] = parts[-1][:-1]
                parts.append(lines[index])
                index += 1
            line = "".join(parts)  # one join: adding piece by piece is quadratic
        if line.strip():
            out.append(line)
    return "\r\n".join(out) + "\r\n"


@dataclass(frozen=True, slots=True)
class VCardFile:
    """A checked .vcf file; :meth:`records` reads and parses each card."""

    path: Path
    source: str = "file"
    limit: int = DEFAULT_LIMIT

    def records(self) -> Iterator[ContactCard | Problem]:
        number = 0
        card: _Card | None = None
        line_start = True
        try:
            for piece in export_lines(self.path, self.limit, LIMIT_SETTING):
                whole = line_start and piece.endswith(b"\n")
                if whole and _BEGIN.fullmatch(piece[:-1]):
                    if card is not None:  # one missing its END runs to the next BEGIN
                        card.finish()
                        yield from self._card(number, card)
                    number += 1
                    card = _Card()
                    card.add(piece, line_start=True)
                elif card is not None and whole and _END.fullmatch(piece[:-1]):
                    card.end(piece)
                    yield from self._card(number, card)
                    card = None
                elif card is not None:
                    card.add(piece, line_start)
                line_start = piece.endswith(b"\n")
            if card is not None:
                if card.pending_cr:
                    card.digest.update(b"\r")
                card.finish()
                yield from self._card(number, card)
        except InputError as exc:  # changed since it was checked: keep what was read
            yield Problem(self.path.name, problem("after_items", count=number, reason=exc.reason))

    def _card(self, number: int, raw: _Card) -> Iterator[ContactCard | Problem]:
        where = f"{self.path.name} #{number}"
        if raw.size > MAX_CARD:
            yield Problem(where, problem("card_too_large", mebibytes=MAX_CARD >> 20))
            return
        for name in raw.dropped:
            yield Problem(
                where, problem("property_too_long", name=name, kibibytes=MAX_PROPERTY >> 10)
            )
        yield from self._parsed(where, raw)

    def _parsed(self, where: str, raw: _Card) -> list[ContactCard | Problem]:
        text = _join_soft_breaks(decode_export(b"".join(raw.kept)))
        try:
            card = vobject.readOne(text, ignoreUnreadable=False)
        except Exception as exc:
            return [Problem(where, problem("broken_vcard", detail=str(exc)))]
        contents: dict[str, list[Any]] = card.contents
        full_name = _text(contents, "fn")
        names: list[str] = []
        for entry in contents.get("n", ()):
            value = entry.value
            given = " ".join(_parts(getattr(value, "given", "")))
            family = " ".join(_parts(getattr(value, "family", "")))
            spelled = " ".join(p for p in (given, family) if p)
            if spelled and spelled not in names:
                names.append(spelled)
        for entry in contents.get("nickname", ()):
            for nickname in _parts(entry.value):
                if nickname not in names:
                    names.append(nickname)
        if not full_name and names:
            full_name = names[0]
        names = [n for n in names if n != full_name]
        addresses: list[str] = []
        for entry in contents.get("email", ()):
            address = normalise(str(entry.value))
            if address and address not in addresses:
                addresses.append(address)
        if not full_name and not addresses:
            return [Problem(where, problem("contact_empty"))]
        organisation = ""
        for entry in contents.get("org", ()):
            parts = _parts(entry.value)
            if parts:
                organisation = parts[0]
                break
        categories: list[str] = []
        for entry in contents.get("categories", ()):
            for category in _parts(entry.value, split_commas=True):
                if category not in categories:
                    categories.append(category)
        uid = _text(contents, "uid")
        item_id = f"vcf:{uid}" if uid else "vcf:sha:" + raw.digest.hexdigest()
        is_me = _text(contents, ME_PROPERTY.lower()).upper() in ("TRUE", "YES", "1")
        key_dates, unread = _key_dates(contents)
        read = ContactCard(
            source=self.source,
            item_id=item_id,
            full_name=full_name,
            addresses=tuple(addresses),
            organisation=organisation,
            categories=tuple(categories),
            is_me=is_me,
            names=tuple(names),
            key_dates=key_dates,
        )
        return [
            read,
            *(
                Problem(where, problem("not_a_day", name=name.upper(), value=value))
                for name, value in unread
            ),
        ]


def _key_dates(contents: dict[str, list[Any]]) -> tuple[tuple[KeyDate, ...], list[tuple[str, str]]]:
    """The card's key dates, and the (property, value) pairs that named no day."""
    dates: list[KeyDate] = []
    unread: list[tuple[str, str]] = []
    for kind, names in _KEY_DATES:
        for name in names:
            value = _text(contents, name)
            if not value:
                continue
            key_date = parse_key_date(kind, value)
            if key_date is None:
                unread.append((name, value[:40]))
                continue
            dates.append(key_date)
            break
    return tuple(dates), unread


def _parts(value: Any, *, split_commas: bool = False) -> list[str]:
    """A vobject value (string, list, or list of lists) as clean non-empty strings."""
    if isinstance(value, (list, tuple)):
        result: list[str] = []
        for item in value:
            result.extend(_parts(item, split_commas=split_commas))
        return result
    text = str(value) if value is not None else ""
    pieces = text.split(",") if split_commas else [text]
    return [" ".join(p.split()) for p in pieces if p.strip()]


def _text(contents: dict[str, list[Any]], name: str) -> str:
    for entry in contents.get(name, ()):
        parts = _parts(entry.value)
        if parts:
            return " ".join(parts)
    return ""
