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
unreadable, binary, no known format, an unparsable calendar) raises
:class:`~outlook_networking.errors.InputError`, so nothing is half-written. Parts that are broken
inside a readable file (a mangled ``Date``, an event without ``DTSTART``, a vCard with a broken
line) become problems in the batches and the rest is read.

Exports: ``FileSource``, ``Unit``, ``detect``, ``DEFAULT_CHUNK``.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import os
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, cast

from ..errors import InputError
from ..model import ContactCard, Interaction
from ..parsing.headers import interaction_from_headers
from ..ports import Batch, Problem, Skipped
from .mailfiles import (
    DEFAULT_FOLDERS,
    FolderRules,
    eml_entries,
    folder_hint,
    folder_name,
    is_maildir,
    iter_mbox,
    maildir_entries,
    maildir_files,
    msg_entries,
    read_header_block,
)
from .pst import MAGIC as PST_MAGIC

__all__ = ["DEFAULT_CHUNK", "FileSource", "Unit", "detect"]

DEFAULT_CHUNK = 1000
_READERS = 4  # threads reading message files ahead of the parser
_READ_CHUNK = 32  # files per read-ahead task
_READ_AHEAD = 8  # tasks in flight at most (memory: 256 header blocks)
_PROBE = 65536
_GZIP_MAGIC = b"\x1f\x8b"
_MAIL_FIELDS = (b"from:", b"date:", b"message-id:", b"received:", b"subject:", b"to:")

Record = Interaction | ContactCard | Problem | Skipped
Progress = Callable[["Unit", int, int | None], None]  # a unit, items read, their total if known
_OUTLOOK_SUFFIXES = {".pst": "pst", ".ost": "pst", ".msg": "msg"}


@dataclass(frozen=True, slots=True)
class Unit:
    """One input read as a whole with one cursor; ``kind``: mbox maildir emldir eml ics vcf pst
    msg msgdir."""

    kind: str
    path: Path
    gzipped: bool = False

    @property
    def folder(self) -> str:
        return str(self.path)


def _open(path: Path, gzipped: bool) -> BinaryIO:
    if gzipped:
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def _head(path: Path) -> tuple[bytes, bool]:
    """The first bytes of a file (decompressed if gzip) and whether it was gzip."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_PROBE)
        if raw.startswith(_GZIP_MAGIC):
            with gzip.open(path, "rb") as handle:
                return handle.read(_PROBE), True
    except PermissionError as exc:
        raise InputError(str(path), "permission denied") from exc
    except (OSError, EOFError, zlib.error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise InputError(str(path), f"cannot be read: {reason}") from exc
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
    if b"\x00" in head[:8192]:
        return ""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    upper = text[:32].upper()
    if upper.startswith(b"BEGIN:VCALENDAR"):
        return "ics"
    if upper.startswith(b"BEGIN:VCARD"):
        return "vcf"
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
    if not path.exists():
        raise InputError(str(path), "no such file or directory")
    if path.is_dir():
        units = _directory_units(path, rules, set() if skipped is None else skipped, ())
        if not units:
            raise InputError(str(path), "no mailbox, calendar or vCard files in this folder")
        return units
    outlook = _outlook_kind(path)
    if outlook:  # its reader names the file if it is damaged, and the others are read
        return [Unit(outlook, path)]
    head, gzipped = _head(path)
    if not head.strip():
        suffixes = [s.lower() for s in path.suffixes]
        for kind, known in (("mbox", ".mbox"), ("ics", ".ics"), ("vcf", ".vcf"), ("eml", ".eml")):
            if known in suffixes:
                return [Unit(kind, path, gzipped)]
        raise InputError(str(path), "empty file")
    kind = _sniff(head)
    if not kind:
        if b"\x00" in head[:8192]:
            raise InputError(str(path), "binary file, not mail, calendar or contacts")
        raise InputError(str(path), "not an mbox, .eml, .ics or .vcf file")
    if kind == "eml" and gzipped:
        kind = "mbox"  # a compressed single message reads like a one-message mbox
    return [Unit(kind, path, gzipped)]


def _outlook_kind(path: Path) -> str:
    """``pst`` or ``msg`` for Outlook's files (by name, a PST also by signature), else ``""``."""
    kind = _OUTLOOK_SUFFIXES.get(path.suffix.lower(), "")
    if kind:
        return kind
    try:
        with path.open("rb") as handle:
            return "pst" if handle.read(len(PST_MAGIC)) == PST_MAGIC else ""
    except OSError:
        return ""


def _directory_units(
    directory: Path, rules: FolderRules, skipped: set[str], parents: tuple[str, ...]
) -> list[Unit]:
    if is_maildir(directory):
        return [Unit("maildir", directory)]
    units: list[Unit] = []
    if next(eml_entries(directory), None) is not None:
        units.append(Unit("emldir", directory))
    if next(msg_entries(directory), None) is not None:
        units.append(Unit("msgdir", directory))
    try:
        with os.scandir(directory) as listing:
            # .eml files are the emldir unit's; leaving them out keeps a huge folder cheap.
            entries = sorted(
                (e for e in listing if not e.name.startswith(".") and not _is_message(e)),
                key=lambda e: e.name,
            )
    except OSError as exc:
        raise InputError(str(directory), exc.strerror or str(exc)) from exc
    for entry in entries:
        child = Path(entry.path)
        parts = (*parents, folder_name(entry.name))
        if rules.skips(parts):
            skipped.add(str(child))
            continue
        if entry.is_dir():
            units.extend(_directory_units(child, rules, skipped, parts))
        elif entry.is_file():
            if _outlook_kind(child):
                units.append(Unit(_outlook_kind(child), child))
                continue
            try:
                head, gzipped = _head(child)
            except InputError:
                continue  # a folder may hold other files; only known formats are read
            kind = _sniff(head)
            if kind:
                units.append(Unit(kind, child, gzipped))
    return units


def _is_message(entry: os.DirEntry[str]) -> bool:
    return entry.name.lower().endswith((".eml", ".msg")) and entry.is_file()


def _file_signature(path: Path) -> str:
    stat = path.stat()
    digest = hashlib.sha1(usedforsecurity=False)
    with path.open("rb") as handle:
        digest.update(handle.read(_PROBE))
        if stat.st_size > 2 * _PROBE:
            handle.seek(-_PROBE, os.SEEK_END)
            digest.update(handle.read(_PROBE))
    return f"v1:{stat.st_size}:{stat.st_mtime_ns}:{digest.hexdigest()[:16]}"


def _listing_signature(files: Iterable[tuple[str, os.stat_result]]) -> str:
    # A sum of per-file hashes does not depend on the order the directory lists files in.
    total = 0
    count = 0
    for name, stat in files:
        entry = f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode(errors="replace")
        total += int.from_bytes(hashlib.blake2b(entry, digest_size=8).digest(), "big")
        count += 1
    return f"v2:dir:{count}:{total % (1 << 64):016x}"


def _stats(entries: Iterable[os.DirEntry[str]]) -> Iterator[tuple[str, os.stat_result]]:
    for entry in entries:
        try:
            yield entry.path, entry.stat()
        except OSError:
            continue


def signature(unit: Unit, rules: FolderRules = DEFAULT_FOLDERS) -> str:
    """The cursor that says a unit is unchanged (with these folder rules)."""
    try:
        if unit.kind == "maildir":
            return _listing_signature(_stats(e for e, _ in maildir_entries(unit.path, rules)))
        if unit.kind == "emldir":
            return _listing_signature(_stats(eml_entries(unit.path)))
        if unit.kind == "msgdir":
            return _listing_signature(_stats(msg_entries(unit.path)))
        return _file_signature(unit.path)
    except OSError as exc:
        raise InputError(str(unit.path), exc.strerror or str(exc)) from exc


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
    ) -> None:
        self._paths = [Path(p).expanduser() for p in paths]
        self._now = now
        self._chunk = max(1, chunk)
        self._name = source
        self._rules = folders
        self.skipped: set[str] = set()  # folders left out by the rules, found so far
        self._progress = progress

    @property
    def name(self) -> str:
        return self._name

    def units(self) -> list[Unit]:
        """Every unit of every path, checked; raises :class:`InputError` on the first bad path."""
        units: list[Unit] = []
        seen: set[Path] = set()
        for path in self._paths:
            where = path.resolve() if path.exists() else path
            for unit in detect(where, self._rules, self.skipped):
                if unit.path not in seen:
                    seen.add(unit.path)
                    units.append(unit)
        return units

    def read(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
        """Batches of every unit whose signature differs from its saved cursor."""
        prepared: list[tuple[Unit, str, Callable[[], Iterator[Record]]]] = []
        # Check every path before yielding anything: a bad one must not leave half a result.
        for unit in self.units():
            sig = signature(unit, self._rules)
            if cursors.get(unit.folder) == sig:
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
        now = self._now or datetime.now(UTC)
        if unit.kind == "pst":
            from .pst import pst_records

            tick = self._tick(unit)
            return lambda: pst_records(unit.path, source=source, now=now, tick=tick)
        if unit.kind in ("msg", "msgdir"):
            return lambda: _msg_records(unit, source, now)
        if unit.kind == "ics":
            from .calendar import load_calendar

            calendar = load_calendar(unit.path, source=source)
            return lambda: calendar.records(now)
        if unit.kind == "vcf":
            from .vcards import load_vcards

            cards = load_vcards(unit.path, source=source)
            return lambda: cards.records()
        if unit.kind == "mbox":
            return lambda: _mbox_records(unit, source)
        if unit.kind == "maildir":
            files = maildir_files(unit.path, self._rules, self.skipped)
            return lambda: _file_records(files, unit.path, source)
        if unit.kind == "emldir":
            hint = folder_hint(unit.path)
            return lambda: _file_records(
                ((e.path, hint) for e in eml_entries(unit.path)), unit.path, source
            )
        return lambda: _file_records([(str(unit.path), "")], unit.path.parent, source)

    def _batches(self, unit: Unit, sig: str, records: Iterator[Record]) -> Iterator[Batch]:
        folder = unit.folder
        tick = self._tick(unit) if unit.kind != "pst" else lambda done, total: None
        interactions: list[Interaction] = []
        cards: list[ContactCard] = []
        problems: list[Problem] = []
        skipped: Counter[str] = Counter()
        done = 0
        first = True

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
                # A unit is always read whole: a full round, so the store sweeps the copies of
                # messages (and the meetings and cards) the file no longer holds.
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
            if len(interactions) + len(cards) + len(problems) + len(skipped) >= self._chunk:
                yield batch()
                interactions, cards, problems, skipped = [], [], [], Counter()
        # The last batch carries the cursor: saved only once the whole unit is stored. A file
        # that could not be read at all saves none, so it is tried (and named) again next time.
        unreadable = any(p.whole and p.where == folder for p in problems)
        yield batch() if unreadable else batch(cursor=sig, complete=True)


def _mbox_records(unit: Unit, source: str) -> Iterator[Record]:
    hint = folder_hint(unit.path)
    name = unit.path.name
    number = 0
    try:
        with _open(unit.path, unit.gzipped) as stream:
            for number, block in iter_mbox(stream):
                yield interaction_from_headers(
                    block, where=f"{name} #{number}", source=source, folder=hint
                )
    except (OSError, EOFError, zlib.error) as exc:
        # Found only after earlier messages were yielded (a truncated .gz): what was read
        # stays and the unreadable rest is reported, like any other broken part.
        yield Problem(f"{name} after #{number}", f"file ends unreadably: {exc}")


def _msg_records(unit: Unit, source: str, now: datetime) -> Iterator[Record]:
    from .msg import msg_records

    if unit.kind == "msg":
        yield from msg_records(unit.path, source=source, where=unit.path.name, now=now)
        return
    hint = folder_hint(unit.path)
    for entry in msg_entries(unit.path):
        yield from msg_records(Path(entry.path), source=source, where=entry.name, now=now,
                               folder=hint)  # fmt: skip


def _read_blocks(chunk: Sequence[tuple[str, str]]) -> list[bytes | OSError]:
    blocks: list[bytes | OSError] = []
    for path, _ in chunk:
        try:
            blocks.append(read_header_block(path))
        except OSError as exc:
            blocks.append(exc)
    return blocks


def _file_records(files: Iterable[tuple[str, str]], root: Path, source: str) -> Iterator[Record]:
    # Read ahead in a few threads: on a cold cache every file waits on the disk, and file reads
    # release the GIL, so the waits overlap with parsing and with each other (a 100k Maildir
    # ingested from a cold cache: 34 s -> 22 s, against 9-13 s for reading every file once; see
    # docs/benchmarks.md). A task reads a chunk of files: one future per file made ~47 futex
    # calls per message (strace) and cost ~25% more CPU warm. Results are taken in order, so
    # items and problems keep their order.
    with ThreadPoolExecutor(max_workers=_READERS, thread_name_prefix="read-ahead") as pool:
        pending: deque[tuple[list[tuple[str, str]], Future[list[bytes | OSError]]]] = deque()
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
            for (path, hint), block in zip(chunk, future.result(), strict=True):
                where = path[len(prefix) :] if path.startswith(prefix) else path
                if isinstance(block, OSError):
                    yield Problem(where, f"cannot be read: {block.strerror or block}")
                    continue
                yield interaction_from_headers(block, where=where, source=source, folder=hint)
