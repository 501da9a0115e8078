"""Reading a whole exported text file (.ics, .vcf): gzip, byte-order marks, Windows-1252.

Outlook writes vCards and calendars in UTF-8, UTF-16 with a byte-order mark, or the Windows code
page (1252 in Western Europe), and people gzip exports; both readers take the same path here.

Exports: ``read_export``, ``decode_export``.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from ..errors import InputError

__all__ = ["decode_export", "read_export"]

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_export(path: Path) -> bytes:
    """The file's bytes, gunzipped if it is gzip; UTF-16 re-encoded as UTF-8.

    Raises:
        InputError: the file cannot be read, or is a broken gzip file.
    """
    try:
        data = path.read_bytes()
        if data.startswith(b"\x1f\x8b"):
            data = gzip.decompress(data)
    except OSError as exc:  # gzip.BadGzipFile is an OSError
        raise InputError(str(path), exc.strerror or str(exc)) from exc
    except (EOFError, zlib.error) as exc:
        raise InputError(str(path), f"broken gzip file: {exc}") from exc
    if data.startswith(_UTF16_BOMS):
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    return data


def decode_export(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252; never raises."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
