"""Contact cards out of a vCard file (.vcf): 2.1 as Outlook exports it, 3.0 and 4.0.

The file is split into ``BEGIN:VCARD`` … ``END:VCARD`` chunks here and each chunk is parsed on its
own with vobject, because vobject's reader stops at the first broken line: one broken card is a
problem, the others are read. Each chunk is decoded as UTF-8, else Windows-1252 (Outlook's
export encoding on Western Windows); a UTF-16 file (with its BOM) is decoded as such. vCard 2.1's
quoted-printable soft line breaks (a value ending in ``=``) are joined before parsing, since
vobject reads the continuation as a new, broken line.

The owner's own card is the one carrying ``X-OUTLOOK-NETWORKING-ME:TRUE`` (the demo writes it;
a user can add it to their exported card).

Key dates: ``BDAY`` is the birthday; the anniversary is vCard 4.0's ``ANNIVERSARY``, Outlook's
``X-MS-ANNIVERSARY`` (its vCard 2.1 export) or ``X-ANNIVERSARY`` (Evolution, KDE), the first
that reads. The forms read are :func:`outlook_networking.parsing.dates.parse_key_date`'s; a
value that names no day is a problem, and the rest of the card is read.

Exports: ``load_vcards``, ``VCardFile``, ``ME_PROPERTY``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vobject

from ..errors import InputError
from ..model import ContactCard, KeyDate
from ..parsing.addresses import normalise
from ..parsing.dates import parse_key_date
from ..ports import Problem
from .textfile import decode_export, read_export

__all__ = ["ME_PROPERTY", "VCardFile", "load_vcards"]

ME_PROPERTY = "X-OUTLOOK-NETWORKING-ME"
_BEGIN = re.compile(rb"^[ \t]*BEGIN:VCARD[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_END = re.compile(rb"^[ \t]*END:VCARD[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_KEY_DATES = (("birthday", ("bday",)),
              ("anniversary", ("anniversary", "x-ms-anniversary", "x-anniversary")))  # fmt: skip


def _split(data: bytes) -> list[bytes]:
    """The ``BEGIN:VCARD`` … ``END:VCARD`` chunks; one missing its END runs to the next BEGIN."""
    chunks: list[bytes] = []
    starts = [m.start() for m in _BEGIN.finditer(data)]
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else len(data)
        end = _END.search(data, start, stop)
        chunks.append(data[start : end.end() if end else stop])
    return chunks


def load_vcards(path: Path, *, source: str = "file") -> VCardFile:
    """Split a .vcf file into cards; raises :class:`InputError` if it holds none."""
    data = read_export(path)
    chunks = _split(data)
    if not chunks:
        raise InputError(str(path), "no BEGIN:VCARD in the file")
    return VCardFile(path, tuple(chunks), source)


def _join_soft_breaks(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if "QUOTED-PRINTABLE" in line.partition(":")[0].upper():
            while line.endswith("=") and index < len(lines):
                line = line[:-1] + lines[index]
                index += 1
        if line.strip():
            out.append(line)
    return "\r\n".join(out) + "\r\n"


@dataclass(frozen=True, slots=True)
class VCardFile:
    """A split .vcf file; :meth:`records` parses each card."""

    path: Path
    chunks: tuple[bytes, ...]
    source: str = "file"

    def records(self) -> Iterator[ContactCard | Problem]:
        for number, chunk in enumerate(self.chunks, start=1):
            yield from self._card(number, chunk)

    def _card(self, number: int, chunk: bytes) -> list[ContactCard | Problem]:
        where = f"{self.path.name} card #{number}"
        text = _join_soft_breaks(decode_export(chunk))
        try:
            card = vobject.readOne(text, ignoreUnreadable=False)
        except Exception as exc:
            return [Problem(where, f"broken vCard: {exc}")]
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
            return [Problem(where, "no name and no e-mail address")]
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
        if uid:
            item_id = f"vcf:{uid}"
        else:
            canonical = chunk.replace(b"\r\n", b"\n")
            item_id = "vcf:sha:" + hashlib.sha1(canonical, usedforsecurity=False).hexdigest()
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
            *(Problem(where, f"{name.upper()} {value!r} is no day") for name, value in unread),
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
