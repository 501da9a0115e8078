"""The file source: exported mail, calendar and contact files as a :class:`Source`.

Outlook's own files are units too: a ``.pst``/``.ost`` (read by :mod:`.pst`), a ``.msg``, and a
folder's ``.msg`` files as one unit (read by :mod:`.msg`). A damaged one is no reason to stop:
it becomes a whole problem naming it, and the other files are read.

Terminology (see :mod:`outlook_networking.ports` for source, folder, cursor, batch):

- **unit**: one thing read as a whole and synchronised with one cursor: an mbox file, a Maildir
  (with its Maildir++ subfolders), a directory of ``.eml`` files, one ``.eml``, one ``.ics``, one
  ``.vcf``, one ``.pst``/``.ost``, one ``.msg``, a directory of ``.msg`` files. Its resolved path
  is the batch ``folder``.
- **signature**: the cursor of a unit: size and modification time plus a hash of the first and
  last 64 KiB (for directories, of the listing). An unchanged unit is skipped on the next read;
  a changed one is read again as a full round (``reset``), which is harmless because the store
  upserts, and lets the store sweep the copies the unit no longer holds (never their history).

Folders inside a tree that hold no correspondence (Junk, Trash, Drafts, Outbox, ...) are
skipped by name (:class:`~.mailfiles.FolderRules`, ``[folders]`` in the config) and listed in
:attr:`FileSource.skipped`; a path given explicitly is always read.

Every path is checked before anything is yielded: a path that cannot be read at all (missing,
unreadable, binary, no known format, an unparsable calendar, a pipe or device) raises
:class:`~outlook_networking.errors.InputError`, so nothing is half-written. Parts that are broken
inside a readable file (a mangled ``Date``, an event without ``DTSTART``, a vCard with a broken
line) become problems in the batches and the rest is read. Inside a folder, what cannot be read
at all (a subfolder or file without permission, a symlink loop, a ``.mbox``/``.ics``/``.vcf``/
``.eml`` that is none) is a whole problem, named; other files are passed over. Folders are
walked without recursion and each is read once, however deep the tree and whatever its symlinks.

Exports: ``FileSource``, ``Unit``, ``detect``, ``DEFAULT_CHUNK``.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import os
import stat
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, cast

from ..config import FileLimits
from ..errors import InputError
from ..model import ContactCard, Interaction
from ..parsing.headers import interaction_from_headers
from ..ports import Batch, Problem, Skipped
from ..problems import Problem as Reason
from ..problems import problem
from .mailfiles import (
    DEFAULT_FOLDERS,
    FolderRules,
    Unlisted,
    eml_entries,
    folder_hint,
    folder_name,
    is_maildir,
    iter_mbox,
    maildir_entries,
    maildir_files,
    msg_entries,
    read_header_block,
    starts_like_mbox,
)
from .pst import MAGIC as PST_MAGIC
from .textfile import Capped, NotAFile, TooLarge, kind_of, open_regular, reason_of

__all__ = ["DEFAULT_CHUNK", "FileSource", "Unit", "detect"]

DEFAULT_CHUNK = 1000
_READERS = 4  # threads reading message files ahead of the parser
_READ_CHUNK = 32  # files per read-ahead task
_READ_AHEAD = 8  # tasks in flight at most (memory: 256 header blocks)
_PROBE = 65536
_GZIP_MAGIC = b"\x1f\x8b"
_MAIL_FIELDS = (b"from:", b"date:", b"message-id:", b"received:", b"subject:", b"to:")
# Names that say "mail, calendar or cards": such a file in a folder that cannot be read is a
# problem; any other file that is none of these is passed over.
_KNOWN_SUFFIXES = (".mbox", ".mbx", ".eml", ".ics", ".vcf")
_UNREADABLE = "unreadable"
_LOOP = "loop"

Record = Interaction | ContactCard | Problem | Skipped
Progress = Callable[["Unit", int, int | None], None]  # a unit, items read, their total if known
_OUTLOOK_SUFFIXES = {".pst": "pst", ".ost": "pst", ".msg": "msg"}


@dataclass(frozen=True, slots=True)
class Unit:
    """One input read as a whole with one cursor.

    ``kind``: mbox maildir emldir eml ics vcf pst msg msgdir; ``unreadable`` for a part of a
    folder that cannot be read at all (``reason`` says why), which yields one whole problem, or
    ``loop`` for a symlink back to a folder above, which yields one problem (nothing is lost: the
    folder is read once); neither has a cursor.
    """

    kind: str
    path: Path
    gzipped: bool = False
    reason: Reason | None = None

    @property
    def folder(self) -> str:
        return str(self.path)


@dataclass(frozen=True, slots=True)
class _Unfinished(Problem):
    """A problem that ends the unit early: its cursor is not saved, so it is read again."""


def _reason(exc: OSError | ValueError) -> Reason:
    if isinstance(exc, OSError):
        return reason_of(exc)
    return problem("os_error", detail=str(exc) or type(exc).__name__)  # a NUL byte in the path


def _head(path: Path) -> tuple[bytes, bool]:
    """The first bytes of a file (decompressed if gzip) and whether it was gzip."""
    try:
        with open_regular(path) as handle:
            raw = handle.read(_PROBE)
            if raw.startswith(_GZIP_MAGIC):
                handle.seek(0)
                with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
                    return unzipped.read(_PROBE), True
    except (PermissionError, NotAFile) as exc:
        raise InputError(str(path), reason_of(exc)) from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # BadGzipFile is an OSError
        raise InputError(str(path), problem("broken_gzip", detail=str(exc))) from exc
    except OSError as exc:
        raise InputError(str(path), problem("cannot_be_read", reason=reason_of(exc))) from exc
    return raw, False


def _sniff(head: bytes) -> str:
    """The format of a file from its first bytes: mbox, eml, ics, vcf, or ``""``."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        wide = head.decode("utf-16", errors="replace").lstrip("\ufeff \t\r\n").upper()
        if wide.startswith("BEGIN:VCARD"):
            return "vcf"
        if wide.startswith("BEGIN:VCALENDAR"):
            return "ics"
        return ""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    upper = text[:32].upper()
    if upper.startswith(b"BEGIN:VCALENDAR"):
        return "ics"
    if upper.startswith(b"BEGIN:VCARD"):
        return "vcf"
    if starts_like_mbox(text):
        return "mbox"  # a NUL byte in some message further on does not make it binary
    if b"\x00" in head[:8192]:
        return ""
    if text.startswith(b"From "):
        return "mbox"
    block = text.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0].lower()
    first = block.split(b"\n", 1)[0]
    name, colon, _ = first.partition(b":")
    known = sum(1 for f in _MAIL_FIELDS if block.startswith(f) or b"\n" + f in block)
    if colon and name and b" " not in name.strip() and known >= 2:
        return "eml"
    return ""


def detect(
    path: Path, rules: FolderRules = DEFAULT_FOLDERS, skipped: set[str] | None = None
) -> list[Unit]:
    """The units a path holds; raises :class:`InputError` if it holds none that can be read.

    Folders inside it that ``rules`` skip are left out and added to ``skipped``.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError) as exc:
        raise InputError(str(path), _reason(exc)) from exc
    if stat.S_ISDIR(mode):
        units = _directory_units(path, rules, set() if skipped is None else skipped)
        readable = [u for u in units if u.kind not in (_UNREADABLE, _LOOP)]
        if not units:
            raise InputError(str(path), problem("no_exports_in_folder"))
        if not readable:
            first = units[0]
            assert first.reason is not None  # an unreadable unit and a loop say why
            why = problem(
                "nothing_readable_in_folder",
                path=str(first.path),
                reason=first.reason,
                more=len(units) - 1,
            )
            raise InputError(str(path), why)
        return units
    if not stat.S_ISREG(mode):
        raise InputError(str(path), problem("not_regular_file", what=kind_of(mode)))
    outlook = _outlook_kind(path)
    if outlook:  # its reader names the file if it is damaged, and the others are read
        return [Unit(outlook, path)]
    return [_file_unit(path)]


def _outlook_kind(path: Path) -> str:
    """``pst`` or ``msg`` for Outlook's files (by name, a PST also by signature), else ``""``."""
    kind = _OUTLOOK_SUFFIXES.get(path.suffix.lower(), "")
    if kind:
        return kind
    try:
        with open_regular(path) as handle:
            return "pst" if handle.read(len(PST_MAGIC)) == PST_MAGIC else ""
    except OSError:
        return ""


def _file_unit(path: Path) -> Unit:
    """The unit of one regular file; raises :class:`InputError` if it is none of the formats."""
    head, gzipped = _head(path)
    if not head.strip():
        suffixes = [s.lower() for s in path.suffixes]
        for kind, known in (("mbox", ".mbox"), ("ics", ".ics"), ("vcf", ".vcf"), ("eml", ".eml")):
            if known in suffixes:
                return Unit(kind, path, gzipped)
        raise InputError(str(path), problem("empty_file"))
    kind = _sniff(head)
    if not kind:
        if b"\x00" in head[:8192]:
            raise InputError(str(path), problem("binary_file"))
        raise InputError(str(path), problem("unknown_format"))
    if kind == "eml" and gzipped:
        kind = "mbox"  # a compressed single message reads like a one-message mbox
    return Unit(kind, path, gzipped)


@dataclass(frozen=True, slots=True)
class _Visit:
    """A folder on the walk, with the chain of folders above it (to tell a symlink loop) and
    its path of folder names from the top (for the folder rules)."""

    path: Path
    key: tuple[int, int]  # (device, inode)
    parent: _Visit | None
    parts: tuple[str, ...] = ()


def _directory_units(top: Path, rules: FolderRules, skipped: set[str]) -> list[Unit]:
    """Every unit in a folder tree, in name order, depth first, without recursion.

    Each folder is read once: a symlink back to a folder above is a loop (a problem), one to a
    folder read elsewhere is passed over. A Maildir is one unit and is not walked into (it
    applies ``rules`` to its own subfolders). What ``rules`` skip (a folder, or a Thunderbird
    mbox named like one) is left out and added to ``skipped``.
    """
    units: list[Unit] = []
    try:
        root = os.stat(top)
    except OSError as exc:
        raise InputError(str(top), _reason(exc)) from exc
    seen = {(root.st_dev, root.st_ino)}
    # Work items, the next one last: a folder to list, or an entry of a listed folder.
    todo: list[_Visit | tuple[Path, _Visit]] = [_Visit(top, (root.st_dev, root.st_ino), None)]
    while todo:
        item = todo.pop()
        if isinstance(item, tuple):
            path, parent = item
            parts = (*parent.parts, folder_name(path.name))
            if rules.skips(parts):
                skipped.add(str(path))
                continue
            try:
                info = os.stat(path)
            except OSError as exc:
                units.append(Unit(_UNREADABLE, path, reason=_reason(exc)))
                continue
            if not stat.S_ISDIR(info.st_mode):
                units.extend(_file_in_folder(path, info.st_mode))
                continue
            key = (info.st_dev, info.st_ino)
            if key in seen:
                above = _above(parent, key)
                if above is not None:
                    reason = problem("link_loop_back", path=str(above))
                    units.append(Unit(_LOOP, path, reason=reason))
                continue  # else already read through another path
            seen.add(key)
            item = _Visit(path, key, parent, parts)
        if is_maildir(item.path):
            units.append(Unit("maildir", item.path))
            continue
        messages: set[str] = set()
        entries: list[os.DirEntry[str]] = []
        try:
            with os.scandir(item.path) as listing:
                for entry in listing:
                    # .eml and .msg files are the emldir and msgdir units'; leaving them out
                    # keeps a huge folder cheap.
                    suffix = entry.name[-4:].lower()
                    if suffix in (".eml", ".msg"):
                        messages.add(suffix)
                    elif not entry.name.startswith("."):
                        entries.append(entry)
        except OSError as exc:
            units.append(Unit(_UNREADABLE, item.path, reason=_reason(exc)))
            continue
        if ".eml" in messages:
            units.append(Unit("emldir", item.path))
        if ".msg" in messages:
            units.append(Unit("msgdir", item.path))
        entries.sort(key=lambda e: e.name)
        todo.extend((Path(e.path), item) for e in reversed(entries))
    return units


def _above(visit: _Visit | None, key: tuple[int, int]) -> Path | None:
    """The folder on the chain above (or at) ``visit`` that is ``key``, if any."""
    while visit is not None:
        if visit.key == key:
            return visit.path
        visit = visit.parent
    return None


def _file_in_folder(path: Path, mode: int) -> list[Unit]:
    """The unit of a file met in a folder, a problem unit, or nothing (not an export)."""
    if not stat.S_ISREG(mode):
        return []  # pipes, sockets, devices: no export is one
    outlook = _outlook_kind(path)
    if outlook:
        return [Unit(outlook, path)]
    try:
        return [_file_unit(path)]
    except InputError as exc:
        named = path.name.lower().removesuffix(".gz").endswith(_KNOWN_SUFFIXES)
        if named or exc.reason == problem("permission_denied"):
            return [Unit(_UNREADABLE, path, reason=exc.reason)]
        return []  # a folder may hold other files; only known formats are read


def _file_signature(path: Path) -> str:
    info = path.stat()
    digest = hashlib.sha1(usedforsecurity=False)
    with open_regular(path) as handle:
        digest.update(handle.read(_PROBE))
        if info.st_size > 2 * _PROBE:
            handle.seek(-_PROBE, os.SEEK_END)
            digest.update(handle.read(_PROBE))
    return f"v1:{info.st_size}:{info.st_mtime_ns}:{digest.hexdigest()[:16]}"


def _listing_signature(files: Iterable[tuple[str, os.stat_result]]) -> str:
    # A sum of per-file hashes does not depend on the order the directory lists files in.
    total = 0
    count = 0
    for name, info in files:
        entry = f"{name}\0{info.st_size}\0{info.st_mtime_ns}".encode(errors="replace")
        total += int.from_bytes(hashlib.blake2b(entry, digest_size=8).digest(), "big")
        count += 1
    return f"v2:dir:{count}:{total % (1 << 64):016x}"


def _stats(entries: Iterable[os.DirEntry[str] | Unlisted]) -> Iterator[tuple[str, os.stat_result]]:
    for entry in entries:
        if isinstance(entry, Unlisted):
            continue  # reported when the unit is read
        try:
            yield entry.path, entry.stat()
        except OSError:
            continue


def signature(unit: Unit, rules: FolderRules = DEFAULT_FOLDERS) -> str | None:
    """The cursor that says a unit is unchanged with these folder rules (None: the unit has
    none, it is read always)."""
    try:
        if unit.kind in (_UNREADABLE, _LOOP):
            return None
        if unit.kind == "maildir":
            listed = maildir_entries(unit.path, rules)
            entries = (e if isinstance(e, Unlisted) else e[0] for e in listed)
            return _listing_signature(_stats(entries))
        if unit.kind == "emldir":
            return _listing_signature(_stats(eml_entries(unit.path)))
        if unit.kind == "msgdir":
            return _listing_signature(_stats(msg_entries(unit.path)))
        return _file_signature(unit.path)
    except OSError as exc:
        raise InputError(str(unit.path), _reason(exc)) from exc


class FileSource:
    """Interactions and cards from exported files (see the module docstring)."""

    def __init__(
        self,
        paths: Sequence[Path | str],
        *,
        now: datetime | None = None,
        chunk: int = DEFAULT_CHUNK,
        source: str = "file",
        folders: FolderRules = DEFAULT_FOLDERS,
        progress: Progress | None = None,
        limits: FileLimits | None = None,
    ) -> None:
        self._paths = [Path(p).expanduser() for p in paths]
        self._now = now
        self._chunk = max(1, chunk)
        self._name = source
        self._rules = folders
        self.skipped: set[str] = set()  # folders left out by the rules, found so far
        self._progress = progress
        self._limits = limits or FileLimits()

    @property
    def name(self) -> str:
        return self._name

    def units(self) -> list[Unit]:
        """Every unit of every path, checked; raises :class:`InputError` on the first bad path."""
        units: list[Unit] = []
        seen: set[Path] = set()
        for path in self._paths:
            for unit in detect(_resolved(path), self._rules, self.skipped):
                if unit.path not in seen:
                    seen.add(unit.path)
                    units.append(unit)
        return units

    def read(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        """Batches of every unit whose signature differs from its saved cursor."""
        prepared: list[tuple[Unit, str | None, Callable[[], Iterator[Record]]]] = []
        # Check every path before yielding anything: a bad one must not leave half a result.
        for unit in self.units():
            sig = signature(unit, self._rules)
            if sig is not None and cursors.get(unit.folder) == sig:
                continue
            prepared.append((unit, sig, self._reader(unit)))
        for unit, sig, records in prepared:
            yield from self._batches(unit, sig, records())

    def _tick(self, unit: Unit) -> Callable[[int, int | None], None]:
        progress = self._progress
        if progress is None:
            return lambda done, total: None
        return lambda done, total: progress(unit, done, total)

    def _reader(self, unit: Unit) -> Callable[[], Iterator[Record]]:
        """A function producing the unit's records; parses up front what can fail as a whole."""
        source = self._name
        limits = self._limits
        now = self._now or datetime.now(UTC)
        if unit.kind in (_UNREADABLE, _LOOP):
            assert unit.reason is not None
            part = Problem(unit.folder, unit.reason, whole=unit.kind == _UNREADABLE)
            return lambda: iter((part,))
        if unit.kind == "pst":
            from .pst import pst_records

            tick = self._tick(unit)
            return lambda: pst_records(unit.path, source=source, now=now, tick=tick)
        if unit.kind in ("msg", "msgdir"):
            return lambda: _msg_records(unit, source, now)
        if unit.kind == "ics":
            from .calendar import load_calendar

            calendar = load_calendar(unit.path, source=source, limits=limits)
            return lambda: calendar.records(now)
        if unit.kind == "vcf":
            from .vcards import load_vcards

            cards = load_vcards(unit.path, source=source, limit=limits.cards_bytes)
            return lambda: cards.records()
        if unit.kind == "mbox":
            return lambda: _mbox_records(unit, source, limits.mail_bytes)
        if unit.kind == "maildir":
            files = maildir_files(unit.path, self._rules, self.skipped)
            return lambda: _file_records(files, unit.path, source)
        if unit.kind == "emldir":
            hint = folder_hint(unit.path)
            return lambda: _file_records(
                (e if isinstance(e, Unlisted) else (e.path, hint) for e in eml_entries(unit.path)),
                unit.path,
                source,
            )
        return lambda: _file_records([(str(unit.path), "")], unit.path.parent, source)

    def _batches(self, unit: Unit, sig: str | None, records: Iterator[Record]) -> Iterator[Batch]:
        folder = unit.folder
        tick = self._tick(unit) if unit.kind != "pst" else lambda done, total: None
        interactions: list[Interaction] = []
        cards: list[ContactCard] = []
        problems: list[Problem] = []
        skipped: Counter[str] = Counter()
        done = 0
        finished = sig is not None  # an unreadable unit has no cursor to save
        # A unit is always read whole: a full round (``reset``), so that once it is complete the
        # store sweeps the copies of messages (and the meetings and cards) it no longer holds.
        first = finished

        def batch(**final: str | bool) -> Batch:
            nonlocal done, first
            done += len(interactions) + len(cards) + len(problems) + sum(skipped.values())
            tick(done, None)
            made = Batch(
                folder,
                tuple(interactions),
                tuple(cards),
                problems=tuple(problems),
                skipped=tuple(Skipped(what, count) for what, count in sorted(skipped.items())),
                reset=first,
                **final,  # type: ignore[arg-type]
            )
            first = False
            return made

        for record in records:
            if isinstance(record, Interaction):
                interactions.append(record)
            elif isinstance(record, ContactCard):
                cards.append(record)
            elif isinstance(record, Skipped):
                skipped[record.what] += record.count
            else:
                problems.append(record)
                # A file that could not be read at all, or was cut short at a limit, saves no
                # cursor: it is tried (and named) again next time.
                if isinstance(record, _Unfinished) or (record.whole and record.where == folder):
                    finished = False
            if len(interactions) + len(cards) + len(problems) + len(skipped) >= self._chunk:
                yield batch()
                interactions, cards, problems, skipped = [], [], [], Counter()
        # The last batch carries the cursor: saved only once the whole unit is stored.
        yield batch(cursor=sig, complete=True) if finished and sig else batch()


def _resolved(path: Path) -> Path:
    """The path with symlinks resolved where that works (a loop or a missing file stays as is)."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return path


def _mbox_records(unit: Unit, source: str, limit: int) -> Iterator[Record]:
    hint = folder_hint(unit.path)
    name = unit.path.name
    number = 0
    try:
        with open_regular(unit.path) as raw:
            stream: BinaryIO = raw
            if unit.gzipped:
                # Only a compressed file is capped: a plain one is as large as it is on disk,
                # and it is read in one pass keeping nothing but the current header block.
                unzipped = cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
                stream = cast(BinaryIO, Capped(unzipped, limit))
            for number, block in iter_mbox(stream):
                yield interaction_from_headers(
                    block, where=f"{name} #{number}", source=source, folder=hint
                )
    except TooLarge:
        too_large = problem("rest_too_large", megabytes=limit / 1e6, setting="files.max_mail_mb")
        yield _Unfinished(name, problem("after_items", count=number, reason=too_large))
    except (OSError, EOFError, zlib.error) as exc:
        # Found only after earlier messages were yielded (a truncated .gz): what was read
        # stays and the unreadable rest is reported, like any other broken part.
        rest = problem("ends_unreadably", detail=str(exc))
        yield Problem(name, problem("after_items", count=number, reason=rest))


def _msg_records(unit: Unit, source: str, now: datetime) -> Iterator[Record]:
    from .msg import msg_records

    if unit.kind == "msg":
        yield from msg_records(unit.path, source=source, where=unit.path.name, now=now)
        return
    hint = folder_hint(unit.path)
    for entry in msg_entries(unit.path):
        if isinstance(entry, Unlisted):
            yield Problem(entry.path, entry.reason, whole=True)
            continue
        yield from msg_records(Path(entry.path), source=source, where=entry.name, now=now,
                               folder=hint)  # fmt: skip


def _read_blocks(chunk: Sequence[tuple[str, str] | Unlisted]) -> list[bytes | OSError | Unlisted]:
    blocks: list[bytes | OSError | Unlisted] = []
    for item in chunk:
        if isinstance(item, Unlisted):
            blocks.append(item)
            continue
        try:
            blocks.append(read_header_block(item[0]))
        except OSError as exc:
            blocks.append(exc)
    return blocks


def _file_records(
    files: Iterable[tuple[str, str] | Unlisted], root: Path, source: str
) -> Iterator[Record]:
    # Read ahead in a few threads: on a cold cache every file waits on the disk, and file reads
    # release the GIL, so the waits overlap with parsing and with each other (a 100k Maildir
    # ingested from a cold cache: 34 s -> 22 s, against 9-13 s for reading every file once; see
    # docs/benchmarks.md). A task reads a chunk of files: one future per file made ~47 futex
    # calls per message (strace) and cost ~25% more CPU warm. Results are taken in order, so
    # items and problems keep their order.
    with ThreadPoolExecutor(max_workers=_READERS, thread_name_prefix="read-ahead") as pool:
        pending: deque[
            tuple[list[tuple[str, str] | Unlisted], Future[list[bytes | OSError | Unlisted]]]
        ] = deque()
        prefix = os.path.join(str(root), "")  # plain strings: pathlib costs ~8% here
        files = iter(files)
        while True:
            while len(pending) < _READ_AHEAD:
                chunk = list(itertools.islice(files, _READ_CHUNK))
                if not chunk:
                    break
                pending.append((chunk, pool.submit(_read_blocks, chunk)))
            if not pending:
                return
            chunk, future = pending.popleft()
            for item, block in zip(chunk, future.result(), strict=True):
                path, hint = (item.path, "") if isinstance(item, Unlisted) else item
                where = path[len(prefix) :] if path.startswith(prefix) else path
                if isinstance(block, Unlisted):  # a file or folder, not a part of one
                    yield Problem(path, block.reason, whole=True)
                elif isinstance(block, OSError):
                    yield Problem(where, problem("cannot_be_read", reason=reason_of(block)))
                else:
                    yield interaction_from_headers(block, where=where, source=source, folder=hint)
