"""Finding the ledger's items: introductions, forwards and requests answered.

One pass over the interactions in time order keeps two memories, both bounded by the number of
distinct people and pairs rather than messages:

- **seen**: every person who has appeared on a personal message or meeting so far;
- **acquainted**: every pair of people who have appeared together (sender, To, Cc, organizer,
  attendees) on a personal message or meeting of at most ``acquainted_max_people`` people. A
  larger gathering does not make people acquainted, and bounding it keeps the pass linear.

What is not the owner's interaction (:mod:`..personal`: bulk and automated mail, list mail that
did not name the owner), mail from automated addresses and cancelled meetings are skipped
entirely: they neither make items nor acquaint anyone. Mail dated after ``now`` is ignored;
meetings after ``now`` count only as the outcome of an introduction (a meeting already scheduled
between the two people).

**Introduction made**: an e-mail from the owner whose To and Cc hold 2 to ``intro_max_people``
people (besides the owner) among whom at least one pair is not acquainted yet, and either

- the subject reads as an introduction (``intro_subject_patterns``), or
- exactly two people, both seen before, at different mail domains, on a message that starts a
  thread and is no forward (two colleagues at one organisation need no introduction by the owner;
  a first message to strangers is outreach, not an introduction).

Each person of a new pair gets an item; ``others`` names whom they were introduced to.

**Introduction received**: an e-mail from someone else with the owner in To or Cc and 1 to
``intro_max_people - 1`` other people, at least one of whom has never been seen before, and either
an introduction subject, or exactly one other person, at a different domain from the sender,
on a thread start that is no forward, from a sender seen before. The introducer gets the item.

**Introduction asked for**: an introduction the product proposed (``asked``: ask ``via`` to
introduce the owner to ``target``) is received when, at or after the proposal, ``via`` sends an
e-mail with the owner in To or Cc and ``target`` among 1 to ``intro_max_people - 1`` other people,
whatever its subject and even if the owner had seen ``target`` before (the owner asked, so the
product knows what it is). The item is marked ``proposed``; one item per asked pair.

**Outcome**: for each new pair (two introduced people, or the owner and the new person), the
strongest later evidence within ``intro_evidence_days``: ``meeting`` (a meeting of at most
``acquainted_max_people`` people with both), else ``answered`` (an e-mail from one of the two with
the other in To or Cc, with or without the owner), else ``none``.

**Forwards**: a message whose outermost subject prefix is a forward prefix, sent by the owner to
1 to ``forward_max_recipients`` people (each gets a ``forward_sent`` item), or sent by a contact to
at most ``forward_max_recipients`` people including the owner (``forward_received``). A message
that is an introduction is not also a forward.

**Requests answered**: pairs from :mod:`..threads`. A request is a direct message (at most
``request_max_recipients`` addresses in To and Cc) that starts a thread and is neither a forward
nor an introduction. The owner in its To and the owner's answer within ``reply_within_h`` make a
``request_answered`` item (late answers are what owed-reply follow-ups are for, not help given in
time); the owner's request answered by a person in its To makes an ``answer_received`` item.
Automatic replies (out of office) answer nothing. One item per request and answerer.

Exports: ``LEDGER_FORMAT``, ``LedgerFold``, ``detect_items``, ``in_order``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations, pairwise
from typing import Any

from ...model import Interaction, Kind, Mailbox
from ...parsing.addresses import is_automated_address
from ..personal import is_personal
from ..threads import Reply, Threads, analyse_threads, item_key
from .items import Asked, ItemKind, LedgerItem, Outcome, item_id, message_key
from .rules import LedgerSettings

__all__ = ["LEDGER_FORMAT", "LedgerFold", "detect_items", "in_order"]

_OWNER = 0
_IGNORED = -1  # automated addresses: never a person in the ledger
_SHIFT = 32

_AUTO_REPLY = re.compile(
    r"^\s*(?:automatic reply|autoreply|auto-reply|automatische antwort|out of office"
    r"|abwesenheitsnotiz|abwesend|réponse automatique|respuesta automática"
    r"|risposta automatica|automatisch antwoord|autosvar)\b",
    re.IGNORECASE,
)


def _pair(a: int, b: int) -> int:
    return (a << _SHIFT) | b if a < b else (b << _SHIFT) | a


class _People:
    """Addresses to small integers: 0 the owner, -1 ignored, 1.. one per person key."""

    def __init__(
        self,
        owner: Collection[str],
        people: Mapping[str, str],
        excluded: Callable[[str], bool] | None,
    ) -> None:
        self._people = people
        self._excluded = excluded
        self.owner = frozenset(owner)
        self._owner_keys = frozenset(people.get(a, a) for a in owner)
        self.cache: dict[str, int] = {}
        self._index: dict[str, int] = {}
        self.keys: list[str] = [""]

    def id(self, address: str) -> int:
        found = self.cache.get(address)
        if found is not None:
            return found
        key = self._people.get(address, address)
        if address in self.owner or key in self._owner_keys:
            result = _OWNER
        elif is_automated_address(address) or (
            self._excluded is not None and self._excluded(address)
        ):
            result = _IGNORED
        else:
            result = self._index.get(key, 0)
            if result == 0:
                result = len(self.keys)
                self._index[key] = result
                self.keys.append(key)
        self.cache[address] = result
        return result

    def agrees(self, address: str, pid: int, keys: Sequence[str]) -> bool:
        """Whether :meth:`id` would give ``address`` the id ``pid`` (kept by an earlier fold,
        with its ``keys``) with the person keys, owner and exclusions of this pass."""
        key = self._people.get(address, address)
        if address in self.owner or key in self._owner_keys:
            return pid == _OWNER
        if is_automated_address(address) or (
            self._excluded is not None and self._excluded(address)
        ):
            return pid == _IGNORED
        return 0 < pid < len(keys) and keys[pid] == key

    def people(self, boxes: Iterable[Mailbox]) -> list[tuple[int, Mailbox]]:
        """The distinct persons (not the owner, not ignored) among ``boxes``, in order."""
        result: list[tuple[int, Mailbox]] = []
        taken: set[int] = set()
        for box in boxes:
            pid = self.id(box.address)
            if pid > 0 and pid not in taken:
                taken.add(pid)
                result.append((pid, box))
        return result


@dataclass(slots=True)
class _Watch:
    """A newly introduced pair waiting for evidence that the introduction took."""

    deadline: datetime
    outcome: Outcome = Outcome.NONE
    at: datetime | None = None
    evidence: str = ""

    def see(self, outcome: Outcome, item: Interaction) -> None:
        if item.at > self.deadline or self.outcome is Outcome.MEETING:
            return
        if outcome is Outcome.MEETING or self.outcome is Outcome.NONE:
            self.outcome, self.at, self.evidence = outcome, item.at, item_key(item)


@dataclass(slots=True)
class _Introduction:
    kind: ItemKind
    message: Interaction
    place: int  # the message's place in the items folded
    contact: str
    box: Mailbox
    others: tuple[str, ...]
    watches: list[_Watch] = field(default_factory=list)
    proposed: bool = False

    def item(self) -> LedgerItem:
        rank = {Outcome.MEETING: 2, Outcome.ANSWERED: 1, Outcome.NONE: 0}
        best: _Watch | None = None
        for watch in self.watches:
            if best is None or rank[watch.outcome] > rank[best.outcome] or (
                watch.outcome is best.outcome
                and watch.at is not None
                and best.at is not None
                and watch.at < best.at
            ):
                best = watch
        return LedgerItem(
            id=item_id(self.kind, (self.message,), self.box.address),
            kind=self.kind,
            contact=self.contact,
            address=self.box.address,
            name=self.box.name,
            at=self.message.at,
            subject=self.message.subject,
            messages=(item_key(self.message),),
            others=self.others,
            outcome=best.outcome if best else Outcome.NONE,
            outcome_at=best.at if best else None,
            evidence=best.evidence if best else "",
            proposed=self.proposed,
        )


class _Pass:
    """The state of the chronological pass."""

    def __init__(
        self,
        people: _People,
        settings: LedgerSettings,
        now: datetime,
        starts: Collection[str],
        asked: Iterable[Asked] = (),
    ) -> None:
        self.people = people
        self.owner = people.owner
        # via -> target -> when the product first proposed it
        self.asked: dict[str, dict[str, datetime]] = {}
        for ask in asked:
            targets = self.asked.setdefault(ask.via, {})
            targets[ask.target] = min(ask.at, targets.get(ask.target, ask.at))
        self.settings = settings
        self.now = now
        self.starts = starts
        self.seen: set[int] = set()
        self.acquainted: set[int] = set()
        self.watching: dict[int, list[_Watch]] = {}
        self.introductions: list[_Introduction] = []
        self.intro_messages: set[str] = set()
        # The forwards found: kind, the message's place, the person and the mailbox.
        self.forwards: list[tuple[ItemKind, int, int, Mailbox]] = []
        self.evidence_window = timedelta(days=settings.intro_evidence_days)
        self.place = -1  # the place of the item being fed among the items folded

    def feed(self, item: Interaction, place: int) -> None:
        self.place = place
        if item.sender is None or not is_personal(item, self.owner):
            return
        meeting = item.kind is Kind.MEETING
        if meeting and item.cancelled:
            return
        future = item.at > self.now
        if future and not meeting:
            return
        if meeting:
            visible = self._ids((item.sender, *(a.mailbox for a in item.attendees)))
        else:
            visible = self._ids((item.sender, *item.to, *item.cc))
        if not visible or visible[0] < 0:
            return  # the sender is ignored (automated or excluded)
        sender = visible[0]
        if self.watching:
            self._evidence(item, sender, visible)
        if future:
            return
        if not meeting:
            if sender == _OWNER:
                self._from_owner(item)
            else:
                self._to_owner(item, sender)
        self._remember(item, visible)

    def _ids(self, boxes: Iterable[Mailbox]) -> list[int]:
        """Distinct ids of ``boxes`` in order; the first is the sender's (-1 if ignored)."""
        cache = self.people.cache
        result: list[int] = []
        first = True
        for box in boxes:
            pid = cache.get(box.address)
            if pid is None:
                pid = self.people.id(box.address)
            if first or (pid != _IGNORED and pid not in result):
                result.append(pid)
            first = False
        return result

    def _evidence(self, item: Interaction, sender: int, visible: list[int]) -> None:
        watching = self.watching
        if item.kind is Kind.MEETING:
            if len(visible) > self.settings.acquainted_max_people + 1:
                return
            for a, b in combinations(visible, 2):
                for watch in watching.get(_pair(a, b), ()):
                    watch.see(Outcome.MEETING, item)
            return
        for other in visible:
            if other != sender:
                for watch in watching.get(_pair(sender, other), ()):
                    watch.see(Outcome.ANSWERED, item)

    def _remember(self, item: Interaction, visible: list[int]) -> None:
        self.seen.update(visible)
        # (The sender is first in ``visible``; it was checked not to be ignored.)
        for box in item.bcc:
            pid = self.people.id(box.address)
            if pid > 0:
                self.seen.add(pid)
        people = [p for p in visible if p != _OWNER]
        if len(people) <= self.settings.acquainted_max_people:
            for a, b in combinations(people, 2):
                self.acquainted.add(_pair(a, b))

    def _watch(self, a: int, b: int, at: datetime) -> _Watch:
        watch = _Watch(at + self.evidence_window)
        self.watching.setdefault(_pair(a, b), []).append(watch)
        return watch

    def _is_forward(self, item: Interaction) -> bool:
        subject = item.subject
        if ":" not in subject and "：" not in subject:
            return False  # the pattern ends in a colon, whatever the prefixes configured
        return self.settings.forward_subject.match(subject) is not None

    def _plain_start(self, item: Interaction) -> bool:
        return item_key(item) in self.starts and not self._is_forward(item)

    def _from_owner(self, item: Interaction) -> None:
        settings = self.settings
        recipients = self.people.people((*item.to, *item.cc))
        if 2 <= len(recipients) <= settings.intro_max_people:
            new = [
                (x, y)
                for x, y in combinations(recipients, 2)
                if _pair(x[0], y[0]) not in self.acquainted
            ]
            titled = settings.intro_subject.search(item.subject) is not None
            if new and (
                titled
                or (
                    not settings.intro_require_subject
                    and len(recipients) == 2
                    and recipients[0][1].domain != recipients[1][1].domain
                    and recipients[0][0] in self.seen
                    and recipients[1][0] in self.seen
                    and self._plain_start(item)
                )
            ):
                self._introduced(item, new)
                return
        if self._is_forward(item):
            forwarded_to = self.people.people((*item.to, *item.cc, *item.bcc))
            if 1 <= len(forwarded_to) <= settings.forward_max_recipients:
                for pid, box in forwarded_to:
                    self.forwards.append((ItemKind.FORWARD_SENT, self.place, pid, box))

    def _introduced(
        self, item: Interaction, new: list[tuple[tuple[int, Mailbox], tuple[int, Mailbox]]]
    ) -> None:
        self.intro_messages.add(item_key(item))
        keys = self.people.keys
        entries: dict[int, _Introduction] = {}
        for (a, box_a), (b, box_b) in new:
            watch = self._watch(a, b, item.at)
            for pid, box, other in ((a, box_a, b), (b, box_b, a)):
                entry = entries.get(pid)
                if entry is None:
                    entry = entries[pid] = _Introduction(
                        ItemKind.INTRODUCTION_MADE, item, self.place, keys[pid], box, ()
                    )
                entry.others = (*entry.others, keys[other])
                entry.watches.append(watch)
        self.introductions.extend(entries.values())

    def _to_owner(self, item: Interaction, sender: int) -> None:
        assert item.sender is not None  # feed() skips sender-less items
        settings = self.settings
        visible_to_owner = any(self.people.id(m.address) == _OWNER for m in (*item.to, *item.cc))
        others = [(p, b) for p, b in self.people.people((*item.to, *item.cc)) if p != sender]
        if visible_to_owner and 1 <= len(others) <= settings.intro_max_people - 1:
            keys = self.people.keys
            new = [(p, b) for p, b in others if p not in self.seen]
            titled = settings.intro_subject.search(item.subject) is not None
            wanted = self.asked.get(keys[sender], {})
            asked = [p for p, _ in others if keys[p] in wanted and wanted[keys[p]] <= item.at]
            if asked or (
                new
                and (
                    titled
                    or (
                        not settings.intro_require_subject
                        and len(others) == 1
                        and sender in self.seen
                        and others[0][1].domain != item.sender.domain
                        and self._plain_start(item)
                    )
                )
            ):
                self.intro_messages.add(item_key(item))
                for p in asked:
                    del wanted[keys[p]]  # one introduction per asked pair
                introduced = [p for p, _ in others if p in asked or p not in self.seen]
                entry = _Introduction(
                    ItemKind.INTRODUCTION_RECEIVED,
                    item,
                    self.place,
                    keys[sender],
                    item.sender,
                    tuple(keys[p] for p in introduced),
                    proposed=bool(asked),
                )
                entry.watches = [self._watch(_OWNER, p, item.at) for p in introduced]
                self.introductions.append(entry)
                return
        if self._is_forward(item):
            addressed = [self.people.id(m.address) for m in item.recipients()]
            people = {p for p in addressed if p > 0 and p != sender}
            if _OWNER in addressed and len(people) + 1 <= settings.forward_max_recipients:
                self.forwards.append((ItemKind.FORWARD_RECEIVED, self.place, sender, item.sender))

    def item(
        self,
        kind: ItemKind,
        messages: tuple[Interaction, ...],
        pid: int,
        box: Mailbox,
        at: datetime,
        latency_s: int | None = None,
    ) -> LedgerItem:
        return LedgerItem(
            id=item_id(kind, messages, box.address),
            kind=kind,
            contact=self.people.keys[pid],
            address=box.address,
            name=box.name,
            at=at,
            subject=messages[0].subject,
            messages=tuple(item_key(m) for m in messages),
            latency_s=latency_s,
        )

    def requests(self, threads: Threads, since: datetime | None = None) -> list[LedgerItem]:
        """The requests answered, from the pairing (after every item has been fed); with
        ``since``, every one answered since then, and of those before only what can decide
        which of them count (:func:`_bearing_on`)."""
        settings = self.settings
        target_s = settings.reply_within_h * 3600
        answered: set[tuple[str, int]] = set()
        found: list[LedgerItem] = []
        person = self.people.id
        replies: Iterable[Reply] = threads.replies
        if since is not None:
            replies = _bearing_on(threads.replies, since)
        # Every test below is a fact of the pair alone, so they go cheapest first: most replies
        # at a large mailbox are between two other people, or answer no thread's start.
        for reply in replies:
            parent, child = reply.parent, reply.child
            if parent.sender is None or child.sender is None or child.at > self.now:
                continue
            asker = person(parent.sender.address)
            answerer = person(child.sender.address)
            if not ((asker > 0 and answerer == _OWNER) or (asker == _OWNER and answerer > 0)):
                continue
            key = item_key(parent)
            if key not in self.starts or key in self.intro_messages:
                continue
            if (
                not is_personal(parent, self.owner)
                or not is_personal(child, self.owner)
                or _AUTO_REPLY.match(child.subject)
                or self._is_forward(parent)
            ):
                continue
            if len({m.address for m in (*parent.to, *parent.cc)}) > settings.request_max_recipients:
                continue
            if answerer == _OWNER:
                if reply.latency_s > target_s or (key, _OWNER) in answered:
                    continue
                if not any(person(m.address) == _OWNER for m in parent.to):
                    continue
                answered.add((key, _OWNER))
                found.append(self.item(
                    ItemKind.REQUEST_ANSWERED,
                    (parent, child),
                    asker,
                    parent.sender,
                    child.at,
                    reply.latency_s,
                ))
            else:
                if (key, answerer) in answered:
                    continue
                if not any(person(m.address) == answerer for m in parent.to):
                    continue
                answered.add((key, answerer))
                found.append(self.item(
                    ItemKind.ANSWER_RECEIVED,
                    (parent, child),
                    answerer,
                    child.sender,
                    child.at,
                    reply.latency_s,
                ))
        return found


LEDGER_FORMAT = 1  # of LedgerFold.doc(); a new one whenever what the pass computes changes


class LedgerFold:
    """The chronological pass over ``ordered`` (every interaction, in the order
    :func:`detect_items` feeds them) as a fold that can stop after any prefix, say what it knows
    (:meth:`doc`) and go on later from that document over the same prefix followed by more
    (:meth:`resume`): :meth:`items` then gives what :func:`detect_items` gives for all of them.

    What the pass remembers is kept: the person ids given to addresses, who has been seen,
    who is acquainted with whom, the introductions with the evidence they wait for, and the
    forwards. The requests answered are not folded: they come from the pairing, which a late
    message can change, after the pass. The person ids depend on who is who, on the owner and
    on the exclusions; :meth:`resume` checks every address the kept fold gave an id against the
    pass it resumes into and refuses a document that disagrees (a merge, a new list, a new
    exclusion touching an address already seen), so the caller folds afresh. The thread starts
    it reads need no check: whether a message starts a thread depends only on what came before
    it. The settings, the owner and the introductions asked for are the caller's to compare.

    The items only ever shown from a window back (``since``, :meth:`doc`) are not kept one by
    one, only their ids: an item with the same id later (a copy of the message in another
    folder) is one the pass over everything drops as a duplicate, so the fold drops it too."""

    def __init__(
        self,
        ordered: Sequence[Interaction],
        owner: Collection[str],
        *,
        now: datetime,
        settings: LedgerSettings,
        starts: Collection[str],
        people: Mapping[str, str] | None = None,
        excluded: Callable[[str], bool] | None = None,
        asked: Iterable[Asked] = (),
    ) -> None:
        self.ordered = ordered
        self.at = 0  # ordered[:at] are folded
        self._pass = _Pass(_People(owner, people or {}, excluded), settings, now, starts, asked)
        self._asked = {
            (via, target) for via, targets in self._pass.asked.items() for target in targets
        }
        self._gone: set[str] = set()  # the ids of the items before the window, not kept

    def fold_to(self, end: int) -> None:
        """Feed the items up to (not including) place ``end``."""
        feed, ordered = self._pass.feed, self.ordered
        for place in range(self.at, end):
            feed(ordered[place], place)
        self.at = max(self.at, end)

    def items(self, threads: Threads, since: datetime | None = None) -> list[LedgerItem]:
        """The items of what is folded, one per id, by time and id (:func:`detect_items`);
        last, once everything is fed: the requests come from ``threads``. With ``since``, the
        items from then on are those, and fewer before it are made."""
        state, ordered = self._pass, self.ordered
        found = [
            state.item(kind, (ordered[place],), pid, box, ordered[place].at)
            for kind, place, pid, box in state.forwards
        ]
        found += state.requests(threads, since)
        found += [entry.item() for entry in state.introductions]
        gone = self._gone
        unique: dict[str, LedgerItem] = {}
        for item in sorted(found, key=lambda i: (i.at, i.id)):
            if item.id not in gone:
                unique.setdefault(item.id, item)
        return list(unique.values())

    def doc(self, since: datetime | None = None) -> dict[str, Any]:
        """What the fold knows, as JSON values; the forwards and introductions before
        ``since`` (a window back from the earliest ``now`` the document will be resumed at)
        only by their ids."""
        state, ordered = self._pass, self.ordered
        gone = set(self._gone)

        def kept(place: int) -> bool:
            return since is None or ordered[place].at >= since

        forwards = []
        for kind, place, pid, box in state.forwards:
            if kept(place):
                forwards.append([kind.value, place, pid, box.address, box.name])
            else:
                gone.add(state.item(kind, (ordered[place],), pid, box, ordered[place].at).id)
        introductions: list[list[Any]] = []
        watches: list[_Watch] = []
        numbers: dict[int, int] = {}
        for entry in state.introductions:
            if not kept(entry.place):
                gone.add(entry.item().id)
                continue
            for watch in entry.watches:
                if id(watch) not in numbers:
                    numbers[id(watch)] = len(watches)
                    watches.append(watch)
            introductions.append([
                entry.kind.value, entry.place, entry.contact, entry.box.address, entry.box.name,
                list(entry.others), [numbers[id(w)] for w in entry.watches], entry.proposed,
            ])  # fmt: skip
        watching = [
            [pair, [numbers[id(w)] for w in waiting if id(w) in numbers]]
            for pair, waiting in state.watching.items()
        ]
        left = {(via, target) for via, targets in state.asked.items() for target in targets}
        return {
            "format": LEDGER_FORMAT,
            "at": self.at,
            "keys": state.people.keys[1:],
            "ids": dict(state.people.cache),  # (a copy: the fold may go on)
            "seen": sorted(state.seen),
            "acquainted": sorted(state.acquainted),
            "watches": [
                [w.deadline.isoformat(), w.outcome.value, w.at.isoformat() if w.at else None,
                 w.evidence]
                for w in watches
            ],
            "watching": [entry for entry in watching if entry[1]],
            "introductions": introductions,
            "intro_messages": sorted(state.intro_messages),
            "forwards": forwards,
            "asked_met": sorted([via, target] for via, target in self._asked - left),
            "gone": sorted(gone),
        }

    def resume(self, doc: Mapping[str, Any]) -> None:
        """Go on from what :meth:`doc` described (over the same prefix of the items) instead of
        from nothing: a fold that nothing has been fed yet, made with the identities, owner and
        exclusions of the analysis at hand; :meth:`fold_to` then goes on.

        Raises:
            ValueError: the document is not a ledger fold of this format, or gave an address
                an id this pass would not (who is who, the owner or the exclusions changed).
                The fold is then as it was, and folds from the start.
        """
        if not isinstance(doc, Mapping) or doc.get("format") != LEDGER_FORMAT:
            raise ValueError("not a ledger fold of this format")
        state, ordered = self._pass, self.ordered
        try:
            at = int(doc["at"])
            if not 0 <= at <= len(ordered):
                raise ValueError("a fold of more items than there are")
            keys = ["", *(str(k) for k in doc["keys"])]
            index = {key: pid for pid, key in enumerate(keys) if pid}
            if len(index) != len(keys) - 1:
                raise ValueError("a person id given twice")
            ids = {str(address): int(pid) for address, pid in doc["ids"].items()}
            if not all(state.people.agrees(address, pid, keys) for address, pid in ids.items()):
                raise ValueError("kept for other persons, owner or exclusions")
            watches = [
                _Watch(datetime.fromisoformat(deadline), Outcome(outcome),
                       datetime.fromisoformat(seen) if seen else None, str(evidence))
                for deadline, outcome, seen, evidence in doc["watches"]
            ]  # fmt: skip
            watching = {
                int(pair): [watches[n] for n in numbers] for pair, numbers in doc["watching"]
            }
            introductions = [
                _Introduction(ItemKind(kind), ordered[_before(place, at)], place, str(contact),
                              Mailbox(str(address), str(name)), tuple(map(str, others)),
                              [watches[n] for n in numbers], bool(proposed))
                for kind, place, contact, address, name, others, numbers, proposed
                in doc["introductions"]
            ]  # fmt: skip
            forwards = [
                (ItemKind(kind), _before(place, at), int(pid), Mailbox(str(address), str(name)))
                for kind, place, pid, address, name in doc["forwards"]
            ]
            asked = {via: dict(targets) for via, targets in state.asked.items()}
            for via, target in doc["asked_met"]:
                del asked[via][target]
            seen = {int(pid) for pid in doc["seen"]}
            acquainted = {int(pair) for pair in doc["acquainted"]}
            intro_messages = {str(key) for key in doc["intro_messages"]}
            gone = {str(item) for item in doc["gone"]}
        except (KeyError, TypeError, IndexError, AttributeError) as exc:
            raise ValueError(f"a damaged ledger fold: {exc!r}") from None
        # (Sound: only now does the fold take it.)
        state.people.keys, state.people._index, state.people.cache = keys, index, ids
        state.seen, state.acquainted, state.watching = seen, acquainted, watching
        state.introductions, state.intro_messages, state.forwards = (
            introductions, intro_messages, forwards,
        )  # fmt: skip
        state.asked, self._gone, self.at = asked, gone, at


def _bearing_on(replies: Sequence[Reply], since: datetime) -> list[Reply]:
    """The replies (in time order) whose request items can be among those from ``since`` on or
    keep one of those out: every reply from then on, and an earlier one only if it answers the
    same message as one of them (the first answer of a request is the one that counts) or could
    make an item of the same id (the same messages by their keys, as copies of them would)."""
    start = bisect_left(replies, since, key=lambda reply: reply.child.at)
    recent = replies[start:]
    parents = {item_key(reply.parent) for reply in recent}
    children = {message_key(reply.child) for reply in recent}
    their_parents = {message_key(reply.parent) for reply in recent}
    earlier = [
        reply
        for reply in replies[:start]
        if item_key(reply.parent) in parents
        or (message_key(reply.child) in children and message_key(reply.parent) in their_parents)
    ]
    return [*earlier, *recent]


def _before(place: object, at: int) -> int:
    """A place among the items folded, from a kept document (checked)."""
    if not isinstance(place, int) or not 0 <= place < at:
        raise ValueError("a place outside the items folded")
    return place


def detect_items(
    interactions: Iterable[Interaction],
    owner: Collection[str],
    *,
    now: datetime,
    settings: LedgerSettings,
    people: Mapping[str, str] | None = None,
    threads: Threads | None = None,
    excluded: Callable[[str], bool] | None = None,
    asked: Iterable[Asked] = (),
) -> list[LedgerItem]:
    """Every ledger item in the interactions, of all time up to ``now``, in time order.

    Parameters:
        interactions: any order; materialised once.
        owner: the owner's addresses (normalised).
        now: the moment of the run; later mail is ignored.
        settings: the ledger's thresholds.
        people: address → person key from identity resolution; unknown addresses are their
            own key.
        threads: the reply pairing, when the caller has it already (else computed here).
        excluded: addresses the user excluded (``Settings.is_excluded``) and list addresses;
            treated like automated addresses: never a person in the ledger.
        asked: the introductions the product proposed (see the module docstring).

    Returns:
        The items, one per id, ordered by time and id.
    """
    ordered = in_order(interactions)
    if threads is None:
        threads = analyse_threads(ordered)
    fold = LedgerFold(
        ordered, owner, now=now, settings=settings, starts={item_key(s) for s in threads.starts},
        people=people, excluded=excluded, asked=asked,
    )  # fmt: skip
    fold.fold_to(len(ordered))
    return fold.items(threads)


def in_order(interactions: Iterable[Interaction]) -> list[Interaction]:
    """The interactions in the order the pass feeds them: by time, source and item id (as the
    store gives them; sorted only when they are not)."""
    items = list(interactions)
    for before, after in pairwise(items):
        if before.at > after.at or (
            before.at == after.at
            and (before.source, before.item_id) > (after.source, after.item_id)
        ):
            items.sort(key=lambda i: (i.at, i.source, i.item_id))
            break
    return items
