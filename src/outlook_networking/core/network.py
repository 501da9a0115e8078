"""The one entry point the CLI calls: everything the core knows about the network, as of now.

:func:`analyse` takes the stored interactions and cards, the owner's addresses, the settings and
``now``, and returns a :class:`Network`: contacts ordered by score (each with person, history,
score, tier, reasons, next step and key dates), the open follow-ups (birthdays coming up among
them), key persons, clusters, time invested and the ties between other people that warm
introductions rest on (:mod:`.ties`).
Items after ``now`` are ignored, so ``--now`` replays the past exactly, except that meetings already
planned after ``now`` are known as each contact's ``next_meeting`` (a planned meeting makes a
keep-in-touch or cooling reminder moot).

Cost: the interactions are materialised once and sorted (linear on the store's time-ordered
output); then one pass collects address statistics, one pairs threads, one builds histories and
one tallies the time invested. Per-person work afterwards is linear in that person's items.
The mail graph and the ties are counted, and the key persons and clusters (betweenness
centrality over the graph) found, the first time they are asked for (:class:`Later`,
:class:`KeyPersonsLater`): only the report shows key persons, only ``intro`` reads ties.

Exports: ``HistoriesOf``, ``KeyPersonsLater``, ``Later``, ``Network``, ``StatsOf``, ``ThreadsOf``,
``analyse``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..model import ContactCard, Interaction, KeyDate, Kind
from ..parsing.addresses import normalise
from .contact import ContactView
from .followups import FollowUp, by_urgency, find_followups
from .history import ContactHistory, build_histories
from .identity import AddressStats, Identities, collect_address_stats, resolve_identities
from .keydates import birthday_followups, person_key_dates
from .keypersons import Cluster, KeyPerson, MailGraph, find_key_persons
from .personal import is_personal
from .scoring import Strength, strength
from .settings import Settings
from .threads import Threads, analyse_threads
from .tiers import TierAssignment, assign_tiers
from .ties import TieBuilder, Ties
from .timeinvested import TimeInvested, TimeTally

__all__ = ["HistoriesOf", "KeyPersonsLater", "Later", "Network", "StatsOf", "ThreadsOf", "analyse"]

# The address statistics of the items up to now, in time order, for the owner's addresses; and
# the pairing of the same items; and their histories (build_histories's parameters).
StatsOf = Callable[[Sequence[Interaction], frozenset[str]], AddressStats]
ThreadsOf = Callable[[Sequence[Interaction]], Threads]


class HistoriesOf(Protocol):
    def __call__(
        self,
        items: Sequence[Interaction],
        threads: Threads,
        identities: Identities,
        *,
        owner: frozenset[str],
        settings: Settings,
        now: datetime,
    ) -> dict[str, ContactHistory]: ...


@dataclass(frozen=True)
class Network:
    """The analysed network as of ``now``."""

    now: datetime
    owner: frozenset[str]
    settings: Settings
    contacts: tuple[ContactView, ...]  # by score, highest first
    followups: tuple[FollowUp, ...]  # most pressing first (followups.by_urgency)
    brokers: KeyPersonsLater = field(repr=False, compare=False)  # key persons, clusters
    time: TimeInvested
    identities: Identities
    threads: Threads
    by_person: Mapping[str, ContactView] = field(default_factory=dict, repr=False)
    later: Later | None = field(default=None, repr=False, compare=False)  # ties, the graph

    @property
    def ties(self) -> Ties:
        """Who appears with whom (:mod:`.ties`), counted the first time it is asked for."""
        return self.later.ties() if self.later is not None else Ties()

    @property
    def key_persons(self) -> tuple[KeyPerson, ...]:
        return self.brokers.found()[0]

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        return self.brokers.found()[1]

    def find(self, address: str) -> ContactView | None:
        """The contact an address belongs to (any of their addresses, any spelling)."""
        person = self.identities.person_of.get(normalise(address) or address)
        if person is None:
            return None
        if self.by_person:
            return self.by_person.get(person)
        return next((c for c in self.contacts if c.person.key == person), None)

    def tier(self, tier: str) -> tuple[ContactView, ...]:
        return tuple(c for c in self.contacts if c.tier.tier == tier.upper())


def analyse(
    interactions: Iterable[Interaction],
    cards: Iterable[ContactCard],
    *,
    owner: frozenset[str],
    settings: Settings,
    now: datetime,
    identity_overrides: Mapping[str, tuple[str, str]] | None = None,
    last_review: Mapping[str, Any] | None = None,
    key_dates: Mapping[str, Mapping[str, KeyDate]] | None = None,
    address_stats: StatsOf = collect_address_stats,
    threads_of: ThreadsOf = analyse_threads,
    histories_of: HistoriesOf = build_histories,
) -> Network:
    """Analyse the network (see the module docstring).

    Parameters:
        owner: the owner's addresses; addresses of a "me" card are added.
        identity_overrides: ``Store.identity_overrides()``.
        last_review: the last stored review snapshot (``Store.review_snapshot()``), so the
            annual-review follow-up disappears once this year's review is done.
        key_dates: the key dates the owner entered, by address and kind
            (``Store.key_dates()``); they win over the cards' (:mod:`.keydates`).
        address_stats: the statistics per address of the items up to ``now`` (in time order)
            for the owner's addresses (a "me" card's among them): what
            :func:`.identity.collect_address_stats` gives, or the same from a fold kept
            earlier (``app.derived``).
        threads_of: the pairing of the same items, as :func:`.threads.analyse_threads` gives
            it (or the same from a fold kept earlier).
        histories_of: the histories of the same items, as :func:`.history.build_histories`
            gives them (or the same from a fold kept earlier).
    """
    # The analysis allocates millions of small acyclic objects; the cyclic garbage collector
    # would rescan the whole (growing) heap again and again, making the cost per interaction
    # grow with the mailbox. Nothing here creates cycles worth collecting.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyse(
            interactions,
            cards,
            owner=owner,
            settings=settings,
            now=now,
            identity_overrides=identity_overrides,
            last_review=last_review,
            key_dates=key_dates,
            address_stats=address_stats,
            threads_of=threads_of,
            histories_of=histories_of,
        )
    finally:
        if collecting:
            gc.enable()


def _analyse(
    interactions: Iterable[Interaction],
    cards: Iterable[ContactCard],
    *,
    owner: frozenset[str],
    settings: Settings,
    now: datetime,
    identity_overrides: Mapping[str, tuple[str, str]] | None,
    last_review: Mapping[str, Any] | None,
    key_dates: Mapping[str, Mapping[str, KeyDate]] | None,
    address_stats: StatsOf,
    threads_of: ThreadsOf,
    histories_of: HistoriesOf,
) -> Network:
    card_list = list(cards)
    owner = frozenset(owner) | {a for c in card_list if c.is_me for a in c.addresses}
    items, planned = _past_and_planned(interactions, owner, now)
    stats = address_stats(items, owner)
    identities = resolve_identities(
        stats, card_list, owner=owner, settings=settings, overrides=identity_overrides, now=now
    )
    threads = threads_of(items)
    histories = histories_of(items, threads, identities, owner=owner, settings=settings, now=now)
    upcoming = _upcoming_meetings(planned, identities, owner)
    tally = TimeTally.shown_as_of(now)
    person_of = identities.person_of
    for item in items:
        tally.add(item, person_of, owner)
    later = Later(items, threads, identities, owner, settings)

    strengths = {p: strength(h, settings, now) for p, h in histories.items()}
    tiers = assign_tiers(histories, strengths, identities, settings=settings, now=now)
    review_year = last_review.get("year") if last_review else None
    followups = find_followups(
        histories,
        tiers,
        identities,
        settings=settings,
        now=now,
        last_review_year=review_year if isinstance(review_year, int) else None,
        upcoming=upcoming,
    )
    dates = person_key_dates(card_list, identities.person_of, key_dates)
    followups += birthday_followups(
        dates,
        {p: t.tier for p, t in tiers.items()},
        {p: identities.persons[p].name for p in dates if p in identities.persons},
        days_ahead=settings.birthday_days_ahead,
        now=now,
    )
    followups = list(by_urgency(followups))
    contacts = _contact_views(
        histories, strengths, tiers, followups, upcoming, identities, settings, dates
    )
    active = {c.person.key for c in contacts if c.history.last_two_way is not None}
    return Network(
        now=now,
        owner=owner,
        settings=settings,
        contacts=tuple(contacts),
        followups=tuple(followups),
        brokers=KeyPersonsLater(later.graph, identities, settings, active),
        time=tally.result(settings, now),
        identities=identities,
        threads=threads,
        by_person={c.person.key: c for c in contacts},
        later=later,
    )


class Later:
    """The passes over the items that only some callers need, run the first time one asks:
    the mail graph (key persons and clusters: only the report) and the ties (only ``intro``).

    At a million interactions they are 4–6 s of CPU (``scripts/bench.py --only steps``) that
    contacts, follow-ups, a contact's card and the agent's cycle never use. Each is the pass the
    analysis ran over every item before (in time order, the same items), so what it gives does
    not depend on when it is asked; the items stay alive until both have been counted (a process
    that keeps an analysis, as the add-in's card server does, keeps them with it)."""

    def __init__(
        self,
        items: list[Interaction],
        threads: Threads,
        identities: Identities,
        owner: frozenset[str],
        settings: Settings,
    ) -> None:
        self._items: list[Interaction] | None = items
        self._threads = threads
        self._identities = identities
        self._owner = owner
        self._settings = settings
        self._graph: MailGraph | None = None
        self._ties: Ties | None = None

    def graph(self) -> MailGraph:
        if self._graph is None:
            graph = MailGraph()
            person_of, owner = self._identities.person_of, self._owner
            most = self._settings.graph_max_participants
            for item in self._pending():
                graph.add(item, person_of, owner, most)
            self._graph = graph
            self._let_go()
        return self._graph

    def ties(self) -> Ties:
        if self._ties is None:
            builder = TieBuilder(
                self._owner, self._identities.lists, self._settings.intro_max_participants
            )
            # By the item itself (its id, while the items are held), not a key built per item.
            answers = {
                id(r.child): r.parent.sender.address
                for r in self._threads.replies
                if r.parent.sender is not None
            }
            for item in self._pending():
                builder.add(item, answers.get(id(item), ""))
            self._ties = builder.result()
            self._let_go()
        return self._ties

    def _pending(self) -> list[Interaction]:
        assert self._items is not None  # held until both passes have run
        return self._items

    def _let_go(self) -> None:
        if self._graph is not None and self._ties is not None:
            self._items = None


class KeyPersonsLater:
    """The key persons and clusters of the mail graph, found the first time they are asked for.

    Betweenness centrality is the analysis's costliest step over the whole graph, and only the
    report shows its result: contacts, follow-ups, a contact's card and the agent's cycle never
    pay for it, nor for counting the graph (:class:`Later`). The result is what
    :func:`.keypersons.find_key_persons` gives for the graph of the analysis's items, whenever
    it is asked."""

    def __init__(
        self,
        graph: Callable[[], MailGraph],
        identities: Identities,
        settings: Settings,
        candidates: frozenset[str] | set[str],
    ) -> None:
        self._inputs: (
            tuple[Callable[[], MailGraph], Identities, Settings, frozenset[str] | set[str]] | None
        )
        self._inputs = (graph, identities, settings, candidates)
        self._found: tuple[tuple[KeyPerson, ...], tuple[Cluster, ...]] | None = None

    def found(self) -> tuple[tuple[KeyPerson, ...], tuple[Cluster, ...]]:
        if self._found is None:
            assert self._inputs is not None
            graph, identities, settings, candidates = self._inputs
            self._found = find_key_persons(graph(), identities, settings, candidates=candidates)
            self._inputs = None  # the graph is not needed again
        return self._found


def _past_and_planned(
    interactions: Iterable[Interaction], owner: frozenset[str], now: datetime
) -> tuple[list[Interaction], list[Interaction]]:
    """The items up to ``now`` in time order, and the meetings already planned after it."""
    items: list[Interaction] = []
    planned: list[Interaction] = []
    for item in interactions:
        if item.at <= now:
            items.append(item)
        elif item.kind is Kind.MEETING and not item.cancelled and is_personal(item, owner):
            planned.append(item)
    items.sort(key=lambda i: i.at)
    return items, planned


def _contact_views(
    histories: Mapping[str, ContactHistory],
    strengths: Mapping[str, Strength],
    tiers: Mapping[str, TierAssignment],
    followups: Iterable[FollowUp],
    upcoming: Mapping[str, datetime],
    identities: Identities,
    settings: Settings,
    key_dates: Mapping[str, tuple[KeyDate, ...]],
) -> list[ContactView]:
    """Every person as the outputs show them, by score, highest first."""
    by_person: dict[str, list[FollowUp]] = {}
    for followup in followups:
        by_person.setdefault(followup.contact, []).append(followup)
    person_of = identities.person_of
    roles = {person_of[a]: r for a, r in settings.roles.items() if a in person_of}
    return sorted(
        (
            ContactView(
                person=identities.persons[p],
                history=h,
                strength=strengths[p],
                tier=tiers[p],
                role=roles.get(p, ""),
                followups=tuple(by_person.get(p, ())),
                next_meeting=upcoming.get(p),
                key_dates=key_dates.get(p, ()),
            )
            for p, h in histories.items()
        ),
        key=lambda c: (-c.strength.score, c.person.name.casefold(), c.person.key),
    )


def _upcoming_meetings(
    planned: Iterable[Interaction], identities: Identities, owner: frozenset[str]
) -> dict[str, datetime]:
    """Person → the start of the next planned meeting with both them and the owner."""
    upcoming: dict[str, datetime] = {}
    for meeting in planned:
        addresses = {m.address for m in meeting.participants()}
        if not addresses & owner:
            continue
        for address in addresses:
            person = identities.person_of.get(address)
            if person is not None and (person not in upcoming or meeting.at < upcoming[person]):
                upcoming[person] = meeting.at
    return upcoming

