"""Header blocks out of mail files: mbox (plain or gzip), Maildir, a folder of .eml, one .eml.

Only the header block of each message is read; bodies are skipped without being kept, so memory
stays flat however large the mailbox. :mod:`mailbox` is not used on purpose: ``mailbox.mbox``
builds a table of contents of the whole file and loads every message whole.

Exports: ``MBOX_FROM``, ``iter_mbox``, ``read_header_block``, ``maildir_files``, ``is_maildir``,
``folder_hint``, ``eml_files``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "MBOX_FROM",
    "eml_files",
    "folder_hint",
    "is_maildir",
    "iter_mbox",
    "maildir_files",
    "read_header_block",
]

MBOX_FROM = b"From "
# "From sender@example.com Thu Aug 22 12:36:23 2002": a separator even without a blank line first.
_FROM_LINE = re.compile(rb"^From \S*\s+\w{3} \w{3} [ \d]?\d \d\d?:\d\d")
_HEADER_LIMIT = 4 * 1024 * 1024  # a header block larger than this is not a header block
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


def iter_mbox(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Each message's ordinal (from 1) and header block, reading the stream once.

    A message starts at a ``From `` line at the start of the file or after a blank line (or one
    that looks like a real separator); its header block ends at the first blank line. Lines that
    come before the first separator are ignored.
    """
    number = 0
    in_headers = False
    previous_blank = True
    lines: list[bytes] = []
    size = 0
    for line in stream:
        if line[:5] == MBOX_FROM and (previous_blank or _FROM_LINE.match(line)):
            if in_headers and number:
                yield number, b"".join(lines)
            number += 1
            in_headers = True
            lines = []
            size = 0
            previous_blank = False
            continue
        blank = line in (b"\n", b"\r\n")
        if in_headers:
            if blank:
                yield number, b"".join(lines)
                in_headers = False
            elif size < _HEADER_LIMIT:
                lines.append(line)
                size += len(line)
        previous_blank = blank
    if in_headers and number:
        yield number, b"".join(lines)


def read_header_block(path: Path, chunk: int = 16384) -> bytes:
    """The header block of one message file (an mbox ``From`` line first is dropped)."""
    with path.open("rb") as handle:
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


def is_maildir(path: Path) -> bool:
    """A directory with Maildir's ``cur`` or ``new`` subdirectory."""
    return (path / "cur").is_dir() or (path / "new").is_dir()


def maildir_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every message file of a Maildir and its Maildir++ subfolders, with each one's folder hint.

    Sorted, so item order (and problem numbering) does not depend on the file system.
    """
    folders: list[tuple[Path, str]] = [(root, folder_hint(root, maildir_root=True))]
    try:
        children = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        children = []
    for entry in children:
        if entry.name.startswith(".") and entry.is_dir() and is_maildir(Path(entry.path)):
            folders.append((Path(entry.path), folder_hint(Path(entry.path))))
    for folder, hint in folders:
        for sub in ("cur", "new"):
            directory = folder / sub
            try:
                names = sorted(e.name for e in os.scandir(directory) if e.is_file())
            except OSError:
                continue
            for name in names:
                if not name.startswith("."):
                    yield directory / name, hint


def eml_files(directory: Path) -> list[Path]:
    """The ``.eml`` files directly inside a directory, sorted."""
    try:
        return sorted(
            Path(e.path)
            for e in os.scandir(directory)
            if e.is_file() and e.name.lower().endswith(".eml")
        )
    except OSError:
        return []


def folder_hint(path: Path, *, maildir_root: bool = False) -> str:
    """``"sent"``/``"inbox"`` when a folder's name says so (``.Sent``, ``Sent Items``), else ``""``.

    A Maildir++ subfolder is named ``.Parent.Child``; only the last part counts. A Maildir root is
    the inbox by Maildir++ convention.
    """
    name = path.name
    if name.lower().endswith((".mbox", ".mbx", ".gz")):
        name = name.rsplit(".", 1)[0]
        if name.lower().endswith(".mbox"):
            name = name.rsplit(".", 1)[0]
    leaf = name.lstrip(".").rsplit(".", 1)[-1].strip().lower()
    if leaf in _SENT_NAMES:
        return "sent"
    if leaf in _INBOX_NAMES or maildir_root:
        return "inbox"
    return ""
