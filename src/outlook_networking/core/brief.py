"""Before a meeting: the day's meetings, who is in them, and what falls due that day.

Pure: the meetings (from the calendar the product synced or ingested), the owner's addresses and
the day's bounds in, values out. A meeting of the day starts within the day and is neither
cancelled nor noise. Its people are listed for the owner: the organizer first (the owner's own
relationship with them comes first), then the required and the optional attendees in the
invitation's order; the owner is left out, and so are rooms and resources, which the readers
never make attendees (``CUTYPE=ROOM``, EWS ``Resources``, Graph ``resource``, a ``.pst``'s
resource recipients).

Someone is **external** when their address's domain is none of the owner's domains (a
subdomain of one is internal).

Exports: ``Meeting``, ``day_bounds``, ``meetings_of_day``, ``people_of``, ``owner_domains``,
``is_external``, ``due_on``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol, TypeVar

from ..model import Interaction, Kind
from .threads import item_key

__all__ = [
    "Meeting",
    "day_bounds",
    "due_on",
    "is_external",
    "meetings_of_day",
    "owner_domains",
    "people_of",
]


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting of the day as the brief shows it; ``people`` organizer first, owner left
    out; ``organizer`` is "" when the owner organised it or nobody is named."""

    item: str  # ``source:item_id``
    start: datetime
    end: datetime
    subject: str
    organizer: str
    people: tuple[str, ...]


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The day's first and first-after instants in ``zone``, as UTC."""
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def people_of(meeting: Interaction, owner: frozenset[str]) -> tuple[str, ...]:
    """The meeting's people, organizer first, then required and optional attendees."""
    ordered: list[str] = []
    if meeting.sender is not None:
        ordered.append(meeting.sender.address)
    ordered += [a.mailbox.address for a in meeting.attendees if not a.optional]
    ordered += [a.mailbox.address for a in meeting.attendees if a.optional]
    return tuple(a for a in dict.fromkeys(ordered) if a not in owner)


def meetings_of_day(
    items: Iterable[Interaction], owner: frozenset[str], start: datetime, end: datetime
) -> list[Meeting]:
    """The meetings starting in ``[start, end)``, by start time."""
    found: list[Meeting] = []
    for item in items:
        if item.kind is not Kind.MEETING or item.cancelled or item.is_noise:
            continue
        if not start <= item.at < end:
            continue
        organizer = item.sender.address if item.sender is not None else ""
        found.append(
            Meeting(
                item=item_key(item),
                start=item.at,
                end=item.at + timedelta(seconds=item.duration_s),
                subject=item.subject,
                organizer="" if organizer in owner else organizer,
                people=people_of(item, owner),
            )
        )
    found.sort(key=lambda m: (m.start, m.item))
    return found


def owner_domains(owner: Iterable[str]) -> frozenset[str]:
    return frozenset(a.rpartition("@")[2] for a in owner if "@" in a)


def is_external(address: str, domains: frozenset[str]) -> bool:
    """Not at one of the owner's domains or their subdomains."""
    domain = address.rpartition("@")[2]
    return not any(domain == d or domain.endswith("." + d) for d in domains)


class _Due(Protocol):
    @property
    def due(self) -> datetime: ...

    @property
    def key(self) -> str: ...


_D = TypeVar("_D", bound=_Due)


def due_on(followups: Iterable[_D], start: datetime, end: datetime) -> tuple[tuple[_D, ...], int]:
    """The open follow-ups due in ``[start, end)`` by due date, and how many fell due before
    (any follow-up with a ``due`` and a ``key``: a ``FollowUp``, or one as the answers list
    it)."""
    listed = list(followups)
    due = sorted((f for f in listed if start <= f.due < end), key=lambda f: (f.due, f.key))
    return tuple(due), sum(1 for f in listed if f.due < start)
