"""Outlook's binary recurrence of an appointment, as a :class:`~.calendar.Series` to expand.

An Outlook series is stored as ``PidLidAppointmentRecur``, an ``AppointmentRecurrencePattern``
([MS-OXOCAL] 2.2.1.44): the rule (daily, weekly, monthly, yearly, the n-th weekday), how it
ends, the occurrences deleted, and the occurrences moved (``ExceptionInfo``), all in the local
time of the series' time zone, given as ``PidLidTimeZoneStruct`` ([MS-OXOCAL] 2.2.1.39): a
Windows zone rule (bias, and the yearly switches to and from daylight time). The rule becomes an
RFC 5545 ``RRULE`` and the zone a :class:`WindowsZone`, so :func:`.calendar.expand_series`
expands it the way it expands an ``.ics`` series: within the window, deleted occurrences
dropped, moved ones at their new time and keyed by their original time.

Not read: Hijri and other non-Gregorian calendars (a problem, the series is not expanded), an
occurrence's own subject, location or attendees (occurrences keep the series' values).

Exports: ``WindowsZone``, ``parse_zone``, ``parse_series``.
"""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta, tzinfo

from .calendar import Series

__all__ = ["WindowsZone", "parse_series", "parse_zone"]

_EPOCH = datetime(1601, 1, 1)
_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # Outlook's day bits, Sunday first
_DAILY, _WEEKLY, _MONTHLY, _YEARLY = 0x200A, 0x200B, 0x200C, 0x200D
_DAY, _WEEK, _MONTH, _MONTH_NTH, _MONTH_END = 0, 1, 2, 3, 4
_END_BY_DATE, _END_AFTER = 0x2021, 0x2022
_SPECIFIC_SIZE = {_DAY: 0, _WEEK: 4, _MONTH: 4, _MONTH_NTH: 8, _MONTH_END: 4}
# ExceptionInfo's optional fields in their order: (override flag, fixed size or -1 for a
# length-prefixed string).
_OVERRIDES = (
    (0x0001, -1),  # subject
    (0x0002, 4),  # meeting type
    (0x0004, 4),  # reminder delta
    (0x0008, 4),  # reminder set
    (0x0010, -1),  # location
    (0x0020, 4),  # busy status
    (0x0040, 4),  # attachment
    (0x0080, 4),  # subtype
    (0x0100, 4),  # colour
)
_MAX_LISTED = 10_000  # deleted or moved occurrences a real series could carry


class WindowsZone(tzinfo):
    """A Windows time zone rule: a bias, and optionally yearly daylight-time switches.

    A switch is ``(month, weekday 0=Sunday, week 1-5 where 5 is the last, hour, minute)`` in
    local standard time (to daylight) or local daylight time (back to standard).
    """

    def __init__(
        self,
        bias: int,
        standard_bias: int = 0,
        daylight_bias: int = 0,
        to_standard: tuple[int, int, int, int, int] | None = None,
        to_daylight: tuple[int, int, int, int, int] | None = None,
    ) -> None:
        self._standard = timedelta(minutes=-(bias + standard_bias))
        self._daylight = timedelta(minutes=-(bias + daylight_bias))
        self._switches = (to_standard, to_daylight) if to_standard and to_daylight else None

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self._daylight if dt is not None and self._in_daylight(dt) else self._standard

    def dst(self, dt: datetime | None) -> timedelta:
        return self.utcoffset(dt) - self._standard

    def tzname(self, dt: datetime | None) -> str:
        offset = int(self.utcoffset(dt).total_seconds() // 60)
        sign = "+" if offset >= 0 else "-"
        return f"UTC{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"

    def _in_daylight(self, dt: datetime) -> bool:
        if self._switches is None:
            return False
        to_standard, to_daylight = self._switches
        local = dt.replace(tzinfo=None)
        start, end = _switch(dt.year, to_daylight), _switch(dt.year, to_standard)
        if start < end:  # northern hemisphere: daylight time inside the year
            return start <= local < end
        return not end <= local < start  # southern: daylight time across the new year


def _switch(year: int, rule: tuple[int, int, int, int, int]) -> datetime:
    month, weekday, week, hour, minute = rule
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - (first.isoweekday() % 7)) % 7 + 7 * (week - 1))
    while day.month != month:  # week 5: the last such weekday of the month
        day -= timedelta(days=7)
    return datetime(day.year, day.month, day.day, hour, minute)


def parse_zone(blob: bytes) -> WindowsZone | None:
    """The zone of a ``PidLidTimeZoneStruct``, or None if the blob is not one."""
    if len(blob) < 48:
        return None
    bias, standard_bias, daylight_bias = struct.unpack_from("<iii", blob, 0)
    standard = struct.unpack_from("<8H", blob, 14)
    daylight = struct.unpack_from("<8H", blob, 32)
    if not all(-24 * 60 < b < 24 * 60 for b in (bias, standard_bias, daylight_bias)):
        return None

    def rule(fields: tuple[int, ...]) -> tuple[int, int, int, int, int] | None:
        _, month, weekday, week, hour, minute = fields[:6]
        if not (1 <= month <= 12 and weekday <= 6 and 1 <= week <= 5 and hour < 24 and minute < 60):
            return None
        return month, weekday, week, hour, minute

    return WindowsZone(bias, standard_bias, daylight_bias, rule(standard), rule(daylight))


class _Reader:
    """Little-endian fields from a blob; running past its end raises ValueError."""

    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        self.at = 0

    def take(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        if self.at + size > len(self.blob):
            raise ValueError("the recurrence pattern ends early")
        (value,) = struct.unpack_from(fmt, self.blob, self.at)
        self.at += size
        return int(value)

    def skip(self, size: int) -> None:
        if self.at + size > len(self.blob):
            raise ValueError("the recurrence pattern ends early")
        self.at += size

    def dates(self) -> list[int]:
        count = self.take("<I")
        if count > _MAX_LISTED:
            raise ValueError(f"{count} listed occurrences")
        return [self.take("<I") for _ in range(count)]


def _local(minutes: int) -> datetime:
    try:
        return _EPOCH + timedelta(minutes=minutes)
    except OverflowError as exc:
        raise ValueError("a date out of range") from exc


def _days(mask: int) -> str:
    days = ",".join(day for bit, day in enumerate(_DAYS) if mask & (1 << bit))
    if not days:
        raise ValueError("no weekday in a weekly pattern")
    return days


def _rule(frequency: int, pattern: int, period: int, specific: tuple[int, int], start: date) -> str:
    """The RRULE of Outlook's frequency, pattern type, period and pattern-specific values."""
    first, second = specific
    if frequency == _DAILY and pattern == _DAY:
        return f"FREQ=DAILY;INTERVAL={max(1, period // 1440)}"
    if frequency in (_DAILY, _WEEKLY) and pattern == _WEEK:
        return f"FREQ=WEEKLY;INTERVAL={max(1, period)};BYDAY={_days(first)}"
    if frequency in (_MONTHLY, _YEARLY) and pattern in (_MONTH, _MONTH_NTH, _MONTH_END):
        if frequency == _YEARLY:
            head = f"FREQ=YEARLY;INTERVAL={max(1, period // 12)};BYMONTH={start.month}"
        else:
            head = f"FREQ=MONTHLY;INTERVAL={max(1, period)}"
        if pattern == _MONTH_END:
            return f"{head};BYMONTHDAY=-1"
        if pattern == _MONTH:
            if not 1 <= first <= 31:
                raise ValueError(f"day {first} of the month")
            return f"{head};BYMONTHDAY={first}"
        if not 1 <= second <= 5:
            raise ValueError(f"week {second} of the month")
        return f"{head};BYDAY={_days(first)};BYSETPOS={-1 if second == 5 else second}"
    raise ValueError(f"recurrence type {frequency:#x}/{pattern:#x} is not supported")


def parse_series(blob: bytes, zone: tzinfo) -> Series:
    """The series an ``AppointmentRecurrencePattern`` describes, in ``zone``.

    Raises ValueError for a blob that is not a pattern the product can expand.
    """
    read = _Reader(blob)
    read.skip(4)  # reader and writer version
    frequency, pattern, calendar_type = read.take("<H"), read.take("<H"), read.take("<H")
    if calendar_type not in (0, 1):  # default and Gregorian; Hijri and the rest are not read
        raise ValueError(f"calendar type {calendar_type} is not supported")
    read.skip(4)  # FirstDateTime
    period = read.take("<I")
    read.skip(4)  # SlidingFlag (tasks only)
    if pattern not in _SPECIFIC_SIZE:
        raise ValueError(f"recurrence pattern type {pattern:#x} is not supported")
    size = _SPECIFIC_SIZE[pattern]
    specific = (read.take("<I") if size >= 4 else 0, read.take("<I") if size == 8 else 0)
    end_type, count = read.take("<I"), read.take("<I")
    first_weekday = read.take("<I")
    deleted, modified = read.dates(), read.dates()
    start_date, end_date = read.take("<I"), read.take("<I")
    read.skip(8)  # ReaderVersion2, WriterVersion2
    start_offset, end_offset = read.take("<I"), read.take("<I")
    if not (start_offset < 2 * 1440 and start_offset <= end_offset):
        raise ValueError("the occurrence times are out of range")
    moved = [_exception(read) for _ in range(read.take("<H"))]

    first_day = _local(start_date)
    rule = _rule(frequency, pattern, period, specific, first_day.date())
    if frequency == _WEEKLY or pattern == _WEEK:
        rule += f";WKST={_DAYS[first_weekday % 7]}"
    if end_type == _END_AFTER:
        rule += f";COUNT={max(1, count)}"
    elif end_type == _END_BY_DATE:
        until = (_local(end_date) + timedelta(minutes=start_offset)).replace(tzinfo=zone)
        rule += f";UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    kept = {_local(m).date() for m in modified}
    at = timedelta(minutes=start_offset)
    return Series(
        start=(first_day + at).replace(tzinfo=zone),
        duration=timedelta(minutes=end_offset - start_offset),
        rule=rule,
        deleted=tuple(
            (day + at).replace(tzinfo=zone)
            for day in map(_local, deleted)
            if day.date() not in kept
        ),
        moved=tuple(
            (original.replace(tzinfo=zone), begin.replace(tzinfo=zone), finish - begin)
            for original, begin, finish in moved
            if finish >= begin
        ),
    )


def _exception(read: _Reader) -> tuple[datetime, datetime, datetime]:
    """One ``ExceptionInfo``: (original start, new start, new end) in local time."""
    begin, finish, original = read.take("<I"), read.take("<I"), read.take("<I")
    overrides = read.take("<H")
    for bit, size in _OVERRIDES:
        if overrides & bit:
            if size < 0:
                read.skip(2)  # the length counting the terminating NUL
                read.skip(read.take("<H"))
            else:
                read.skip(size)
    return _local(original), _local(begin), _local(finish)
