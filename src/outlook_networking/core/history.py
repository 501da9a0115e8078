"""Each person's history with the owner: counts, replies, latencies, rhythm and open loops.

Definitions (also in ``docs/json.md``):

- **sent**: owner messages with the person among To/Cc/Bcc; **received**: the person's messages with
  the owner in To/Cc; **meetings**: meetings, not cancelled, with both the owner and the person as
  organizer or attendee. Only the owner's own interactions count (:mod:`.personal`: bulk and
  automated mail never, list mail where it names the owner, the owner's own mail always); items
  after ``now`` neither.
- **replies_sent**: owner messages that answer a message from the person; **replies_received**: the
  person's messages that answer an owner message (pairing: :mod:`.threads`). Latencies each way:
  median and 90th percentile, in seconds.
- **started_by_me / started_by_them**: threads the owner started with the person among the
  recipients, and threads the person started with the owner in To/Cc.
- **two-way**: a meeting; or a mail in an owner↔person reply pair; or a mail with traffic in the
  other direction within ``two_way_window_days``. One-way traffic is no relationship.
- **reciprocity**: ``min(sent, received) / max(sent, received)``, 0 without mail.
- **unanswered run**: the owner's approaches to the person since the person last wrote to the
  owner or met them. An approach: an owner message with the person in To, at most
  ``direct_max_recipients`` recipients, that does not answer someone else's message (a new
  thread, a forward, or the owner's own follow-up).
- **usual gap**: the median gap in days between consecutive episodes of two-way contact (days
  with two-way contact no more than two days apart form one episode, so a mail answered the next
  day is one contact, not a one-day rhythm).
- **trend**: interactions in the last 90 days against the 270 before, as a rate ratio.
- **owed**: direct messages to the owner (owner in To, at most ``direct_max_recipients``) within
  ``owed_lookback_days`` that the owner has neither answered nor followed with any mail to their
  sender (answers to the owner's own messages included: a question cannot be told from a
  thank-you without the body).

Everything is built in one pass over the interactions in time order; per-person work afterwards is
linear in that person's own interactions.

Exports: ``Touch``, ``MonthCounts``, ``ContactHistory``, ``build_histories``, ``percentile``.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import NamedTuple

from ..model import Interaction, Kind
from .identity import Identities
from .personal import is_personal
from .settings import Settings
from .threads import Threads

__all__ = ["ContactHistory", "MonthCounts", "Touch", "build_histories", "percentile"]

SENT, RECEIVED, MEETING = "sent", "received", "meeting"
DAY = 86400.0
RECENT_DAYS, PRIOR_DAYS = 90, 270
EPISODE_DAYS = 2  # two-way days this close belong to one exchange when measuring the usual gap


class Touch(NamedTuple):
    """One interaction with a person, as scoring sees it."""

    at: float  # Unix seconds
    kind: str  # sent | received | meeting
    others: int  # addresses besides the owner's on it (1 = one-to-one)
    two_way: bool
    duration_s: int = 0


@dataclass(frozen=True, slots=True)
class MonthCounts:
    sent: int = 0
    received: int = 0
    meetings: int = 0


@dataclass(frozen=True)
class ContactHistory:
    """Everything known about the owner's interactions with one person, as of ``now``."""

    person: str
    first_contact: datetime | None
    last_contact: datetime | None
    last_two_way: datetime | None
    sent: int
    received: int
    meetings: int
    monthly: Mapping[str, MonthCounts]  # "YYYY-MM" -> counts
    started_by_me: int
    started_by_them: int
    replies_sent: int
    replies_received: int
    my_latency_median_s: int | None
    my_latency_p90_s: int | None
    their_latency_median_s: int | None
    their_latency_p90_s: int | None
    their_latency_samples: int
    reciprocity: float
    unanswered_run: int
    unanswered_first: Interaction | None  # the first approach of the current run
    unanswered_nth: Interaction | None  # the run's approach number ``unreciprocated_approaches``
    last_unanswered: Interaction | None  # the latest approach still unanswered
    usual_gap_days: float | None
    long_gap_days: int | None  # the 90th percentile of the gaps: a long silence that still ended
    gap_samples: int
    trend: str  # rising | steady | falling | new | quiet
    recent_interactions: int  # last 90 days
    prior_interactions: int  # the 270 days before
    owed: tuple[Interaction, ...]
    touches: tuple[Touch, ...]

    @property
    def started_share(self) -> float | None:
        """The share of threads the owner started (None without threads)."""
        total = self.started_by_me + self.started_by_them
        return self.started_by_me / total if total else None


def percentile(sorted_values: Sequence[int], share: float) -> int | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, -(-int(share * 1000) * len(sorted_values) // 1000))  # ceil without floats
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _median(sorted_values: Sequence[float]) -> float | None:
    n = len(sorted_values)
    if not n:
        return None
    mid = n // 2
    return float(sorted_values[mid]) if n % 2 else (sorted_values[mid - 1] + sorted_values[mid]) / 2


class _Acc:
    """A person's history while the pass runs."""

    __slots__ = (
        "approach_n",
        "approaches",
        "first",
        "last",
        "meetings",
        "monthly",
        "my_lat",
        "owed",
        "paired",
        "received",
        "received_at",
        "run_first",
        "run_last",
        "sent",
        "sent_at",
        "started_by_me",
        "started_by_them",
        "their_lat",
        "touches",
    )

    def __init__(self) -> None:
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.sent = 0
        self.received = 0
        self.meetings = 0
        self.monthly: dict[int, list[int]] = {}  # year * 100 + month -> sent, received, meetings
        self.started_by_me = 0
        self.started_by_them = 0
        self.my_lat: list[int] = []
        self.their_lat: list[int] = []
        self.sent_at: list[float] = []
        self.received_at: list[float] = []
        self.touches: list[tuple[float, str, int, int, int]] = []  # at, kind, others, dur, id
        self.paired: set[int] = set()  # ids of the items in owner↔person reply pairs
        self.approaches = 0
        self.run_first: Interaction | None = None
        self.run_last: Interaction | None = None
        self.approach_n: Interaction | None = None
        self.owed: dict[int, Interaction] = {}  # by id(item), in time order

    def touch(
        self, item: Interaction, ts: float, month: int, kind: str, others: int, duration: int
    ) -> None:
        if self.first is None:
            self.first = item.at
        self.last = item.at
        counts = self.monthly.get(month)
        if counts is None:
            counts = self.monthly[month] = [0, 0, 0]
        if kind == SENT:
            self.sent += 1
            counts[0] += 1
            self.sent_at.append(ts)
        elif kind == RECEIVED:
            self.received += 1
            counts[1] += 1
            self.received_at.append(ts)
        else:
            self.meetings += 1
            counts[2] += 1
        self.touches.append((ts, kind, others, duration, id(item)))

    def answered(self) -> None:
        self.approaches = 0
        self.run_first = self.run_last = self.approach_n = None


def build_histories(
    items: Sequence[Interaction],
    threads: Threads,
    identities: Identities,
    *,
    owner: frozenset[str],
    settings: Settings,
    now: datetime,
) -> dict[str, ContactHistory]:
    """Every person's history from interactions in time order (items after ``now`` ignored).

    Parameters:
        items: interactions sorted by ``at``; what is not the owner's (:func:`.is_personal`) is
            skipped here.
        threads: the pairing of the same items (:func:`.threads.analyse_threads`).
        identities: which person each address belongs to.
    """
    tally = _Tally(threads, identities, owner=owner, settings=settings, now=now)
    for item in items:
        if item.at > now:
            break
        if not is_personal(item, owner):
            continue
        if item.kind is Kind.MEETING:
            tally.meeting(item)
        elif item.sender is not None and item.sender.address in owner:
            tally.sent(item)
        else:
            tally.received(item)
    return {
        person: _finish(person, acc, settings, now) for person, acc in tally.accs.items()
    }


class _Tally:
    """The one pass of :func:`build_histories`: each item added to its people's accumulators."""

    def __init__(
        self,
        threads: Threads,
        identities: Identities,
        *,
        owner: frozenset[str],
        settings: Settings,
        now: datetime,
    ) -> None:
        self.person_of = identities.person_of
        self.accs: dict[str, _Acc] = {p: _Acc() for p in identities.persons}
        self.replies = {id(r.child): r for r in threads.replies}
        self.starts = {id(s) for s in threads.starts}
        self.owner = owner
        self.owed_from = now - timedelta(days=settings.owed_lookback_days)
        self.direct_max = settings.direct_max_recipients
        self.nth = settings.unreciprocated_approaches

    def meeting(self, item: Interaction) -> None:
        """A meeting with the owner: a two-way touch for everyone in it, answering any run."""
        if item.cancelled or not any(m.address in self.owner for m in item.participants()):
            return
        ts, month = item.at.timestamp(), item.at.year * 100 + item.at.month
        people = {self.person_of.get(m.address) for m in item.participants()}
        people.discard(None)
        others = _others(item, self.owner)
        for person in people:
            acc = self.accs[person]  # type: ignore[index]
            acc.touch(item, ts, month, MEETING, others, item.duration_s)
            acc.answered()

    def sent(self, item: Interaction) -> None:
        """The owner's message: a touch for each recipient, an approach, an answer it gives."""
        person_of = self.person_of
        ts, month, ident = item.at.timestamp(), item.at.year * 100 + item.at.month, id(item)
        to_people = {person_of.get(m.address) for m in item.to}
        people = to_people | {person_of.get(m.address) for m in item.cc}
        people |= {person_of.get(m.address) for m in item.bcc}
        people.discard(None)
        reply = self.replies.get(ident)
        parent_person = None
        if reply is not None and reply.parent.sender is not None:
            parent_person = person_of.get(reply.parent.sender.address)
        # An approach asks for something: a new message or the owner's own follow-up, not an
        # answer to someone else's message, and not an announcement to many.
        approach = (
            reply is None
            or (reply.parent.sender is not None and reply.parent.sender.address in self.owner)
        ) and len(item.to) + len(item.cc) + len(item.bcc) <= self.direct_max
        others = _others(item, self.owner)
        for person in people:
            acc = self.accs[person]  # type: ignore[index]
            acc.touch(item, ts, month, SENT, others, 0)
            if ident in self.starts:
                acc.started_by_me += 1
            acc.owed.clear()
            if approach and person in to_people:
                acc.approaches += 1
                if acc.approaches == 1:
                    acc.run_first = item
                if acc.approaches == self.nth:
                    acc.approach_n = item
                acc.run_last = item
        if parent_person is not None and reply is not None:
            acc = self.accs[parent_person]
            acc.owed.pop(id(reply.parent), None)
            if parent_person in people:
                acc.my_lat.append(reply.latency_s)
                acc.paired.add(ident)
                acc.paired.add(id(reply.parent))

    def received(self, item: Interaction) -> None:
        """A contact's message to the owner: a touch, an answer to the owner, maybe owed one."""
        owner = self.owner
        person = self.person_of.get(item.sender.address if item.sender is not None else "")
        if person is None:
            return
        in_to = any(m.address in owner for m in item.to)
        if not in_to and not any(m.address in owner for m in item.cc):
            return
        ident = id(item)
        acc = self.accs[person]
        acc.touch(item, item.at.timestamp(), item.at.year * 100 + item.at.month, RECEIVED,
                  _others(item, owner), 0)
        acc.answered()
        if ident in self.starts:
            acc.started_by_them += 1
        reply = self.replies.get(ident)
        parent_sender = reply.parent.sender if reply is not None else None
        answers_owner = (
            reply is not None and parent_sender is not None and parent_sender.address in owner
        )
        if answers_owner and reply is not None:
            acc.their_lat.append(reply.latency_s)
            acc.paired.add(ident)
            acc.paired.add(id(reply.parent))
        recipients = len(item.to) + len(item.cc) + len(item.bcc)
        # An answer to the owner's own message is owed a reply too: without bodies a question
        # cannot be told from a thank-you, and a late answer to the owner's request is exactly
        # the message that waits for the owner.
        if in_to and recipients <= self.direct_max and item.at >= self.owed_from:
            acc.owed[ident] = item


def _others(item: Interaction, owner: frozenset[str]) -> int:
    """The people besides the owner on an item, counted by address.

    A fact of the item alone: counting only the addresses that are contacts made an earlier
    mail weigh less once later mail made someone on it a contact, so more interaction could
    lower a score.
    """
    return len({m.address for m in item.participants()} - owner)


def _finish(person: str, acc: _Acc, settings: Settings, now: datetime) -> ContactHistory:
    window = settings.two_way_window_days * DAY
    now_ts = now.timestamp()
    recent_from = now_ts - RECENT_DAYS * DAY
    prior_from = recent_from - PRIOR_DAYS * DAY
    recent = prior = 0
    last_two_way: float | None = None
    paired = acc.paired
    touches: list[Touch] = []
    two_way_days: list[int] = []
    new_touch = tuple.__new__  # the C constructor: a NamedTuple's own __new__ is Python code
    for at, kind, others, duration, ident in acc.touches:
        if kind == MEETING or ident in paired:
            two_way = True
        else:
            opposite = acc.received_at if kind == SENT else acc.sent_at
            i = bisect.bisect_left(opposite, at - window)
            two_way = i < len(opposite) and opposite[i] <= at + window
        touches.append(new_touch(Touch, (at, kind, others, two_way, duration)))
        if at > recent_from:
            recent += 1
        elif at > prior_from:
            prior += 1
        if two_way:
            last_two_way = at
            day = int(at // DAY)
            if not two_way_days or day - two_way_days[-1] > EPISODE_DAYS:
                two_way_days.append(day)
            elif day != two_way_days[-1]:
                # Still the same exchange: a mail and its answer the next day are one contact.
                two_way_days[-1] = day
    gaps = sorted(b - a for a, b in pairwise(two_way_days))
    my_lat = sorted(acc.my_lat)
    their_lat = sorted(acc.their_lat)
    median_my = _median(my_lat)
    median_their = _median(their_lat)
    mail_max = max(acc.sent, acc.received)
    return ContactHistory(
        person=person,
        first_contact=acc.first,
        last_contact=acc.last,
        last_two_way=datetime.fromtimestamp(last_two_way, UTC) if last_two_way else None,
        sent=acc.sent,
        received=acc.received,
        meetings=acc.meetings,
        monthly={f"{m // 100:04d}-{m % 100:02d}": MonthCounts(*c) for m, c in acc.monthly.items()},
        started_by_me=acc.started_by_me,
        started_by_them=acc.started_by_them,
        replies_sent=len(my_lat),
        replies_received=len(their_lat),
        my_latency_median_s=round(median_my) if median_my is not None else None,
        my_latency_p90_s=percentile(my_lat, 0.9),
        their_latency_median_s=round(median_their) if median_their is not None else None,
        their_latency_p90_s=percentile(their_lat, 0.9),
        their_latency_samples=len(their_lat),
        reciprocity=min(acc.sent, acc.received) / mail_max if mail_max else 0.0,
        unanswered_run=acc.approaches,
        unanswered_first=acc.run_first,
        unanswered_nth=acc.approach_n,
        last_unanswered=acc.run_last,
        usual_gap_days=_median(gaps),
        long_gap_days=percentile(gaps, 0.9),
        gap_samples=len(gaps),
        trend=_trend(recent, prior),
        recent_interactions=recent,
        prior_interactions=prior,
        owed=tuple(acc.owed.values()),
        touches=tuple(touches),
    )


def _trend(recent: int, prior: int) -> str:
    if not recent and not prior:
        return "quiet"
    if not prior:
        return "new"
    ratio = (recent / RECENT_DAYS) / (prior / PRIOR_DAYS)
    if ratio >= 1.5:
        return "rising"
    if ratio <= 0.5:
        return "falling"
    return "steady"
