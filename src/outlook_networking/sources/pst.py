"""Outlook data files (``.pst``, ``.ost``) read with libpff: the only module that imports pypff.

The folder tree is walked one folder and one item at a time (libpff reads the file on demand),
so memory stays flat however large the file. Each item's properties the mapping needs (see
:data:`.mapi.PROPERTIES_READ`) are read and nothing else: bodies and attachments never are.

Folders are recognised by their role, never by their display name, which Outlook localises
("Gesendete Elemente", "送信済みアイテム"): the message store names the IPM subtree, Sent Items,
Deleted Items and Outbox by entry id; the root folder and the Inbox name Drafts, Junk E-mail,
Sync Issues (with Conflicts, Local and Server Failures) and the RSS and conversation-action
folders ([MS-OXOSFLD] 2.2.2 to 2.2.4). Only the IPM subtree is read (search folders lie outside
it). Deleted Items, Junk E-mail, Drafts, Outbox, Sync Issues and RSS Feeds are skipped whole and
their items counted; messages in Sent Items carry the folder hint "sent", in the Inbox "inbox".
A PST of an IMAP account names no Sent Items: there a folder named as a sent folder is one.

A file libpff cannot open (damaged, truncated, not a PST at all, or an ``.ost`` from an Outlook
newer than libpff reads) is one problem naming it; a folder or item that cannot be read inside a
readable file is a problem and the rest is read. A PST password is not a lock: the password is
only a check Outlook makes before showing the file, the data is not encrypted by it, and libpff
reads such a file like any other.

Exports: ``MAGIC``, ``header_reason``, ``pst_records``.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pypff

from ..ports import Problem, Skipped
from ..problems import Problem as Reason
from ..problems import problem
from . import mapi
from .mailfiles import folder_hint
from .outlook import Context, Record, records

__all__ = ["MAGIC", "header_reason", "pst_records"]

MAGIC = b"!BDN"
_CLIENTS = {b"SM": "PST", b"SO": "OST", b"AB": "PAB"}
_VERSIONS = {14: "ANSI", 15: "ANSI", 23: "Unicode", 36: "Unicode with 4 KiB pages"}
# Store and folder properties naming the special folders ([MS-OXOSFLD] 2.2.2 to 2.2.4).
_IPM_SUBTREE, _OUTBOX, _DELETED, _SENT = 0x35E0, 0x35E2, 0x35E3, 0x35E4
_CALENDAR, _DRAFTS, _ADDITIONAL, _ADDITIONAL_EX = 0x36D0, 0x36D7, 0x36D8, 0x36D9
_SKIP_ADDITIONAL = {0: "Conflicts", 1: "Sync Issues", 2: "Local Failures",
                    3: "Server Failures", 4: "Junk E-mail"}  # fmt: skip
_SKIP_PERSISTED = {0x8001: "RSS Feeds", 0x8006: "Conversation Action Settings"}
_PUBLIC_STRINGS = "{00020329-0000-0000-C000-000000000046}"
_PS_MAPI = "{00020328-0000-0000-C000-000000000046}"
_READ_FOLDER = {0x3001, 0x3613, _CALENDAR, _DRAFTS, _ADDITIONAL, _ADDITIONAL_EX}
Tick = Callable[[int, int | None], None]


def header_reason(head: bytes) -> Reason | None:
    """Why a file with these first bytes is no Outlook data file libpff reads, or None."""
    if not head.startswith(MAGIC):
        return problem("pst_no_signature")
    if len(head) < 12:
        return problem("pst_header_truncated")
    client = _CLIENTS.get(head[8:10], "")
    version = struct.unpack_from("<H", head, 10)[0]
    if not client:
        return problem("pst_unknown_client")
    if version not in _VERSIONS:
        return problem("pst_unknown_version", client=client, version=version)
    return None


# --- property values ---------------------------------------------------------------------------


def _multi(data: bytes) -> list[bytes]:
    """The values of a variable-size multi-valued property ([MS-PST] 2.3.3.4.2)."""
    if len(data) < 4:
        return []
    count = struct.unpack_from("<I", data, 0)[0]
    if count > (len(data) - 4) // 4:
        return []
    offsets = [*struct.unpack_from(f"<{count}I", data, 4), len(data)]
    return [data[offsets[i] : offsets[i + 1]] for i in range(count) if offsets[i] <= offsets[i + 1]]


def _value(kind: int, data: bytes, codepage: str) -> mapi.Value:
    """A property's value; multi-valued ones in the PST's layout ([MS-PST] 2.3.3.4.2)."""
    if kind & 0x1000 and kind != 0x1000:
        values = tuple(mapi.decode(kind & 0x0FFF, v, codepage) for v in _multi(data))
        if kind == 0x101F or kind == 0x101E:
            return tuple(v for v in values if isinstance(v, str))
        if kind == 0x1102:
            return tuple(v for v in values if isinstance(v, bytes))
        return None
    return mapi.decode(kind, data, codepage)


def _entries(record_set: Any, wanted: frozenset[int], codepage: str) -> dict[int, mapi.Value]:
    """The wanted properties of one record set; a value libpff cannot read is left out."""
    values: dict[int, mapi.Value] = {}
    for entry in record_set.entries:
        prop = entry.entry_type
        if prop not in wanted:
            continue
        try:
            data = entry.data
        except OSError:
            continue
        if data is not None:
            values[prop] = _value(entry.value_type, data, codepage)
    return values


def _properties(obj: Any, wanted: frozenset[int], codepage: str) -> dict[int, mapi.Value]:
    values: dict[int, mapi.Value] = {}
    if obj is None:  # libpff found no such object in a damaged file
        return values
    for index in range(obj.number_of_record_sets):
        values.update(_entries(obj.get_record_set(index), wanted, codepage))
    return values


@dataclass(frozen=True, slots=True)
class _Row:
    """A recipient row or an item: its properties, its named-property ids, its rows."""

    values: dict[int, mapi.Value]
    named_ids: dict[mapi.Named, int]
    rows: tuple[_Row, ...] = ()

    def get(self, prop: int) -> mapi.Value:
        return self.values.get(prop)

    def named(self, prop: mapi.Named) -> mapi.Value:
        number = self.named_ids.get(prop)
        return self.values.get(number) if number is not None else None

    def recipients(self) -> Sequence[_Row]:
        return self.rows


def _guid(data: bytes) -> str:
    return "{" + str(uuid.UUID(bytes_le=data)).upper() + "}"


def _name_map(file: Any, codepage: str) -> dict[mapi.Named, int]:
    """The file's ids of the named properties the mapping reads ([MS-PST] 2.4.7)."""
    try:
        streams = _properties(file.name_to_id_map, frozenset({2, 3, 4}), codepage)
    except (OSError, AttributeError):
        return {}
    guids_blob, entries, names = (mapi.binary(streams.get(k)) for k in (2, 3, 4))
    guids = [_PS_MAPI, _PUBLIC_STRINGS] + [
        _guid(guids_blob[i : i + 16]) for i in range(0, len(guids_blob) - 15, 16)
    ]
    wanted = set(mapi.NAMED_READ)
    found: dict[mapi.Named, int] = {}
    for offset in range(0, len(entries) - 7, 8):
        number, kind, index = struct.unpack_from("<IHH", entries, offset)
        slot = (kind >> 1) - 1
        if not 0 <= slot < len(guids):
            continue
        if kind & 1:  # a string name, stored in the string stream at ``number``
            if number + 4 > len(names):
                continue
            size = struct.unpack_from("<I", names, number)[0]
            text = names[number + 4 : number + 4 + size].decode("utf-16-le", "replace")
            key = mapi.Named(guids[slot], name=text)
        else:
            key = mapi.Named(guids[slot], number)
        if key in wanted:
            found[key] = 0x8000 + index
    return found


# --- the folder tree ---------------------------------------------------------------------------


def _nid(entry_id: mapi.Value) -> int | None:
    """The node id an entry id points to (its last four bytes, [MS-PST] 2.4.3.2)."""
    data = mapi.binary(entry_id)
    return struct.unpack_from("<I", data, 20)[0] if len(data) >= 24 else None


def _persisted(blob: bytes) -> dict[int, int]:
    """PersistID -> folder node id, from ``PR_ADDITIONAL_REN_ENTRYIDS_EX``."""
    found: dict[int, int] = {}
    at = 0
    while at + 4 <= len(blob):
        persist, size = struct.unpack_from("<HH", blob, at)
        if persist == 0:
            break
        element = at + 4
        while element + 4 <= min(at + 4 + size, len(blob)):
            kind, length = struct.unpack_from("<HH", blob, element)
            if kind == 0x0001:  # RSF_ELID_ENTRYID
                nid = _nid(blob[element + 4 : element + 4 + length])
                if nid is not None:
                    found[persist] = nid
            element += 4 + length
        at += 4 + size
    return found


@dataclass
class _Roles:
    """Folder node id -> what to do with it: a hint ("sent", "inbox") or a name to skip."""

    hints: dict[int, str]
    skip: dict[int, str]

    def learn(self, folder: dict[int, mapi.Value]) -> None:
        """Take the special folders named on the root folder or the Inbox."""
        drafts = _nid(folder.get(_DRAFTS))
        if drafts is not None:
            self.skip[drafts] = "Drafts"
        for index, value in enumerate(mapi.binaries(folder.get(_ADDITIONAL))):
            nid = _nid(value)
            if nid is not None and index in _SKIP_ADDITIONAL:
                self.skip[nid] = _SKIP_ADDITIONAL[index]
        for persist, nid in _persisted(mapi.binary(folder.get(_ADDITIONAL_EX))).items():
            if persist in _SKIP_PERSISTED:
                self.skip[nid] = _SKIP_PERSISTED[persist]


def _walk(
    file: Any, codepage: str, name: str, tick: Tick
) -> Iterator[tuple[Any, str, str] | Problem | Skipped]:
    """Each readable folder of the IPM subtree with its hint and path; skipped and problems."""
    store = _properties(file.message_store, frozenset({_IPM_SUBTREE, _OUTBOX, _DELETED, _SENT}),
                        codepage)  # fmt: skip
    roles = _Roles({}, {})
    sent = _nid(store.get(_SENT))
    if sent is not None:
        roles.hints[sent] = "sent"
    for prop, label in ((_OUTBOX, "Outbox"), (_DELETED, "Deleted Items")):
        nid = _nid(store.get(prop))
        if nid is not None:
            roles.skip[nid] = label
    try:
        root = file.root_folder
    except MemoryError as exc:  # pypff's answer when the root folder's record is damaged
        raise _Damaged(problem("pst_root_damaged")) from exc
    if root is None:
        raise _Damaged(problem("pst_no_root"))
    roles.learn(_properties(root, frozenset(_READ_FOLDER), codepage))
    subtree = _nid(store.get(_IPM_SUBTREE))
    tops = _subfolders(root)
    start = [f for f in tops if f.identifier == subtree] or tops
    total = 0
    pending: list[tuple[Any, str, bool]] = [(f, "", True) for f in reversed(start)]
    folders: list[tuple[Any, str, bool]] = []
    # First the tree, for the total that the progress shows and to learn the Inbox's roles.
    while pending:
        folder, parent, is_top = pending.pop()
        try:
            props = _properties(folder, frozenset(_READ_FOLDER), codepage)
            path = "" if is_top and folder.identifier == subtree else _join(parent, folder.name)
            if _CALENDAR in props and not is_top:
                roles.hints[folder.identifier] = "inbox"  # the Inbox also names the special folders
                roles.learn(props)
            folders.append((folder, path, is_top))
            total += folder.number_of_sub_messages
            children = _subfolders(folder)
        except OSError as exc:
            yield Problem(f"{name}: {_join(parent, str(folder.name or ''))}", _reason(exc))
            continue
        pending.extend((child, path, False) for child in reversed(children))
    tick(0, total)
    skipped_under: dict[str, str] = {}
    for folder, path, _ in folders:
        nid = folder.identifier
        label = roles.skip.get(nid) or next(
            (what for under, what in skipped_under.items() if path.startswith(under + "/")), ""
        )
        if label:
            skipped_under.setdefault(path, label)
            if folder.number_of_sub_messages:
                yield Skipped(f"items in {label}", folder.number_of_sub_messages)
            continue
        hint = roles.hints.get(nid, "")
        if not hint and path and "sent" not in roles.hints.values():  # an IMAP account's PST
            hint = folder_hint(Path(str(folder.name or "").replace("/", " ")))
        yield folder, hint, path


def _subfolders(folder: Any) -> list[Any]:
    found = (folder.get_sub_folder(i) for i in range(folder.number_of_sub_folders))
    return [f for f in found if f is not None]


def _join(parent: str, child: str | None) -> str:
    return f"{parent}/{child or ''}" if parent else (child or "")


class _Damaged(OSError):
    """The store itself is damaged (its root folder): ``reason`` says how."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(str(reason))
        self.reason = reason


def _detail(exc: BaseException) -> str:
    """libpff's error chain, shortened to its first step: the rest is libpff's call stack."""
    text = str(exc).split(". ")
    first = next((t for t in text if ":" in t), text[0])
    return first.split(": ", 1)[-1].strip().rstrip(".")


def _reason(exc: BaseException) -> Reason:
    if isinstance(exc, _Damaged):
        return exc.reason
    return problem("pst_unreadable", detail=_detail(exc))


def _item(obj: Any, named: dict[mapi.Named, int], wanted: frozenset[int], codepage: str) -> _Row:
    values = _properties(obj, wanted, codepage)
    rows: list[_Row] = []
    table = getattr(obj, "recipients", None)
    if table is not None:
        for index in range(table.number_of_record_sets):
            row = _entries(table.get_record_set(index), wanted, codepage)
            rows.append(_Row(row, named))
    return _Row(values, named, tuple(rows))


def pst_records(
    path: Path, *, source: str, now: datetime, tick: Tick = lambda done, total: None
) -> Iterator[Record]:
    """Every record of a ``.pst``/``.ost``, folder by folder; never raises for the file's sake.

    A file that cannot be opened is a single whole :class:`Problem` naming it; ``tick`` is told
    the number of items read and, once the folders are known, their total.
    """
    name = path.name
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        yield Problem(str(path), problem("os_error", detail=exc.strerror or str(exc)), whole=True)
        return
    reason = header_reason(head)
    if reason is not None:
        yield Problem(str(path), reason, whole=True)
        return
    file = pypff.file()
    try:
        file.open(str(path))
    except OSError as exc:
        client = _CLIENTS[head[8:10]]
        yield Problem(
            str(path), problem("pst_damaged", client=client, detail=_detail(exc)), whole=True
        )
        return
    try:
        codepage = (file.ascii_codepage or b"cp1252").decode("ascii", "replace")
        named = _name_map(file, codepage)
        wanted = frozenset(mapi.PROPERTIES_READ | set(named.values()))
        done = 0
        for entry in _walk(file, codepage, name, tick):
            if isinstance(entry, (Problem, Skipped)):
                if isinstance(entry, Skipped):
                    done += entry.count
                    tick(done, None)
                yield entry
                continue
            folder, hint, folder_path = entry
            count = _count(folder)
            for index in range(count):
                where = f"{name}: {folder_path or 'top'} #{index + 1}"
                try:
                    item = _item(folder.get_sub_message(index), named, wanted, codepage)
                except OSError as exc:
                    yield Problem(where, _reason(exc))
                else:
                    yield from records(item, Context(source, where, hint, now))
                done += 1
                if done % 100 == 0:
                    tick(done, None)
        tick(done, None)
    except OSError as exc:  # the store or the root folder: nothing more can be found
        yield Problem(str(path), _reason(exc), whole=done == 0)
    finally:
        file.close()


def _count(folder: Any) -> int:
    try:
        return int(folder.number_of_sub_messages)
    except OSError:
        return 0
