"""Meetings out of an iCalendar file (.ics), as Outlook and Exchange export them.

Recurring series are expanded with ``recurring-ical-events`` inside a window around a reference
time (default 18 months back to 6 months ahead), with EXDATE and RECURRENCE-ID overrides applied;
a one-off event is kept wherever it lies. Time zones come from the file's VTIMEZONE blocks, which
is how Windows names such as ``W. Europe Standard Time`` resolve; a floating time (no zone) is
read in the file's only VTIMEZONE or ``X-WR-TIMEZONE`` when there is exactly one, else as UTC.

Decisions:

- Every VEVENT becomes a ``Kind.MEETING`` interaction, including all-day events and events
  without attendees: an event with no organizer and no attendees names nobody, so it counts for
  no contact (private appointments, holidays). An all-day event starts at 00:00 UTC of its date
  and lasts its whole days. Rooms and resources (``CUTYPE=ROOM/RESOURCE``) are not attendees.
- Item ids: ``ev:<UID>`` for a one-off event, ``ev:<UID>:<instant>`` for an occurrence of a
  series, the instant being its RECURRENCE-ID (UTC ISO, or the date of an all-day occurrence), so
  a moved occurrence keeps its id. An event without UID uses a hash of its text instead.
- A file icalendar cannot parse at all raises :class:`~outlook_networking.errors.InputError`; an
  event without a usable DTSTART, or a series that cannot be expanded, is a problem and the rest
  of the file is read.
- A private event (``CLASS:PRIVATE``, RFC 5545 3.8.1.3; Outlook writes it for items marked
  private, [MS-OXCICAL] PidLidSensitivity) keeps its time and participants but never its
  SUMMARY: the subject is "", and problems name it by its UID. One private component makes the
  whole series private.

:func:`expand_series` expands a series given as values rather than as a VEVENT (Outlook's own
files store one as a binary rule, see :mod:`.recurrence`) the same way and with the same ids.

Exports: ``load_calendar``, ``CalendarFile``, ``Series``, ``expand_series``, ``WINDOW_BACK``,
``WINDOW_AHEAD``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from ..errors import InputError
from ..model import Attendee, Interaction, Kind, Mailbox, Response
from ..parsing.addresses import decode_name, normalise
from ..ports import Problem
from .textfile import decode_export, read_export

__all__ = [
    "WINDOW_AHEAD",
    "WINDOW_BACK",
    "CalendarFile",
    "Series",
    "expand_series",
    "load_calendar",
]

WINDOW_BACK = timedelta(days=548)  # ~18 months
WINDOW_AHEAD = timedelta(days=183)  # ~6 months

_PARTSTAT = {
    "ACCEPTED": Response.ACCEPTED,
    "TENTATIVE": Response.TENTATIVE,
    "DECLINED": Response.DECLINED,
    "NEEDS-ACTION": Response.NONE,
    "DELEGATED": Response.NONE,
}
_NOT_PEOPLE = frozenset({"ROOM", "RESOURCE"})


def load_calendar(path: Path, *, source: str = "file") -> CalendarFile:
    """Parse an .ics file; raises :class:`InputError` if it is no readable calendar at all."""
    data = read_export(path)
    try:
        calendars = icalendar.Calendar.from_ical(decode_export(data), multiple=True)
    except Exception as exc:  # icalendar fails in many ways on garbage (even AttributeError)
        raise InputError(str(path), f"not a readable iCalendar file: {exc}") from exc
    calendars = [c for c in calendars if c.name == "VCALENDAR"]
    if not calendars:
        raise InputError(str(path), "no VCALENDAR in the file")
    return CalendarFile(path, tuple(calendars), source)


@dataclass(frozen=True, slots=True)
class CalendarFile:
    """A parsed calendar file whose meetings can be read for a window around a time."""

    path: Path
    calendars: tuple[icalendar.Calendar, ...]
    source: str = "file"

    def records(
        self,
        now: datetime,
        back: timedelta = WINDOW_BACK,
        ahead: timedelta = WINDOW_AHEAD,
    ) -> Iterator[Interaction | Problem]:
        """Every meeting occurrence in the window (one-off events anywhere) and every problem."""
        start, end = now - back, now + ahead
        for calendar in self.calendars:
            yield from self._calendar_records(calendar, start, end)

    def _calendar_records(
        self, calendar: icalendar.Calendar, start: datetime, end: datetime
    ) -> Iterator[Interaction | Problem]:
        cancelled_all = str(calendar.get("METHOD", "")).upper() == "CANCEL"
        floating = _floating_zone(calendar)
        timezones = list(calendar.walk("VTIMEZONE"))
        groups: dict[str, list[icalendar.Component]] = {}
        for event in calendar.walk("VEVENT"):
            where = f"{self.path.name} VEVENT {_label(event, _private(event))}"
            reason = _unusable(event)
            if reason:
                yield Problem(where, reason)
                continue
            uid = str(event.get("UID", "")).strip() or "sha:" + _hash(event)
            _anchor_floating(event, floating)
            groups.setdefault(uid, []).append(event)
        for uid, events in groups.items():
            private = any(_private(e) for e in events)
            where = f"{self.path.name} VEVENT {_label(events[0], private)}"
            single = len(events) == 1 and not _recurs(events[0])
            sub = icalendar.Calendar()
            for component in (*timezones, *events):
                sub.add_component(component)
            try:
                query = recurring_ical_events.of(sub)
                occurrences = query.all() if single else query.between(start, end)
                items = [
                    self._interaction(uid, occurrence, single, floating, cancelled_all, private)
                    for occurrence in occurrences
                ]
            except Exception as exc:
                yield Problem(where, f"cannot be expanded: {type(exc).__name__}: {exc}")
                continue
            yield from items

    def _interaction(
        self,
        uid: str,
        event: icalendar.Component,
        single: bool,
        floating: tzinfo,
        cancelled_all: bool,
        private: bool,
    ) -> Interaction:
        begin = event.get("DTSTART").dt
        finish = _end(event, begin)
        at = _utc(begin, floating)
        duration = max(0, int((_utc(finish, floating) - at).total_seconds()))
        if single:
            item_id = f"ev:{uid}"
        else:
            rid = event.get("RECURRENCE-ID")
            instant = rid.dt if rid is not None else begin
            item_id = f"ev:{uid}:{_instant(instant, begin, floating)}"
        organizer = _mailbox(event.get("ORGANIZER"))
        attendees = _attendees(event.get("ATTENDEE"), organizer)
        status = str(event.get("STATUS", "")).upper()
        categories: list[str] = []
        for value in _as_list(event.get("CATEGORIES")):
            for category in getattr(value, "cats", [value]):
                text = str(category).strip()
                if text and text not in categories:
                    categories.append(text)
        return Interaction(
            source=self.source,
            item_id=item_id,
            kind=Kind.MEETING,
            at=at,
            sender=organizer,
            subject="" if private else " ".join(str(event.get("SUMMARY", "")).split()),
            folder="calendar",
            attendees=attendees,
            duration_s=duration,
            cancelled=cancelled_all or status == "CANCELLED",
            categories=tuple(categories),
        )


@dataclass(frozen=True, slots=True)
class Series:
    """A recurring series as values: its first occurrence (aware, in the series' own zone, so
    occurrences keep their local time across daylight-saving switches), an RFC 5545 ``RRULE``
    value, the occurrences deleted, and those moved as ``(original start, new start, duration)``.
    """

    start: datetime
    duration: timedelta
    rule: str
    deleted: tuple[datetime, ...] = ()
    moved: tuple[tuple[datetime, datetime, timedelta], ...] = ()


def expand_series(
    series: Series, meeting: Interaction, uid: str, start: datetime, end: datetime
) -> list[Interaction]:
    """Each occurrence of ``series`` between ``start`` and ``end``: ``meeting`` at its time.

    Item ids are those of an ``.ics`` series: ``ev:<uid>:<original start>``. Raises ValueError
    when the rule cannot be expanded.
    """
    calendar = icalendar.Calendar()
    event = icalendar.Event()
    event.add("UID", uid)
    event.add("DTSTART", series.start)
    event.add("DURATION", series.duration)
    try:
        event.add("RRULE", icalendar.vRecur.from_ical(series.rule))
        if series.deleted:
            event.add("EXDATE", list(series.deleted))
        calendar.add_component(event)
        for original, begin, duration in series.moved:
            moved = icalendar.Event()
            moved.add("UID", uid)
            moved.add("RECURRENCE-ID", original)
            moved.add("DTSTART", begin)
            moved.add("DURATION", duration)
            calendar.add_component(moved)
        occurrences = recurring_ical_events.of(calendar).between(start, end)
        result: list[Interaction] = []
        for occurrence in occurrences:
            begin = occurrence.get("DTSTART").dt
            at = _utc(begin, UTC)
            rid = occurrence.get("RECURRENCE-ID")
            instant = _instant(rid.dt if rid is not None else begin, begin, UTC)
            result.append(
                replace(
                    meeting,
                    item_id=f"ev:{uid}:{instant}",
                    at=at,
                    duration_s=max(
                        0, int((_utc(_end(occurrence, begin), UTC) - at).total_seconds())
                    ),
                )
            )
    except Exception as exc:  # icalendar and dateutil fail in many ways on odd rules
        raise ValueError(f"{type(exc).__name__}: {exc}") from exc
    return result


def _private(event: icalendar.Component) -> bool:
    return str(event.get("CLASS", "")).strip().upper() == "PRIVATE"


def _label(event: icalendar.Component, private: bool) -> str:
    summary = "" if private else " ".join(str(event.get("SUMMARY", "")).split())
    if summary:
        return repr(summary[:60])
    uid = str(event.get("UID", "")).strip()
    return uid[:60] or "without UID"


def _hash(event: icalendar.Component) -> str:
    return hashlib.sha1(event.to_ical(), usedforsecurity=False).hexdigest()


def _unusable(event: icalendar.Component) -> str:
    """Why an event cannot be read at all, or ``""``."""
    for name, error in getattr(event, "errors", ()):
        if name in ("DTSTART", "DTEND", "RRULE", "RECURRENCE-ID", "DURATION", "EXDATE"):
            return f"unreadable {name}: {error}"
    prop = event.get("DTSTART")
    if prop is None:
        return "no DTSTART"
    try:
        value = prop.dt
    except Exception as exc:
        return f"unreadable DTSTART: {exc}"
    if not isinstance(value, date):
        return "DTSTART is not a date or time"
    return ""


def _recurs(event: icalendar.Component) -> bool:
    return any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _floating_zone(calendar: icalendar.Calendar) -> tzinfo:
    """The zone a floating time is read in: the file's only zone if it names one, else UTC."""
    zones = list(calendar.walk("VTIMEZONE"))
    if len(zones) == 1:
        try:
            zone: tzinfo = zones[0].to_tz()  # type: ignore[attr-defined]
            return zone
        except Exception:
            pass
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if name:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(name)
        except (ValueError, KeyError, OSError):
            pass
    return UTC


def _anchor_floating(event: icalendar.Component, floating: tzinfo) -> None:
    """Give floating start and end times the file's zone, so a UTC ``UNTIL`` compares right."""
    if floating is UTC:
        return
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        prop = event.get(name)
        value = getattr(prop, "dt", None)
        if isinstance(value, datetime) and value.tzinfo is None:
            event[name] = icalendar.vDDDTypes(value.replace(tzinfo=floating))


def _utc(value: date, floating: tzinfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=floating)
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _end(event: icalendar.Component, begin: date) -> date:
    end = event.get("DTEND")
    if end is not None:
        try:
            value = end.dt
            if isinstance(value, date) and isinstance(value, datetime) == isinstance(
                begin, datetime
            ):
                return value
        except Exception:
            pass
    duration = event.get("DURATION")
    if duration is not None:
        try:
            delta = duration.dt
            if isinstance(delta, timedelta):
                return begin + delta
        except Exception:
            pass
    # RFC 5545: no end means a one-day all-day event, or an instant.
    return begin + timedelta(days=1) if not isinstance(begin, datetime) else begin


def _instant(value: Any, begin: date, floating: tzinfo) -> str:
    if not isinstance(begin, datetime):
        # An all-day occurrence is named by its date, even where Exchange wrote a midnight.
        if isinstance(value, datetime):
            return value.date().isoformat()
        return begin.isoformat() if not isinstance(value, date) else value.isoformat()
    if isinstance(value, datetime):
        return _utc(value, floating).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return _utc(begin, floating).strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _mailbox(value: Any) -> Mailbox | None:
    if value is None:
        return None
    address = normalise(str(value))
    if not address:
        return None
    params = getattr(value, "params", {})
    return Mailbox(address, decode_name(str(params.get("CN", ""))))


def _attendees(value: Any, organizer: Mailbox | None) -> tuple[Attendee, ...]:
    result: list[Attendee] = []
    seen: set[str] = set()
    for entry in _as_list(value):
        params = getattr(entry, "params", {})
        if str(params.get("CUTYPE", "")).upper() in _NOT_PEOPLE:
            continue
        mailbox = _mailbox(entry)
        if mailbox is None or mailbox.address in seen:
            continue
        seen.add(mailbox.address)
        if organizer is not None and mailbox.address == organizer.address:
            response = Response.ORGANIZER
        else:
            response = _PARTSTAT.get(str(params.get("PARTSTAT", "")).upper(), Response.NONE)
        optional = str(params.get("ROLE", "")).upper() == "OPT-PARTICIPANT"
        result.append(Attendee(mailbox, response, optional))
    return tuple(result)
