"""The store analysed: the network and the give-and-take ledger, with their follow-ups merged.

The one place that turns the store into an analysis. It reads the interactions once, hands them
to :func:`core.network.analyse` and the ledger's pass (:meth:`.derived.Folds.ledger`, then
:func:`core.ledger.summarise`: what :func:`core.ledger.build_ledger` does), folds the ledger's
"thank or return the favour" follow-ups into the network's and applies the owner's decisions
(``followups done`` and ``snooze``, kept in the store), so every output (follow-ups, the tasks
``apply`` and the agent write, the report, the add-in card) sees one list, most pressing first.
The introductions ``intro`` proposed (:meth:`Store.intro_proposals`) reach the ledger, which
recognises the one the owner then asked for.

An analysis reads every interaction: a minute at a million. Whoever waits for one can follow it
(``progress``, :data:`Progress`): the interactions read of how many, then the analysis, then, where
the answers are kept (``app.answers``), the contacts rendered of how many.

Exports: ``ANALYSE``, ``DONE``, ``KEEP``, ``READ``, ``Insight``, ``Progress``, ``analyse_store``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from ..config import Config
from ..core.followups import FollowUp, apply_decisions
from ..core.intro import asked_from
from ..core.ledger import Ledger, in_order, summarise
from ..core.network import Network, analyse
from ..model import Interaction
from ..store import Store
from .derived import Folds

__all__ = ["ANALYSE", "DONE", "KEEP", "READ", "Insight", "Progress", "analyse_store"]

# The steps an analysis is followed through (Progress): interactions read, of how many; the
# analysis itself (not counted); contacts rendered for keeping, of how many; and the end, told
# once whatever happened (the steps after it are another analysis's).
READ, ANALYSE, KEEP, DONE = "read", "analyse", "keep", "done"
Progress = Callable[[str, int, "int | None"], None]  # a step, how much is done, of how much
_EVERY = 10_000  # interactions between two reports of the reading


@dataclass(frozen=True)
class Insight:
    """The analysed network (follow-ups include the ledger's) and the ledger itself."""

    network: Network
    ledger: Ledger


def analyse_store(
    store: Store,
    config: Config,
    now: datetime,
    *,
    progress: Progress | None = None,
    afresh: bool = False,
) -> Insight:
    """Analyse everything in ``store`` as of ``now``, telling ``progress`` how far it got (its
    :data:`READ` and :data:`ANALYSE` steps; :data:`DONE` is the caller's to tell). It goes on
    from what an earlier analysis derived up to a horizon (:mod:`.derived`), unless ``afresh``,
    and keeps what it derived for the next."""
    # Reading the store makes millions of small acyclic objects; the cyclic collector would scan
    # the growing heap again and again while they are read (a fifth of the read at 1,000,000
    # interactions), as core.network.analyse says of the analysis itself. And what the analysis
    # leaves outlives it (the answers, the write-back are made from it): each full collection
    # after it would scan it all again, 2.6 s at a million, set off by whatever allocates next
    # (the agent's write-back plan took 2.3 s instead of 0.07). So it is frozen (gc.freeze):
    # refcounting still frees it, the collector no longer looks at it. A long-lived process
    # unfreezes once it has let the analysis go (gc.unfreeze: the agent after each cycle).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyse_store(store, config, now, progress, afresh)
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


def _analyse_store(
    store: Store, config: Config, now: datetime, progress: Progress | None, afresh: bool
) -> Insight:
    folds = Folds(store, store.generation(), now, afresh=afresh)  # (the generation read first)
    owner, _ = store.owner()
    if progress is None:
        items = list(store.interactions())
    else:
        items = list(_counted(store.interactions(), store.interaction_count(), progress))
        progress(ANALYSE, 0, None)
    network = analyse(
        items,
        store.cards(),
        owner=frozenset(owner),
        settings=config.settings,
        now=now,
        identity_overrides=store.identity_overrides(),
        last_review=store.review_snapshot(),
        key_dates=store.key_dates(),
        address_stats=folds.address_stats,
        threads_of=folds.threads,
        histories_of=folds.histories,
    )
    lists, is_excluded = network.identities.lists, network.settings.is_excluded
    # All items, not only those up to now: a meeting already set up proves an introduction took.
    found = folds.ledger(
        in_order(items),
        network.owner,
        settings=config.ledger,
        people=network.identities.person_of,
        threads=network.threads,
        excluded=lambda address: address in lists or is_excluded(address),  # never a person
        asked=asked_from(store.intro_proposals()),
    )
    del items
    ledger = summarise(found, now=now, settings=config.ledger, dismissed=store.dismissed())
    followups = apply_decisions(
        [*network.followups, *ledger.followups], store.followup_decisions(), now
    )
    folds.keep()  # (last: it ends any moment of the store the reads above were held to)
    return Insight(_with_followups(network, followups), ledger)


def _counted(items: Iterable[Interaction], total: int, progress: Progress) -> Iterator[Interaction]:
    """``items``, telling ``progress`` every :data:`_EVERY` how many have been read."""
    progress(READ, 0, total)
    done = 0
    for done, item in enumerate(items, 1):
        yield item
        if not done % _EVERY:
            progress(READ, done, total)
    progress(READ, done, max(total, done))  # (more may have come since they were counted)


def _with_followups(network: Network, followups: tuple[FollowUp, ...]) -> Network:
    """The network with ``followups`` as its list and each contact's own, in that order."""
    mine: dict[str, list[FollowUp]] = {}
    for followup in followups:
        mine.setdefault(followup.contact, []).append(followup)
    contacts = tuple(
        replace(view, followups=tuple(mine.get(view.person.key, ())))
        if view.followups or view.person.key in mine
        else view
        for view in network.contacts
    )
    return replace(
        network,
        contacts=contacts,
        followups=followups,
        by_person={c.person.key: c for c in contacts},  # find() answers with the new views
    )
