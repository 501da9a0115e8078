"""Addresses grouped into persons, and why each group was formed.

Who is a contact: an address the owner wrote to or met in one of the owner's interactions
(:func:`.personal.is_personal`), or that an address-book card lists, or someone who wrote to the
owner directly within the owed-reply lookback (an answer may be owed). Someone who only ever wrote
to the owner long ago is not one: cold outreach and spam that passed the filters look exactly like
that. Never a contact: the owner's own addresses, any address seen only on mail that is not the
owner's (bulk, automated, list mail that did not name the owner), no-reply and mailer-daemon
style addresses, mailing-list addresses (:class:`ListAddresses`), and whatever the settings
exclude.

A list is never a person. An address is a list's when

- a list message's ``List-Id`` (or ``List-Post``, ``Mailing-List``, list ``Sender``) names it
  among the message's recipients: ``<dev.lists.example.org>`` names ``dev@lists.example.org``;
- its host is named like a list server (``lists.…``, ``list.…``) or is a list service
  (``googlegroups.com``, ``groups.io``);
- its host carries at least two known lists and no stored message came from anyone there (as
  ``vger.kernel.org`` or ``lists.sourceforge.net``): every address at such a host is a list,
  also one whose own list mail was never stored.

Addresses are merged into one person only on evidence, and every merge records its reason:

- one address-book card lists them together;
- the same full name (at least two words) at the same organisation, where the organisation is the
  card's ORG, else the address's domain unless that is a freemail domain;
- the user said so (``contacts merge``), which also undoes nothing else.

Different names are never merged on a guess. ``contacts split`` (an override with an empty person)
keeps an address apart from every automatic merge.

Exports: ``Person``, ``Identities``, ``AddressStats``, ``ListAddresses``,
``collect_address_stats``, ``resolve_identities``, ``name_key``, ``FREEMAIL``.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..model import ContactCard, Flag, Interaction, Kind
from ..parsing.addresses import is_automated_address
from .personal import is_personal
from .phrase import Phrase, phrase
from .settings import Settings

__all__ = [
    "FREEMAIL",
    "AddressStats",
    "Identities",
    "ListAddresses",
    "Person",
    "collect_address_stats",
    "name_key",
    "resolve_identities",
]

FREEMAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.de", "yahoo.co.uk", "ymail.com",
        "hotmail.com", "hotmail.de", "hotmail.co.uk", "outlook.com", "outlook.de", "live.com",
        "live.de", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net",
        "gmx.at", "gmx.ch", "gmx.com", "web.de", "t-online.de", "freenet.de", "posteo.de",
        "mailbox.org", "proton.me", "protonmail.com", "pm.me", "zoho.com", "mail.com", "mail.ru",
        "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "arcor.de", "bluewin.ch",
        "orange.fr", "free.fr", "laposte.net", "libero.it", "btinternet.com", "comcast.net",
    }
)  # fmt: skip


# Hosts that only ever carry lists, and the first labels of list servers' host names.
LIST_SERVICES = frozenset({"googlegroups.com", "groups.io", "freelists.org"})
_LIST_HOST_LABELS = frozenset({"lists", "list"})
LIST_HOST_MIN = 2  # lists a host must carry to be taken for a list server
STATS_FORMAT = 1  # of AddressStats.to_doc(); a new one whenever what AddressStats.add keeps changes


@dataclass(frozen=True, slots=True)
class ListAddresses:
    """Addresses that are mailing lists (see the module docstring); ``address in lists``."""

    addresses: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()  # every address at these hosts is a list

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, str):
            return False
        if address in self.addresses:
            return True
        host = address.rpartition("@")[2]
        return (
            host in self.hosts
            or host in LIST_SERVICES
            or host.partition(".")[0] in _LIST_HOST_LABELS
        )


def name_key(name: str) -> str:
    """A display name for comparison: "Doe, John" and "john  DOE" both become "john doe";
    accents are kept (Müller is not Muller), quotes and case are not."""
    text = unicodedata.normalize("NFC", name).strip().strip("'\"").strip()
    if "@" in text:
        return ""
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if last and first:
            text = f"{first} {last}"
    return " ".join(text.casefold().split())


@dataclass
class AddressStats:
    """What the interactions say about addresses, gathered in one pass (mutable while built)."""

    personal: Counter[str] = field(default_factory=Counter)  # personal interactions per address
    reached: set[str] = field(default_factory=set)  # addresses the owner wrote to or met
    last_direct: dict[str, datetime] = field(default_factory=dict)  # latest mail to owner in To
    names: dict[str, Counter[str]] = field(default_factory=dict)  # display names seen
    lists: set[str] = field(default_factory=set)  # list posting addresses
    senders: set[str] = field(default_factory=set)  # who wrote stored mail (robots aside)

    def add(self, item: Interaction, owner: frozenset[str]) -> None:
        sender = item.sender
        flags = item.flags
        if item.list_id:  # (also on a direct copy: the list copy said which list carried it)
            self._add_list(item, owner)
        if flags and not is_personal(item, owner):
            if sender is not None and Flag.AUTOMATED not in flags:
                self.senders.add(sender.address)
            return
        if sender is not None:
            self.senders.add(sender.address)
        boxes = item.participants()
        if not any(box.address in owner for box in boxes):
            return  # someone else's mail (a forward, a Bcc): it tells nothing about the owner
        by_owner = item.kind is Kind.MEETING or (
            item.sender is not None and item.sender.address in owner
        )
        for box in boxes:
            if box.address in owner:
                continue
            self.personal[box.address] += 1
            if box.name:
                names = self.names.get(box.address)
                if names is None:  # (not setdefault: it would build a Counter every time)
                    names = self.names[box.address] = Counter()
                names[box.name] += 1
            if by_owner:
                self.reached.add(box.address)
        if not by_owner and sender is not None and any(b.address in owner for b in item.to):
            self.last_direct[sender.address] = max(
                item.at, self.last_direct.get(sender.address, item.at)
            )

    def _add_list(self, item: Interaction, owner: frozenset[str]) -> None:
        # The posting address is the recipient the List-Id names: "<dev.lists.example.org>"
        # names dev@lists.example.org. A person who merely got a list message in To is not a
        # list; other lists at the same host are found by list_addresses' host rule.
        raw = item.list_id.casefold()
        inner = raw[raw.find("<") + 1 : raw.rfind(">")] if "<" in raw and ">" in raw else raw
        core = inner.strip()
        for box in item.recipients():
            if box.address in owner:
                continue
            local, _, domain = box.address.partition("@")
            if (
                core == local
                or core.startswith(local + ".")
                or (core.endswith(domain) and local in core)
            ):
                self.lists.add(box.address)

    def to_doc(self) -> dict[str, Any]:
        """The statistics as JSON-ready data, :meth:`from_doc`'s input: the same statistics,
        down to the order addresses were first seen in (which person's address is its key
        depends on it)."""
        return {
            "format": STATS_FORMAT,
            "personal": list(self.personal.items()),
            "reached": sorted(self.reached),
            "last_direct": {a: int(at.timestamp()) for a, at in self.last_direct.items()},
            "names": {a: list(seen.items()) for a, seen in self.names.items()},
            "lists": sorted(self.lists),
            "senders": sorted(self.senders),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> AddressStats:
        """What :meth:`to_doc` gave (its times in whole seconds, as the store keeps them);
        ``ValueError`` if it is not that."""
        try:
            if doc["format"] != STATS_FORMAT:
                raise ValueError(f"address statistics of format {doc['format']!r}")
            return cls(
                personal=Counter(dict(doc["personal"])),
                reached=set(doc["reached"]),
                last_direct={
                    a: datetime.fromtimestamp(at, UTC) for a, at in doc["last_direct"].items()
                },
                names={a: Counter(dict(seen)) for a, seen in doc["names"].items()},
                lists=set(doc["lists"]),
                senders=set(doc["senders"]),
            )
        except (KeyError, TypeError, AttributeError, OverflowError, OSError) as exc:
            raise ValueError(f"not address statistics: {exc!r}") from exc

    def list_addresses(self) -> ListAddresses:
        """The list addresses known so far, with the hosts that carry only lists."""
        per_host: Counter[str] = Counter(a.rpartition("@")[2] for a in self.lists)
        hosts = {h for h, n in per_host.items() if n >= LIST_HOST_MIN}
        hosts -= {a.rpartition("@")[2] for a in self.senders}
        return ListAddresses(frozenset(self.lists), frozenset(hosts))


def collect_address_stats(
    interactions: Iterable[Interaction], owner: frozenset[str]
) -> AddressStats:
    stats = AddressStats()
    for item in interactions:
        stats.add(item, owner)
    return stats


@dataclass(frozen=True, slots=True)
class Person:
    """One person: a primary address (the key), every address, a name, an organisation."""

    key: str
    addresses: tuple[str, ...]
    name: str
    organisation: str
    # One phrase per merge (merged_by_you, merged_one_card, merged_same_name); empty for a lone
    # address.
    merged_because: tuple[Phrase, ...] = ()


@dataclass(frozen=True)
class Identities:
    """Every person, and each contact address's person key."""

    persons: Mapping[str, Person]
    person_of: Mapping[str, str]
    lists: ListAddresses = field(default_factory=ListAddresses)

    def find(self, address: str) -> Person | None:
        key = self.person_of.get(address)
        return self.persons[key] if key is not None else None


class _Groups:
    """Union-find over addresses, remembering why groups were joined."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.reasons: dict[str, list[Phrase]] = {}

    def add(self, address: str) -> None:
        self.parent.setdefault(address, address)

    def root(self, address: str) -> str:
        parent = self.parent
        while parent[address] != address:
            parent[address] = parent[parent[address]]
            address = parent[address]
        return address

    def join(self, a: str, b: str, reason: Phrase) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.reasons.setdefault(ra, []).extend(self.reasons.pop(rb, []))
        self.reasons[ra].append(reason)


def resolve_identities(
    stats: AddressStats,
    cards: Iterable[ContactCard],
    *,
    owner: frozenset[str],
    settings: Settings,
    overrides: Mapping[str, tuple[str, str]] | None = None,
    now: datetime | None = None,
) -> Identities:
    """Group contact addresses into persons (see the module docstring for the rules).

    With ``now``, a person needs an address the owner wrote to or met, a card, or a direct
    message within ``settings.owed_lookback_days`` (an answer may be owed); without ``now``
    (identity questions alone) every personal address is admitted.
    """
    overrides = overrides or {}
    split = {a for a, (person, _) in overrides.items() if not person}
    card_list = [c for c in cards if not c.is_me and not (set(c.addresses) & owner)]
    lists = stats.list_addresses()
    groups, card_of = _group_by_cards(stats, card_list, owner, settings, split, lists)
    names = _Names(stats, card_of)
    _join_same_name_at_same_organisation(groups, names, split)
    # The user's merges last: they win over everything automatic.
    for address, (person, reason) in sorted(overrides.items()):
        if person and address in groups.parent and person in groups.parent:
            why = phrase("merged_by_you", address=address, other=person, note=reason or "")
            groups.join(person, address, why)
    members = _admitted(groups, card_of, stats, settings, now)
    return _persons(members, groups, names, stats, card_list, lists)


def _group_by_cards(
    stats: AddressStats,
    card_list: list[ContactCard],
    owner: frozenset[str],
    settings: Settings,
    split: set[str],
    lists: ListAddresses,
) -> tuple[_Groups, dict[str, ContactCard]]:
    """Every eligible address as a group of its own, then joined when one card lists them;
    and the card each address first appeared on."""

    def eligible(address: str) -> bool:
        return bool(
            address
            and address not in owner
            and address not in lists
            and not is_automated_address(address)
            and not settings.is_excluded(address)
        )

    groups = _Groups()
    card_of: dict[str, ContactCard] = {}
    for address in stats.personal:
        if eligible(address):
            groups.add(address)
    for card in card_list:
        addresses = [a for a in card.addresses if eligible(a)]
        for address in addresses:
            groups.add(address)
            card_of.setdefault(address, card)
        joinable = [a for a in addresses if a not in split]
        label = card.full_name or card.organisation  # "": a card without a name
        for other in joinable[1:]:
            why = phrase("merged_one_card", address=joinable[0], other=other, name=label)
            groups.join(joinable[0], other, why)
    return groups, card_of


class _Names:
    """An address's display name and organisation: its card's, else what the mail says."""

    def __init__(self, stats: AddressStats, card_of: Mapping[str, ContactCard]) -> None:
        self._stats = stats
        self._card_of = card_of

    def display_name(self, address: str) -> str:
        card = self._card_of.get(address)
        if card is not None and card.full_name:
            return card.full_name
        seen = self._stats.names.get(address)
        if seen:
            # The most common spelling; ties go to the alphabetically first for stability.
            return min(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        return ""

    def organisation(self, address: str) -> str:
        card = self._card_of.get(address)
        if card is not None and card.organisation:
            return card.organisation
        domain = address.rpartition("@")[2]
        return "" if domain in FREEMAIL else domain


def _join_same_name_at_same_organisation(groups: _Groups, names: _Names, split: set[str]) -> None:
    by_name_org: dict[tuple[str, str], str] = {}
    for address in sorted(groups.parent):
        if address in split:
            continue
        key = name_key(names.display_name(address))
        org = names.organisation(address).casefold()
        if len(key.split()) < 2 or not org:
            continue
        first = by_name_org.setdefault((key, org), address)
        if first != address:
            why = phrase(
                "merged_same_name",
                address=first,
                other=address,
                name=names.display_name(address),
                organisation=names.organisation(address),
            )
            groups.join(first, address, why)


def _admitted(
    groups: _Groups,
    card_of: Mapping[str, ContactCard],
    stats: AddressStats,
    settings: Settings,
    now: datetime | None,
) -> dict[str, list[str]]:
    """Group root → its addresses, for the groups that make a person.

    A person needs one address the owner reached, a card, or a recent direct message; the
    merges come first, so a second address of a known person comes along.
    """
    recent = now - timedelta(days=settings.owed_lookback_days) if now is not None else None

    def admitted(address: str) -> bool:
        # One-way inbound mail is no relationship: a sender the owner never wrote to or met is
        # cold outreach or spam that passed the filters, unless they wrote so recently that an
        # answer may still be owed.
        if recent is None or address in stats.reached:
            return True
        last = stats.last_direct.get(address)
        return last is not None and last >= recent

    members: dict[str, list[str]] = {}
    for address in groups.parent:
        members.setdefault(groups.root(address), []).append(address)
    return {
        root: addresses
        for root, addresses in members.items()
        if any(a in card_of or admitted(a) for a in addresses)
    }


def _persons(
    members: Mapping[str, list[str]],
    groups: _Groups,
    names: _Names,
    stats: AddressStats,
    card_list: list[ContactCard],
    lists: ListAddresses,
) -> Identities:
    first_seen = {a: i for i, a in enumerate(stats.personal)}  # a Counter keeps insertion order
    card_rank: dict[str, int] = {}
    for card in card_list:
        for address in card.addresses:
            card_rank.setdefault(address, len(card_rank))
    persons: dict[str, Person] = {}
    person_of: dict[str, str] = {}
    for root, addresses in members.items():
        # The primary address is the person's key in follow-up keys and write-back, so it must
        # not flip as counts change: the address a card lists first, else the one seen first
        # (new mail never changes which came first), else alphabetical.
        addresses.sort(
            key=lambda a: (card_rank.get(a, len(card_rank)), first_seen.get(a, len(first_seen)), a)
        )
        key = addresses[0]
        name = next((n for n in map(names.display_name, addresses) if n), "") or _name_from(key)
        org = next((o for o in map(names.organisation, addresses) if o), "")
        persons[key] = Person(
            key=key,
            addresses=tuple(addresses),
            name=name,
            organisation=org,
            merged_because=tuple(groups.reasons.get(root, ())),
        )
        for address in addresses:
            person_of[address] = key
    return Identities(persons=persons, person_of=person_of, lists=lists)


def _name_from(address: str) -> str:
    """A readable fallback name from the local part: jane.doe → Jane Doe."""
    local = address.partition("@")[0]
    parts = [p for p in local.replace("_", ".").replace("-", ".").split(".") if p]
    return " ".join(p.capitalize() for p in parts) or address
