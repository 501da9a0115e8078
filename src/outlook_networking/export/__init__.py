"""File exports for users without write access to their mailbox: vCards and iCalendar tasks.

- :mod:`.vcards`: one vCard 3.0 per contact (Outlook imports only the first card of a file) and
  one combined ``all.vcf``, the tier as a category (``Network A``), written with vobject.
- :mod:`.todos`: the open follow-ups as VTODO with stable UIDs, written with icalendar; a
  follow-up that has resolved since the previous export is carried forward as COMPLETED for
  ``COMPLETED_KEPT_DAYS`` so a calendar that re-imports the file closes it.

Both build the file contents from data (no disk access); the CLI writes them.

Exports: ``vcard_files``, ``vcard_text``, ``safe_file_stem``, ``ALL_CARDS``, ``todo_calendar``,
``todo_uid``, ``COMPLETED_KEPT_DAYS``.
"""

from __future__ import annotations

from .todos import COMPLETED_KEPT_DAYS, todo_calendar, todo_uid
from .vcards import ALL_CARDS, safe_file_stem, vcard_files, vcard_text

__all__ = [
    "ALL_CARDS",
    "COMPLETED_KEPT_DAYS",
    "safe_file_stem",
    "todo_calendar",
    "todo_uid",
    "vcard_files",
    "vcard_text",
]
