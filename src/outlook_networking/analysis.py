"""The store analysed: the network and the give-and-take ledger, with their follow-ups merged.

The edge between the store and the pure core: it reads the interactions once, hands them to
:func:`core.network.analyse` and :func:`core.ledger.build_ledger`, and folds the ledger's
"thank or return" follow-ups into the network's, so every output (follow-ups, tasks, the report,
the add-in card) sees one list.

Exports: ``Insight``, ``analyse_store``, ``ledger_settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .config import Config
from .core.followups import FollowUp
from .core.ledger import Ledger, LedgerSettings, build_ledger
from .core.network import REVIEW_DOC, Network, analyse
from .store import Store

__all__ = ["Insight", "analyse_store", "ledger_settings"]


@dataclass(frozen=True)
class Insight:
    """The analysed network (follow-ups include the ledger's) and the ledger itself."""

    network: Network
    ledger: Ledger


def ledger_settings(config: Config) -> LedgerSettings:
    """The ``[ledger]`` table, validated (a problem is a one-line ``ConfigError``)."""
    table = config.raw.get("ledger", {})
    return LedgerSettings.from_mapping(
        table if isinstance(table, dict) else {},
        reply_within_h=config.settings.reply_within_h,
    )


def _sorted(followups: list[FollowUp]) -> tuple[FollowUp, ...]:
    return tuple(sorted(followups, key=lambda f: (f.due, f.key)))


def analyse_store(store: Store, config: Config, now: datetime) -> Insight:
    """Analyse everything in ``store`` as of ``now``."""
    owner, _ = store.owner()
    items = list(store.interactions())
    network = analyse(
        items,
        store.cards(),
        owner=frozenset(owner),
        settings=config.settings,
        now=now,
        identity_overrides=store.identity_overrides(),
        last_review=store.get_doc(REVIEW_DOC),
    )
    lists, is_excluded = network.identities.lists, network.settings.is_excluded
    # All items, not only those up to now: a meeting already set up proves an introduction took.
    ledger = build_ledger(
        items,
        network.owner,
        now=now,
        settings=ledger_settings(config),
        people=network.identities.person_of,
        threads=network.threads,
        dismissed=store.dismissed(),
        excluded=lambda address: address in lists or is_excluded(address),  # never a person
    )
    del items
    if not ledger.followups:
        return Insight(network, ledger)
    extra: dict[str, list[FollowUp]] = {}
    for followup in ledger.followups:
        extra.setdefault(followup.contact, []).append(followup)
    contacts = tuple(
        replace(view, followups=_sorted([*view.followups, *extra[view.person.key]]))
        if view.person.key in extra
        else view
        for view in network.contacts
    )
    merged = replace(
        network,
        contacts=contacts,
        followups=_sorted([*network.followups, *ledger.followups]),
    )
    return Insight(merged, ledger)
