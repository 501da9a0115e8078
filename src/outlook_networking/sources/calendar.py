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
- A file that holds no complete VCALENDAR raises :class:`~outlook_networking.errors.InputError`;
  an event that cannot be parsed, has no usable DTSTART, or a series that cannot be expanded, is
  a problem and the rest of the file is read. Only VEVENTs directly inside a VCALENDAR are read.
- A private event (``CLASS:PRIVATE``, RFC 5545 3.8.1.3; Outlook writes it for items marked
  private, [MS-OXCICAL] PidLidSensitivity) keeps its time and participants but never its
  SUMMARY: the subject is "", and problems name it by its UID. One private component makes the
  whole series private.

Hostile files (``docs/sources.md``, "Limits on hostile files"): the file is never parsed whole.
It is read twice as a stream (:func:`load_calendar` indexes it, :meth:`CalendarFile.records`
parses one event at a time), so memory follows the largest event, not the file. A file may be at
most ``files.max_calendar_mb``; an event may be at most :data:`MAX_EVENT` bytes (inline
attachments, never read, do not count) and components nested at most :data:`MAX_NESTING` deep.
A series yields at most ``files.max_occurrences`` occurrences in the window; one whose rules make
more than :data:`_SERIES_BUDGET` times as many dates up to the window's end is not expanded at
all (a ``FREQ=SECONDLY`` rule without end would make millions), and a file expands at most
:data:`_FILE_BUDGET` times as many in all. Each of these is a counted problem.

Outlook's own files store a series as a binary rule (see :mod:`.recurrence`):
:func:`expand_series` expands one given as values the same way, with the same ids and the same
budget of dates.

Exports: ``load_calendar``, ``CalendarFile``, ``Series``, ``expand_series``, ``WINDOW_BACK``,
``WINDOW_AHEAD``, ``MAX_EVENT``, ``MAX_NESTING``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from ..config import FileLimits
from ..errors import InputError
from ..model import Attendee, Interaction, Kind, Mailbox, Response
from ..parsing.addresses import decode_name, normalise
from ..ports import Problem
from ..problems import Problem as Reason
from ..problems import problem
from .textfile import decode_export, export_lines

__all__ = [
    "MAX_EVENT",
    "MAX_NESTING",
    "WINDOW_AHEAD",
    "WINDOW_BACK",
    "CalendarFile",
    "Series",
    "expand_series",
    "load_calendar",
]

WINDOW_BACK = timedelta(days=548)  # ~18 months
WINDOW_AHEAD = timedelta(days=183)  # ~6 months
MAX_EVENT = 4 << 20  # bytes of one event (Outlook's biggest are HTML descriptions of some KiB)
MAX_NESTING = 8  # VCALENDAR > VEVENT > VALARM is 3 deep; VTIMEZONE > STANDARD too
_SERIES_BUDGET = 10  # times files.max_occurrences: dates one series may make up to the window end
_FILE_BUDGET = 1000  # times files.max_occurrences: dates all series of a file may make
_MAX_ZONES = 100  # VTIMEZONEs per calendar (an export has a handful)
_MAX_ZONES_SIZE = 1 << 20
_CALENDAR_PROPERTIES = frozenset({"METHOD", "X-WR-TIMEZONE"})
_LIMITS = FileLimits()
_SETTING = "files.max_calendar_mb"

_PARTSTAT = {
    "ACCEPTED": Response.ACCEPTED,
    "TENTATIVE": Response.TENTATIVE,
    "DECLINED": Response.DECLINED,
    "NEEDS-ACTION": Response.NONE,
    "DELEGATED": Response.NONE,
}
_NOT_PEOPLE = frozenset({"ROOM", "RESOURCE"})
# The shortest length of one step of each FREQ, and the order of the rule parts' granularity.
_STEP_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
_FREQS = tuple(_STEP_SECONDS)


# --- the stream of components (both passes read the file through this) -----------------------


@dataclass(frozen=True, slots=True)
class _CalendarStart:
    """``BEGIN:VCALENDAR``."""


@dataclass(frozen=True, slots=True)
class _CalendarEnd:
    """``END:VCALENDAR``: the calendar is complete."""


@dataclass(frozen=True, slots=True)
class _Property:
    """A property of the calendar itself that the reader uses (METHOD, X-WR-TIMEZONE)."""

    line: str


@dataclass(frozen=True, slots=True)
class _Block:
    """A component directly inside a VCALENDAR, as its text (kept for VEVENT and VTIMEZONE)."""

    name: str
    text: str
    uid: str  # the UID property's value as written, "" if none
    problem: Reason | None  # why the component is not read


_Item = _CalendarStart | _CalendarEnd | _Property | _Block


def _content_lines(path: Path, limit: int) -> Iterator[str]:
    """The file's content lines, unfolded and decoded; a line over :data:`MAX_EVENT` is cut.

    A cut line is longer than any event may be, so its event is refused by :func:`_scan` anyway.
    """
    parts: list[bytes] = []
    size = 0
    line_start = True
    for piece in export_lines(path, limit, _SETTING):
        if line_start and piece[:1] in (b" ", b"\t"):
            piece = piece[1:]  # a folded line goes on; RFC 5545 3.1
        elif line_start and parts:
            yield decode_export(b"".join(parts))
            parts, size = [], 0
        line_start = piece.endswith(b"\n")
        if line_start:
            piece = piece[:-1]
            if piece.endswith(b"\r"):
                piece = piece[:-1]
            elif not piece and parts and parts[-1].endswith(b"\r"):
                parts[-1] = parts[-1][:-1]  # "\r\n" split between two pieces
        if size <= MAX_EVENT:
            parts.append(piece)
            size += len(piece)
    if parts:
        yield decode_export(b"".join(parts))


def _name(line: str) -> str:
    end = len(line)
    for mark in (";", ":"):
        found = line.find(mark, 0, end)
        if found >= 0:
            end = found
    return line[:end].strip().upper()


def _inline_binary(line: str) -> bool:
    """An ``ATTACH`` that carries the attachment itself (base64), not a link to it."""
    params = line.partition(":")[0].upper()
    return "ENCODING=BASE64" in params or "VALUE=BINARY" in params


def _scan(path: Path, limit: int) -> Iterator[_Item]:
    """The calendars of a file and the components directly inside them, in file order.

    A component nested deeper than :data:`MAX_NESTING`, one holding another VEVENT, or one larger
    than :data:`MAX_EVENT` comes with a problem and without its text. Components outside a
    VCALENDAR are passed over, as are the insides of all but VEVENTs and VTIMEZONEs.
    """
    depth = 0
    in_calendar = False
    name = uid = ""
    fault: Reason | None = None
    lines: list[str] = []
    size = 0
    for line in _content_lines(path, limit):
        if not line:
            continue
        key = _name(line)
        if key == "BEGIN":
            depth += 1
            value = line.partition(":")[2].strip().upper()
            if depth == 1:
                in_calendar = value == "VCALENDAR"
                if in_calendar:
                    yield _CalendarStart()
                continue
            if not in_calendar:
                continue
            if depth == 2:
                name, uid, fault, lines, size = value, "", None, [], 0
            elif value == "VEVENT" and not fault:
                fault = problem("event_in_event")
            elif depth - 1 > MAX_NESTING and not fault:
                fault = problem("nested_too_deep", depth=MAX_NESTING)
        elif key == "END" and depth > 0:
            depth -= 1
            if not in_calendar:
                continue
            if depth == 0:
                in_calendar = False
                yield _CalendarEnd()
                continue
            if depth == 1:
                kept = not fault and name in ("VEVENT", "VTIMEZONE")
                text = "".join(f"{ln}\r\n" for ln in (*lines, line)) if kept else ""
                yield _Block(name, text, uid, fault)
                lines = []
                continue
        elif not in_calendar or depth == 0:
            continue
        elif depth == 1:
            if key in _CALENDAR_PROPERTIES:
                yield _Property(line)
            continue
        elif depth == 2 and key == "UID" and not uid:
            # As written (a quoted ":" in a parameter would cut it short): both passes read it
            # the same way, which is all grouping needs.
            uid = line.partition(":")[2].strip()
        if depth >= 2 and not fault and name in ("VEVENT", "VTIMEZONE"):
            if key == "ATTACH" and _inline_binary(line):
                continue  # attachments are never read, like message bodies
            size += len(line) + 2
            if size > MAX_EVENT:
                fault = problem("event_too_large", mebibytes=MAX_EVENT >> 20)
                lines = []
            else:
                lines.append(line)


def load_calendar(
    path: Path, *, source: str = "file", limits: FileLimits = _LIMITS
) -> CalendarFile:
    """Check an .ics file as a whole; raises :class:`InputError` if it is no readable calendar.

    This is the first of two passes: it reads the file without parsing events and keeps only what
    the second pass (:meth:`CalendarFile.records`) needs beforehand: each calendar's time zones
    and METHOD, how many events share each UID (so a series is expanded once all its parts have
    been seen), and whether the calendar ends properly.
    """
    calendars: list[_CalendarIndex] = []
    for item in _scan(path, limits.calendar_bytes):
        if isinstance(item, _CalendarStart):
            calendars.append(_CalendarIndex())
        elif isinstance(item, _CalendarEnd):
            calendars[-1].complete = True
        elif isinstance(item, _Property):
            calendars[-1].properties.append(item.line)
        elif item.name == "VTIMEZONE" and not item.problem:
            calendars[-1].add_zone(item.text)
        elif item.name == "VEVENT" and item.uid:
            calendars[-1].uids[item.uid] += 1
    if not any(c.complete for c in calendars):
        if calendars:
            raise InputError(str(path), problem("calendar_cut_off"))
        raise InputError(str(path), problem("no_calendar"))
    return CalendarFile(path, tuple(calendars), source, limits)


@dataclass
class _CalendarIndex:
    """What the first pass learnt about one VCALENDAR of the file."""

    complete: bool = False
    properties: list[str] = field(default_factory=list)  # METHOD and X-WR-TIMEZONE lines
    zones: list[str] = field(default_factory=list)  # VTIMEZONE components, as text
    zones_size: int = 0
    uids: Counter[str] = field(default_factory=Counter)  # VEVENTs per UID
    problems: list[Reason] = field(default_factory=list)  # about time zones, reported when read

    def add_zone(self, text: str) -> None:
        if len(self.zones) >= _MAX_ZONES or self.zones_size + len(text) > _MAX_ZONES_SIZE:
            self.problems.append(problem("too_many_zones"))
            return
        try:
            icalendar.Timezone.from_ical(text)
        except Exception as exc:  # a broken zone must not take the calendar's events with it
            self.problems.append(problem("not_readable", detail=str(exc)))
            return
        self.zones.append(text)
        self.zones_size += len(text)

    def shell(self) -> icalendar.Calendar:
        """The calendar without its events; parsing it makes its time zones known."""
        text = "".join(("BEGIN:VCALENDAR\r\n", *(f"{p}\r\n" for p in self.properties), *self.zones))
        return icalendar.Calendar.from_ical(text + "END:VCALENDAR\r\n")


@dataclass(frozen=True, slots=True)
class CalendarFile:
    """A checked calendar file whose meetings can be read for a window around a time."""

    path: Path
    calendars: tuple[_CalendarIndex, ...]
    source: str = "file"
    limits: FileLimits = _LIMITS

    def records(
        self,
        now: datetime,
        back: timedelta = WINDOW_BACK,
        ahead: timedelta = WINDOW_AHEAD,
    ) -> Iterator[Interaction | Problem]:
        """Every meeting occurrence in the window (one-off events anywhere) and every problem.

        The second pass: events are parsed one at a time as they come; the parts of a series
        wait (as text) until the last of them has been read, then the series is expanded.
        """
        reading = _Reading(self, now - back, now + ahead)
        try:
            for item in _scan(self.path, self.limits.calendar_bytes):
                yield from reading.take(item)
        except InputError as exc:  # changed since it was checked: keep what was read
            yield Problem(self.path.name, exc.reason)


class _Reading:
    """The state of one second pass over a calendar file."""

    def __init__(self, file: CalendarFile, start: datetime, end: datetime) -> None:
        self.file = file
        self.start, self.end = start, end
        self.budget = _FILE_BUDGET * file.limits.max_occurrences
        self.index = _CalendarIndex()
        self.number = -1
        self.zones: list[icalendar.Component] = []
        self.floating: tzinfo = UTC
        self.cancelled_all = False
        self.waiting: dict[str, list[str]] = {}  # UID -> texts of the series' usable parts
        self.left: Counter[str] = Counter()  # UID -> parts not read yet

    def take(self, item: _Item) -> Iterator[Interaction | Problem]:
        if isinstance(item, _CalendarStart):
            self.number += 1
            self.index = self.file.calendars[self.number]
            if self.index.complete:
                yield from self._begin()
            return
        if not self.index.complete or isinstance(item, _Property):
            return  # a calendar cut off at the end of the file is not read, as a whole
        if isinstance(item, _CalendarEnd):
            for uid in list(self.waiting):  # parts the first pass counted differently
                yield from self._series(self.waiting.pop(uid))
            return
        name = self.file.path.name
        if item.problem:
            yield Problem(f"{name} {item.name} {item.uid[:60]}".rstrip(), item.problem)
        elif item.name == "VEVENT":
            yield from self._event(item)

    def _begin(self) -> Iterator[Problem]:
        where = f"{self.file.path.name} VTIMEZONE"
        for fault in self.index.problems:
            yield Problem(where, fault)
        try:
            shell = self.index.shell()
        except Exception as exc:  # METHOD or X-WR-TIMEZONE garbled: read without them
            yield Problem(
                f"{self.file.path.name} VCALENDAR", problem("not_readable", detail=str(exc))
            )
            shell = icalendar.Calendar()
        self.zones = list(shell.walk("VTIMEZONE"))
        self.floating = _floating_zone(shell)
        self.cancelled_all = str(shell.get("METHOD", "")).upper() == "CANCEL"
        self.left = Counter(self.index.uids)

    def _event(self, item: _Block) -> Iterator[Interaction | Problem]:
        event = _parse_event(item.text)
        where = f"{self.file.path.name} VEVENT "
        if isinstance(event, Reason):
            yield Problem((where + item.uid[:60]).rstrip(), event)
        else:
            reason = _unusable(event)
            if reason:
                yield Problem(where + _label(event, _private(event)), reason)
            elif not item.uid or self.index.uids[item.uid] <= 1:
                yield from self._series([event])
            else:
                self.waiting.setdefault(item.uid, []).append(item.text)
        if item.uid and item.uid in self.left:
            self.left[item.uid] -= 1
            if self.left[item.uid] <= 0:
                del self.left[item.uid]
                if item.uid in self.waiting:
                    yield from self._series(self.waiting.pop(item.uid))

    def _series(
        self, parts: list[icalendar.Component] | list[str]
    ) -> Iterator[Interaction | Problem]:
        """The occurrences of one event or series (its parts share a UID)."""
        events: list[icalendar.Component] = []
        for part in parts:
            event = _parse_event(part) if isinstance(part, str) else part
            if not isinstance(event, Reason):  # an unreadable part was reported when read
                events.append(event)
        if not events:
            return
        first = events[0]
        uid = str(first.get("UID", "")).strip() or "sha:" + _hash(first)  # as written
        for event in events:
            _anchor_floating(event, self.floating)
        private = any(_private(e) for e in events)
        where = f"{self.file.path.name} VEVENT {_label(first, private)}"
        sub = icalendar.Calendar()
        for component in (*self.zones, *events):
            sub.add_component(component)
        if len(events) == 1 and not _recurs(first):
            # A one-off event is its only occurrence, kept wherever it lies. It is asked for
            # around its own start: query.all() searches all of time in some 20 windows.
            try:
                begin = _utc(first.get("DTSTART").dt, self.floating)
                span = (begin - timedelta(days=2), begin + timedelta(days=2))
                occurrences = recurring_ical_events.of(sub).between(*span)
                items = [self._interaction(uid, o, True, private) for o in occurrences]
            except Exception as exc:
                yield Problem(
                    where, problem("cannot_expand", detail=f"{type(exc).__name__}: {exc}")
                )
                return
            yield from items
            return
        cap = self.file.limits.max_occurrences
        try:
            dates = sum(_dates_until(e, self.end, self.floating) for e in events)
        except Exception as exc:
            yield Problem(where, problem("cannot_expand", detail=f"{type(exc).__name__}: {exc}"))
            return
        if dates > _SERIES_BUDGET * cap:
            most = _SERIES_BUDGET * cap
            yield Problem(
                where, problem("recurs_too_often", dates=dates, most=most, factor=_SERIES_BUDGET)
            )
            return
        if dates > self.budget:
            yield Problem(where, problem("recurrence_budget_used", count=_FILE_BUDGET * cap))
            return
        self.budget -= dates
        try:
            occurrences = recurring_ical_events.of(sub).between(self.start, self.end)
            capped = len(occurrences) > cap
            if capped:
                occurrences.sort(key=lambda o: _utc(o.get("DTSTART").dt, self.floating))
                del occurrences[cap:]
            items = [self._interaction(uid, o, False, private) for o in occurrences]
        except Exception as exc:
            yield Problem(where, problem("cannot_expand", detail=f"{type(exc).__name__}: {exc}"))
            return
        if capped:
            yield Problem(where, problem("occurrences_capped", count=cap))
        yield from items

    def _interaction(
        self, uid: str, event: icalendar.Component, single: bool, private: bool
    ) -> Interaction:
        floating = self.floating
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
            source=self.file.source,
            item_id=item_id,
            kind=Kind.MEETING,
            at=at,
            sender=organizer,
            subject="" if private else " ".join(str(event.get("SUMMARY", "")).split()),
            folder="calendar",
            attendees=attendees,
            duration_s=duration,
            cancelled=self.cancelled_all or status == "CANCELLED",
            categories=tuple(categories),
        )


def _parse_event(text: str) -> icalendar.Component | Reason:
    """A VEVENT parsed from its text, or why it cannot be."""
    try:
        return icalendar.Event.from_ical(text)
    except Exception as exc:  # icalendar fails in many ways on garbage (even AttributeError)
        return problem("not_readable", detail=str(exc))


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
        dates = _dates_until(event, end, UTC)
        budget = _SERIES_BUDGET * _LIMITS.max_occurrences
        if dates > budget:
            raise ValueError(
                f"recurs too often to expand: about {dates:,} dates (at most {budget:,})"
            )
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


def _unusable(event: icalendar.Component) -> Reason | None:
    """Why an event cannot be read at all, or None."""
    for name, error in getattr(event, "errors", ()):
        if name in ("DTSTART", "DTEND", "RRULE", "RECURRENCE-ID", "DURATION", "EXDATE"):
            return problem("unreadable_property", name=name, detail=str(error))
    prop = event.get("DTSTART")
    if prop is None:
        return problem("no_dtstart")
    try:
        value = prop.dt
    except Exception as exc:
        return problem("unreadable_property", name="DTSTART", detail=str(exc))
    if not isinstance(value, date):
        return problem("dtstart_not_date")
    return None


def _recurs(event: icalendar.Component) -> bool:
    return any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _dates_until(event: icalendar.Component, end: datetime, floating: tzinfo) -> int:
    """At most how many dates the event's rules make from its start up to ``end``.

    dateutil makes (and keeps) every date from DTSTART on, also those before the window, so
    this is what expanding the event costs. Per rule: the steps of its FREQ and INTERVAL up to
    ``end`` or UNTIL, times the dates one step can expand to (BYDAY, BYMONTHDAY, BYHOUR ...).
    """
    start = _utc(event.get("DTSTART").dt, floating)
    total = len(_as_list(event.get("RDATE"))) + 1
    for rule in _as_list(event.get("RRULE")):
        freq = str(_first(rule, "FREQ", "")).upper()
        if freq not in _STEP_SECONDS:
            continue  # recurring-ical-events refuses it
        stop = end
        until = _first(rule, "UNTIL", None)
        if isinstance(until, date):
            stop = min(stop, _utc(until, floating))
        try:
            interval = max(1, int(_first(rule, "INTERVAL", 1)))
        except (TypeError, ValueError):
            interval = 1
        seconds = max(0.0, (stop - start).total_seconds())
        steps = int(seconds // (_STEP_SECONDS[freq] * interval)) + 1
        dates = steps * _dates_per_step(rule, freq)
        count = _first(rule, "COUNT", None)
        if isinstance(count, int) and not any(k.startswith("BY") for k in rule):
            dates = min(dates, max(count, 0))
        total += dates
    return total


def _first(rule: Any, key: str, default: Any) -> Any:
    values = rule.get(key) or [default]
    return values[0]


def _dates_per_step(rule: Any, freq: str) -> int:
    """How many dates one step of a rule can make at most (RFC 5545 3.3.10, "expand")."""

    def size(key: str) -> int:
        return len(rule.get(key) or ())

    months = size("BYMONTH")
    if freq == "YEARLY":
        if size("BYYEARDAY"):
            days = size("BYYEARDAY")
        elif size("BYWEEKNO"):
            days = size("BYWEEKNO") * 7
        elif size("BYMONTHDAY"):
            days = size("BYMONTHDAY") * (months or 12)
        elif size("BYDAY"):
            days = size("BYDAY") * (5 * months if months else 53)
        else:
            days = months or 1
    elif freq == "MONTHLY":
        days = size("BYMONTHDAY") or 5 * size("BYDAY") or 1
    elif freq == "WEEKLY":
        days = size("BYDAY") or 1
    else:
        days = 1
    rank = _FREQS.index(freq)
    for part, finer in (("BYHOUR", "HOURLY"), ("BYMINUTE", "MINUTELY"), ("BYSECOND", "SECONDLY")):
        if rank > _FREQS.index(finer):
            days *= size(part) or 1
    return days


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
