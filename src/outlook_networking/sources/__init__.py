"""Exported files as a source: mbox, Maildir, .eml, .ics and .vcf.

Exports: ``FileSource`` (see :mod:`.filesource`).
"""

from __future__ import annotations

from .filesource import FileSource

__all__ = ["FileSource"]
