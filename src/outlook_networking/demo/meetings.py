"""The demo calendar: a few hundred meetings of the persona as an Outlook/Exchange .ics export.

Like Exchange's export, times carry Windows time-zone names in TZID ("W. Europe Standard
Time", "GMT Standard Time") with matching VTIMEZONE blocks; three recurring series use RRULE
with EXDATE and RECURRENCE-ID overrides (one moved, one cancelled); about one in ten single
meetings is cancelled (STATUS:CANCELLED, "Abgesagt: ..."). Meetings respect the cast's planted
patterns: the mentor and the team meet regularly, the fading contact only while active, the
introduced pair meets once after the introduction, the failed pair never, and the
non-answerer has no meetings at all.

The day of `now` has two meetings still to come (the brief's day, :data:`TODAY`): at 14:00
Berlin time a client who is owed a reply invites the owner, the mentor (whose birthday is two
days away, see `cards`), a meeting room (``CUTYPE=ROOM``, no person) and someone from a new
client the owner has never dealt with; at 16:00 the owner meets the person awaiting their
answer and the mentor.

Exports: ``CalendarCounts``, ``TODAY``, ``TODAY_ROOM``, ``TODAY_STRANGER``, ``build_calendar``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from outlook_networking.demo.people import INTERNAL, OWNER, Cast, Org, Person
from outlook_networking.demo.plants import INTRO_TOOK_DAY, INTRODUCED_DAY
from outlook_networking.demo.traffic import BERLIN, DAYS, Clock

__all__ = ["TODAY", "TODAY_ROOM", "TODAY_STRANGER", "CalendarCounts", "build_calendar"]

WEST_EUROPE = "W. Europe Standard Time"
LONDON = "GMT Standard Time"
# The brief's day: (subject, Berlin start hour, minutes) of the two meetings still to come today.
TODAY = (("Angebot Q1: Abstimmung", 14.0, 45), ("Kurze Abstimmung Vertrag", 16.0, 30))
TODAY_ROOM = Person("Besprechungsraum Spree", "raum.spree@example.com", INTERNAL, "room")
TODAY_STRANGER = Person("Lena Vogel", "lena.vogel@newclient.example",
                        Org("Newclient AG", "newclient.example"), "stranger")
PARTSTATS = (("ACCEPTED", 0.75), ("TENTATIVE", 0.1), ("DECLINED", 0.05), ("NEEDS-ACTION", 0.1))


@dataclass(frozen=True)
class CalendarCounts:
    """VEVENTs written (series masters and overrides included), how many are cancelled."""

    events: int
    cancelled: int
    recurring_series: int


def _windows_zone(tzid: str, std_from: int, std_to: int, std_hour: int, dst_hour: int) -> Timezone:
    """A VTIMEZONE as Exchange writes it: rules anchored in 1601, last Sunday of Mar/Oct."""
    tz = Timezone()
    tz.add("tzid", tzid)
    std = TimezoneStandard()
    std.add("dtstart", datetime(1601, 1, 1, std_hour))
    std.add("tzoffsetfrom", timedelta(hours=std_from))
    std.add("tzoffsetto", timedelta(hours=std_to))
    std.add("rrule", {"freq": "yearly", "interval": 1, "byday": "-1SU", "bymonth": 10})
    dst = TimezoneDaylight()
    dst.add("dtstart", datetime(1601, 1, 1, dst_hour))
    dst.add("tzoffsetfrom", timedelta(hours=std_to))
    dst.add("tzoffsetto", timedelta(hours=std_from))
    dst.add("rrule", {"freq": "yearly", "interval": 1, "byday": "-1SU", "bymonth": 3})
    tz.add_component(std)
    tz.add_component(dst)
    return tz


class _Builder:
    def __init__(self, cast: Cast, rng: random.Random, now: datetime) -> None:
        self.cast = cast
        self.rng = rng
        self.now = now
        self.clock = Clock(now)
        self.events: list[Event] = []
        self.cancelled = 0

    def uid(self) -> str:
        # Exchange's global object id prefix followed by random-looking bytes.
        return "040000008200E00074C5B7101A82E00800000000" + "".join(
            self.rng.choice("0123456789ABCDEF") for _ in range(32))

    def partstat(self) -> str:
        roll = self.rng.random()
        for value, share in PARTSTATS:
            roll -= share
            if roll < 0:
                return value
        return "ACCEPTED"

    def local(self, days_before: int, hour: float) -> datetime:
        """Naive Berlin wall-clock time on the working day at or before `days_before`."""
        at = self.clock.local(days_before, hour).astimezone(BERLIN)
        while at.weekday() >= 5:
            days_before += 1
            at = self.clock.local(days_before, hour).astimezone(BERLIN)
        return at.replace(tzinfo=None)

    @staticmethod
    def _address(person: Person, **params: str) -> vCalAddress:
        value = vCalAddress(f"mailto:{person.address}")
        value.params["CN"] = person.name
        for key, param in params.items():
            value.params[key] = param
        return value

    def event(self, summary: str, start: datetime, minutes: int, organizer: Person,
              attendees: list[Person], *, tzid: str | None = WEST_EUROPE,
              cancelled: bool = False, uid: str | None = None,
              location: str = "Microsoft Teams-Besprechung", accepted: bool = False) -> Event:
        """One VEVENT; ``accepted``: every attendee accepted (no draw from the generator)."""
        ev = Event()
        ev.add("uid", uid or self.uid())
        ev.add("summary", f"Abgesagt: {summary}" if cancelled else summary)
        params = {"TZID": tzid} if tzid else {}
        if tzid is None:
            start = start.replace(tzinfo=BERLIN).astimezone(UTC)
        ev.add("dtstart", start, parameters=params)
        ev.add("dtend", start + timedelta(minutes=minutes), parameters=params)
        ev.add("dtstamp", self.now.astimezone(UTC))
        ev.add("organizer", self._address(organizer))
        for person in attendees:
            status = "ACCEPTED" if person is OWNER or accepted else self.partstat()
            ev.add("attendee", self._address(person, ROLE="REQ-PARTICIPANT", PARTSTAT=status,
                                             RSVP="TRUE"))
        ev.add("location", location)
        ev.add("class", "PUBLIC")
        ev.add("sequence", 1 if cancelled else 0)
        ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        ev.add("transp", "OPAQUE")
        ev.add("x-microsoft-cdo-busystatus", "FREE" if cancelled else "BUSY")
        self.cancelled += cancelled
        self.events.append(ev)
        return ev

    def single(self, summary: str, days_before: int, organizer: Person,
               others: list[Person], *, minutes: int = 30, cancel_share: float = 0.1) -> None:
        hour = self.rng.choice((9, 9.5, 10, 11, 13.5, 14, 15, 16))
        start = self.local(days_before, hour)
        attendees = [p for p in (OWNER, *others) if p is not organizer]
        cancelled = self.rng.random() < cancel_share
        self.event(summary, start, minutes, organizer, attendees, cancelled=cancelled,
                   tzid=WEST_EUROPE if self.rng.random() < 0.9 else None)

    def series(self, summary: str, occurrences: list[datetime], minutes: int,
               organizer: Person, attendees: list[Person], rule: dict[str, object],
               tzid: str = WEST_EUROPE) -> None:
        """A recurring series with two EXDATEs, one moved and one cancelled occurrence.

        `occurrences` are the naive wall-clock starts the rule produces; the exceptions pick
        from them so that every EXDATE and RECURRENCE-ID names a real occurrence.
        """
        n = len(occurrences)
        uid = self.uid()
        master = self.event(summary, occurrences[0], minutes, organizer, attendees, uid=uid,
                            tzid=tzid)
        master.add("rrule", rule)
        master.add("exdate", [occurrences[n // 3], occurrences[2 * n // 3 + 1]],
                   parameters={"TZID": tzid})
        moved_from = occurrences[n // 2]
        moved = self.event(summary, moved_from + timedelta(days=1, hours=4), minutes, organizer,
                           attendees, uid=uid, tzid=tzid)
        moved.add("recurrence-id", moved_from, parameters={"TZID": tzid})
        dropped_from = occurrences[n // 6]
        dropped = self.event(summary, dropped_from, minutes, organizer, attendees, uid=uid,
                             tzid=tzid, cancelled=True)
        dropped.add("recurrence-id", dropped_from, parameters={"TZID": tzid})


def _weekly(first: datetime, step: timedelta, until: datetime) -> list[datetime]:
    out = []
    at = first
    while at <= until:
        out.append(at)
        at += step
    return out


def _first_weekday_monthly(after: datetime, weekday: int, count: int) -> list[datetime]:
    out = []
    year, month = after.year, after.month + 1
    for _ in range(count):
        if month > 12:
            year, month = year + 1, 1
        day = after.replace(year=year, month=month, day=1)
        out.append(day + timedelta(days=(weekday - day.weekday()) % 7))
        month += 1
    return out


def build_calendar(cast: Cast, rng: random.Random, now: datetime) -> tuple[bytes, CalendarCounts]:
    """The persona's calendar as .ics bytes, and what it holds."""
    b = _Builder(cast, rng, now)
    cal = Calendar()
    cal.add("prodid", "Microsoft Exchange Server 2010")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Kalender")
    cal.add_component(_windows_zone(WEST_EUROPE, 2, 1, 3, 2))
    cal.add_component(_windows_zone(LONDON, 1, 0, 2, 1))

    series = _series(b, cast, now)
    _single_meetings(b, cast)
    _holiday(b, now)
    _today(b, cast)
    for ev in b.events:
        cal.add_component(ev)
    return cal.to_ical(), CalendarCounts(len(b.events), b.cancelled, series)


def _series(b: _Builder, cast: Cast, now: datetime) -> int:
    """The recurring meetings (weekly team, fortnightly 1:1, a monthly jour fixe in London
    time); how many series there are."""
    until = (now + timedelta(days=60)).astimezone(UTC).replace(microsecond=0)
    until_local = until.astimezone(BERLIN).replace(tzinfo=None)
    week = timedelta(days=7)
    first_monday = b.local(DAYS - 7, 9.5)
    first_monday -= timedelta(days=first_monday.weekday())
    b.series("Team-Weekly", _weekly(first_monday, week, until_local), 45, cast.mentor,
             [OWNER, *cast.close], {"freq": "weekly", "byday": "MO", "until": until})
    first_thursday = first_monday + timedelta(days=3, hours=6.5)
    b.series(f"1:1 {cast.mentor.name.split()[0]} / Alex",
             _weekly(first_thursday, 2 * week, until_local), 60, cast.mentor, [OWNER],
             {"freq": "weekly", "interval": 2, "byday": "TH", "until": until})
    # 09:00 London wall clock is 10:00 in Berlin; the partner's Outlook exports its own zone.
    jour_fixe = b.local(DAYS - 60, 9)
    b.series("Jour fixe Northwind / Example", _first_weekday_monthly(jour_fixe, 2, 12), 60,
             cast.partners[0], [OWNER, cast.partners[1], cast.close[2]],
             {"freq": "monthly", "byday": "1WE", "count": 12}, tzid=LONDON)
    return 3


def _single_meetings(b: _Builder, cast: Cast) -> None:
    """One-off meetings: with the close team and partners, the planted patterns, the town halls
    and the coming two weeks."""
    rng = b.rng
    for _ in range(110):
        who = rng.sample(list(cast.close), rng.choice((1, 1, 2, 3)))
        organizer = OWNER if rng.random() < 0.5 else who[0]
        b.single(rng.choice(("Abstimmung Angebot", "Review Folien", "Kundentermin Vorbereitung",
                             "Kurzer Sync", "Workshop-Planung")),
                 rng.randrange(1, DAYS), organizer, who)
    for partner in cast.partners:
        for _ in range(6):
            b.single(f"{partner.org.name if partner.org else ''} / Example Consulting",
                     rng.randrange(1, DAYS), rng.choice((OWNER, partner)), [partner],
                     minutes=60)
    for _ in range(4):
        b.single("Mittagessen", rng.randrange(1, DAYS), cast.mentor, [cast.mentor], minutes=60,
                 cancel_share=0)
    for _ in range(15):
        b.single("Projekt-Update", rng.randrange(215, DAYS), OWNER, [cast.fading])
    for person in cast.owed:
        for _ in range(2):
            b.single("Abstimmung", rng.randrange(25, DAYS), OWNER, [person], cancel_share=0)
    b.single("Vertragsgespräch", 30, cast.awaiting, [cast.awaiting], cancel_share=0)
    for person in rng.sample(list(cast.long_tail), min(35, len(cast.long_tail))):
        low, high = int(person.active_until) + 1, int(person.active_from)
        if high > low:
            b.single("Kennenlernen", rng.randrange(low, high), OWNER, [person], minutes=45)
    a, c = cast.intro_took
    b.single("Kennenlernen", INTRO_TOOK_DAY - 14, a, [c], minutes=60, cancel_share=0)
    b.single("Erstes Gespräch", INTRODUCED_DAY - 20, OWNER, [cast.introduced], cancel_share=0)
    b.single("Folgetermin", 60, cast.introduced, [cast.introduced], cancel_share=0)
    everyone = [cast.mentor, *cast.close, *cast.internal]
    for days in (400, 250, 70):
        b.single("Town Hall Example Consulting", days, cast.internal[0], everyone, minutes=90,
                 cancel_share=0)
    for _ in range(5):  # the coming two weeks
        when = b.local(0, 9) + timedelta(days=rng.randrange(1, 14))
        who = rng.sample(list(cast.close), 2)
        b.event("Planung nächste Woche", when, 30, OWNER, who)


def _today(b: _Builder, cast: Cast) -> None:
    """The brief's day (see the module docstring); drawn last and without the generator, so
    every other meeting stays as it was."""
    (first, first_hour, first_minutes), (second, second_hour, second_minutes) = TODAY
    client = cast.owed[0]
    start = b.clock.local(0, first_hour).astimezone(BERLIN).replace(tzinfo=None)
    meeting = b.event(first, start, first_minutes, client,
                      [OWNER, cast.mentor, TODAY_STRANGER], uid=_uid(first), accepted=True)
    meeting.add("attendee", b._address(TODAY_ROOM, CUTYPE="ROOM", ROLE="NON-PARTICIPANT",
                                       PARTSTAT="ACCEPTED"))
    start = b.clock.local(0, second_hour).astimezone(BERLIN).replace(tzinfo=None)
    b.event(second, start, second_minutes, OWNER, [cast.awaiting, cast.mentor],
            location="Büro Alex", uid=_uid(second), accepted=True)


def _uid(subject: str) -> str:
    return "demo-today-" + "".join(c for c in subject.lower() if c.isalnum())[:24]


def _holiday(b: _Builder, now: datetime) -> None:
    """A week off as an all-day event, free time (it is no meeting)."""
    holiday = Event()
    holiday.add("uid", b.uid())
    holiday.add("summary", "Urlaub")
    start = b.local(200, 0).date()
    holiday.add("dtstart", start)
    holiday.add("dtend", start + timedelta(days=5))
    holiday.add("dtstamp", now.astimezone(UTC))
    holiday.add("transp", "TRANSPARENT")
    holiday.add("x-microsoft-cdo-alldayevent", "TRUE")
    b.events.append(holiday)
