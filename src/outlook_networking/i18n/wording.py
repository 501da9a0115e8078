"""The words of one language: the gettext catalog and the locale's way of writing numbers, dates,
durations and lists (Babel, from the Unicode CLDR, not written by hand here).

A :class:`Wording` is what a front end holds and passes on: ``words.gettext("...")`` for a
sentence, ``words.phrase(p)`` for what the core said (:mod:`.phrases`), ``words.date(d)`` for
"3. Dez. 2026". The catalogs live in ``locale/<language>/LC_MESSAGES/outlook_networking.mo``
inside the package (docs/i18n.md says how they are made).

Exports: ``Wording``, ``DOMAIN``, ``LOCALE_DIR``.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, format_timedelta
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from ..core.phrase import Phrase
from ..errors import Problem
from ..model import TIERS
from ..ports import Action
from .language import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["DOMAIN", "LOCALE_DIR", "Wording"]

DOMAIN = "outlook_networking"
LOCALE_DIR = Path(__file__).with_name("locale")
# The product writes British English ("favour", "organisation"); dates and numbers follow suit.
_BABEL_LOCALES = {"en": "en_GB", "de": "de_DE"}
HOURS_UP_TO = 48  # a duration below this many hours reads in hours, from it in days


_REMEMBERED = 65_536  # numbers or phrases one Wording keeps; emptied when full


def _remember(cache: dict[Any, str], key: Any, shown: str) -> None:
    if len(cache) >= _REMEMBERED:
        cache.clear()
    cache[key] = shown


@cache
def _catalog(language: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])


class Wording:
    """Everything a person reads, in one language (``"en"`` or ``"de"``)."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"no catalog for language {language!r}")
        self.language = language
        self.locale = Locale.parse(_BABEL_LOCALES[language])
        self._catalog = _catalog(language)
        # Rendering every contact repeats the same numbers and phrases thousands of times, and
        # Babel formats each afresh (two thirds of rendering 20,000 contacts); both are pure.
        self._numbers: dict[tuple[object, ...], str] = {}
        self._phrases: dict[Phrase, str] = {}

    def __repr__(self) -> str:
        return f"Wording({self.language!r})"

    # --- the catalog ---------------------------------------------------------------------------

    def gettext(self, message: str) -> str:
        """The catalog's translation of ``message``."""
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The catalog's translation for ``n`` (the language's plural rule picks the form)."""
        return self._catalog.ngettext(singular, plural, n)

    # --- numbers, dates, durations, lists (Babel) ----------------------------------------------

    def number(self, value: float, decimals: int | None = None) -> str:
        """``1.234,5`` / ``1,234.5``; ``decimals`` fixes the digits after the separator."""
        key = (type(value), value, decimals)  # 1 and 1.0 hash alike
        shown = self._numbers.get(key)
        if shown is None:
            pattern = (
                None if decimals is None else "#,##0." + "0" * decimals if decimals else "#,##0"
            )
            shown = format_decimal(value, format=pattern, locale=self.locale)
            _remember(self._numbers, key, shown)
        return shown

    def percent(self, value: float) -> str:
        """A fraction as a whole per cent: ``80 %`` / ``80%``."""
        return format_percent(value, locale=self.locale)

    def month(self, value: date, year: bool = False) -> str:
        """A month on a chart's axis: ``Dez`` / ``Dec``; with ``year``: ``Dez. 2026``."""
        return format_skeleton("yMMM" if year else "MMM", value, locale=self.locale)

    def moment(self, value: datetime) -> str:
        """The day and time in ``value``'s zone: ``Sonntag, 6. Dezember 2026, 17:35 UTC`` /
        ``Sunday, 6 December 2026, 17:35 UTC`` (the locale's way of joining them)."""
        day = format_date(value, "full", locale=self.locale)
        clock = format_time(value, "short", locale=self.locale)
        zone = value.tzname() or ""
        joined: str = self.locale.datetime_formats["long"]
        return joined.format(f"{clock} {zone}".strip(), day)

    def day_month(self, value: date) -> str:
        """A day of the year: ``22. März`` / ``22 Mar``."""
        return format_skeleton("MMMd", value, locale=self.locale)

    def full_date(self, value: date) -> str:
        """With the weekday: ``Freitag, 27. November 2026`` / ``Friday, 27 November 2026``."""
        return format_date(value, "full", locale=self.locale)

    def date(self, value: date) -> str:
        """``3. Dez. 2026`` / ``3 Dec 2026``."""
        return format_skeleton("yMMMd", value, locale=self.locale)

    def date_time(self, value: datetime) -> str:
        """A date with the time of day, short: ``3. Dez. 2026, 13:00`` / ``3 Dec 2026, 13:00``."""
        day = format_skeleton("yMMMd", value, locale=self.locale)
        time = format_skeleton("Hm", value, locale=self.locale)
        return str(self.locale.datetime_formats["medium"]).format(time, day)

    def days(self, n: float) -> str:
        """``1 Tag``, ``2 Tage`` / ``1 day``, ``2 days``."""
        return format_unit(n, "duration-day", length="long", locale=self.locale)

    def hours(self, n: float) -> str:
        """``1,5 Std.`` / ``1.5 hr``."""
        return format_unit(n, "duration-hour", length="short", locale=self.locale)

    def seconds(self, n: float) -> str:
        """``52 Sek.`` / ``52 sec``: how long something the person waited for took."""
        return format_unit(n, "duration-second", length="short", locale=self.locale)

    def duration(self, value: timedelta) -> str:
        """Hours below two days (``36 Std.``), whole days from there (``3 Tage``)."""
        hours = value.total_seconds() / 3600
        if hours < HOURS_UP_TO:
            return self.hours(round(hours, 1))
        return self.days(round(hours / 24))

    def ago(self, value: timedelta) -> str:
        """How long ago: ``vor 36 Stunden``, ``vor 3 Tagen`` / ``36 hours ago``; hours below two
        days, days from there."""
        unit: Literal["hour", "day"] = (
            "hour" if value.total_seconds() < HOURS_UP_TO * 3600 else "day"
        )
        return format_timedelta(
            -value, granularity=unit, threshold=1e9, add_direction=True, locale=self.locale
        )

    def listing(self, items: Sequence[str]) -> str:
        """``Anna, Ben und Carla`` / ``Anna, Ben and Carla``."""
        return format_list(list(items), locale=self.locale) if items else ""

    # --- what the core says --------------------------------------------------------------------

    def phrase(self, value: Phrase) -> str:
        """The words for a phrase of the core (:mod:`.phrases`)."""
        try:
            return self._phrases[value]
        except KeyError:
            remember = True
        except TypeError:  # a value that cannot be hashed: said, not remembered
            remember = False
        # (Imported here, on a phrase not said before only: keeping a million interactions'
        # answers asks for two hundred thousand phrases, nearly all said before.)
        from .phrases import render

        shown = render(self, value)
        if remember:
            _remember(self._phrases, value, shown)
        return shown

    def action(self, value: Action) -> str:
        """The dry-run listing's line for a write-back action (:mod:`.actions`)."""
        from .actions import describe_action

        return describe_action(self, value)

    def problem(self, value: Problem) -> str:
        """What is wrong (a configuration key, a sign-in, a file or a part of one), in words
        (:mod:`.problems`)."""
        from .problems import render_problem

        return render_problem(self, value)

    def phrases(self, values: Iterable[Phrase]) -> list[str]:
        return [self.phrase(v) for v in values]

    def summary(self, tier: str, reasons: Iterable[Phrase]) -> str:
        """One line: ``"B: 94 days since last two-way contact, ..."``."""
        return f"{tier}: " + ", ".join(self.phrases(reasons))

    def category_names(self) -> Mapping[str, str]:
        """The product's category per tier in this language: ``Netzwerk A`` / ``Network A``."""
        return {tier: self.category(tier) for tier in TIERS}

    def category(self, tier: str) -> str:
        # TRANSLATORS: the Outlook category of a tier (A–D), shown next to the user's own
        return self.gettext("Network {tier}").format(tier=tier)
