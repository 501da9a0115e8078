"""Time invested in the network per week, estimated, against the owner's target.

Meetings count with their duration when the owner and at least one contact attend and the meeting
was not cancelled. Mail is estimated: ``minutes_per_mail_written`` for each personal message the
owner sent to a contact, ``minutes_per_mail_read`` for each personal message a contact sent to the
owner. Weeks start on Monday (UTC). The average covers the last four complete weeks.

Exports: ``WeekTime``, ``TimeInvested``, ``TimeTally``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ..model import Interaction, Kind
from .personal import is_personal
from .settings import Settings

__all__ = ["TimeInvested", "TimeTally", "WeekTime"]

WEEKS_SHOWN = 12
WEEKS_AVERAGED = 4


@dataclass(frozen=True, slots=True)
class WeekTime:
    week: date  # the Monday
    meeting_hours: float
    mail_hours: float

    @property
    def hours(self) -> float:
        return self.meeting_hours + self.mail_hours


@dataclass(frozen=True, slots=True)
class TimeInvested:
    weeks: tuple[WeekTime, ...]  # the last ``WEEKS_SHOWN`` weeks, oldest first, this week last
    average_hours: float  # over the last ``WEEKS_AVERAGED`` complete weeks
    target_hours: float

    @property
    def meets_target(self) -> bool:
        return self.average_hours >= self.target_hours


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class TimeTally:
    """Per-week sums built item by item (mutable while the pass runs).

    ``since``: nothing before it is tallied (:meth:`shown_as_of`: the first week the result
    shows, so a history of years costs a comparison per item older than twelve weeks)."""

    meeting_s: dict[date, float] = field(default_factory=dict)
    written: dict[date, int] = field(default_factory=dict)
    read: dict[date, int] = field(default_factory=dict)
    since: datetime | None = None

    @classmethod
    def shown_as_of(cls, now: datetime) -> TimeTally:
        """A tally of the weeks :meth:`result` shows as of ``now``, and no earlier."""
        first = _monday(now.date()) - timedelta(weeks=WEEKS_SHOWN - 1)
        return cls(since=datetime.combine(first, time(), UTC))

    def add(self, item: Interaction, person_of: Mapping[str, str], owner: frozenset[str]) -> None:
        if (self.since is not None and item.at < self.since) or not is_personal(item, owner):
            return
        week = _monday(item.at.date())
        sender = item.sender.address if item.sender is not None else ""
        if item.kind is Kind.MEETING:
            if item.cancelled:
                return
            addresses = [m.address for m in item.participants()]
            if any(a in owner for a in addresses) and any(a in person_of for a in addresses):
                self.meeting_s[week] = self.meeting_s.get(week, 0.0) + max(0, item.duration_s)
        elif sender in owner:
            if any(m.address in person_of for m in item.recipients()):
                self.written[week] = self.written.get(week, 0) + 1
        elif sender in person_of and any(m.address in owner for m in item.recipients()):
            self.read[week] = self.read.get(week, 0) + 1

    def result(self, settings: Settings, now: datetime) -> TimeInvested:
        this_week = _monday(now.date())
        weeks: list[WeekTime] = []
        for back in range(WEEKS_SHOWN - 1, -1, -1):
            week = this_week - timedelta(weeks=back)
            mail_minutes = (
                self.written.get(week, 0) * settings.minutes_per_mail_written
                + self.read.get(week, 0) * settings.minutes_per_mail_read
            )
            weeks.append(
                WeekTime(
                    week=week,
                    meeting_hours=round(self.meeting_s.get(week, 0.0) / 3600, 2),
                    mail_hours=round(mail_minutes / 60, 2),
                )
            )
        complete = weeks[-1 - WEEKS_AVERAGED : -1]
        average = sum(w.hours for w in complete) / len(complete) if complete else 0.0
        return TimeInvested(tuple(weeks), round(average, 2), settings.weekly_target_hours)
