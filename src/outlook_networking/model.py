"""The values the whole product speaks in.

Terminology:

- **Mailbox**: one e-mail address with the display name it was seen with. Addresses are always
  normalised (see :mod:`outlook_networking.parsing.addresses`), so two ``Mailbox`` values with
  the same ``address`` are the same person's address.
- **Interaction**: one thing that happened between the owner and other people: an e-mail or a
  meeting. It is keyed by ``(source, item_id)``: the source that produced it (``"file"``,
  ``"ews:work"``, ``"graph:work"``) and an id that is stable within that source, so re-reading the
  same data upserts instead of duplicating. Interactions carry metadata only, never a body.
- **ContactCard**: a person as an address book knows them (a vCard, an Exchange contact): names,
  several addresses, organisation, categories.
- **Owner**: the person whose mailbox this is. Direction (sent or received) is relative to the
  owner's addresses, which may only be known after ingest, so an ``Interaction`` records who sent
  it and to whom, and :func:`direction` derives the rest.
- **Problem**: a part of the input that could not be read (a mangled date, a vCard with a broken
  line): counted and reported, never fatal.
- **KeyDate**: a birthday or an anniversary: month and day, and the year when it is known
  (address books often keep ``--04-15``, a day without a year).
- **Note**: something the owner wrote down about a person, kept in the local store only.
- **Tier**: where a contact stands in the owner's network, ``A`` (key relationships) to ``D``
  (fading out, the annual clean-up list); :data:`TIERS` lists them best first.
- **identity**: what makes copies one interaction (:func:`identity`). The same message can sit in
  several folders, sources and exports, or reach the owner directly and through a list; each
  copy is a *location* of one interaction, which the store counts once.

Exports: ``TIERS``, ``KEY_DATE_KINDS``, ``Kind``, ``Direction``, ``Flag``, ``Response``,
``Mailbox``, ``Attendee``, ``Interaction``, ``ContactCard``, ``KeyDate``, ``Note``, ``Problem``,
``direction``, ``identity``, ``normalise_message_id``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .problems import Problem as Reason

__all__ = [
    "KEY_DATE_KINDS",
    "TIERS",
    "Attendee",
    "ContactCard",
    "Direction",
    "Flag",
    "Interaction",
    "KeyDate",
    "Kind",
    "Mailbox",
    "Note",
    "Problem",
    "Response",
    "direction",
    "identity",
    "normalise_message_id",
]

TIERS = ("A", "B", "C", "D")  # best first; the order the annual review and the report use
KEY_DATE_KINDS = ("birthday", "anniversary")


class Kind(StrEnum):
    """What an interaction is."""

    EMAIL = "email"
    MEETING = "meeting"


class Direction(StrEnum):
    """An interaction seen from the owner."""

    SENT = "sent"  # the owner wrote it (or organised the meeting)
    RECEIVED = "received"  # someone else wrote it to the owner
    OTHER = "other"  # neither: the owner is not a party (a list message, someone else's meeting)


class Flag(StrEnum):
    """Why a message is not a personal interaction."""

    BULK = "bulk"  # Precedence: bulk/junk, List-Unsubscribe on non-list mail, newsletters
    LIST = "list"  # carried by a mailing list (List-Id, Precedence: list)
    AUTOMATED = "automated"  # Auto-Submitted, no-reply, mailer-daemon, delivery reports


class Response(StrEnum):
    """A meeting attendee's answer (iCalendar PARTSTAT, EWS ResponseType, Graph response)."""

    NONE = "none"  # needs action / no response
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"
    ORGANIZER = "organizer"


@dataclass(frozen=True, slots=True, order=True)
class Mailbox:
    """A normalised address and the display name it came with."""

    address: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True, slots=True)
class Attendee:
    """A meeting attendee."""

    mailbox: Mailbox
    response: Response = Response.NONE
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Interaction:
    """One e-mail or meeting, metadata only.

    For meetings ``sender`` is the organizer and ``attendees`` lists everyone invited; ``to``/``cc``
    stay empty. ``at`` is timezone-aware UTC: the send time of a mail, the start of a meeting.
    ``folder`` is the source's hint of where the item lived (``"inbox"``, ``"sent"``,
    ``"calendar"``, or ``""`` when unknown, as in an mbox). ``delivered`` says the message carried
    an inbound delivery trace (``Received:`` headers), which the owner's own sent mail lacks.
    """

    source: str
    item_id: str
    kind: Kind
    at: datetime
    sender: Mailbox | None
    to: tuple[Mailbox, ...] = ()
    cc: tuple[Mailbox, ...] = ()
    bcc: tuple[Mailbox, ...] = ()
    subject: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    conversation_id: str = ""
    flags: frozenset[Flag] = frozenset()
    list_id: str = ""
    folder: str = ""
    delivered: bool = False
    attendees: tuple[Attendee, ...] = ()
    duration_s: int = 0
    cancelled: bool = False
    categories: tuple[str, ...] = ()

    @property
    def is_noise(self) -> bool:
        """Bulk, list or automated: never a personal interaction."""
        return bool(self.flags)

    # Every pass of an analysis asks these of every interaction, ten million times at a million
    # interactions: a tuple built in C, not a generator resumed per address (two seconds less).
    def recipients(self) -> tuple[Mailbox, ...]:
        """Everyone the item was addressed to (To, Cc, Bcc, or the meeting's attendees)."""
        if self.attendees:
            return (*self.to, *self.cc, *self.bcc, *[a.mailbox for a in self.attendees])
        if self.cc or self.bcc:
            return (*self.to, *self.cc, *self.bcc)
        return self.to

    def participants(self) -> tuple[Mailbox, ...]:
        """The sender (or organizer) and every recipient."""
        if self.sender is None:
            return self.recipients()
        return (self.sender, *self.recipients())


@dataclass(frozen=True, slots=True)
class Problem:
    """A part of the input that could not be read; the rest goes on."""

    where: str  # "path/to/file.mbox #1234", "calendar.ics VEVENT 'Weekly'", an item id
    reason: Reason  # a code and its values, worded at the front end
    whole: bool = False  # the whole file named by ``where`` could not be read


@dataclass(frozen=True, slots=True, order=True)
class KeyDate:
    """A birthday or an anniversary (``kind``, one of :data:`KEY_DATE_KINDS`).

    ``year`` is None when the address book keeps the day only. Invalid days are refused
    (``ValueError``); 29 February is a valid day without a year.
    """

    kind: str
    month: int
    day: int
    year: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KEY_DATE_KINDS:
            raise ValueError(f"not a key date kind: {self.kind!r}")
        date(2000 if self.year is None else self.year, self.month, self.day)  # 2000 is leap

    @property
    def text(self) -> str:
        """ISO 8601 (RFC 6350's reduced form without a year): ``1980-03-22`` or ``--04-15``."""
        day = f"{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{day}" if self.year is not None else f"--{day}"


@dataclass(frozen=True, slots=True)
class Note:
    """Something the owner wrote down about the person at ``address``; ``id`` is the store's."""

    id: int
    address: str
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class ContactCard:
    """A person as an address book lists them (vCard, Exchange or Graph contact)."""

    source: str
    item_id: str
    full_name: str
    addresses: tuple[str, ...]
    organisation: str = ""
    categories: tuple[str, ...] = ()
    is_me: bool = False  # the owner's own card ("me" card)
    names: tuple[str, ...] = field(default=())  # other spellings seen (given + family, nickname)
    key_dates: tuple[KeyDate, ...] = ()  # birthday, anniversary as the address book keeps them


def direction(interaction: Interaction, owner: Collection[str]) -> Direction:
    """Sent if the owner wrote it, received if it was addressed to the owner, else other."""
    if interaction.sender is not None and interaction.sender.address in owner:
        return Direction.SENT
    if any(m.address in owner for m in interaction.recipients()):
        return Direction.RECEIVED
    return Direction.OTHER


def normalise_message_id(value: str) -> str:
    """A Message-ID without angle brackets or surrounding space (case kept: it is significant,
    and every copy of a message carries its Message-ID byte for byte)."""
    return value.strip().strip("<>").strip()


def identity(item: Interaction) -> str:
    """The key every copy of one interaction shares, so it is stored and counted once.

    - a message with a Message-ID: ``mid:<Message-ID>`` (:func:`normalise_message_id`), across
      folders, sources, exports, and its direct and list copies;
    - a message without one: ``dig:<sha1>`` of sender, To and Cc (sorted; Bcc is only on the
      sender's copy), the time to the second and the subject (white space collapsed);
    - a meeting: ``item:<source>:<item id>``. A meeting changes in place (rescheduled, attendees
      answer), so only its own item id names it; a source must give each meeting one stable id.
    """
    if item.kind is Kind.MEETING:
        return f"item:{item.source}:{item.item_id}"
    if item.message_id:
        return "mid:" + normalise_message_id(item.message_id)
    recipients = ",".join(sorted({m.address for m in item.to} | {m.address for m in item.cc}))
    text = "\x1f".join(
        (
            item.sender.address if item.sender is not None else "",
            recipients,
            str(int(item.at.timestamp())),
            " ".join(item.subject.split()),
        )
    )
    return "dig:" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
