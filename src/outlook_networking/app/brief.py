"""The brief before the day's meetings, for ``brief`` and for the morning brief in the mailbox.

:func:`brief_doc` is ``brief --json``: the day's meetings from the store (what the calendar sync
or an ingest brought), each with a compact card per person (:func:`.cards.attendee_card`, the
organizer first), the follow-ups falling due that day, and how many fell due before it (each
attendee's card lists theirs, overdue or not). The day is a calendar day in
``[brief] time_zone``, else the computer's zone.

:func:`morning_brief_task` is the one task ``apply`` and the agent keep in the mailbox when
``[brief] write = "task"``: its key is ``brief:<day>``, so a second run that day updates it
(a meeting added since, a new time) instead of adding another; the next day's run writes the
next day's and completes this one, as every follow-up task no longer wanted is; ``undo``
deletes it with everything else the product wrote (the journal). It lists the meetings and who
is in them (two lines a meeting: time and subject, then the people, the organizer first), names
and tiers only: notes and follow-ups stay on the computer.

Exports: ``brief_zone``, ``brief_day``, ``brief_doc``, ``morning_brief_task``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from ..config import Config
from ..core.brief import Meeting, day_bounds, due_on, meetings_of_day
from ..core.network import Network
from ..core.phrase import Words
from ..core.views import envelope, followups_json, iso
from ..store import Store
from ..writeback.plan import DesiredTask
from .analysis import Insight
from .cards import attendee_card

__all__ = ["brief_day", "brief_doc", "brief_zone", "morning_brief_task"]


def brief_zone(config: Config) -> tzinfo:
    """The zone whose days the brief counts in: the configured one, else the computer's."""
    if config.brief.time_zone:
        from zoneinfo import ZoneInfo

        return ZoneInfo(config.brief.time_zone)
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def brief_day(now: datetime, zone: tzinfo) -> date:
    """Today, in ``zone``."""
    return now.astimezone(zone).date()


def _meetings(store: Store, network: Network, day: date, zone: tzinfo) -> list[Meeting]:
    start, end = day_bounds(day, zone)
    return meetings_of_day(store.meetings(start, end), network.owner, start, end)


def brief_doc(
    insight: Insight, store: Store, day: date, zone: tzinfo, now: datetime, words: Words
) -> dict[str, Any]:
    """``brief --json`` for ``day`` (see the module docstring and docs/json.md); what the core
    explains in ``words``'s language."""
    network = insight.network
    start, end = day_bounds(day, zone)
    due, overdue = due_on(network.followups, start, end)
    meetings = []
    for meeting in _meetings(store, network, day, zone):
        people = [attendee_card(insight, store, a, now, words) for a in meeting.people]
        for index, card in enumerate(people):
            card["organizer"] = index == 0 and bool(meeting.organizer)  # listed first
        meetings.append(
            {
                "item": meeting.item,
                "start": iso(meeting.start),
                "end": iso(meeting.end),
                "subject": meeting.subject,
                "organizer": meeting.organizer or None,
                "people": people,
            }
        )
    return {
        **envelope("brief", now),
        "date": day.isoformat(),
        "time_zone": str(zone),
        "meetings": meetings,
        "followups": followups_json(network, due, words=words),
        "overdue": overdue,
    }


def _who(network: Network, address: str, organizer: bool) -> str:
    view = network.find(address)
    marks = [view.tier.tier] if view is not None else ["not in your network"]
    if organizer:
        marks.append("organizer")
    name = (view.name or view.address) if view is not None else address
    return f"{name} ({', '.join(marks)})"


def morning_brief_task(store: Store, network: Network, config: Config) -> DesiredTask | None:
    """Today's brief as one task, or None when ``[brief] write`` is off or the day is empty."""
    if config.brief.write != "task":
        return None
    zone = brief_zone(config)
    day = brief_day(network.now, zone)
    meetings = _meetings(store, network, day, zone)
    if not meetings:
        return None
    lines = []
    for meeting in meetings:
        start = meeting.start.astimezone(zone)
        end = meeting.end.astimezone(zone)
        people = ", ".join(
            _who(network, a, i == 0 and bool(meeting.organizer))
            for i, a in enumerate(meeting.people)
        )
        lines.append(f"{start:%H:%M}–{end:%H:%M} {meeting.subject or '(no subject)'}")
        lines.append(f"  {people or 'only you'}")
    count = len(meetings)
    subject = f"Today's meetings ({day:%d %b}): {count} meeting{'s' if count != 1 else ''}"
    due = datetime.combine(day, datetime.min.time(), zone) + timedelta(hours=8)
    return DesiredTask(f"brief:{day.isoformat()}", subject, due, "\n".join(lines))
