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

Everything is built in one pass over the interactions in time order (:class:`HistoryFold`, which
can stop, write down what it knows and go on later: ``app.derived`` keeps it up to a horizon);
per-person work afterwards is linear in that person's own interactions.

Exports: ``HISTORY_FORMAT``, ``HistoryFold``, ``Touch``, ``MonthCounts``, ``ContactHistory``,
``build_histories``, ``percentile``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import compress, islice, pairwise
from typing import Any, NamedTuple

from ..model import Interaction, Kind
from .identity import Identities
from .personal import is_personal
from .settings import Settings
from .threads import Reply, Threads, item_key

__all__ = [
    "HISTORY_FORMAT",
    "ContactHistory",
    "HistoryFold",
    "MonthCounts",
    "Touch",
    "build_histories",
    "percentile",
]

SENT, RECEIVED, MEETING = "sent", "received", "meeting"
DAY = 86400.0
RECENT_DAYS, PRIOR_DAYS = 90, 270
EPISODE_DAYS = 2  # two-way days this close belong to one exchange when measuring the usual gap
HISTORY_FORMAT = 1  # of HistoryFold.doc(); a new one whenever what the pass computes changes
_KINDS = (SENT, RECEIVED, MEETING)  # a touch's kind in a document: its place here
_KIND_CODE = {kind: code for code, kind in enumerate(_KINDS)}


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
        self.first: Interaction | None = None  # the first touch's item, and the last's
        self.last: Interaction | None = None
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
        # at, kind, others, duration, id(item), the item's place in the fold's items
        self.touches: list[tuple[float, str, int, int, int, int]] = []
        self.paired: set[int] = set()  # ids of the items in owner↔person reply pairs
        self.approaches = 0
        self.run_first: Interaction | None = None
        self.run_last: Interaction | None = None
        self.approach_n: Interaction | None = None
        self.owed: dict[int, Interaction] = {}  # by id(item), in time order

    def touch(
        self,
        item: Interaction,
        place: int,
        ts: float,
        month: int,
        kind: str,
        others: int,
        duration: int,
    ) -> None:
        if self.first is None:
            self.first = item
        self.last = item
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
        self.touches.append((ts, kind, others, duration, id(item), place))

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
        threads: the pairing of the same items (:func:`.threads.analyse_threads`), its replies
            and thread starts in time order as it gives them.
        identities: which person each address belongs to.
    """
    fold = HistoryFold(items, threads, identities, owner=owner, settings=settings)
    fold.fold_to(bisect.bisect_right(items, now, key=_at))
    return fold.histories(now)


def _at(item: Interaction) -> datetime:
    return item.at


class HistoryFold:
    """The one pass of :func:`build_histories` as a fold over ``items`` (those up to now, in
    time order) that can stop after any prefix, write down what it knows (:meth:`doc`) and go
    on later over the same prefix followed by more (:meth:`resume`): the histories it gives are
    those :func:`build_histories` gives for all of them.

    The pass does not depend on ``now`` (the messages still owed are all kept, and those older
    than the owed window left out when the histories are made), so a fold kept at a horizon
    serves every later clock. It depends on three things besides the items:

    - who is who, only through the person it found for each address it looked up: the document
      keeps them all, and :meth:`resume` refuses where one is now another person's or no
      person's (a merge, a split, someone who became a contact after being seen);
    - the reply pairing of the folded items: final for most (a fallback only looks back, and an
      answer whose headers name only messages folded before it keeps its parent), except for
      the answers still waiting for a message their headers name (``unsettled``: the
      :class:`~.threads.ThreadFold`'s at the same prefix), whose pairing a later message can
      change: the document keeps the parent each had, and :meth:`resume` refuses where it
      differs;
    - the owner's addresses and the settings the pass reads (``direct_max_recipients``,
      ``unreciprocated_approaches``), and the owed window (``owed_lookback_days``: the document
      leaves out what no later clock shows), which the caller keeps the document under.
    """

    def __init__(
        self,
        items: Sequence[Interaction],
        threads: Threads,
        identities: Identities,
        *,
        owner: frozenset[str],
        settings: Settings,
    ) -> None:
        self.items = items
        self.at = 0  # items[:at] are folded
        self._tally = _Tally(threads, identities, owner=owner, settings=settings)
        self._settings = settings

    def fold_to(self, end: int) -> None:
        """Fold the items up to (not including) place ``end``."""
        tally, owner = self._tally, self._tally.owner
        if self.at < end:
            tally.index_from(self.items[self.at].at)
        for place, item in enumerate(islice(self.items, self.at, end), self.at):
            if not is_personal(item, owner):
                continue
            if item.kind is Kind.MEETING:
                tally.meeting(item, place)
            elif item.sender is not None and item.sender.address in owner:
                tally.sent(item, place)
            else:
                tally.received(item, place)
        self.at = max(self.at, end)

    def histories(self, now: datetime) -> dict[str, ContactHistory]:
        """Every person's history as of ``now``, from what is folded (items up to ``now``)."""
        settings = self._settings
        owed_from = now - timedelta(days=settings.owed_lookback_days)
        return {
            person: _finish(person, acc, settings, now, owed_from)
            for person, acc in self._tally.accs.items()
        }

    def doc(self, unsettled: Iterable[Interaction], owed_since: datetime) -> dict[str, Any]:
        """What :meth:`resume` goes on from, JSON-ready, items by their place: ``unsettled`` are
        the folded answers whose pairing a later message can change (see the class), and the
        messages owed that arrived before ``owed_since`` are left out (no clock the fold is
        gone on with reaches back to them)."""
        items, at = self.items, self.at
        # The items not folded yet that an answer folded was paired with (a skewed clock).
        later = {id(item): item for item in islice(items, at, None)}
        people = []
        for person, acc in self._tally.accs.items():
            if not acc.touches:
                continue  # (nothing happened to it: the pass only ever touches it first)
            # (by column: made and read again in C, a million touches at a time)
            ts, kinds, others, durations, idents, places = zip(*acc.touches, strict=True)
            refs = (acc.run_first, acc.run_last, acc.approach_n)
            # The runs and the messages owed are this person's touches: their places are there.
            where = dict(zip(idents, places, strict=True)) if acc.owed or refs[0] else {}
            people.append({
                "person": person,
                "monthly": [n for month, counts in acc.monthly.items() for n in (month, *counts)],
                "started": [acc.started_by_me, acc.started_by_them],
                "my_lat": acc.my_lat, "their_lat": acc.their_lat,
                "ts": list(ts), "kind": list(map(_KIND_CODE.__getitem__, kinds)),
                "others": list(others), "duration": list(durations), "place": list(places),
                "paired": list(map(int, map(acc.paired.__contains__, idents))),
                "paired_later": sorted(item_key(later[i]) for i in acc.paired if i in later),
                "run": [acc.approaches, *(where[id(r)] if r is not None else -1 for r in refs)],
                "owed": [where[ident] for ident, item in acc.owed.items()
                         if item.at >= owed_since],
            })  # fmt: skip
        open_answers = {}
        for child in unsettled:
            n = _place(items, child)
            if n < at:
                reply = self._tally.reply_of(child)
                open_answers[n] = item_key(reply.parent) if reply is not None else None
        return {
            "format": HISTORY_FORMAT,
            "at": at,
            "met": dict(self._tally.person_of),
            "unsettled": [[n, parent] for n, parent in sorted(open_answers.items())],
            "people": people,
        }

    def resume(self, doc: Mapping[str, Any]) -> None:
        """Go on from ``doc`` (what :meth:`doc` wrote of these items' prefix): this fold is then
        the fold of ``items[:doc["at"]]``. ``ValueError`` (and this fold untouched) if the
        document is not such a description, or no longer holds for these identities and this
        pairing (see the class)."""
        items, tally = self.items, self._tally
        try:
            if doc["format"] != HISTORY_FORMAT:
                raise ValueError(f"histories of format {doc['format']!r}")
            at = int(doc["at"])
            if not 0 <= at <= len(items):
                raise ValueError(f"histories of {at} items, not of {len(items)}")
            person_of = tally.identities.person_of
            met = _Met(person_of)
            for address, person in doc["met"].items():
                if person_of.get(address) != person:
                    raise ValueError(f"{address} is now {person_of.get(address)!r}, not {person!r}")
                met[address] = person
            for n, parent in doc["unsettled"]:
                reply = tally.reply_of(items[n])
                if (item_key(reply.parent) if reply is not None else None) != parent:
                    raise ValueError(f"the answer at {n} is paired anew")
            later = {item_key(item): item for item in islice(items, at, None)}
            accs = {person: _Acc() for person in tally.identities.persons}
            for entry in doc["people"]:
                _restore(accs[entry["person"]], entry, items, later)
        except (KeyError, TypeError, IndexError, AttributeError, ValueError) as exc:
            raise ValueError(f"not histories: {exc!r}") from exc
        tally.accs, tally.person_of, self.at = accs, met, at


def _restore(
    acc: _Acc, entry: Mapping[str, Any], items: Sequence[Interaction], later: Mapping[str, Any]
) -> None:
    """``acc`` as an entry of :meth:`HistoryFold.doc` wrote it down."""
    flat = entry["monthly"]
    acc.monthly = {
        int(m): [int(s), int(r), int(g)]
        for m, s, r, g in zip(flat[::4], flat[1::4], flat[2::4], flat[3::4], strict=True)
    }
    acc.started_by_me, acc.started_by_them = (int(n) for n in entry["started"])
    acc.my_lat, acc.their_lat = list(entry["my_lat"]), list(entry["their_lat"])
    ts, places = list(map(float, entry["ts"])), entry["place"]
    kinds = list(map(_KINDS.__getitem__, entry["kind"]))
    touched = list(map(items.__getitem__, places))
    idents = list(map(id, touched))
    acc.touches = list(
        zip(ts, kinds, entry["others"], entry["duration"], idents, places, strict=True)
    )
    acc.first, acc.last = touched[0], touched[-1]
    acc.sent_at = list(compress(ts, map(SENT.__eq__, kinds)))
    acc.received_at = list(compress(ts, map(RECEIVED.__eq__, kinds)))
    acc.sent, acc.received = len(acc.sent_at), len(acc.received_at)
    acc.meetings = len(ts) - acc.sent - acc.received
    if len(entry["paired"]) != len(idents):
        raise ValueError("not a flag for every touch")
    acc.paired = set(compress(idents, entry["paired"]))
    acc.paired.update(id(later[key]) for key in entry["paired_later"])
    approaches, first, last, nth = entry["run"]
    acc.approaches = int(approaches)
    acc.run_first, acc.run_last, acc.approach_n = (
        items[n] if n >= 0 else None for n in (first, last, nth)
    )
    acc.owed = {id(items[n]): items[n] for n in entry["owed"]}


def _child_at(reply: Reply) -> datetime:
    return reply.child.at


def _place(items: Sequence[Interaction], item: Interaction) -> int:
    """Where ``item`` is in ``items`` (in time order)."""
    n = bisect.bisect_left(items, item.at, key=_at)
    while items[n] is not item:
        n += 1
    return n


class _Met(dict[str, "str | None"]):
    """The person of every address looked up so far (None: no person): a lookup of an address
    not met before asks ``person_of`` and remembers the answer, so the fold can say which
    persons it relied on."""

    def __init__(self, person_of: Mapping[str, str]) -> None:
        super().__init__()
        self._person_of = person_of

    def __missing__(self, address: str) -> str | None:
        person = self[address] = self._person_of.get(address)
        return person


class _Tally:
    """The one pass of :class:`HistoryFold`: each item added to its people's accumulators."""

    def __init__(
        self,
        threads: Threads,
        identities: Identities,
        *,
        owner: frozenset[str],
        settings: Settings,
    ) -> None:
        self.identities = identities
        self.person_of = _Met(identities.person_of)
        self.accs: dict[str, _Acc] = {p: _Acc() for p in identities.persons}
        # The replies and thread starts by their item's id, from place ``_indexed`` of each on
        # (index_from): a fold that goes on needs those of the day after its horizon only.
        self._threads = threads
        self.replies: dict[int, Reply] = {}
        self.starts: set[int] = set()
        self._indexed = len(threads.replies), len(threads.starts)
        self.owner = owner
        self.direct_max = settings.direct_max_recipients
        self.nth = settings.unreciprocated_approaches

    def index_from(self, at: datetime) -> None:
        """Index the replies and thread starts of the e-mails from ``at`` on (the pairing gives
        them in time order)."""
        replies, starts = self._threads.replies, self._threads.starts
        first_reply = bisect.bisect_left(replies, at, key=_child_at)
        first_start = bisect.bisect_left(starts, at, key=_at)
        indexed_replies, indexed_starts = self._indexed
        self.replies.update((id(r.child), r) for r in islice(replies, first_reply, indexed_replies))
        self.starts.update(id(s) for s in islice(starts, first_start, indexed_starts))
        self._indexed = min(first_reply, indexed_replies), min(first_start, indexed_starts)

    def reply_of(self, child: Interaction) -> Reply | None:
        """``child``'s pairing, wherever it is (those not indexed found by time)."""
        found = self.replies.get(id(child))
        if found is not None:
            return found
        replies = self._threads.replies
        n = bisect.bisect_left(replies, child.at, key=_child_at)
        while n < len(replies) and replies[n].child.at == child.at:
            if replies[n].child is child:
                return replies[n]
            n += 1
        return None

    def meeting(self, item: Interaction, place: int) -> None:
        """A meeting with the owner: a two-way touch for everyone in it, answering any run."""
        if item.cancelled or not any(m.address in self.owner for m in item.participants()):
            return
        ts, month = item.at.timestamp(), item.at.year * 100 + item.at.month
        person_of = self.person_of
        people = {person_of[m.address] for m in item.participants()}
        people.discard(None)
        others = _others(item, self.owner)
        for person in people:
            acc = self.accs[person]  # type: ignore[index]
            acc.touch(item, place, ts, month, MEETING, others, item.duration_s)
            acc.answered()

    def sent(self, item: Interaction, place: int) -> None:
        """The owner's message: a touch for each recipient, an approach, an answer it gives."""
        person_of = self.person_of
        ts, month, ident = item.at.timestamp(), item.at.year * 100 + item.at.month, id(item)
        to_people = {person_of[m.address] for m in item.to}
        people = to_people | {person_of[m.address] for m in item.cc}
        people |= {person_of[m.address] for m in item.bcc}
        people.discard(None)
        reply = self.replies.get(ident)
        parent_person = None
        if reply is not None and reply.parent.sender is not None:
            parent_person = person_of[reply.parent.sender.address]
        # An approach asks for something: a new message or the owner's own follow-up, not an
        # answer to someone else's message, and not an announcement to many.
        approach = (
            reply is None
            or (reply.parent.sender is not None and reply.parent.sender.address in self.owner)
        ) and len(item.to) + len(item.cc) + len(item.bcc) <= self.direct_max
        others = _others(item, self.owner)
        for person in people:
            acc = self.accs[person]  # type: ignore[index]
            acc.touch(item, place, ts, month, SENT, others, 0)
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

    def received(self, item: Interaction, place: int) -> None:
        """A contact's message to the owner: a touch, an answer to the owner, maybe owed one."""
        owner = self.owner
        person = self.person_of[item.sender.address if item.sender is not None else ""]
        if person is None:
            return
        in_to = any(m.address in owner for m in item.to)
        if not in_to and not any(m.address in owner for m in item.cc):
            return
        ident = id(item)
        acc = self.accs[person]
        acc.touch(item, place, item.at.timestamp(), item.at.year * 100 + item.at.month,
                  RECEIVED, _others(item, owner), 0)
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
        # the message that waits for the owner. (Every one is kept, whenever it came: those
        # before the owed window as of the clock are left out when the histories are made.)
        if in_to and recipients <= self.direct_max:
            acc.owed[ident] = item


def _others(item: Interaction, owner: frozenset[str]) -> int:
    """The people besides the owner on an item, counted by address.

    A fact of the item alone: counting only the addresses that are contacts made an earlier
    mail weigh less once later mail made someone on it a contact, so more interaction could
    lower a score.
    """
    return len({m.address for m in item.participants()} - owner)


def _finish(
    person: str, acc: _Acc, settings: Settings, now: datetime, owed_from: datetime
) -> ContactHistory:
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
    for at, kind, others, duration, ident, _ in acc.touches:
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
        first_contact=acc.first.at if acc.first is not None else None,
        last_contact=acc.last.at if acc.last is not None else None,
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
        owed=tuple(item for item in acc.owed.values() if item.at >= owed_from),
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
