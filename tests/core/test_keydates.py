"""Key dates: their next day (29 February too), who they belong to, and the birthday reminder."""

from __future__ import annotations

from calendar import isleap
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from outlook_networking.core.keydates import (
    birthday_followups,
    coming,
    next_occurrence,
    occurrence,
    person_key_dates,
)
from outlook_networking.core.network import analyse
from outlook_networking.core.settings import Settings
from outlook_networking.i18n import Wording
from outlook_networking.model import ContactCard, KeyDate

from .builders import ME, NOW, OWNER, ago, mail, reply_to

LEAP_DAY = KeyDate("birthday", 2, 29)


def test_the_leap_day_falls_on_28_february_in_common_years() -> None:
    assert occurrence(LEAP_DAY, 2027) == date(2027, 2, 28)
    assert occurrence(LEAP_DAY, 2028) == date(2028, 2, 29)
    assert next_occurrence(LEAP_DAY, date(2027, 3, 1)) == date(2028, 2, 29)
    assert next_occurrence(LEAP_DAY, date(2026, 2, 28)) == date(2026, 2, 28)


key_dates = st.builds(
    lambda d, with_year: KeyDate("birthday", d.month, d.day, d.year if with_year else None),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    st.booleans(),
)


@given(key_dates, st.dates(min_value=date(1971, 1, 1), max_value=date(2100, 12, 31)))
def test_the_next_day_is_within_a_year_and_on_the_date(key_date: KeyDate, today: date) -> None:
    on = next_occurrence(key_date, today)
    assert today <= on < today + timedelta(days=366)
    if (key_date.month, key_date.day) == (2, 29) and not isleap(on.year):
        assert (on.month, on.day) == (2, 28)
    else:
        assert (on.month, on.day) == (key_date.month, key_date.day)
    (soon,) = coming([key_date], today)
    assert soon.in_days == (on - today).days
    if key_date.year is None or key_date.year >= on.year:  # no year, or not born yet
        assert soon.years is None
    else:
        assert soon.years == on.year - key_date.year


def test_the_owners_date_wins_over_the_cards_and_the_first_card_over_later_ones() -> None:
    cards = [
        ContactCard("a", "1", "Ann", ("ann@x.example",), key_dates=(KeyDate("birthday", 1, 2),)),
        ContactCard("b", "2", "Ann", ("ann@x.example",),
                    key_dates=(KeyDate("birthday", 5, 5), KeyDate("anniversary", 6, 6))),
        ContactCard("c", "3", "Zed", ("zed@x.example",)),
    ]  # fmt: skip
    person_of = {"ann@x.example": "ann@x.example", "ann@home.example": "ann@x.example"}
    found = person_key_dates(cards, person_of, {"ann@home.example": {
        "anniversary": KeyDate("anniversary", 7, 7)}})  # fmt: skip
    assert found == {
        "ann@x.example": (KeyDate("birthday", 1, 2), KeyDate("anniversary", 7, 7)),
    }


def _reminders(tier: str, key_date: KeyDate, now: datetime, ahead: int = 3) -> list[str]:
    found = birthday_followups(
        {"ann@x.example": (key_date,)}, {"ann@x.example": tier}, {"ann@x.example": "Ann"},
        days_ahead=ahead, now=now,
    )  # fmt: skip
    return [f"{f.key} {f.due:%Y-%m-%d} {Wording('en').phrase(f.reason)}" for f in found]


def test_the_birthday_reminder_shows_days_ahead_for_tiers_a_and_b_only() -> None:
    born = KeyDate("birthday", 11, 30, 1970)
    expected = ["birthday:ann@x.example:2026-11-30 2026-11-30 Ann's birthday is on 30 Nov "
                "(turns 56)"]  # fmt: skip
    for tier in ("A", "B"):
        assert _reminders(tier, born, NOW) == expected  # 27 Nov: three days ahead
    for tier in ("C", "D"):
        assert _reminders(tier, born, NOW) == []
    assert _reminders("A", born, NOW - timedelta(days=1)) == []  # four days ahead: not yet
    assert _reminders("A", born, NOW, ahead=2) == []
    on_the_day = _reminders("A", born, datetime(2026, 11, 30, 23, tzinfo=UTC))
    assert on_the_day == ["birthday:ann@x.example:2026-11-30 2026-11-30 Ann's birthday is today "
                          "(turns 56)"]  # fmt: skip
    assert _reminders("A", born, datetime(2026, 12, 1, tzinfo=UTC)) == []  # gone the day after


def test_a_leap_day_birthday_without_a_year_reminds_on_28_february() -> None:
    reminders = _reminders("B", LEAP_DAY, datetime(2027, 2, 26, 8, tzinfo=UTC))
    assert reminders == ["birthday:ann@x.example:2027-02-28 2027-02-28 Ann's birthday is on 28 Feb"]


def test_the_analysis_gives_each_person_their_key_dates_and_reminder() -> None:
    ann = "ann@x.example"
    items = []
    for days in range(5, 200, 5):  # near-daily two-way mail: tier A
        asked = mail(ME, ann, ago(days))
        items += [asked, reply_to(asked, ago(days) + timedelta(hours=1))]
    card = ContactCard("file", "c1", "Ann", (ann,), key_dates=(KeyDate("birthday", 11, 29),))
    network = analyse(items, [card], owner=OWNER, settings=Settings(), now=NOW)
    view = network.find(ann)
    assert view is not None and view.tier.tier == "A"
    assert view.key_dates == (KeyDate("birthday", 11, 29),)
    assert "birthday" in [f.kind for f in view.followups]
    assert [f.key for f in network.followups if f.kind == "birthday"] == [
        f"birthday:{ann}:2026-11-29"
    ]
    entered = analyse(items, [card], owner=OWNER, settings=Settings(), now=NOW,
                      key_dates={ann: {"birthday": KeyDate("birthday", 6, 1)}})  # fmt: skip
    assert entered.find(ann).key_dates == (KeyDate("birthday", 6, 1),)  # type: ignore[union-attr]
    assert not [f for f in entered.followups if f.kind == "birthday"]
