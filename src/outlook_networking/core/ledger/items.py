"""What the ledger records: one item per act of giving or receiving, with a stable id.

Terminology:

- **Item**: one detected act between the owner and one contact: an introduction, a forward, a
  request answered. Each item has a **side**: ``given`` (the owner gave to the contact) or
  ``received`` (the contact gave to the owner).
- **Contact**: the person key the caller's identity resolution gives an address (the address
  itself when the caller knows no better); ``address`` keeps the address seen on the message.
- **Item id**: a short hash of the kind, the message keys and the contact's address. It depends
  only on the messages, so it survives re-syncs and re-runs, and ``ledger dismiss ID`` stays
  dismissed. A message key is its Message-ID when it has one (the same mail read from two sources
  gives one item), else ``source:item_id``.

- **Asked**: an introduction the product proposed (``intro``): ask ``via`` to introduce the owner
  to ``target``. An introduction received from ``via`` naming ``target`` after that is the one
  asked for (``LedgerItem.proposed``), even if the owner had seen ``target`` before.

Exports: ``ItemKind``, ``Side``, ``Outcome``, ``LedgerItem``, ``Asked``, ``message_key``,
``item_id``, ``SIDE_OF``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ...model import Interaction
from ..threads import item_key, normalise_message_id

__all__ = [
    "SIDE_OF",
    "Asked",
    "ItemKind",
    "LedgerItem",
    "Outcome",
    "Side",
    "item_id",
    "message_key",
]


class ItemKind(StrEnum):
    """What was given or received."""

    INTRODUCTION_MADE = "introduction_made"  # the owner introduced the contact to someone
    INTRODUCTION_RECEIVED = "introduction_received"  # the contact introduced the owner to someone
    FORWARD_SENT = "forward_sent"  # the owner passed information on to the contact
    FORWARD_RECEIVED = "forward_received"  # the contact passed information on to the owner
    REQUEST_ANSWERED = "request_answered"  # the owner answered the contact's request in time
    ANSWER_RECEIVED = "answer_received"  # the contact answered the owner's request


class Side(StrEnum):
    """Who gave."""

    GIVEN = "given"  # the owner gave
    RECEIVED = "received"  # the contact gave


SIDE_OF: dict[ItemKind, Side] = {
    ItemKind.INTRODUCTION_MADE: Side.GIVEN,
    ItemKind.INTRODUCTION_RECEIVED: Side.RECEIVED,
    ItemKind.FORWARD_SENT: Side.GIVEN,
    ItemKind.FORWARD_RECEIVED: Side.RECEIVED,
    ItemKind.REQUEST_ANSWERED: Side.GIVEN,
    ItemKind.ANSWER_RECEIVED: Side.RECEIVED,
}


class Outcome(StrEnum):
    """What became of an introduction (the strongest evidence seen)."""

    MEETING = "meeting"  # a meeting with both introduced people
    ANSWERED = "answered"  # one of them wrote to the other
    NONE = "none"  # nothing (yet) within the evidence window


@dataclass(frozen=True, slots=True)
class LedgerItem:
    """One act of giving or receiving.

    Attributes:
        id: stable id (see the module docstring).
        kind: what it was; ``side`` follows from it.
        contact: the person key credited (introduced person, forward recipient, requester ...).
        address: the contact's address as it appeared on the message.
        name: the display name it appeared with (may be empty).
        at: when it happened (for answers: when the answer was sent).
        subject: the subject of the message that made the item.
        messages: the message keys behind it (``source:item_id``): the introduction or forward,
            or the request and its answer.
        others: for introductions, the person keys the contact was introduced to (made) or the
            owner was introduced to (received); empty otherwise.
        outcome: for introductions, what became of it; ``None`` for other kinds.
        outcome_at: when the evidence for the outcome happened.
        evidence: the message key of that evidence.
        latency_s: for answered requests, seconds from request to answer.
        proposed: for introductions received, the owner had asked for it: the product proposed
            this introducer for one of ``others`` before (:class:`Asked`).
    """

    id: str
    kind: ItemKind
    contact: str
    address: str
    at: datetime
    subject: str
    messages: tuple[str, ...]
    others: tuple[str, ...] = ()
    outcome: Outcome | None = None
    outcome_at: datetime | None = None
    evidence: str = ""
    latency_s: int | None = None
    name: str = ""
    proposed: bool = False

    @property
    def side(self) -> Side:
        return SIDE_OF[self.kind]


@dataclass(frozen=True, slots=True)
class Asked:
    """An introduction the product proposed at ``at``: ``via`` could introduce the owner to
    ``target`` (both person keys, or addresses for people who are no contact)."""

    via: str
    target: str
    at: datetime


def message_key(item: Interaction) -> str:
    """The identity of a message for item ids: its Message-ID, else ``source:item_id``."""
    if item.message_id:
        return "mid:" + normalise_message_id(item.message_id)
    return "key:" + item_key(item)


def item_id(kind: ItemKind, messages: tuple[Interaction, ...], address: str) -> str:
    """The stable id of an item: 12 hex digits of a SHA-256 over kind, messages and address."""
    text = "\x1f".join((kind.value, *(message_key(m) for m in messages), address))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
