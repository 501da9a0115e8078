"""Opening exported files safely, and reading a text export (.ics, .vcf) line by line.

Outlook writes vCards and calendars in UTF-8, UTF-16 with a byte-order mark, or the Windows code
page (1252 in Western Europe), and people gzip exports; both readers take the same path here.

Hostile files are why this module streams: a file is never held whole, a gzip member is
decompressed as it is read, and :class:`Capped` stops a stream once it has given more bytes than
its limit (a decompression bomb). Only regular files are opened: a named pipe would block the
reader forever, a device would never end (:func:`open_regular`).

Exports: ``open_regular``, ``kind_of``, ``reason_of``, ``NotAFile``, ``Capped``, ``TooLarge``,
``export_lines``, ``decode_export``.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from ..errors import InputError
from ..problems import Problem, problem

__all__ = [
    "Capped",
    "NotAFile",
    "TooLarge",
    "decode_export",
    "export_lines",
    "kind_of",
    "open_regular",
    "reason_of",
]

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_GZIP_MAGIC = b"\x1f\x8b"
_PIECE = 65536  # the longest piece of a line handed out at once (see export_lines)
_KINDS = (
    (stat.S_ISDIR, "folder"),
    (stat.S_ISFIFO, "fifo"),
    (stat.S_ISCHR, "device"),
    (stat.S_ISBLK, "device"),
    (stat.S_ISSOCK, "socket"),
)


class NotAFile(OSError):
    """The path is a pipe, device, socket or folder where a regular file was expected:
    ``kind`` says which (:func:`kind_of`)."""

    def __init__(self, kind: str, path: str) -> None:
        super().__init__(errno.EINVAL, kind, path)
        self.kind = kind


class TooLarge(OSError):
    """A :class:`Capped` stream gave its limit and there is more."""

    def __init__(self, limit: int) -> None:
        super().__init__(errno.EFBIG, os.strerror(errno.EFBIG))  # caught, never shown
        self.limit = limit


def reason_of(exc: OSError) -> Problem:
    """An OS error as a problem (``permission_denied``; else the system's own English text)."""
    if isinstance(exc, NotAFile):
        return problem("not_regular_file", what=exc.kind)
    if exc.errno == errno.ELOOP:
        return problem("link_loop")
    if isinstance(exc, PermissionError):
        return problem("permission_denied")
    if isinstance(exc, FileNotFoundError):
        return problem("no_such_file")
    return problem("os_error", detail=exc.strerror or str(exc) or type(exc).__name__)


def kind_of(mode: int) -> str:
    """What a non-regular file is, one of :data:`~outlook_networking.problems.FILE_KINDS`."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "other"


def open_regular(path: str | Path) -> BinaryIO:
    """Open a regular file for reading; raises :class:`NotAFile` for anything else.

    The file is opened without blocking, so opening a named pipe returns at once instead of
    waiting for a writer, and then checked on the open descriptor (no race with a rename).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFile(kind_of(mode), str(path))
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


class Capped(io.RawIOBase):
    """A read-only stream that raises :class:`TooLarge` once it has given ``limit`` bytes."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        super().__init__()
        self._stream = stream
        self._left = limit
        self.limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        # One byte more than allowed tells a file of exactly ``limit`` bytes from a larger one.
        wanted = min(len(buffer), self._left + 1)
        data = self._stream.read(wanted)
        if len(data) > self._left:
            raise TooLarge(self.limit)
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


def export_lines(path: Path, limit: int, setting: str) -> Iterator[bytes]:
    """The lines of a text export, gunzipped if it is gzip, UTF-16 re-encoded as UTF-8.

    Each item is a whole line with its line ending, or, for a line longer than 64 KiB, a piece of
    it: the pieces of one line follow each other and only the last ends with ``\\n``. So a 40 MB
    line never sits in memory at once.

    Parameters:
        path: the file.
        limit: the most bytes read from it (after decompression).
        setting: the configuration key of the limit, named in the error.

    Raises:
        InputError: the file cannot be read, is no regular file, is a broken gzip file, or is
            larger than ``limit`` bytes (once decompressed).
    """
    gzipped = False
    try:
        with open_regular(path) as handle:
            stream: BinaryIO = handle
            gzipped = handle.read(2) == _GZIP_MAGIC
            handle.seek(0)
            if gzipped:
                stream = cast(BinaryIO, gzip.GzipFile(fileobj=handle, mode="rb"))
            reader = io.BufferedReader(Capped(stream, limit), buffer_size=_PIECE)
            if reader.peek(2)[:2] in _UTF16_BOMS:
                text = io.TextIOWrapper(reader, encoding="utf-16", errors="replace", newline="")
                while line := text.readline(_PIECE // 4):
                    yield line.encode("utf-8")
            else:
                while piece := reader.readline(_PIECE):
                    yield piece
    except TooLarge as exc:
        code = "too_large_decompressed" if gzipped else "too_large"
        raise InputError(str(path), problem(code, megabytes=limit / 1e6, setting=setting)) from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # BadGzipFile is an OSError
        raise InputError(str(path), problem("broken_gzip", detail=str(exc))) from exc
    except OSError as exc:
        raise InputError(str(path), reason_of(exc)) from exc


def decode_export(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252; never raises."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
