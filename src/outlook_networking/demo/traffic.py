"""The demo mailbox's traffic: who writes to whom, when, in which thread.

Pure: a cast, a seed-driven `random.Random`, `now` and a scale in; `Mail` values out, in
chronological order, one at a time. The simulation walks day by day over ~18 months; every
thread is laid out completely when it starts and its messages wait in a small heap until their
day comes, so memory holds only the next few days of mail however large the mailbox.

Rules that keep the planted patterns crisp (the ground truth depends on them):
- generic threads always end with a message from the owner, so nobody but the planted people is
  owed a reply, and a contact's reply is never missing (no accidental non-answerers);
- a generic thread that would reach past `now` is dropped whole, so nothing is left half-done
  at the edge of the window (no accidental owed replies or awaited answers);
- generic 1:1 traffic never puts two outside people on one message, so the planted
  introductions are the first time those people appear together.

Exports: ``BERLIN``, ``DAYS``, ``Addr``, ``Clock``, ``Mail``, ``Traffic``.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from outlook_networking.demo.people import CLIENT_ORGS, OWNER, Cast, Person, wire_address

__all__ = ["BERLIN", "DAYS", "Addr", "Clock", "Mail", "Traffic"]

BERLIN = ZoneInfo("Europe/Berlin")
DAYS = 548  # ~18 months
Addr = tuple[str, str]  # (display name, address)

OWNER_ADDR: Addr = (OWNER.name, OWNER.address)
OWNER_DOMAIN = OWNER.address.split("@")[1]
OWNER_LATENCY_MIN = 50.0  # Kooti et al.: half of all replies come within 47 minutes
OWNER_LATENCY_CAP_H = 30.0  # +10 h overnight shift stays below the 48 h owed-reply line
SUBJECT_ONLY_SHARE = 0.07  # replies from clients that drop In-Reply-To/References


@dataclass(frozen=True)
class Mail:
    """One message as the demo plans it, before it becomes RFC 5322 text.

    `kind` is "direct" (person to person), "auto_reply" (out-of-office), "newsletter", "list"
    (mailing-list traffic), "automated" (no-reply notifications) or "bounce" (mailer-daemon).
    """

    at: datetime
    message_id: str
    sender: Addr
    to: tuple[Addr, ...]
    subject: str
    body: str
    cc: tuple[Addr, ...] = ()
    bcc: tuple[Addr, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    kind: str = "direct"
    list_id: str | None = None
    list_post: str | None = None
    unsubscribe: str | None = None
    root_id: str = ""  # first message of the conversation, for Outlook's Thread-Index
    root_at: datetime | None = None

    @property
    def outbound(self) -> bool:
        return self.sender[1] == OWNER.address


def addr(person: Person, *, alt: bool = False) -> Addr:
    """(name, address) as the person's mail spells it; the owner's replies keep that spelling."""
    if alt and person.alt_address:
        return (person.name, person.alt_address)
    return (person.name, person.written or person.address)


NEWSLETTERS = (
    ("Handelsblatt Morning Briefing", "newsletter@news.handelsblatt.example",
     "morning-briefing.news.handelsblatt.example", 0, "Morning Briefing: {topic}"),
    ("Harvard Business Review", "emailteam@hbr.example", "weekly.hbr.example", 1,
     "The week in management: {topic}"),
    ("t3n Weekly", "newsletter@t3n.example", "weekly.t3n.example", 3, "t3n Weekly: {topic}"),
    ("McKinsey Insights", "publishing@email.mckinsey.example", "insights.mckinsey.example", 2,
     "New insights on {topic}"),
    ("Berliner Wirtschaftsgespräche", "info@bwg-berlin.example", "events.bwg-berlin.example", 4,
     "Einladung: Wirtschaftsgespräch zu {topic}"),
    ("Gründerszene Daily", "daily@gruenderszene.example", "daily.gruenderszene.example", 0,
     "Gründerszene: {topic}"),
)
MAILING_LISTS = (
    ("consultants@lists.berlin-net.example", "Berlin Consultants Network",
     "consultants.lists.berlin-net.example"),
    ("python-de@lists.python.example", "Python-DE Diskussion", "python-de.lists.python.example"),
)
AUTOMATED = (
    ("Reiseportal", "no-reply@travel.example", "Ihre Buchungsbestätigung {n}"),
    ("GitHub", "noreply@github.example", "[example/consulting-toolkit] New issue #{n}"),
    ("SharePoint Online", "no-reply@sharepoint.example", "Alex, Sie haben {n} neue Dokumente"),
    ("IT Service Desk", "notifications@servicedesk.example.com", "Ticket INC{n} aktualisiert"),
    ("Microsoft Outlook", "no-reply@microsoft.example", "Ihr Postfach ist fast voll ({n} %)"),
)
BOUNCE_SENDER: Addr = ("Mail Delivery System", "MAILER-DAEMON@mx.example.com")
AUTO_FORWARDER: Addr = ("Fourth Coffee Billing", "no-reply@billing.fourthcoffee.example")
TOPICS = ("KI im Mittelstand", "Lieferketten", "Remote Leadership", "Cloud-Kosten",
          "Fachkräftemangel", "Nachhaltigkeit", "Zinswende", "Datenstrategie")

SUBJECTS_DE = (
    "Projektstatus KW {week}", "Angebot {client}", "Workshop-Vorbereitung",
    "Rückfrage zur Präsentation", "Termin nächste Woche", "Entwurf Statusbericht",
    "Budgetplanung {year}", "Feedback zum Konzept", "Kurze Abstimmung",
    "Unterlagen für den Lenkungskreis", "Protokoll Jour fixe", "Zahlen für Q{quarter}",
    "Vertragsentwurf {client}", "Überarbeitete Folien", "Ideen für die Ausschreibung",
)
SUBJECTS_EN = (
    "Project update week {week}", "Proposal for {client}", "Workshop prep",
    "Question on the deck", "Catch-up next week?", "Draft status report",
    "Budget {year}", "Feedback on the concept", "Quick sync", "Steering committee material",
    "Notes from our call", "Figures for Q{quarter}", "Contract draft {client}",
    "Revised slides", "Lunch next week?",
)
LINES_DE = (
    "anbei wie besprochen der aktuelle Stand.", "passt dir Donnerstag um 10 Uhr?",
    "kannst du bitte kurz drüberschauen?", "danke, das hilft mir sehr weiter.",
    "ich melde mich morgen mit den Zahlen.", "klingt gut, so machen wir es.",
    "hier noch zwei Anmerkungen von meiner Seite.", "ich habe die Folien überarbeitet.",
)
LINES_EN = (
    "please find the current version attached.", "does Thursday at 10 work for you?",
    "could you take a quick look?", "thanks, that helps a lot.",
    "I'll get back to you tomorrow with the figures.", "sounds good, let's do it that way.",
    "From my side this is fine.",  # a body line starting with "From " exercises mbox quoting
    "I have revised the slides.",
)


def _first(name: str) -> str:
    return name.split()[0]


@dataclass
class Clock:
    """Day arithmetic in Berlin local time relative to `now`."""

    now: datetime
    start: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.start = self.now - timedelta(days=DAYS)

    def local(self, days_before: int, hour: float) -> datetime:
        """UTC instant of local Berlin wall-clock `hour` on the day `days_before` days ago."""
        day = (self.now.astimezone(BERLIN) - timedelta(days=days_before)).date()
        minutes = round(hour * 60)
        wall = datetime.combine(day, time(minutes // 60 % 24, minutes % 60), BERLIN)
        return wall.astimezone(self.now.tzinfo)

    def daytime(self, at: datetime) -> datetime:
        """Move a reply that would be written at night to the next morning."""
        local = at.astimezone(BERLIN)
        if 7 <= local.hour < 21:
            return at
        day = local.date() if local.hour < 7 else local.date() + timedelta(days=1)
        morning = datetime.combine(day, time(7, 30), BERLIN)
        return morning.astimezone(at.tzinfo)


@dataclass
class _Stream:
    """One source of generic threads: a rate per working day and what one thread looks like."""

    rate: float
    mean_len: float
    emit: Callable[[datetime], list[Mail] | None]
    weekend: float = 0.08
    active_from: float = DAYS
    active_until: float = 0.0
    weekday: int | None = None  # newsletters: one fixed weekday
    first_day: int | None = None  # one guaranteed thread that day (days before `now`)


class Traffic:
    """Lays out the whole mailbox as a time-ordered stream of `Mail`.

    Parameters:
        cast: the people.
        rng: the only source of randomness.
        now: end of the window (aware datetime).
        scale: multiplier on every generic stream; the planted patterns do not scale.
        plant: queues the planted patterns before the walk starts (see plants.py).
    """

    OWNER_LEN = ((3, 0.65), (5, 0.28), (7, 0.07))
    CONTACT_LEN = ((2, 0.6), (4, 0.3), (6, 0.1))

    def __init__(self, cast: Cast, rng: random.Random, now: datetime, scale: float = 1.0,
                 plant: Callable[[Traffic], None] | None = None) -> None:
        self.cast = cast
        self.rng = rng
        self.clock = Clock(now)
        self.now = now
        self.scale = scale
        self._plant = plant
        self._counter = 0
        self._seq = 0
        self._heap: list[tuple[datetime, int, Mail]] = []
        self.subject_only_replies = 0
        self.auto_replies = 0
        self.streams = self._streams()

    # --- message-level building blocks -------------------------------------------------------

    def _id(self, at: datetime, sender: Addr) -> str:
        self._counter += 1
        domain = wire_address(sender[1]).rsplit("@", 1)[-1].lower()
        return f"<{at:%Y%m%d%H%M%S}.{self._counter:07d}.demo@{domain}>"

    def latency(self, median_min: float, cap_h: float) -> timedelta:
        minutes = math.exp(self.rng.gauss(math.log(median_min), 1.1))
        return timedelta(minutes=min(max(minutes, 1.0), cap_h * 60))

    def _body(self, sender: Addr, to: Addr, lang: str) -> str:
        line = self.rng.choice(LINES_DE if lang == "de" else LINES_EN)
        if lang == "de":
            return f"Hallo {_first(to[0])},\n\n{line}\n\nViele Grüße\n{_first(sender[0])}\n"
        return f"Hi {_first(to[0])},\n\n{line}\n\nBest,\n{_first(sender[0])}\n"

    def _subject(self, at: datetime, lang: str) -> str:
        template = self.rng.choice(SUBJECTS_DE if lang == "de" else SUBJECTS_EN)
        iso = at.astimezone(BERLIN).isocalendar()
        return template.format(week=iso.week, year=iso.year,
                               quarter=(at.month - 1) // 3 + 1,
                               client=self.rng.choice(CLIENT_ORGS).name)

    def mail(self, at: datetime, sender: Addr, to: tuple[Addr, ...], subject: str, *,
             lang: str = "de", parent: Mail | None = None, linked: bool = True,
             body: str = "", cc: tuple[Addr, ...] = (), bcc: tuple[Addr, ...] = (),
             kind: str = "direct", list_id: str | None = None, list_post: str | None = None,
             unsubscribe: str | None = None) -> Mail:
        """A message; with `parent` it is a reply (In-Reply-To/References unless not `linked`)."""
        in_reply_to: str | None = None
        references: tuple[str, ...] = ()
        root_id, root_at = "", None
        if parent is not None and linked:
            in_reply_to = parent.message_id
            references = (*parent.references, parent.message_id)[-10:]
            root_id = parent.root_id or parent.message_id
            root_at = parent.root_at or parent.at
        return Mail(at=at, message_id=self._id(at, sender), sender=sender, to=to,
                    subject=subject, body=body or self._body(sender, to[0] if to else sender,
                                                             lang),
                    cc=cc, bcc=bcc, in_reply_to=in_reply_to, references=references, kind=kind,
                    list_id=list_id, list_post=list_post, unsubscribe=unsubscribe,
                    root_id=root_id, root_at=root_at)

    @staticmethod
    def reply_subject(base: str, sender: Addr, lang: str) -> str:
        # The owner runs a German Outlook ("AW:"); contacts use their own client's prefix.
        german = sender == OWNER_ADDR or lang == "de"
        return f"{'AW' if german else 'Re'}: {base}"

    def _pick(self, table: tuple[tuple[int, float], ...]) -> int:
        roll = self.rng.random()
        for value, share in table:
            roll -= share
            if roll < 0:
                return value
        return table[-1][0]

    # --- threads -----------------------------------------------------------------------------

    def thread_1to1(self, person: Person, t0: datetime) -> list[Mail] | None:
        """A 1:1 thread between the owner and `person`, ending with the owner."""
        rng = self.rng
        lang = person.lang
        contact = addr(person, alt=rng.random() < person.alt_share)
        owner_first = rng.random() < person.owner_starts
        length = self._pick(self.OWNER_LEN if owner_first else self.CONTACT_LEN)
        base = self._subject(t0, lang)
        out: list[Mail] = []
        at = t0
        for i in range(length):
            from_owner = (i % 2 == 0) == owner_first
            sender, other = (OWNER_ADDR, contact) if from_owner else (contact, OWNER_ADDR)
            if i == 0:
                bcc = ((self.cast.mentor.name, self.cast.mentor.address),) if (
                    from_owner and person.role == "partner" and rng.random() < 0.03) else ()
                out.append(self.mail(at, sender, (other,), base, lang=lang, bcc=bcc))
                if from_owner and person.role == "partner" and rng.random() < 0.05:
                    out.append(self._auto_reply(out[0], contact, lang))
                continue
            if from_owner:
                at = self.clock.daytime(at + self.latency(OWNER_LATENCY_MIN,
                                                           OWNER_LATENCY_CAP_H))
            else:
                at = self.clock.daytime(at + self.latency(person.latency_min,
                                                           person.latency_cap_h))
            parent = out[-1] if out[-1].kind == "direct" else out[-2]
            # Only outside clients drop the threading headers; the firm's Outlook keeps them.
            linked = (from_owner or contact[1].endswith("@" + OWNER_DOMAIN)
                      or rng.random() >= SUBJECT_ONLY_SHARE)
            mail = self.mail(at, sender, (other,), self.reply_subject(base, sender, lang),
                             lang=lang, parent=parent, linked=linked)
            self.subject_only_replies += not linked
            out.append(mail)
        return out

    def _auto_reply(self, original: Mail, contact: Addr, lang: str) -> Mail:
        self.auto_replies += 1
        prefix = "Automatische Antwort" if lang == "de" else "Automatic reply"
        body = ("Ich bin bis auf Weiteres nicht im Büro." if lang == "de"
                else "I am out of the office with limited access to e-mail.")
        return self.mail(original.at + timedelta(minutes=1), contact, (OWNER_ADDR,),
                         f"{prefix}: {original.subject}", parent=original, kind="auto_reply",
                         body=body + "\n")

    def thread_team(self, t0: datetime) -> list[Mail] | None:
        """Reply-all traffic among the owner, the mentor and close colleagues; owner ends it."""
        rng = self.rng
        team = [self.cast.mentor, *self.cast.close]
        members = [addr(p) for p in rng.sample(team, rng.choice((2, 2, 3, 4)))]
        people = [OWNER_ADDR, *members]
        sender = OWNER_ADDR if rng.random() < 0.4 else members[0]
        base = self._subject(t0, "de")
        first = self.mail(t0, sender, tuple(a for a in people if a != sender), base)
        out = [first]
        at = t0
        for _ in range(rng.choice((1, 1, 2, 3))):
            prev = out[-1]
            sender = rng.choice([a for a in members if a != prev.sender])
            at = self.clock.daytime(at + self.latency(40, 24))
            to = (prev.sender,)
            cc = tuple(a for a in people if a not in (sender, prev.sender))
            out.append(self.mail(at, sender, to, self.reply_subject(base, sender, "de"),
                                 parent=prev, cc=cc))
        prev = out[-1]
        at = self.clock.daytime(at + self.latency(OWNER_LATENCY_MIN, OWNER_LATENCY_CAP_H))
        cc = tuple(a for a in people if a not in (OWNER_ADDR, prev.sender))
        out.append(self.mail(at, OWNER_ADDR, (prev.sender,),
                             self.reply_subject(base, OWNER_ADDR, "de"), parent=prev, cc=cc))
        return out

    def thread_list(self, t0: datetime, which: int, owner_post: bool = False) -> list[Mail]:
        """Mailing-list traffic: posters write to the list address, the owner is not in To."""
        rng = self.rng
        list_addr, list_name, list_id = MAILING_LISTS[which]
        lst: Addr = (list_name, list_addr)
        lang = "de" if which == 0 else "en"
        base = f"[{list_name.split()[0]}] {self._subject(t0, lang)}"

        def post(at: datetime, sender: Addr, subject: str, parent: Mail | None) -> Mail:
            if sender == OWNER_ADDR:
                # The owner's sent copy has no list headers: the list adds them on the way out.
                return self.mail(at, sender, (lst,), subject, lang=lang, parent=parent)
            return self.mail(at, sender, (lst,), subject, lang=lang, parent=parent, kind="list",
                             list_id=f"{list_name} <{list_id}>",
                             list_post=f"<mailto:{list_addr}>",
                             unsubscribe=f"<mailto:{list_addr.replace('@', '-unsubscribe@')}>")

        posters = self.cast.list_posters
        out = [post(t0, OWNER_ADDR if owner_post else addr(rng.choice(posters)), base, None)]
        at = t0
        for _ in range(rng.choice((0, 0, 1, 2, 3)) + (2 if owner_post else 0)):
            at = at + self.latency(180, 48)
            out.append(post(at, addr(rng.choice(posters)), f"Re: {base}", rng.choice(out)))
        return out

    def newsletter(self, t0: datetime, which: int) -> list[Mail]:
        name, sender, list_id, _, template = NEWSLETTERS[which]
        subject = template.format(topic=self.rng.choice(TOPICS))
        body = f"Die wichtigsten Themen heute: {subject}.\nAbmelden: https://{list_id}/u\n"
        return [self.mail(t0, (name, sender), (OWNER_ADDR,), subject, kind="newsletter",
                          list_id=f"{name} <{list_id}>", body=body,
                          unsubscribe=f"<https://{list_id}/u?o=alex>, <mailto:leave@{list_id}>")]

    def notification(self, t0: datetime) -> list[Mail]:
        name, sender, template = self.rng.choice(AUTOMATED)
        subject = template.format(n=self.rng.randrange(1000, 99999))
        return [self.mail(t0, (name, sender), (OWNER_ADDR,), subject, kind="automated",
                          body="Diese Nachricht wurde automatisch erstellt.\n")]

    # --- streams -----------------------------------------------------------------------------

    def _mean_len(self, person: Person) -> float:
        owner = sum(n * s for n, s in self.OWNER_LEN)
        contact = sum(n * s for n, s in self.CONTACT_LEN)
        return person.owner_starts * owner + (1 - person.owner_starts) * contact

    def _streams(self) -> list[_Stream]:
        cast = self.cast
        streams: list[_Stream] = []
        for person in cast.people:
            if person.rate > 0:
                # Everyone in the cast shows up at least once, early in their active span,
                # whatever the dice say later: the ground truth lists only real contacts.
                first = min(int(person.active_from), DAYS - 1) - self.rng.randrange(21)
                streams.append(_Stream(
                    person.rate, self._mean_len(person),
                    partial(self.thread_1to1, person),
                    active_from=person.active_from, active_until=person.active_until,
                    first_day=max(first, int(person.active_until) + 7)))
        streams.append(_Stream(0.3, 3.75, self.thread_team))
        for i, (*_, weekday, _t) in enumerate(NEWSLETTERS):
            streams.append(_Stream(1.0, 1.0, partial(self.newsletter, which=i),
                                   weekday=weekday))
        for i in range(len(MAILING_LISTS)):
            streams.append(_Stream(0.3, 2.2, partial(self.thread_list, which=i),
                                   weekend=0.5))
        streams.append(_Stream(0.45, 1.0, self.notification, weekend=0.6))
        return streams

    def expected_fixed(self) -> float:
        """Expected number of messages from the guaranteed first threads (they do not scale)."""
        return sum(s.mean_len for s in self.streams if s.first_day is not None)

    def expected_generic(self) -> float:
        """Expected number of generic messages at scale 1 (used to hit a target count)."""
        total = 0.0
        for days_before in range(DAYS, -1, -1):
            weekday = (self.clock.now.astimezone(BERLIN) - timedelta(days=days_before)).weekday()
            for s in self.streams:
                total += self._day_rate(s, days_before, weekday, 1.0) * s.mean_len
        return total

    @staticmethod
    def _day_rate(s: _Stream, days_before: int, weekday: int, scale: float) -> float:
        if not s.active_until <= days_before <= s.active_from:
            return 0.0
        if s.weekday is not None:
            return scale if weekday == s.weekday else 0.0
        return s.rate * scale * (1.0 if weekday < 5 else s.weekend)

    def _count(self, lam: float) -> int:
        # Stochastic rounding: exact expectation, weekly newsletters stay weekly at scale 1.
        whole = int(lam)
        return whole + (self.rng.random() < lam - whole)

    # --- the walk ----------------------------------------------------------------------------

    def push(self, mails: list[Mail] | None) -> None:
        """Queue a laid-out thread, or drop it whole if it reaches past `now`."""
        if not mails or max(m.at for m in mails) >= self.now:
            return
        for mail in mails:
            self._seq += 1
            heapq.heappush(self._heap, (mail.at, self._seq, mail))

    def __iter__(self) -> Iterator[Mail]:
        if self._plant is not None:
            self._plant(self)  # a hundred-odd messages, queued up front
        for days_before in range(DAYS, -1, -1):
            day_start = self.clock.local(days_before, 0)
            while self._heap and self._heap[0][0] < day_start:
                yield heapq.heappop(self._heap)[2]
            weekday = day_start.astimezone(BERLIN).weekday()
            for stream in self.streams:
                lam = self._day_rate(stream, days_before, weekday, self.scale)
                threads = (self._count(lam) if lam else 0) + (stream.first_day == days_before)
                for _ in range(threads):
                    hour = (self.rng.uniform(8, 18.5) if weekday < 5
                            else self.rng.uniform(10, 20))
                    t0 = self.clock.local(days_before, hour)
                    if self.clock.start <= t0 < self.now:
                        self.push(stream.emit(t0))
        while self._heap:
            yield heapq.heappop(self._heap)[2]
