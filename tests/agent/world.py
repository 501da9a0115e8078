"""A small deterministic mailbox for agent tests, loadable into the fake, EWS and Graph servers.

``build_world(seed, people, messages)`` makes a few hundred messages between the owner and a set
of people: threads with replies both ways (so people land in different tiers), some mail still
unanswered well past the 48-hour reply target (owed-reply tasks), contact cards for part of the
people (so the write-back sets categories on them). Everything is a plain value; the loaders put
it into a :class:`MemoryMailbox`, the EWS test server's mailbox or the Graph test server.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from outlook_networking.connectors.memory import MemoryMailbox
from outlook_networking.model import ContactCard, Interaction, Kind, Mailbox

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ME = "me@example.com"


@dataclass(frozen=True)
class Message:
    folder: str  # "inbox" or "sent"
    sender: str
    to: tuple[str, ...]
    at: datetime
    subject: str
    message_id: str
    in_reply_to: str = ""


@dataclass(frozen=True)
class Card:
    name: str
    emails: tuple[str, ...]


@dataclass(frozen=True)
class World:
    messages: tuple[Message, ...]
    cards: tuple[Card, ...]


def _name(address: str) -> str:
    return address.partition("@")[0].replace(".", " ").title()


def build_world(seed: int = 7, people: int = 24, messages: int = 300) -> World:
    rng = random.Random(seed)
    persons = [f"person{i:02d}.last@corp{i % 5}.example" for i in range(people)]
    # Earlier people write more: a spread of strengths, hence of tiers.
    weights = [1.0 / (1 + i) for i in range(people)]
    out: list[Message] = []
    n = 0
    while len(out) < messages:
        who = rng.choices(persons, weights)[0]
        n += 1
        at = NOW - timedelta(days=rng.uniform(3, 330), minutes=rng.randrange(600))
        mid = f"<w{seed}.{n}@example.com>"
        subject = f"Topic {n}"
        inbound = rng.random() < 0.55
        if inbound:
            out.append(Message("inbox", who, (ME,), at, subject, mid))
        else:
            out.append(Message("sent", ME, (who,), at, subject, mid))
        if rng.random() < 0.7 and len(out) < messages:
            reply_at = at + timedelta(hours=rng.uniform(1, 30))
            if reply_at < NOW - timedelta(hours=1):
                if inbound:
                    out.append(Message("sent", ME, (who,), reply_at, "Re: " + subject,
                                       f"<w{seed}.{n}r@example.com>", mid))
                else:
                    out.append(Message("inbox", who, (ME,), reply_at, "Re: " + subject,
                                       f"<w{seed}.{n}r@example.com>", mid))
    # Recent unanswered questions: owed replies (the reply target is 48 hours).
    for i in range(6):
        who = persons[i * 3 % people]
        at = NOW - timedelta(days=3 + i * 4, hours=i)
        out.append(Message("inbox", who, (ME,), at, f"Question {i}", f"<q{seed}.{i}@example.com>"))
    cards = tuple(Card(_name(p), (p,)) for p in persons[: people // 2])
    return World(tuple(sorted(out, key=lambda m: m.at)), cards)


# --- loaders -------------------------------------------------------------------------------------


def load_memory(box: MemoryMailbox, world: World, source: str = "memory") -> None:
    for message in world.messages:
        item_id = box.new_id("msg-")
        box.put(
            message.folder,
            Interaction(
                source=source,
                item_id=item_id,
                kind=Kind.EMAIL,
                at=message.at,
                sender=Mailbox(message.sender, _name(message.sender)),
                to=tuple(Mailbox(a, _name(a)) for a in message.to),
                subject=message.subject,
                message_id=message.message_id.strip("<>"),
                in_reply_to=message.in_reply_to.strip("<>"),
                folder=message.folder,
            ),
        )
    for card in world.cards:
        box.put_card(
            ContactCard(source, box.new_id("card-"), card.name, card.emails)
        )


def load_ews(mailbox: Any, world: World) -> None:
    """Seed an ``EWSServer.mailbox`` (tests/servers/ews)."""
    for message in world.messages:
        mailbox.add_message(
            "inbox" if message.folder == "inbox" else "sentitems",
            subject=message.subject,
            sender=(_name(message.sender), message.sender),
            to=[(_name(a), a) for a in message.to],
            sent=message.at,
            received=message.at,
            message_id=message.message_id,
            in_reply_to=message.in_reply_to or None,
            references=message.in_reply_to or None,
            is_read=True,
        )
    for card in world.cards:
        given, _, surname = card.name.partition(" ")
        mailbox.add_contact(display_name=card.name, given_name=given, surname=surname or None,
                            emails=list(card.emails))


def load_graph(server: Any, world: World) -> None:
    """Seed a ``GraphServer`` (tests/servers/graph) whose mailbox is ``ME``."""
    for message in world.messages:
        server.add_message(
            "inbox" if message.folder == "inbox" else "sentitems",
            subject=message.subject,
            sender=(message.sender, _name(message.sender)),
            to=[(a, _name(a)) for a in message.to],
            sent=message.at,
            received=message.at,
            internet_message_id=message.message_id,
            in_reply_to=message.in_reply_to or None,
            references=[message.in_reply_to] if message.in_reply_to else [],
        )
    for card in world.cards:
        given, _, surname = card.name.partition(" ")
        server.add_contact(display_name=card.name, given_name=given, surname=surname or None,
                           emails=list(card.emails))
