"""Meetings from .ics files: Exchange exports, Windows zones, recurrences, overrides, problems."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from outlook_networking.errors import InputError
from outlook_networking.model import Interaction, Kind, Response
from outlook_networking.ports import Problem
from outlook_networking.problems import problem
from outlook_networking.sources.calendar import load_calendar

DATA = Path(__file__).parent / "data"


def _read(path: Path, now: datetime) -> tuple[list[Interaction], list[Problem]]:
    items: list[Interaction] = []
    problems: list[Problem] = []
    for record in load_calendar(path).records(now):
        (items if isinstance(record, Interaction) else problems).append(record)
    return items, problems


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_exchange_custom_zones_and_exdates(outlook_fixtures: Path) -> None:
    path = outlook_fixtures / "allenporter_ical__office_356_custom_timezone.ics"
    items, problems = _read(path, _at(2025, 6, 1))
    assert problems == []
    # One single-occurrence series plus a fortnightly one inside the window (Dec 2023 - Dec 2025)
    # minus its two EXDATEs.
    assert len(items) == 39
    starts = {i.at for i in items}
    assert _at(2024, 5, 2, 9) in starts  # 11:00 "Central European Standard Time", summer
    assert _at(2024, 5, 21, 13) in starts  # 15:00 CEST
    assert _at(2024, 11, 5, 14) in starts  # 15:00 CET after the change
    assert _at(2024, 12, 31, 14) not in starts  # EXDATE
    assert _at(2025, 2, 25, 14) not in starts  # EXDATE
    assert all(i.kind is Kind.MEETING and i.duration_s == 3600 for i in items)
    assert {i.subject for i in items} == {"Zajęty", "Wstępna akceptacja"}
    assert len({i.item_id for i in items}) == 39


def test_whole_day_series_with_moved_occurrence(outlook_fixtures: Path) -> None:
    path = outlook_fixtures / "jens-maus_node-ical__exchange_whole_day_moved_recurrence.ics"
    items, problems = _read(path, _at(2026, 3, 1))
    assert problems == []
    assert len(items) == 51
    moved = [i for i in items if i.item_id == "ev:exchange-moved-recurrence:2026-02-26"]
    assert len(moved) == 1
    assert moved[0].at == _at(2026, 2, 27)  # the override, not the original Thursday
    assert _at(2026, 2, 26) not in {i.at for i in items}
    assert all(i.duration_s == 86400 for i in items)
    assert items[0].at == _at(2026, 2, 19)


def test_ms_zone_names_and_a_broken_dtstart(outlook_fixtures: Path) -> None:
    items, problems = _read(
        outlook_fixtures / "jens-maus_node-ical__ms_timezones.ics", _at(2020, 9, 1)
    )
    # DTSTART;TZID="W. Europe Standard Time:20200609T090000" has no value: that event alone fails.
    assert [p.where for p in problems] == [
        'jens-maus_node-ical__ms_timezones.ics VEVENT "Log Yesterday\'s Jira time"'
    ]
    by_subject = {i.subject: i for i in items}
    assert by_subject["test"].at == _at(2020, 9, 10, 7)  # 09:00 W. Europe summer time
    assert by_subject["test"].duration_s == 1800
    assert by_subject["Not the actual summary 1"].at == _at(2020, 9, 15, 15, 30)  # 08:30 PDT
    series = [i for i in items if i.subject == "Not the actual summary either"]
    assert len(series) == 131
    starts = {i.at for i in series}
    assert _at(2020, 7, 21, 19) not in starts  # EXDATE 12:00 PDT
    assert _at(2020, 7, 24, 19) in starts


def test_floating_until_and_exdate_in_utc(outlook_fixtures: Path) -> None:
    path = outlook_fixtures / "niccokunzmann_python-recurring-ical-events__issue_27_t1.ics"
    items, problems = _read(path, _at(2020, 9, 1))
    assert problems == []
    assert [i.at for i in items] == [_at(2020, 4, 26, 12), _at(2020, 4, 28, 12)]


def test_unfolded_description_and_event_without_dtstart(outlook_fixtures: Path) -> None:
    items, problems = _read(outlook_fixtures / "u01jmg3_ics-parser__issue-343.ics", _at(2025, 1, 1))
    assert [p.reason for p in problems] == [problem("no_dtstart")]
    # Floating 10:00 read in the file's only zone (W. Europe): 08:00 UTC, fortnightly until Oct 7.
    assert [i.at for i in items] == [_at(2024, 9, 23, 8), _at(2024, 10, 7, 8)]
    meeting = items[0]
    assert meeting.sender is not None
    assert (meeting.sender.address, meeting.sender.name) == (
        "organizer@example.com",
        "Organizer Name",
    )
    assert [a.mailbox.address for a in meeting.attendees] == [
        "attendee1@example.com",
        "attendee2@example.com",
        "attendee3@example.com",
    ]
    assert {a.response for a in meeting.attendees} == {Response.NONE}
    assert meeting.subject == "Team Meeting"


def test_windows_zone_without_vtimezone_overrides_and_responses() -> None:
    items, problems = _read(DATA / "windows-zones.ics", _at(2025, 6, 1))
    assert [p.reason for p in problems] == [problem("no_dtstart")]
    ids = [i.item_id for i in items]
    assert ids == [
        "ev:weekly-sync:2025-03-10T08:00:00Z",
        "ev:weekly-sync:2025-03-24T08:00:00Z",  # moved to the 25th, keeps its instant
        "ev:weekly-sync:2025-03-31T07:00:00Z",  # summer time: 09:00 is 07:00 UTC
        "ev:cancelled-lunch",
        "ev:holiday",
    ]
    first = items[0]
    assert first.sender is not None and first.sender.name == "Boss, The"
    responses = {a.mailbox.address: (a.response, a.optional) for a in first.attendees}
    assert responses == {
        "me@example.com": (Response.ACCEPTED, False),
        "other@example.com": (Response.DECLINED, True),
        "third@example.com": (Response.TENTATIVE, False),
    }  # the room is no attendee
    assert items[1].at == _at(2025, 3, 25, 13)
    lunch = items[3]
    assert lunch.cancelled and lunch.at == _at(2025, 7, 1, 3) and lunch.duration_s == 2700
    holiday = items[4]
    assert holiday.at == _at(2025, 8, 1) and holiday.duration_s == 2 * 86400
    assert holiday.sender is None and holiday.attendees == ()


def test_series_outside_the_window_is_not_expanded() -> None:
    items, _ = _read(DATA / "windows-zones.ics", _at(2030, 1, 1))
    # One-off events are kept wherever they lie; the series is outside 18 months back.
    assert [i.item_id for i in items] == ["ev:cancelled-lunch", "ev:holiday"]


def test_truncated_calendar_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        load_calendar(DATA / "truncated.ics")
    assert caught.value.path.endswith("truncated.ics")


def test_a_broken_time_zone_is_a_problem_and_the_events_are_read(tmp_path: Path) -> None:
    # Found by tests/hostile/test_fuzz.py: a NUL byte in a VTIMEZONE's RRULE took the file down.
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Broken\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\n"
        "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=\x00-1SU\r\n"
        "END:STANDARD\r\nEND:VTIMEZONE\r\n"
    )
    event = "BEGIN:VEVENT\r\nUID:e\r\nDTSTART:20250301T100000Z\r\nEND:VEVENT\r\n"
    path = tmp_path / "zone.ics"
    path.write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{zone}{event}END:VCALENDAR\r\n")
    items, problems = _read(path, _at(2025, 6, 1))
    assert [i.item_id for i in items] == ["ev:e"]
    assert [p.where for p in problems] == ["zone.ics VTIMEZONE"]
    assert problems[0].reason.code == "not_readable"
