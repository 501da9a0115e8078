"""What ``forget`` removes: a person or a whole domain, from items, cards and stored documents.

A **tombstone** is an address (``jane@example.com``) or a domain (``example.com``, which covers
its subdomains). The store keeps tombstones and runs every item it stores through these
functions, so what was forgotten stays forgotten when a later sync or ingest reads it again.

For an interaction:

- the **whole item** goes when a forgotten address sent it (or organised the meeting), when its
  Message-ID, item id or subject names one (their own mail: ``git send-email`` and many servers
  put the sender's address into the Message-ID), or when nobody but the owner is left on it;
- otherwise only their **mailbox** goes from To/Cc/Bcc/attendees, and In-Reply-To/References
  that name them are dropped (the parents they point to are gone).

A card loses the forgotten addresses and goes when none is left. A stored document (a review
snapshot) loses every entry that names them.

Exports: ``Tombstones``, ``redact_interaction``, ``redact_card``, ``redact_document``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..model import ContactCard, Interaction, Mailbox

__all__ = ["Tombstones", "redact_card", "redact_document", "redact_interaction"]

_HOST_IN_TEXT = re.compile(r"@([\w.-]+)")


def _address_pattern(addresses: Iterable[str]) -> re.Pattern[str] | None:
    # An address inside a longer text: not the tail of a longer local part ("joann@" is not
    # "ann@"), not the head of a longer domain ("acme.com.cn" is not "acme.com"). A "-" before
    # it still counts: git send-email's Message-IDs end in "-git-send-email-<address>".
    alternatives = "|".join(re.escape(a) for a in sorted(addresses))
    return re.compile(rf"(?<![\w.+])(?:{alternatives})(?![\w-]|\.\w)") if alternatives else None


@dataclass(frozen=True, slots=True)
class Tombstones:
    """The forgotten addresses and domains (normalised: lower case)."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    _pattern: re.Pattern[str] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", _address_pattern(self.addresses))

    @classmethod
    def of(cls, entries: Iterable[str]) -> Tombstones:
        """Tombstones from stored entries: an address has an ``@``, a domain has none."""
        values = [e.lower() for e in entries]
        return cls(
            frozenset(e for e in values if "@" in e), frozenset(e for e in values if "@" not in e)
        )

    def __bool__(self) -> bool:
        return bool(self.addresses or self.domains)

    def _host(self, host: str) -> bool:
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def covers(self, address: str) -> bool:
        """The address is forgotten, itself or through its domain."""
        return address in self.addresses or (
            bool(self.domains) and self._host(address.rpartition("@")[2])
        )

    def named_in(self, text: str) -> bool:
        """A free text (an id, a subject) names a forgotten address or a host of a domain."""
        if not text:
            return False
        lowered = text.lower()
        if self._pattern is not None and self._pattern.search(lowered):
            return True
        return bool(self.domains) and any(
            self._host(host.strip(".")) for host in _HOST_IN_TEXT.findall(lowered)
        )


def _kept(boxes: tuple[Mailbox, ...], tombs: Tombstones) -> tuple[Mailbox, ...]:
    return tuple(m for m in boxes if not tombs.covers(m.address))


def redact_interaction(
    item: Interaction, tombs: Tombstones, owner: Collection[str]
) -> Interaction | None:
    """The item without the forgotten (see the module docstring); None when it goes whole."""
    if item.sender is not None and tombs.covers(item.sender.address):
        return None
    if tombs.named_in(item.message_id) or tombs.named_in(item.item_id):
        return None
    if tombs.named_in(item.subject):
        return None
    named = any(tombs.covers(m.address) for m in item.recipients())
    in_reply_to = "" if tombs.named_in(item.in_reply_to) else item.in_reply_to
    references = tuple(r for r in item.references if not tombs.named_in(r))
    if not named and in_reply_to == item.in_reply_to and references == item.references:
        return item
    redacted = replace(
        item,
        to=_kept(item.to, tombs),
        cc=_kept(item.cc, tombs),
        bcc=_kept(item.bcc, tombs),
        attendees=tuple(a for a in item.attendees if not tombs.covers(a.mailbox.address)),
        in_reply_to=in_reply_to,
        references=references,
    )
    if named and not any(m.address not in owner for m in redacted.participants()):
        return None  # nobody but the owner is left: it was an interaction with them alone
    return redacted


def redact_card(card: ContactCard, tombs: Tombstones) -> ContactCard | None:
    """The card without the forgotten addresses; None when none of its addresses is left."""
    addresses = tuple(a for a in card.addresses if not tombs.covers(a))
    if addresses == card.addresses:
        return card
    return replace(card, addresses=addresses) if addresses else None


def redact_document(value: Any, tombs: Tombstones) -> Any:
    """A JSON-like document without the entries that name the forgotten.

    A mapping loses the keys that name them, a list the items that do, and a string that names
    them (anywhere in the document) is dropped with its key or list slot.
    """
    if isinstance(value, dict):
        return {
            k: redact_document(v, tombs)
            for k, v in value.items()
            if not tombs.named_in(str(k)) and not _names(v, tombs)
        }
    if isinstance(value, list):
        return [redact_document(v, tombs) for v in value if not _names(v, tombs)]
    return value


def _names(value: Any, tombs: Tombstones) -> bool:
    """A scalar that names the forgotten (containers are cleaned, not dropped)."""
    return isinstance(value, str) and (tombs.named_in(value) or tombs.covers(value))
