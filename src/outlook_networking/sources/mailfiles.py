"""Header blocks out of mail files: mbox (plain or gzip), Maildir, a folder of .eml, one .eml.

Only the header block of each message is read; bodies are skipped without being kept, so memory
stays flat however large the mailbox. :mod:`mailbox` is not used on purpose: ``mailbox.mbox``
builds a table of contents of the whole file and loads every message whole.

Folders that hold no correspondence (Junk, Trash, Drafts, Outbox, Conversation History, RSS,
Sync Issues and their equivalents in the other languages Outlook, Thunderbird and Dovecot name
them in) are skipped by name when a tree is walked, unless ``[folders]`` says otherwise
(:class:`FolderRules`); a path named on the command line is always read.

Listing a folder never stops at the first entry it cannot read: a folder that cannot be listed
or an entry that is no message file (a symlink loop, a broken link, a pipe) comes out as an
:class:`Unlisted` in its place, which the reader counts as a problem.

Exports: ``MBOX_FROM``, ``SKIPPED_NAMES``, ``FolderRules``, ``DEFAULT_FOLDERS``, ``iter_mbox``,
``read_header_block``, ``maildir_entries``, ``maildir_files``, ``is_maildir``, ``folder_hint``,
``folder_name``, ``eml_entries``, ``msg_entries``, ``Unlisted``, ``starts_like_mbox``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, MutableSet, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..config import folder_matches
from ..problems import Problem, problem
from .textfile import kind_of, reason_of

__all__ = [
    "DEFAULT_FOLDERS",
    "MBOX_FROM",
    "SKIPPED_NAMES",
    "FolderRules",
    "Unlisted",
    "eml_entries",
    "folder_hint",
    "folder_name",
    "is_maildir",
    "iter_mbox",
    "maildir_entries",
    "maildir_files",
    "msg_entries",
    "read_header_block",
    "starts_like_mbox",
]

MBOX_FROM = b"From "
# "From sender@example.com Thu Aug 22 12:36:23 2002": a separator even without a blank line first.
_FROM_LINE = re.compile(rb"^From \S*\s+\w{3} \w{3} [ \d]?\d \d\d?:\d\d")
_HEADER_LIMIT = 4 * 1024 * 1024
_CHUNK = 1024 * 1024
_BLANK_LINE = re.compile(rb"\n\r?\n")  # a header block larger than this is not a header block
_SENT_NAMES = frozenset(
    {
        "sent",
        "sent items",
        "sent messages",
        "sent mail",
        "gesendet",
        "gesendete elemente",
        "gesendete objekte",
        "envoyés",
        "éléments envoyés",
        "elementos enviados",
        "posta inviata",
        "verzonden items",
    }
)
_INBOX_NAMES = frozenset({"inbox", "posteingang", "boîte de réception", "bandeja de entrada"})
# Folders without correspondence, by the names Outlook (English, German, French, Spanish,
# Italian, Dutch), Thunderbird, Apple Mail, Gmail's IMAP folders and Dovecot's special-use
# defaults (\Junk, \Trash, \Drafts) give them. Matched per folder level, case-insensitively:
# everything below a skipped folder (Sync Issues/Conflicts) is skipped with it.
SKIPPED_NAMES = frozenset(
    {
        # junk
        "junk", "junk e-mail", "junk email", "junk mail", "junk-e-mail", "spam", "bulk mail",
        "courrier indésirable", "correo no deseado", "posta indesiderata", "ongewenste e-mail",
        # deleted
        "trash", "deleted items", "deleted messages", "deleted", "bin", "papierkorb",
        "gelöschte elemente", "gelöschte objekte", "éléments supprimés", "corbeille",
        "elementos eliminados", "papelera", "posta eliminata", "cestino", "verwijderde items",
        "prullenbak",
        # not sent (yet)
        "drafts", "draft", "entwürfe", "brouillons", "borradores", "bozze", "concepten",
        "templates", "vorlagen", "outbox", "postausgang", "unsent messages", "boîte d'envoi",
        "bandeja de salida", "posta in uscita", "postvak uit",
        # Outlook's own
        "conversation history", "unterhaltungsverlauf", "rss feeds", "rss subscriptions",
        "rss-feeds", "rss-abonnements", "sync issues", "synchronisierungsprobleme",
    }
)  # fmt: skip
_MAIL_SUFFIXES = (".mbox", ".mbx", ".gz", ".sbd")


@dataclass(frozen=True, slots=True)
class FolderRules:
    """Which folders of a tree are read: ``[folders]`` ``include`` and ``exclude``.

    Patterns are shell-style and case-insensitive; each is tried on every level's name
    (``Junk``) and on the path from the tree's top (``Work/Junk``), so a pattern that matches a
    folder covers everything below it. ``exclude`` always skips; ``include`` reads a folder
    skipped by name (:data:`SKIPPED_NAMES`); a folder matching neither is read unless a level of
    it is named like one without correspondence.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def skips(self, parts: Sequence[str]) -> bool:
        """Whether the folder at ``parts`` (its path from the top, one name per level) is
        skipped."""
        if folder_matches(self.exclude, parts):
            return True
        if folder_matches(self.include, parts):
            return False
        return any(p.casefold() in SKIPPED_NAMES for p in parts)


DEFAULT_FOLDERS = FolderRules()  # no [folders] table: skip by name only


def folder_name(name: str) -> str:
    """The folder a file or directory name stands for: without ``.mbox``/``.gz``/``.sbd``
    (Thunderbird's subfolder directories) and a Maildir++ leading dot."""
    lowered = name.lower()
    while lowered.endswith(_MAIL_SUFFIXES):
        cut = name.rfind(".")
        name, lowered = name[:cut], lowered[:cut]
    return name.lstrip(".")


def starts_like_mbox(data: bytes) -> bool:
    """The data begins with an mbox separator line (``From sender Thu Aug 22 12:36:23 2002``)."""
    return _FROM_LINE.match(data) is not None


def iter_mbox(stream: BinaryIO, chunk: int = _CHUNK) -> Iterator[tuple[int, bytes]]:
    """Each message's ordinal (from 1) and header block, reading the stream once.

    A message starts at a ``From `` line at the start of the file or after a blank line (or one
    that looks like a real separator); its header block ends at the first blank line. Lines that
    come before the first separator are ignored.

    The stream is read in large chunks and searched with ``bytes.find``, so body bytes are
    skipped at C speed and only a chunk and the current header block are ever held.
    """
    # A virtual newline in front makes a separator on the first line look like any other.
    buf = b"\n" + stream.read(chunk)
    eof = len(buf) == 1
    at_start = True  # buf[0] is that virtual newline
    cursor = 0
    number = 0

    def refill(keep: int) -> int:
        """Drop ``buf[:keep]`` and append the next chunk; returns ``keep`` (the index shift)."""
        nonlocal buf, eof, at_start
        more = stream.read(chunk)
        eof = not more
        buf = buf[keep:] + more
        at_start = at_start and keep == 0
        return keep

    while True:
        sep = _separator(buf, cursor, eof, at_start)
        if sep == _MORE:
            cursor -= refill(max(0, cursor - 2))
            continue
        if sep < 0:
            if eof:
                return
            # Keep a tail: a separator may straddle the reads, with the blank line before it.
            shift = refill(max(0, len(buf) - 16))
            cursor = max(cursor - shift, 16 - 6) if shift else cursor
            continue
        line_end = buf.find(b"\n", sep + 1)
        while line_end < 0 and not eof:
            sep -= refill(max(0, sep - 2))
            line_end = buf.find(b"\n", sep + 1)
        if line_end < 0:
            yield number + 1, b""  # a separator as the file's last line: an empty message
            return
        number += 1
        start = line_end + 1
        while True:
            found = _mbox_header_end(buf, start, eof)
            if found is not None:
                end, resume = found
                break
            if len(buf) - start > _HEADER_LIMIT:
                end = resume = start + _HEADER_LIMIT
                break
            start -= refill(max(0, start - 2))
        yield number, buf[start : min(end, start + _HEADER_LIMIT)]
        cursor = resume


_MORE = -2  # _separator needs more data to decide


def _blank_before(buf: bytes, newline: int, at_start: bool) -> bool:
    """Whether the line ending at ``buf[newline]`` is empty (``\\n`` or ``\\r\\n``)."""
    if newline == 0:
        return at_start
    before = buf[newline - 1]
    if before == 10:  # "\n"
        return True
    return before == 13 and (newline < 2 or buf[newline - 2] == 10)


def _separator(buf: bytes, cursor: int, eof: bool, at_start: bool) -> int:
    """The index of the newline before the next separator line, -1 if none, or :data:`_MORE`."""
    position = cursor
    while True:
        position = buf.find(b"\nFrom ", position)
        if position < 0:
            return -1
        if _blank_before(buf, position, at_start):
            return position
        line_end = buf.find(b"\n", position + 1)
        if line_end < 0 and not eof:
            return _MORE
        line = buf[position + 1 : line_end + 1 if line_end >= 0 else len(buf)]
        if _FROM_LINE.match(line):
            return position
        position += 1


def _mbox_header_end(buf: bytes, start: int, eof: bool) -> tuple[int, int] | None:
    """Where the header block starting at ``start`` ends, and where to look for the next message.

    ``None`` if the buffer does not reach the end yet. A header block ends at a blank line, or
    (without one) at a line that is a real separator, or at the end of the file.
    """
    if buf.startswith(b"\n", start):
        return start, start
    if buf.startswith(b"\r\n", start):
        return start, start + 1
    match = _BLANK_LINE.search(buf, start - 1)
    blank = match.start() if match else -1
    limit = blank if blank >= 0 else len(buf)
    position = start - 1
    while True:
        position = buf.find(b"\nFrom ", position, limit)
        if position < 0:
            break
        line_end = buf.find(b"\n", position + 1)
        if line_end < 0 and not eof:
            return None
        line = buf[position + 1 : line_end + 1 if line_end >= 0 else len(buf)]
        if _FROM_LINE.match(line):
            return position + 1, position
        position += 1
    if blank >= 0:
        return blank + 1, (match.end() - 1 if match else blank)
    if eof:
        return len(buf), len(buf)
    return None


def read_header_block(path: str | Path, chunk: int = 16384) -> bytes:
    """The header block of one message file (an mbox ``From`` line first is dropped)."""
    with open(path, "rb") as handle:
        data = handle.read(chunk)
        if data.startswith(MBOX_FROM):
            end_of_line = data.find(b"\n")
            while end_of_line < 0 and len(data) < _HEADER_LIMIT:
                more = handle.read(chunk)
                if not more:
                    break
                data += more
                end_of_line = data.find(b"\n")
            data = data[end_of_line + 1 :] if end_of_line >= 0 else b""
        if data[:1] == b"\n" or data[:2] == b"\r\n":
            return b""  # no header block at all
        start = 0
        while True:
            end = _header_end(data, start)
            if end >= 0:
                return data[:end]
            if len(data) >= _HEADER_LIMIT:
                return data
            more = handle.read(chunk)
            if not more:
                return data
            start = max(0, len(data) - 3)
            data += more


def _header_end(data: bytes, start: int) -> int:
    lf = data.find(b"\n\n", start)
    crlf = data.find(b"\n\r\n", start)
    ends = [i + 1 for i in (lf, crlf) if i >= 0]
    return min(ends) if ends else -1


@dataclass(frozen=True, slots=True)
class Unlisted:
    """A folder that cannot be listed, or an entry in it that cannot be read as a file."""

    path: str
    reason: Problem


def _entry_problem(entry: os.DirEntry[str]) -> Problem | None:
    """Why a directory entry that is not a regular file is none (None for a folder)."""
    try:
        mode = os.stat(entry.path).st_mode
    except FileNotFoundError:
        return problem("broken_link")
    except OSError as exc:
        return reason_of(exc)
    return None if stat.S_ISDIR(mode) else problem("not_regular_file", what=kind_of(mode))


def _is_file(entry: os.DirEntry[str]) -> bool | Problem:
    """True for a regular file (after symlinks), else why not; never raises."""
    try:
        if entry.is_file():
            return True
    except OSError:
        pass
    return _entry_problem(entry) or False


def _maildir_or_why(path: Path) -> bool | Problem:
    """Whether a directory has Maildir's ``cur`` or ``new``, or why that cannot be told."""
    for sub in ("cur", "new"):
        try:
            if stat.S_ISDIR(os.stat(path / sub).st_mode):
                return True
        except PermissionError as exc:
            return reason_of(exc)
        except OSError:
            continue
    return False


def is_maildir(path: Path) -> bool:
    """A directory with Maildir's ``cur`` or ``new`` subdirectory (False if it cannot be told)."""
    return _maildir_or_why(path) is True


def maildir_entries(
    root: Path, rules: FolderRules = DEFAULT_FOLDERS, skipped: MutableSet[str] | None = None
) -> Iterator[tuple[os.DirEntry[str], str] | Unlisted]:
    """Every message file of a Maildir and its subfolders, with each one's folder hint.

    Subfolders are Maildir++ (``.Work.Clients``) or nested directories (Dovecot's
    ``LAYOUT=fs``: ``Work/Clients/cur``). Those ``rules`` skip are left out and their paths
    added to ``skipped``. In directory order, not sorted: sorting would hold every name of a
    100,000-message folder at once. Items are keyed by Message-ID and problems name their file,
    so order is not needed. A folder, ``cur`` or ``new`` that cannot be listed, and an entry
    that is no file, is an :class:`Unlisted`; a missing ``cur`` or ``new`` is fine (Maildir++
    folders may lack one).
    """
    folders: list[tuple[Path, str]] = [(root, folder_hint(root, maildir_root=True))]
    try:
        top = os.stat(root)
        seen = {(top.st_dev, top.st_ino)}
    except OSError:
        seen = set()  # the listing below says why
    for found in _subfolders(root, (), seen):
        if isinstance(found, Unlisted):
            yield found
            continue
        path, parts = found
        if rules.skips(parts):
            if skipped is not None:
                skipped.add(str(path))
        else:
            folders.append((path, folder_hint(path)))
    for folder, hint in folders:
        for sub in ("cur", "new"):
            directory = folder / sub
            try:
                listing = os.scandir(directory)
            except FileNotFoundError:
                continue
            except OSError as exc:
                yield Unlisted(str(directory), reason_of(exc))
                continue
            with listing as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    is_file = _is_file(entry)
                    if is_file is True:
                        yield entry, hint
                    elif is_file:
                        yield Unlisted(entry.path, is_file)


def _subfolders(
    directory: Path, parents: tuple[str, ...], seen: set[tuple[int, int]]
) -> Iterator[tuple[Path, tuple[str, ...]] | Unlisted]:
    """The Maildir folders below a Maildir, each with its path of names from the top (or why
    one cannot be read). ``seen`` holds the folders met so far: each is read once, whatever
    symbolic links point back at it."""
    try:
        children = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        yield Unlisted(str(directory), reason_of(exc))
        return
    for entry in children:
        path = Path(entry.path)
        dotted = entry.name.startswith(".")
        if entry.name in ("cur", "new", "tmp") or (dotted and parents):
            continue
        found = _maildir_or_why(path)
        if found is not True:
            if found:
                yield Unlisted(entry.path, found)
            continue
        try:
            info = os.stat(path)
        except OSError as exc:
            yield Unlisted(entry.path, reason_of(exc))
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue  # a link to a folder already read
        seen.add((info.st_dev, info.st_ino))
        if dotted:  # Maildir++: .Parent.Child, flat at the top
            yield path, tuple(p for p in entry.name[1:].split(".") if p)
        else:
            parts = (*parents, entry.name)
            yield path, parts
            yield from _subfolders(path, parts, seen)


def maildir_files(
    root: Path, rules: FolderRules = DEFAULT_FOLDERS, skipped: MutableSet[str] | None = None
) -> Iterator[tuple[str, str] | Unlisted]:
    """The path of every message file of a Maildir (see :func:`maildir_entries`) and its hint."""
    for item in maildir_entries(root, rules, skipped):
        yield item if isinstance(item, Unlisted) else (item[0].path, item[1])


def eml_entries(directory: Path) -> Iterator[os.DirEntry[str] | Unlisted]:
    """The ``.eml`` files directly inside a directory, in directory order (see
    :func:`maildir_entries` for why not sorted); a ``.eml`` that is no file is an
    :class:`Unlisted`."""
    return _entries_named(directory, ".eml")


def msg_entries(directory: Path) -> Iterator[os.DirEntry[str] | Unlisted]:
    """The ``.msg`` files (Outlook items) directly inside a directory, in directory order."""
    return _entries_named(directory, ".msg")


def _entries_named(directory: Path, suffix: str) -> Iterator[os.DirEntry[str] | Unlisted]:
    try:
        listing = os.scandir(directory)
    except OSError as exc:
        yield Unlisted(str(directory), reason_of(exc))
        return
    with listing as entries:
        for entry in entries:
            if not entry.name.lower().endswith(suffix):
                continue
            is_file = _is_file(entry)
            if is_file is True:
                yield entry
            elif is_file:
                yield Unlisted(entry.path, is_file)


def folder_hint(path: Path, *, maildir_root: bool = False) -> str:
    """``"sent"``/``"inbox"`` when a folder's name says so (``.Sent``, ``Sent Items``), else ``""``.

    A Maildir++ subfolder is named ``.Parent.Child``; only the last part counts. A Maildir root is
    the inbox by Maildir++ convention.
    """
    leaf = folder_name(path.name).rsplit(".", 1)[-1].strip().lower()
    if leaf in _SENT_NAMES:
        return "sent"
    if leaf in _INBOX_NAMES or maildir_root:
        return "inbox"
    return ""
