"""What an analysis derives from every interaction, kept in the store up to a horizon, so that
the next analysis goes on from there instead of starting again.

A fold over the interactions in time order (the order :meth:`Store.interactions` gives and the
analysis reads them in) can be kept as it stood after the last interaction at or before a
horizon and continued with the interactions after it: the result is the fold of them all, the
same down to the order things were first seen in, because it is the same code over the same
items in the same order. That holds while

- no interaction at or before the horizon has changed in what an analysis reads of it: the store
  drops a kept fold in the very transaction that inserts, changes or deletes such an
  interaction (its migration 7: a message that arrives late, a ``forget``, a better copy of an
  old message; not the categories the user or the product puts on it), so a crash leaves the
  interactions and what is kept consistent;
- and what the fold read besides them, its **basis**, is the same: the owner's addresses (a "me"
  card's among them) and the product's version; the document names its format.

The horizon trails the clock by :data:`LAG`, in whole :data:`STEP`\\ s: mail from several folders
and sources reaches the store minutes or hours out of order and meetings are planned ahead, so a
horizon at the clock would be overtaken by the next sync. Each analysis folds the interactions
after the horizon itself (a day or so of mail) and keeps a new fold only when the horizon has
moved, four times a day; a fold is kept only if the store is still the one analysed (its
generation), and never for a read-only store. ``rebuild`` starts from nothing (``afresh``).

Kept so far:

- the statistics per address that identities are resolved from
  (:class:`~outlook_networking.core.identity.AddressStats`): at a million interactions 2.2 s of
  CPU folded from the start, 0.1 s gone on with (``scripts/bench.py --only steps``);
- the reply pairing (:class:`~outlook_networking.core.threads.ThreadFold`): the pairs and thread
  starts up to the horizon, and the answers still waiting for a message their headers name, so
  that a parent that arrives after its answer is paired when it comes;
- the ledger's chronological pass (:class:`~outlook_networking.core.ledger.LedgerFold`): who has
  been seen and who is acquainted with whom, the introductions and their evidence, the
  forwards (those before the balance window by their ids only). It depends on who is who, but
  only through the person id it gave each address it met: the fold checks every one against the
  identities of the analysis going on from it and is folded afresh if one differs (a merge, a
  new list, an exclusion of someone already seen). Its basis adds the ``[ledger]`` settings and
  the introductions ``intro`` proposed.

- the histories' pass (:class:`~outlook_networking.core.history.HistoryFold`): every person's
  touches, counts per month, latencies, open runs of approaches and the messages still owed
  (those before the owed window of the horizon left out). Like the ledger it checks the person
  of every address it looked up; and it relies on the pairing of the answers up to the horizon,
  final for all but those still waiting for a message their headers name, whose parents its
  document keeps and checks (so it is kept only where the pairing was at the same horizon in
  the same analysis). Its basis adds the settings the pass reads. What the histories make of
  the touches (two-way or not, gaps, recent counts) and the scores are still worked out over
  every touch each time.

A test (Hypothesis) stores random batches in random orders, late ones, better copies, deletions
and forgets among them, analyses between them, and compares what kept folds give with folds of
everything.

Exports: ``ADDRESS_STATS``, ``HISTORIES``, ``LEDGER``, ``THREADS``, ``LAG``, ``STEP``, ``Folds``,
``horizon``.
"""

from __future__ import annotations

import dataclasses
import json
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from .. import __version__
from ..core.history import ContactHistory, HistoryFold
from ..core.identity import AddressStats, Identities
from ..core.ledger import Asked, LedgerFold, LedgerItem, LedgerSettings
from ..core.settings import Settings
from ..core.threads import ThreadFold, Threads, item_key
from ..errors import StoreError
from ..model import Interaction, Kind
from ..store import Store

__all__ = ["ADDRESS_STATS", "HISTORIES", "LAG", "LEDGER", "STEP", "THREADS", "Folds", "horizon"]

LAG = timedelta(days=1)  # how far the horizon trails the clock
STEP = 6 * 3600  # the horizon moves in whole steps of this many seconds
ADDRESS_STATS = "address_stats"  # the names the folds are kept under
THREADS = "threads"
LEDGER = "ledger"
HISTORIES = "histories"


def horizon(now: datetime) -> int:
    """The horizon a fold is kept at as of ``now``: a day back, in whole steps (Unix seconds)."""
    at = int((now - LAG).timestamp())
    return at - at % STEP


def _at(item: Interaction) -> float:
    return item.at.timestamp()


class Folds:
    """The folds one analysis of ``store`` (at ``generation``, as of ``now``) goes on from, and
    those it keeps for the next: :meth:`keep` once the analysis has read all it reads."""

    def __init__(
        self, store: Store, generation: int, now: datetime, *, afresh: bool = False
    ) -> None:
        self._store = store
        self._generation = generation
        self._now = now
        self._afresh = afresh
        self._to_keep: list[tuple[str, int, str, str]] = []
        # The horizon the pairing was kept or gone on with at, and the answers whose pairing a
        # later e-mail could still change there (what the histories kept there rely on).
        self._unsettled: tuple[float, list[Interaction]] | None = None

    def address_stats(self, items: Sequence[Interaction], owner: frozenset[str]) -> AddressStats:
        """:func:`~outlook_networking.core.identity.collect_address_stats` of ``items`` (those
        up to now, in time order) for ``owner``, gone on with from the kept fold where one
        holds (a :data:`~outlook_networking.core.network.StatsOf`)."""
        basis = self._basis(owner=sorted(owner))
        kept_at, doc = self._kept(ADDRESS_STATS, basis)
        stats, start = AddressStats(), 0
        if doc is not None and kept_at is not None:
            try:
                start = bisect_right(items, kept_at, key=_at)
                if doc.get("items") != start:  # (the triggers make this so: a check, no more)
                    raise ValueError("statistics of other interactions")
                stats = AddressStats.from_doc(doc)
            except (ValueError, AttributeError):  # (damaged on disk: folded afresh, kept anew)
                stats, start, kept_at = AddressStats(), 0, None
        add = stats.add
        target = float(horizon(self._now))
        if kept_at is None or target > kept_at:
            end = bisect_right(items, target, key=_at)
            for item in islice(items, start, end):
                add(item, owner)
            self._keep(ADDRESS_STATS, target, basis, {**stats.to_doc(), "items": end})
            start = end
        for item in islice(items, start, None):
            add(item, owner)
        return stats

    def threads(self, items: Sequence[Interaction]) -> Threads:
        """:func:`~outlook_networking.core.threads.analyse_threads` of ``items`` (those up to
        now, in time order), gone on with from the kept fold where one holds (a
        :data:`~outlook_networking.core.network.ThreadsOf`)."""
        emails = [item for item in items if item.kind is Kind.EMAIL]
        basis = self._basis()
        kept_at, doc = self._kept(THREADS, basis)
        fold = ThreadFold(emails)
        if doc is not None and kept_at is not None:
            try:
                if doc.get("at") != bisect_right(emails, kept_at, key=_at):  # (as above)
                    raise ValueError("thread pairings of other e-mails")
                fold = ThreadFold.resume(emails, doc)
            except (ValueError, AttributeError):  # (damaged on disk: folded afresh, kept anew)
                kept_at = None
        target = float(horizon(self._now))
        if kept_at is None or target > kept_at:
            fold.fold_to(bisect_right(emails, target, key=_at))
            self._keep(THREADS, target, basis, fold.doc())
        if kept_at is None or target >= kept_at:  # (the fold is at the horizon now)
            self._unsettled = target, fold.unsettled()
        fold.fold_to(len(emails))
        return fold.threads()

    def histories(
        self,
        items: Sequence[Interaction],
        threads: Threads,
        identities: Identities,
        *,
        owner: frozenset[str],
        settings: Settings,
        now: datetime,
    ) -> dict[str, ContactHistory]:
        """:func:`~outlook_networking.core.history.build_histories` of ``items`` (those up to
        now, in time order; ``threads`` their pairing by :meth:`threads`), gone on with from
        the kept fold where one holds (a :data:`~outlook_networking.core.network.HistoriesOf`).
        It is kept at the horizon only where :meth:`threads` was there too: the answers whose
        pairing could still change there are part of its document."""
        basis = self._basis(
            owner=sorted(owner),
            settings=[settings.direct_max_recipients, settings.unreciprocated_approaches,
                      settings.owed_lookback_days],
        )  # fmt: skip
        kept_at, doc = self._kept(HISTORIES, basis)
        fold = HistoryFold(items, threads, identities, owner=owner, settings=settings)
        if doc is not None and kept_at is not None:
            try:
                if doc.get("at") != bisect_right(items, kept_at, key=_at):  # (as above)
                    raise ValueError("histories of other interactions")
                fold.resume(doc)
            except (ValueError, AttributeError):  # (damaged, of other persons or pairings)
                kept_at = None
        del doc  # (every touch of it, by column: not held while the histories are made)
        target = float(horizon(self._now))
        unsettled = self._unsettled
        if (kept_at is None or target > kept_at) and unsettled and unsettled[0] == target:
            fold.fold_to(bisect_right(items, target, key=_at))
            # The messages still owed as of the earliest clock the fold will be gone on with.
            since = datetime.fromtimestamp(target, UTC) - timedelta(
                days=settings.owed_lookback_days
            )
            self._keep(HISTORIES, target, basis, fold.doc(unsettled[1], since))
        fold.fold_to(len(items))
        return fold.histories(now)

    def ledger(
        self,
        ordered: Sequence[Interaction],
        owner: frozenset[str],
        *,
        settings: LedgerSettings,
        people: Mapping[str, str],
        threads: Threads,
        excluded: Callable[[str], bool],
        asked: Sequence[Asked],
    ) -> list[LedgerItem]:
        """:func:`~outlook_networking.core.ledger.detect_items` of ``ordered`` (every
        interaction, in the order :func:`~outlook_networking.core.ledger.in_order` gives) as of
        this analysis's ``now``, gone on with from the kept fold where one holds: the same from
        the start of the balance window on (``settings.window_days`` back), all the ledger
        shows."""
        basis = self._basis(
            owner=sorted(owner),
            settings=dataclasses.asdict(settings),
            asked=sorted([a.via, a.target, a.at.isoformat()] for a in asked),
        )
        kept_at, doc = self._kept(LEDGER, basis)
        fold = LedgerFold(
            ordered, owner, now=self._now, settings=settings, people=people, excluded=excluded,
            asked=asked, starts={item_key(start) for start in threads.starts},
        )  # fmt: skip
        if doc is not None and kept_at is not None:
            try:
                if doc.get("at") != bisect_right(ordered, kept_at, key=_at):  # (as above)
                    raise ValueError("a ledger of other interactions")
                fold.resume(doc)
            except (ValueError, AttributeError):  # (damaged, or of other persons: afresh)
                kept_at = None
        target = float(horizon(self._now))
        if kept_at is None or target > kept_at:
            fold.fold_to(bisect_right(ordered, target, key=_at))
            # What the balance shows from the earliest clock the fold will be gone on from.
            since = datetime.fromtimestamp(target, UTC) - timedelta(days=settings.window_days)
            self._keep(LEDGER, target, basis, fold.doc(since))
        fold.fold_to(len(ordered))
        return fold.items(threads, since=self._now - timedelta(days=settings.window_days))

    def keep(self) -> None:
        """Keep what this analysis folded up to the horizon, where the store allows: a saving
        only, so a busy or changed store keeps nothing and the next analysis folds again."""
        to_keep, self._to_keep = self._to_keep, []
        if self._store.read_only:
            return
        for name, at, basis, doc in to_keep:
            with suppress(StoreError):
                self._store.keep_derived(name, at, basis, doc, generation=self._generation)

    @staticmethod
    def _basis(**also: object) -> str:
        return json.dumps({**also, "version": __version__})

    def _kept(self, name: str, basis: str) -> tuple[float | None, Any]:
        """The horizon of the fold kept under ``name`` for ``basis`` (None: there is none) and
        its document if this analysis can go on from it (not a replay before its horizon)."""
        kept = None if self._afresh else self._store.derived(name)
        if kept is None or kept[1] != basis:
            return None, None
        try:
            doc = json.loads(kept[2])
        except ValueError:  # (damaged on disk: folded afresh, and kept anew)
            return None, None
        at = float(kept[0])
        return at, (doc if at <= self._now.timestamp() else None)

    def _keep(self, name: str, at: float, basis: str, doc: Any) -> None:
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        self._to_keep.append((name, int(at), basis, text))
