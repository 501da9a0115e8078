"""Single Outlook items saved as ``.msg`` read with extract-msg: the only module importing it.

A ``.msg`` is one item (a message, an appointment, a contact, a task…) in an OLE compound file,
with the same MAPI properties as the item had in its mailbox ([MS-OXMSG]); :mod:`.outlook` maps
it like an item of a ``.pst``. Attachments, embedded messages among them, are not opened: a
message forwarded as an attachment is the forwarder's interaction, not the original's.

A file extract-msg cannot read (not an OLE file, damaged, empty) is one whole problem naming it.

Exports: ``OLE_MAGIC``, ``msg_records``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import extract_msg
from extract_msg.enums import ErrorBehavior

from ..ports import Problem
from ..problems import Problem as Reason
from ..problems import problem
from . import mapi
from .outlook import Context, Record, records

__all__ = ["OLE_MAGIC", "msg_records"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TOLERANT = (
    ErrorBehavior.ATTACH_NOT_IMPLEMENTED
    | ErrorBehavior.ATTACH_BROKEN
    | ErrorBehavior.STANDARDS_VIOLATION
    | ErrorBehavior.OLE_DEFECT_INCORRECT
    | ErrorBehavior.NAMED_NAME_STREAM
)
_VARIABLE = (0x001F, 0x001E, 0x0102)
# extract-msg logs every oddity of a file at WARNING and above; what matters reaches the user
# as a problem instead.
logging.getLogger("extract_msg").setLevel(logging.CRITICAL)


class _Properties:
    """An extract-msg message or recipient as a :class:`.mapi.Item`."""

    def __init__(self, source: Any, codepage: str, rows: Sequence[_Properties] = ()) -> None:
        self._source = source
        self._codepage = codepage
        self._rows = tuple(rows)
        self._keys: dict[int, str] = {}
        for key in source.props:
            prop = int(key[:4], 16)
            if prop not in self._keys or key.endswith("001F"):  # Unicode over ANSI
                self._keys[prop] = key

    def get(self, prop: int) -> mapi.Value:
        key = self._keys.get(prop)
        if key is None:
            return None
        kind = int(key[4:], 16)
        if kind in _VARIABLE:
            data = self._source.getStream("__substg1.0_" + key)
            return mapi.decode(kind, data, self._codepage) if data is not None else None
        value = getattr(self._source.props.get(key), "value", None)
        return value if isinstance(value, (str, int, bytes)) or _is_time(value) else None

    def named(self, prop: mapi.Named) -> mapi.Value:
        named = getattr(self._source, "namedProperties", None)
        if named is None:
            return None
        value = named.get((prop.name or f"{prop.lid:04X}", prop.guid))
        if isinstance(value, list):
            return tuple(value)
        return value if isinstance(value, (str, int, bytes)) or _is_time(value) else None

    def recipients(self) -> Sequence[_Properties]:
        return self._rows


def _is_time(value: object) -> bool:
    return isinstance(value, datetime)


def _damaged(exc: Exception) -> Reason:
    return problem("msg_damaged", detail=f"{type(exc).__name__}: {exc}")


def _open(path: Path) -> Any:
    return extract_msg.openMsg(
        str(path), delayAttachments=True, errorBehavior=_TOLERANT, strict=False
    )


def msg_records(
    path: Path, *, source: str, where: str, now: datetime, folder: str = ""
) -> Iterator[Record]:
    """The records of one ``.msg``; a file that cannot be read is one whole :class:`Problem`."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(OLE_MAGIC))
    except OSError as exc:
        yield Problem(str(path), problem("os_error", detail=exc.strerror or str(exc)), whole=True)
        return
    if not head:
        yield Problem(str(path), problem("msg_empty"), whole=True)
        return
    if head != OLE_MAGIC:
        yield Problem(str(path), problem("msg_not_ole"), whole=True)
        return
    try:
        message = _open(path)
    except Exception as exc:  # extract-msg and olefile fail in many ways on damaged files
        yield Problem(str(path), _damaged(exc), whole=True)
        return
    try:
        codepage = str(getattr(message, "stringEncoding", "") or "cp1252")
        rows = [_Properties(r, codepage) for r in getattr(message, "recipients", None) or ()]
        item = _Properties(message, codepage, rows)
        found = records(item, Context(source, where, folder, now))
    except Exception as exc:  # the same, for properties read on demand
        yield Problem(str(path), _damaged(exc), whole=True)
        return
    finally:
        message.close()
    yield from found
