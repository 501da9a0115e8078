"""Who owns this mailbox, guessed from the data when the user did not say (``--me``).

Evidence, strongest first:

1. **the "me" card**: a vCard marked as the owner's (``ContactCard.is_me``); all its addresses.
2. **sent mail**: the owner's own messages sit in a Sent folder or carry no inbound delivery
   trace (``delivered=False``: no ``Received:`` header). The dominant sender of such personal
   (not bulk, list or automated) mail is the owner; every sender of a folder named Sent counts,
   since only the owner writes there.
3. **received mail**: failing both, the address that most received mail (list mail aside) was
   addressed to, when it clearly stands out.

A guess needs a clear winner (at least three messages, half of the evidence, twice the runner-up);
otherwise the result is empty and the CLI asks for ``--me``. Pure: data in, a guess out.
:class:`OwnerTally` is fed batch by batch so an ingest can guess without a second pass.

Exports: ``OwnerGuess``, ``OwnerTally``, ``detect_owner``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import ContactCard, Flag, Interaction, Kind
from .phrase import Phrase, phrase

__all__ = ["OwnerGuess", "OwnerTally", "detect_owner"]

_MIN_MESSAGES = 3


@dataclass(frozen=True, slots=True)
class OwnerGuess:
    """The owner's addresses (empty: no clear answer) and the evidence, for people to check: a
    phrase (``owner_me_card``, ``owner_sent_folder``, ``owner_undelivered``,
    ``owner_addressed``)."""

    addresses: tuple[str, ...] = ()
    evidence: Phrase | None = None


def _winner(counts: Counter[str], minimum: int, share: float) -> tuple[str, int, int] | None:
    """The top entry if it clearly leads: ``(address, its count, total)``."""
    ranked = counts.most_common(2)
    if not ranked:
        return None
    top, top_count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    total = sum(counts.values())
    if top_count < minimum or top_count < share * total or top_count < 2 * runner_up:
        return None
    return top, top_count, total


@dataclass
class OwnerTally:
    """The evidence about the owner, gathered item by item (see the module docstring)."""

    me_cards: list[ContactCard] = field(default_factory=list)
    sent_folder: Counter[str] = field(default_factory=Counter)
    undelivered: Counter[str] = field(default_factory=Counter)
    recipients: Counter[str] = field(default_factory=Counter)
    received: int = 0

    def add(self, item: Interaction) -> None:
        if item.kind is not Kind.EMAIL or item.sender is None:
            return
        if item.folder == "sent":
            if not item.flags:
                self.sent_folder[item.sender.address] += 1
        elif item.delivered:
            # Newsletters and notifications are addressed to the owner too; list mail is not.
            if Flag.LIST not in item.flags:
                self.received += 1
                for mailbox in (*item.to, *item.cc):
                    self.recipients[mailbox.address] += 1
        elif not item.flags:
            self.undelivered[item.sender.address] += 1

    def add_card(self, card: ContactCard) -> None:
        if card.is_me and card.addresses:
            self.me_cards.append(card)

    def feed(self, interactions: Iterable[Interaction], cards: Iterable[ContactCard] = ()) -> None:
        for item in interactions:
            self.add(item)
        for card in cards:
            self.add_card(card)

    def guess(self) -> OwnerGuess:
        if self.me_cards:
            addresses = tuple(dict.fromkeys(a for c in self.me_cards for a in c.addresses))
            names = ", ".join(dict.fromkeys(c.full_name for c in self.me_cards if c.full_name))
            return OwnerGuess(addresses, phrase("owner_me_card", name=names or addresses[0]))
        sent = _winner(self.sent_folder, _MIN_MESSAGES, 0.5)
        if sent is not None:
            top, count, total = sent
            # Everyone who wrote in a Sent folder more than in passing is the owner (aliases).
            floor = max(2, count // 20)
            others = [a for a, n in self.sent_folder.most_common() if a != top and n >= floor]
            return OwnerGuess((top, *others), phrase("owner_sent_folder", count=count, of=total))
        undelivered = _winner(self.undelivered, _MIN_MESSAGES, 0.5)
        if undelivered is not None:
            top, count, total = undelivered
            return OwnerGuess((top,), phrase("owner_undelivered", count=count, of=total))
        addressed = _winner(self.recipients, 5, 0.0)
        if addressed is not None and addressed[1] * 3 >= self.received:
            top, count, _ = addressed
            return OwnerGuess((top,), phrase("owner_addressed", count=count, of=self.received))
        return OwnerGuess()


def detect_owner(
    interactions: Iterable[Interaction], cards: Iterable[ContactCard] = ()
) -> OwnerGuess:
    """The owner's addresses as the data suggests them; empty when there is no clear winner."""
    tally = OwnerTally()
    tally.feed(interactions, cards)
    return tally.guess()
