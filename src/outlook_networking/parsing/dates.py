"""Birthdays and anniversaries as address books, Outlook and Exchange write them.

Two shapes reach the product:

- **text** (vCard ``BDAY``, ``ANNIVERSARY``, Outlook's ``X-MS-ANNIVERSARY``, and what the owner
  types): a full date (``19800322``, ``1980-03-22``), or a day without a year in RFC 6350's
  reduced form (``--0415``, ``--04-15``; section 4.3.1) or as ``04-15``. A time after the date
  (``1980-03-22T00:00:00Z``, vCard 3.0 allows one) is read like an instant, below. A year, a
  year and month, or a day alone (``1985``, ``1985-04``, ``---15``) is no key date.
- **an instant** (Exchange's PidTagBirthday and PidTagWeddingAnniversary in a ``.pst`` or
  ``.msg``, EWS and Graph ``birthday``): the day is stored as a point in time in UTC, at midnight
  in the writing client's time zone ([MS-OXOCNTC] 2.2.1.5) or at 11:59 ([MS-ASCNTC] 2.2.2.6:
  "the time portion ... might be 11:59 and SHOULD be ignored", in UTC). East of Greenwich a
  local midnight is not on the UTC date (a birthday entered in Berlin for 22 March is
  ``1980-03-21T23:00:00Z``), so the day is the one whose midnight is nearest, right for every
  zone from UTC-11 to UTC+12 (not for Tonga and Kiribati, UTC+13 and +14, where a local
  midnight is nearer the day before).

Years before 1800 mean "no year": Apple and Exchange ActiveSync write 1604 for a birthday
without one (``X-APPLE-OMIT-YEAR=1604``), and FILETIME's epoch is 1601.

Exports: ``parse_key_date``, ``key_date_from_instant``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ..model import KeyDate

__all__ = ["key_date_from_instant", "parse_key_date"]

_FIRST_YEAR = 1800  # earlier years are "no year" markers (1604, 1601)
_FULL = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_NO_YEAR = re.compile(r"(?:--)?(\d{2})-?(\d{2})")


def _key_date(kind: str, year: int | None, month: int, day: int) -> KeyDate | None:
    if year is not None and year < _FIRST_YEAR:
        year = None
    try:
        return KeyDate(kind, month, day, year)
    except ValueError:
        return None


def parse_key_date(kind: str, text: str) -> KeyDate | None:
    """The key date ``text`` names (see the module docstring), or None if it names none."""
    value = text.strip()
    date_part, sep, time_part = value.partition("T")
    if sep and time_part:
        try:
            instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            instant = None
        if instant is not None:
            if instant.tzinfo is not None:
                return key_date_from_instant(kind, instant)
            return _key_date(kind, instant.year, instant.month, instant.day)
        value = date_part  # a time we cannot read: the date before it still says the day
    full = _FULL.fullmatch(value)
    if full:
        year, month, day = (int(g) for g in full.groups())
        return _key_date(kind, year, month, day)
    if not value.startswith("--") and len(value) == 4:
        return None  # "1985" is a year, not a day
    short = _NO_YEAR.fullmatch(value)
    if short:
        month, day = (int(g) for g in short.groups())
        return _key_date(kind, None, month, day)
    return None


def key_date_from_instant(kind: str, instant: datetime) -> KeyDate | None:
    """The day whose midnight (UTC) is nearest to ``instant`` (naive means UTC)."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    try:
        day = (aware.astimezone(UTC) + timedelta(hours=12)).date()
    except OverflowError:
        return None
    return _key_date(kind, day.year, day.month, day.day)
