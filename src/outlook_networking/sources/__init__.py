"""Exported files as a source: Outlook's .pst, .ost and .msg, mbox, Maildir, .eml, .ics, .vcf.

Exports: ``FileSource``, ``Unit`` (see :mod:`.filesource`).
"""

from __future__ import annotations

from .filesource import FileSource, Unit

__all__ = ["FileSource", "Unit"]
