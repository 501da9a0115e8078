"""Who appears with whom in what the owner saw: the per-pair evidence warm introductions rest on.

Terminology:

- **tie**: the evidence that two people other than the owner know each other, counted per pair of
  *addresses* and per **kind**:

  - ``mail``: a message both were named on (sender, To or Cc);
  - ``meeting``: a meeting both attended (organizer, or an attendee who did not decline);
  - ``wrote``: ordered, ``a`` sent a message naming ``b`` in To or Cc (``b`` was written to or
    copied);
  - ``replied``: ordered, ``a``'s message answers a message ``b`` sent (pairing:
    :mod:`.threads`).

- **tally**: one kind for one pair: how often, when first and last, and the latest item's key
  (``source:item_id``), so every tie can be traced to a message.

What counts (``docs/intro.md``): only what the owner saw, never a body. A message counts when
someone else sent it with the owner among its participants and it is one of the owner's own
interactions (:func:`.personal.is_personal`: no noise flag, or only the list flag and the owner
named in To or Cc; a list message that reached the owner only through the list is someone else's
conversation). A message the owner wrote proves nothing about two of
its recipients (the owner put them there). A meeting counts when it is not cancelled, carries no
flag and the owner organised or attended it without declining. Items with more than
``max_participants`` addresses (sender, To, Cc, Bcc, organizer, attendees) are no evidence: an
all-hands or a big distribution connects nobody in particular. Bcc recipients are never named, a
mailing-list address (:class:`.identity.ListAddresses`: the posting addresses and every address
at a host that carries only lists) is never a person, and neither are the owner or automated
addresses.

Mergeable and keyed by address, so it can be kept incrementally: the ties of a batch of new items
merge into the stored ones (:meth:`Ties.merged`: counts add, ``first`` takes the earlier and
``last`` with its item the later), and person merges and splits, exclusions and the list rule are
applied when the ties are read (:mod:`.intro`), so they never invalidate what is stored.

Exports: ``TieKind``, ``Tally``, ``TieKey``, ``Ties``, ``TieBuilder``.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from itertools import combinations

from ..model import Interaction, Kind, Response
from ..parsing.addresses import is_automated_address
from .personal import is_personal
from .threads import item_key

__all__ = ["Tally", "TieBuilder", "TieKey", "TieKind", "Ties"]

class TieKind(StrEnum):
    """What kind of evidence a tally counts (see the module docstring)."""

    MAIL = "mail"
    MEETING = "meeting"
    WROTE = "wrote"
    REPLIED = "replied"

    @property
    def ordered(self) -> bool:
        """Whether the pair is ordered (``a`` did something to ``b``)."""
        return self in (TieKind.WROTE, TieKind.REPLIED)


TieKey = tuple[TieKind, str, str]  # (kind, a, b); a < b unless the kind is ordered


@dataclass(frozen=True, slots=True)
class Tally:
    """How often one kind of evidence was seen for one pair, and when first and last."""

    count: int
    first: datetime
    last: datetime
    last_item: str  # ``source:item_id`` of the latest item behind it

    def merged(self, other: Tally) -> Tally:
        """Both tallies as one (the order of the arguments does not matter)."""
        later = other if (other.last, other.last_item) > (self.last, self.last_item) else self
        return Tally(
            self.count + other.count,
            min(self.first, other.first),
            later.last,
            later.last_item,
        )


@dataclass(frozen=True)
class Ties:
    """Every tally, and the latest display name seen for each address."""

    tallies: Mapping[TieKey, Tally] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    def merged(self, newer: Ties) -> Ties:
        """These ties and ``newer``'s (a later batch: its names win)."""
        tallies = dict(self.tallies)
        for key, tally in newer.tallies.items():
            known = tallies.get(key)
            tallies[key] = tally if known is None else known.merged(tally)
        return Ties(tallies, {**self.names, **newer.names})

    @cached_property
    def _neighbours(self) -> Mapping[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for _, a, b in self.tallies:
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)
        return {address: frozenset(others) for address, others in found.items()}

    def addresses(self) -> Iterator[str]:
        """Every address with at least one tie."""
        return iter(self._neighbours)

    def neighbours(self, address: str) -> frozenset[str]:
        """The addresses ``address`` has any tie with."""
        return self._neighbours.get(address, frozenset())

    def tally(self, kind: TieKind, a: str, b: str) -> Tally | None:
        """The tally of ``kind`` between ``a`` and ``b`` (ordered kinds: from ``a`` to ``b``)."""
        if not kind.ordered and b < a:
            a, b = b, a
        return self.tallies.get((kind, a, b))


class TieBuilder:
    """Ties collected item by item in time order (mutable while the pass runs)."""

    def __init__(self, owner: frozenset[str], lists: Container[str], max_participants: int):
        self._owner = owner
        self._lists = lists
        self._max = max_participants
        self._acc: dict[TieKey, _Acc] = {}
        self._names: dict[str, str] = {}
        self._people: dict[str, bool] = {}  # address -> may be named in a tie

    def _person(self, address: str) -> bool:
        known = self._people.get(address)
        if known is None:
            known = self._people[address] = not (
                address in self._owner or address in self._lists or is_automated_address(address)
            )
        return known

    def add(self, item: Interaction, answers: str = "") -> None:
        """Count one item; ``answers`` is the sender of the message it replies to, if paired."""
        if item.kind is Kind.MEETING:
            self._meeting(item)
            return
        sender = item.sender
        owner = self._owner
        if sender is None or sender.address in owner:
            return
        if not is_personal(item, owner):
            return
        participants = {m.address for m in item.participants()}
        if not participants & owner or len(participants) > self._max:
            return
        named: list[str] = []
        for box in (sender, *item.to, *item.cc):
            if box.address not in named and self._person(box.address):
                named.append(box.address)
                if box.name:
                    self._names[box.address] = box.name
        if not named or named[0] != sender.address:
            return  # the sender is no person (a list, an automated address)
        key, at = item_key(item), item.at
        for a, b in combinations(sorted(named), 2):
            self._count(TieKind.MAIL, a, b, at, key)
        for other in named[1:]:
            self._count(TieKind.WROTE, sender.address, other, at, key)
        if answers and answers != sender.address and self._person(answers):
            self._count(TieKind.REPLIED, sender.address, answers, at, key)

    def _meeting(self, item: Interaction) -> None:
        if item.cancelled or item.sender is None or not is_personal(item, self._owner):
            return
        present = [item.sender.address]
        present += [
            a.mailbox.address for a in item.attendees if a.response is not Response.DECLINED
        ]
        invited = {item.sender.address, *(a.mailbox.address for a in item.attendees)}
        if not set(present) & self._owner or len(invited) > self._max:
            return
        for box in (item.sender, *(a.mailbox for a in item.attendees)):
            if box.name and self._person(box.address):
                self._names[box.address] = box.name
        people = sorted({a for a in present if self._person(a)})
        key, at = item_key(item), item.at
        for a, b in combinations(people, 2):
            self._count(TieKind.MEETING, a, b, at, key)

    def _count(self, kind: TieKind, a: str, b: str, at: datetime, key: str) -> None:
        acc = self._acc.get((kind, a, b))
        if acc is None:
            self._acc[(kind, a, b)] = _Acc(at, key)
        else:
            acc.see(at, key)

    def result(self) -> Ties:
        """The ties counted so far."""
        tallies = {
            key: Tally(acc.count, acc.first, acc.last, acc.item) for key, acc in self._acc.items()
        }
        return Ties(tallies, dict(self._names))


class _Acc:
    """One tally while the pass runs."""

    __slots__ = ("count", "first", "item", "last")

    def __init__(self, at: datetime, item: str) -> None:
        self.count = 1
        self.first = self.last = at
        self.item = item

    def see(self, at: datetime, item: str) -> None:
        self.count += 1
        if at < self.first:
            self.first = at
        if at >= self.last:
            self.last, self.item = at, item
