"""Follow-ups as iCalendar tasks, read back with icalendar: stable UIDs, resolved tasks closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from outlook_networking.core.followups import FollowUp
from outlook_networking.core.network import Network
from outlook_networking.core.phrase import phrase
from outlook_networking.export import COMPLETED_KEPT_DAYS, todo_calendar, todo_uid
from outlook_networking.i18n import Wording

from .conftest import NOW

NAMES = {"A": "Network A", "B": "Network B", "C": "Network C", "D": "Network D"}
WORDS = Wording("en")
ASKED = phrase(
    "owed_reply", name="Ann", subject="", ago=timedelta(days=3), target=timedelta(hours=48)
)
REPLY = phrase("task_owed_reply", name="Ann", subject="")
TOUCH = phrase("keep_in_touch", tier="B", days=95, cadence=90)
BOB = phrase("task_keep_in_touch", name="Bob")


def todos(data: bytes) -> dict[str, icalendar.Component]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(t["uid"]): t for t in calendar.walk("VTODO")}


def export(network: Network, now: datetime = NOW, previous: bytes | None = None) -> bytes:
    return todo_calendar(
        network.followups,
        now=now,
        tier_of={c.person.key: c.tier.tier for c in network.contacts},
        category_names=NAMES,
        previous=previous,
    )


def test_every_follow_up_is_a_task_with_its_fields(network: Network) -> None:
    found = todos(export(network))
    assert len(found) == len(network.followups) > 0
    tier_of = {c.person.key: c.tier.tier for c in network.contacts}
    for followup in network.followups:
        todo = found[todo_uid(followup.key)]
        assert todo_uid(followup.key).endswith("@outlook-networking")
        assert str(todo["summary"]) == WORDS.phrase(followup.subject)
        assert str(todo["description"]).startswith(WORDS.phrase(followup.task_text))
        assert todo["due"].dt == followup.due
        assert str(todo["status"]) == "NEEDS-ACTION"
        if followup.contact:
            assert todo.categories == [NAMES[tier_of[followup.contact]]]
        else:
            assert "categories" not in todo


def test_in_german_the_tasks_categories_and_calendar_name_are_german(network: Network) -> None:
    """Without configured names the categories follow the language, as in the mailbox."""
    german = Wording("de")
    tier_of = {c.person.key: c.tier.tier for c in network.contacts}
    data = todo_calendar(network.followups, now=NOW, tier_of=tier_of, words=german)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["x-wr-calname"]) == "Networking-Nachverfolgungen"
    found = todos(data)
    for followup in network.followups:
        todo = found[todo_uid(followup.key)]
        assert str(todo["summary"]) == german.phrase(followup.subject)
        if followup.contact:
            assert todo.categories == [f"Netzwerk {tier_of[followup.contact]}"]


def test_uids_are_the_same_in_every_export(network: Network) -> None:
    first = todos(export(network))
    second = todos(export(network, now=NOW + timedelta(hours=1)))
    assert set(first) == set(second)
    assert len({todo_uid(f.key) for f in network.followups}) == len(network.followups)


def test_a_resolved_follow_up_is_closed_then_dropped() -> None:
    owed = FollowUp("owed:abc", "owed_reply", "ann@example.org", NOW, ASKED, REPLY)
    touch = FollowUp("touch:bob:2026-01-01", "keep_in_touch", "bob@example.org", NOW, TOUCH, BOB)
    first = todo_calendar([owed, touch], now=NOW)

    # Ann was answered: her task comes back once as completed, Bob's stays open.
    later = NOW + timedelta(days=1)
    second = todos(todo_calendar([touch], now=later, previous=first))
    closed = second[todo_uid(owed.key)]
    assert str(closed["status"]) == "COMPLETED"
    assert closed["completed"].dt == later
    assert int(closed["percent-complete"]) == 100
    assert str(closed["summary"]) == "Reply to Ann"
    assert str(second[todo_uid(touch.key)]["status"]) == "NEEDS-ACTION"

    # Re-exports keep the completion time, and drop the task once it is old.
    second_data = todo_calendar([touch], now=later, previous=first)
    third_data = todo_calendar([touch], now=later + timedelta(days=1), previous=second_data)
    assert todos(third_data)[todo_uid(owed.key)]["completed"].dt == later
    gone = todos(
        todo_calendar(
            [touch], now=later + timedelta(days=COMPLETED_KEPT_DAYS + 1), previous=third_data
        )
    )
    assert set(gone) == {todo_uid(touch.key)}


def test_a_follow_up_that_returns_is_open_again() -> None:
    owed = FollowUp("owed:abc", "owed_reply", "ann@example.org", NOW, ASKED, REPLY)
    closed = todo_calendar([], now=NOW, previous=todo_calendar([owed], now=NOW))
    again = todos(todo_calendar([owed], now=NOW + timedelta(days=1), previous=closed))
    assert str(again[todo_uid(owed.key)]["status"]) == "NEEDS-ACTION"
    assert len(again) == 1


def test_foreign_or_broken_previous_files_are_ignored() -> None:
    foreign = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:someone-else\r\n"
        b"SUMMARY:not ours\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )
    assert todos(todo_calendar([], now=NOW, previous=foreign)) == {}
    assert todos(todo_calendar([], now=NOW, previous=b"\x00 not a calendar")) == {}


def test_text_is_escaped_by_the_format() -> None:
    reason = phrase("owed_reply", name="line one\nBEGIN:VTODO; x, y", subject="",
                    ago=timedelta(days=1), target=timedelta(hours=48))  # fmt: skip
    title = phrase("task_owed_reply", name="Sub;ject", subject="with: marks")
    evil = FollowUp("k:1", "owed_reply", "", datetime(2026, 1, 2, tzinfo=UTC), reason, title)
    found = todos(todo_calendar([evil], now=NOW))
    (todo,) = found.values()
    assert str(todo["summary"]) == "Reply to Sub;ject: with: marks"
    assert str(todo["description"]) == WORDS.phrase(reason)
    assert str(todo["description"]).startswith("line one\nBEGIN:VTODO; x, y wrote a message")
