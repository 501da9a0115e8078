"""Birthdays and anniversaries: whose they are, when they come next, and the reminder before one.

A person's key dates come from every address-book card that lists one of their addresses (the
first card in store order wins for each kind) and from what the owner entered by hand
(``contact ADDR --birthday``), which wins over the cards. A date without a year recurs like any
other; 29 February falls on 28 February in years without it (the last day of February, as most
address books and calendars show it).

The follow-up ``birthday`` (key ``birthday:<person>:<day>``) appears ``birthday_days_ahead``
days before the birthday of someone in tier A or B and lasts until the day itself; it is due on
the day (09:00 UTC, like the annual review). Days are UTC days of ``now``.

Exports: ``ComingDate``, ``occurrence``, ``next_occurrence``, ``coming``, ``person_key_dates``,
``birthday_followups``, ``BIRTHDAY_TIERS``.
"""

from __future__ import annotations

from calendar import isleap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..model import KEY_DATE_KINDS, ContactCard, KeyDate
from .followups import FollowUp
from .phrase import phrase

__all__ = [
    "BIRTHDAY_TIERS",
    "ComingDate",
    "birthday_followups",
    "coming",
    "next_occurrence",
    "occurrence",
    "person_key_dates",
]

BIRTHDAY_TIERS = frozenset({"A", "B"})


@dataclass(frozen=True, slots=True)
class ComingDate:
    """A key date's next occurrence: on which day, in how many days, and the how-manyth it is
    (the age a person turns; None without a year)."""

    key_date: KeyDate
    on: date
    in_days: int
    years: int | None


def occurrence(key_date: KeyDate, year: int) -> date:
    """The day ``key_date`` falls on in ``year`` (29 February on the 28th in common years)."""
    if key_date.month == 2 and key_date.day == 29 and not isleap(year):
        return date(year, 2, 28)
    return date(year, key_date.month, key_date.day)


def next_occurrence(key_date: KeyDate, today: date) -> date:
    """The first day on or after ``today`` that ``key_date`` falls on."""
    this_year = occurrence(key_date, today.year)
    return this_year if this_year >= today else occurrence(key_date, today.year + 1)


def _coming(key_date: KeyDate, today: date) -> ComingDate:
    on = next_occurrence(key_date, today)
    years = on.year - key_date.year if key_date.year is not None else None
    return ComingDate(key_date, on, (on - today).days, years if years and years > 0 else None)


def coming(
    key_dates: Iterable[KeyDate], today: date, within_days: int | None = None
) -> tuple[ComingDate, ...]:
    """The next occurrence of each key date, soonest first; only those within ``within_days``
    (0: today only) when given."""
    found = [_coming(k, today) for k in key_dates]
    if within_days is not None:
        found = [c for c in found if c.in_days <= within_days]
    return tuple(sorted(found, key=lambda c: (c.in_days, KEY_DATE_KINDS.index(c.key_date.kind))))


def person_key_dates(
    cards: Iterable[ContactCard],
    person_of: Mapping[str, str],
    manual: Mapping[str, Mapping[str, KeyDate]] | None = None,
) -> dict[str, tuple[KeyDate, ...]]:
    """Person key → their key dates, one per kind (see the module docstring for who wins).

    ``manual`` maps an address to the key dates the owner entered for it, by kind.
    """
    found: dict[str, dict[str, KeyDate]] = {}
    for card in cards:
        if not card.key_dates:
            continue
        person = next((person_of[a] for a in card.addresses if a in person_of), None)
        if person is None:
            continue
        mine = found.setdefault(person, {})
        for key_date in card.key_dates:
            mine.setdefault(key_date.kind, key_date)
    for address, entered in (manual or {}).items():
        person = person_of.get(address)
        if person is not None:
            found.setdefault(person, {}).update(entered)
    return {
        person: tuple(sorted(dates.values(), key=lambda k: KEY_DATE_KINDS.index(k.kind)))
        for person, dates in found.items()
        if dates
    }


def birthday_followups(
    key_dates: Mapping[str, tuple[KeyDate, ...]],
    tiers: Mapping[str, str],
    names: Mapping[str, str],
    *,
    days_ahead: int,
    now: datetime,
) -> list[FollowUp]:
    """A ``birthday`` follow-up for each person in tier A or B whose birthday is at most
    ``days_ahead`` days away (today included)."""
    today = now.astimezone(UTC).date()
    found: list[FollowUp] = []
    for person, dates in key_dates.items():
        if tiers.get(person) not in BIRTHDAY_TIERS:
            continue
        for key_date in dates:
            if key_date.kind != "birthday":
                continue
            soon = _coming(key_date, today)
            if soon.in_days > days_ahead:
                continue
            name = names.get(person) or person
            found.append(
                FollowUp(
                    key=f"birthday:{person}:{soon.on.isoformat()}",
                    kind="birthday",
                    contact=person,
                    due=datetime(soon.on.year, soon.on.month, soon.on.day, 9, tzinfo=UTC),
                    reason=phrase(
                        "birthday", name=name, on=soon.on, days=soon.in_days, turns=soon.years or 0
                    ),
                    subject=phrase("task_birthday", name=name, on=soon.on),
                )
            )
    return found
