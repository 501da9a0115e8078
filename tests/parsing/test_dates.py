"""Birthdays and anniversaries as address books, Outlook and Exchange write them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outlook_networking.model import KeyDate
from outlook_networking.parsing.dates import key_date_from_instant, parse_key_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19800322", KeyDate("birthday", 3, 22, 1980)),  # vCard 2.1 / Outlook
        ("1980-03-22", KeyDate("birthday", 3, 22, 1980)),  # vCard 3.0 / 4.0
        ("--0415", KeyDate("birthday", 4, 15)),  # RFC 6350 4.3.1: no year
        ("--04-15", KeyDate("birthday", 4, 15)),
        ("04-15", KeyDate("birthday", 4, 15)),  # what the owner types
        ("--0229", KeyDate("birthday", 2, 29)),  # a leap day needs no leap year
        ("1604-04-15", KeyDate("birthday", 4, 15)),  # Apple's and ActiveSync's "no year"
        ("1980-03-22T00:00:00", KeyDate("birthday", 3, 22, 1980)),  # local time: its date
        ("1980-03-21T23:00:00Z", KeyDate("birthday", 3, 22, 1980)),  # Berlin's midnight
        (" 1980-03-22 ", KeyDate("birthday", 3, 22, 1980)),
    ],
)
def test_the_forms_address_books_write(text: str, expected: KeyDate) -> None:
    assert parse_key_date("birthday", text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "1985", "1985-04", "---15", "0415", "1981-02-29", "--1301", "--0431", "yesterday",
     "2026-13-01", "--02-30", "1980-03-22Tlunch"],
)  # fmt: skip
def test_what_names_no_day(text: str) -> None:
    expected = KeyDate("birthday", 3, 22, 1980) if text.startswith("1980") else None
    assert parse_key_date("birthday", text) == expected


days = st.dates(min_value=date(1800, 1, 1), max_value=date(9998, 12, 31))


@given(days, st.booleans(), st.sampled_from(["{y}{m}{d}", "{y}-{m}-{d}", "--{m}{d}", "--{m}-{d}",
                                             "{m}-{d}"]))  # fmt: skip
def test_every_day_reads_back_in_every_form(day: date, _: bool, form: str) -> None:
    text = form.format(y=f"{day.year:04d}", m=f"{day.month:02d}", d=f"{day.day:02d}")
    year = day.year if "{y}" in form else None
    assert parse_key_date("anniversary", text) == KeyDate("anniversary", day.month, day.day, year)


@given(st.text(max_size=30))
def test_any_text_is_a_day_or_none_never_an_error(text: str) -> None:
    found = parse_key_date("birthday", text)
    assert found is None or isinstance(found, KeyDate)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.integers(min_value=-11 * 60, max_value=12 * 60))  # fmt: skip
def test_the_day_of_local_midnight_is_the_one_entered_in_any_zone(
    day: date, offset_min: int
) -> None:
    """Outlook stores the day's local midnight as UTC ([MS-OXOCNTC] 2.2.1.5); from UTC-11 to
    UTC+12 the nearest midnight is the day entered."""
    zone = timezone(timedelta(minutes=offset_min))
    stored = datetime.combine(day, time(), zone).astimezone(UTC)
    expected = KeyDate("birthday", day.month, day.day, day.year)
    assert key_date_from_instant("birthday", stored) == expected
    # ActiveSync and exchangelib write 11:59 UTC of the day ([MS-ASCNTC] 2.2.2.6).
    noon = datetime.combine(day, time(11, 59), UTC)
    assert key_date_from_instant("birthday", noon) == expected


def test_a_naive_instant_is_utc() -> None:
    assert key_date_from_instant("birthday", datetime(1974, 9, 17, 22)) == KeyDate(
        "birthday", 9, 18, 1974
    )
