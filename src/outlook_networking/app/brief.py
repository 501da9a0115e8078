"""The brief before the day's meetings, for ``brief`` and for the morning brief in the mailbox.

:func:`brief_doc` is ``brief --json``: the day's meetings from the store (what the calendar sync
or an ingest brought), each with a compact card per person (:func:`.cards.attendee_card`, the
organizer first), the follow-ups falling due that day, and how many fell due before it (each
attendee's card lists theirs, overdue or not). The day is a calendar day in
``[brief] time_zone``, else the computer's zone. The cards and follow-ups come from the answers
(``app.answers``), kept from the last analysis while the store is unchanged, as ``contact``'s
do: at a million interactions the brief is a lookup, not a minute's analysis.

:func:`morning_brief` is the morning brief ``apply`` and the agent keep in the mailbox, in the
configured language: :func:`morning_brief_task` the one task when ``[brief] write = "task"``,
:func:`morning_brief_message` the one message in the owner's own Inbox when ``"message"``. Its
key is ``brief:<day>``, so a second run that day updates it (a meeting added since, a new time)
instead of adding another; the next day's run writes the next day's and completes yesterday's
task, or deletes yesterday's message; a message the user deleted or moved is not put back that
day (:mod:`..writeback.inbox`); ``undo`` deletes it with everything else the product wrote. It
lists the meetings and who is in them (two lines a meeting: time and subject, then the people,
the organizer first), names and tiers only: notes, follow-ups and mail bodies stay out.

Exports: ``MorningBrief``, ``brief_zone``, ``brief_day``, ``brief_doc``, ``morning_brief``,
``morning_brief_task``, ``morning_brief_message``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from ..config import Config
from ..core.brief import Meeting, day_bounds, due_on, meetings_of_day
from ..core.network import Network
from ..core.views import envelope, iso
from ..i18n import Wording, wording_for
from ..store import Store
from ..writeback.inbox import DesiredInboxMessage
from ..writeback.plan import DesiredTask
from .answers import Answers, Open
from .cards import attendee_card

__all__ = [
    "MorningBrief",
    "brief_day",
    "brief_doc",
    "brief_zone",
    "morning_brief",
    "morning_brief_message",
    "morning_brief_task",
]


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


def _meetings(store: Store, owner: frozenset[str], day: date, zone: tzinfo) -> list[Meeting]:
    start, end = day_bounds(day, zone)
    return meetings_of_day(store.meetings(start, end), owner, start, end)


def brief_doc(answers: Answers, store: Store, day: date, zone: tzinfo) -> dict[str, Any]:
    """``brief --json`` for ``day`` (see the module docstring and docs/json.md) from
    ``answers`` (``app.answers``: kept from the last analysis while they hold, so at a million
    interactions the brief is a lookup), as of their moment and in their language."""
    start, end = day_bounds(day, zone)
    listed = {}
    for entry in answers.followups():
        followup = Open.of(entry)
        listed[followup.key] = followup, entry.text
    due, overdue = due_on([followup for followup, _ in listed.values()], start, end)
    meetings = []
    for meeting in _meetings(store, answers.owner, day, zone):
        people = [attendee_card(answers.card(a), store, a, answers.owner) for a in meeting.people]
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
        **envelope("brief", answers.as_of),
        "date": day.isoformat(),
        "time_zone": str(zone),
        "meetings": meetings,
        "followups": [json.loads(listed[followup.key][1]) for followup in due],
        "overdue": overdue,
    }


def _who(network: Network, address: str, organizer: bool, words: Wording) -> str:
    view = network.find(address)
    marks = [view.tier.tier] if view is not None else [words.gettext("not in your network")]
    if organizer:
        # TRANSLATORS: after a person's name in the morning brief: they organised the meeting.
        marks.append(words.gettext("organizer"))
    name = (view.name or view.address) if view is not None else address
    return f"{name} ({', '.join(marks)})"


@dataclass(frozen=True, slots=True)
class MorningBrief:
    """Today's brief as the mailbox shows it: its key (``brief:<day>``), title, body, and the
    day's 08:00 (a task's due date)."""

    key: str
    subject: str
    body: str
    due: datetime


def morning_brief(store: Store, network: Network, config: Config) -> MorningBrief | None:
    """Today's brief in the configured language, or None when the day has no meeting."""
    words = wording_for(config)
    zone = brief_zone(config)
    day = brief_day(network.now, zone)
    meetings = _meetings(store, network.owner, day, zone)
    if not meetings:
        return None
    no_subject = words.gettext("(no subject)")
    # TRANSLATORS: the people line of a meeting in the morning brief when nobody else is in it.
    only_you = words.gettext("only you")
    lines = []
    for meeting in meetings:
        start = meeting.start.astimezone(zone)
        end = meeting.end.astimezone(zone)
        people = ", ".join(
            _who(network, a, i == 0 and bool(meeting.organizer), words)
            for i, a in enumerate(meeting.people)
        )
        lines.append(f"{start:%H:%M}–{end:%H:%M} {meeting.subject or no_subject}")
        lines.append(f"  {people or only_you}")
    count = len(meetings)
    subject = words.ngettext(
        "Today's meetings ({day}): {count} meeting",
        "Today's meetings ({day}): {count} meetings",
        count,
    ).format(day=words.day_month(day), count=count)
    due = datetime.combine(day, datetime.min.time(), zone) + timedelta(hours=8)
    return MorningBrief(f"brief:{day.isoformat()}", subject, "\n".join(lines), due)


def morning_brief_task(store: Store, network: Network, config: Config) -> DesiredTask | None:
    """Today's brief as one task, or None unless ``[brief] write = "task"`` and the day has
    meetings."""
    brief = morning_brief(store, network, config) if config.brief.write == "task" else None
    if brief is None:
        return None
    return DesiredTask(brief.key, brief.subject, brief.due, brief.body)


def morning_brief_message(
    store: Store, network: Network, config: Config
) -> DesiredInboxMessage | None:
    """Today's brief as one message to the owner's own Inbox, or None unless ``[brief] write =
    "message"`` and the day has meetings."""
    brief = morning_brief(store, network, config) if config.brief.write == "message" else None
    if brief is None:
        return None
    return DesiredInboxMessage(brief.key, brief.subject, brief.body)
