"""A pseudo-locale: every word the catalogs or Babel give back comes between ⟦ and ⟧, so text
that reached a person without going through them shows up as letters outside the marks.

``unmarked(text)`` is what is left of ``text`` once every marked span (nested ones included) and
the sample values (names, subjects, tiers: :data:`VALUE`, :data:`TIER`) are taken out; a test
asserts it holds no letter. Part B applies the same check to the command line, the report and
the add-in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from outlook_networking.i18n import Wording

OPEN, CLOSE = "⟦", "⟧"
VALUE = "Ǫ"  # a name, subject, organisation: data, not wording
TIER = "Ⓑ"
_INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_LETTER = re.compile(r"[^\W\d_]")


def _mark(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


class PseudoWording(Wording):
    """English underneath, every catalog message and every Babel format marked."""

    def __init__(self) -> None:
        super().__init__("en")

    def gettext(self, message: str) -> str:
        return _mark(super().gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _mark(super().ngettext(singular, plural, n))

    def number(self, value: float, decimals: int | None = None) -> str:
        return _mark(super().number(value, decimals))

    def percent(self, value: float) -> str:
        return _mark(super().percent(value))

    def date(self, value: date) -> str:
        return _mark(super().date(value))

    def month(self, value: date, year: bool = False) -> str:
        return _mark(super().month(value, year))

    def moment(self, value: datetime) -> str:
        return _mark(super().moment(value))

    def day_month(self, value: date) -> str:
        return _mark(super().day_month(value))

    def full_date(self, value: date) -> str:
        return _mark(super().full_date(value))

    def date_time(self, value: datetime) -> str:
        return _mark(super().date_time(value))

    def days(self, n: float) -> str:
        return _mark(super().days(n))

    def hours(self, n: float) -> str:
        return _mark(super().hours(n))

    def ago(self, value: timedelta) -> str:
        return _mark(super().ago(value))

    def listing(self, items: Sequence[str]) -> str:
        return _mark(super().listing(items))


def unmarked(text: str) -> str:
    """``text`` without its marked spans and without the sample values."""
    previous = None
    while previous != text:
        previous, text = text, _INNERMOST.sub("", text)
    return text.replace(VALUE, "").replace(TIER, "")


def has_words(text: str) -> bool:
    """Whether letters are left outside the marks (text that bypassed the catalogs)."""
    return _LETTER.search(unmarked(text)) is not None
