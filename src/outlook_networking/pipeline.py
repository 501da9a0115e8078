"""The pipeline's steps over one account: sync, analyse, plan, apply, undo.

The CLI commands and the agent's ``run_once`` are thin callers of these functions, so a command
typed by hand and a cycle of the background agent do exactly the same work.

- :func:`sync_source` drains a Source into the store, one batch and its cursor per transaction.
- :func:`desired_state` turns the analysed network into what the mailbox should show.
- :func:`plan_account`, :func:`apply_account`, :func:`undo_account` compare, write and revert.

Exports: ``SyncReport``, ``sync_source``, ``desired_state``, ``scheme_for``, ``plan_account``,
``sync_account``, ``apply_account``, ``undo_account``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .connectors.base import Problem, Sink, Source
from .store import Store
from .writeback import ApplyReport, apply_plan, undo
from .writeback.plan import (
    CategoryScheme,
    Desired,
    DesiredContact,
    DesiredTask,
    WritebackPlan,
    plan,
)

if TYPE_CHECKING:
    from .cli.context import Context
    from .config import AccountConfig, Config
    from .core.network import Network

__all__ = [
    "SyncReport",
    "apply_account",
    "desired_state",
    "plan_account",
    "scheme_for",
    "sync_account",
    "sync_source",
    "undo_account",
]


@dataclass
class SyncReport:
    """What one sync of one source did."""

    source: str
    batches: int = 0
    items: int = 0
    written: int = 0
    deleted: int = 0
    problems: list[Problem] = field(default_factory=list)
    stopped: bool = False  # asked to stop at a safe point before the round finished

    def describe(self) -> str:
        text = (
            f"{self.items:,} item(s) read, {self.written:,} new or changed, "
            f"{self.deleted:,} deleted"
        )
        if self.problems:
            text += f", {len(self.problems):,} skipped as unreadable"
        if self.stopped:
            text += " (stopped early; the next sync resumes)"
        return text


def sync_source(
    store: Store,
    source: Source,
    *,
    on_batch: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SyncReport:
    """Read everything new from ``source`` into ``store``; each batch with its cursor."""
    report = SyncReport(source.name)
    batches = source.read(store.cursors(source.name))
    try:
        for batch in batches:
            result = store.apply_batch(source.name, batch)
            report.batches += 1
            report.items += len(batch.interactions) + len(batch.cards)
            report.written += result.written
            report.deleted += result.deleted + result.swept
            report.problems.extend(batch.problems)
            if on_batch is not None:
                on_batch(len(batch.interactions) + len(batch.cards))
            if should_stop():
                report.stopped = True
                break
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()
    return report


def scheme_for(config: Config) -> CategoryScheme:
    """The product's category names and colours, from the ``[writeback]`` table."""
    return CategoryScheme(
        names=dict(config.writeback.category_names), colours=dict(config.writeback.colours)
    )


def desired_state(network: Network, account: AccountConfig) -> Desired:
    """What the mailbox should show: each person's tier category, a task per open follow-up."""
    contacts = tuple(
        DesiredContact(tuple(view.addresses), view.name, view.tier.tier)
        for view in network.contacts
    )
    tasks = tuple(DesiredTask(f.key, f.subject, f.due, f.reason) for f in network.followups)
    return Desired(
        contacts=contacts,
        tasks=tasks,
        create_contacts_for=frozenset(account.create_contacts_for_tiers),
    )


def plan_account(
    network: Network, config: Config, account: AccountConfig, sink: Sink
) -> WritebackPlan:
    """The write-back plan for one account's mailbox as it is now."""
    return plan(desired_state(network, account), sink.read_state(), scheme_for(config))


def sync_account(
    ctx: Context,
    account: AccountConfig,
    *,
    since_months: int | None = None,
    full: bool = False,
    progress: bool = False,
) -> SyncReport:
    """``outlook-networking sync`` for one account."""
    from .cli.output import progress as progress_bar
    from .connectors.factory import connect

    connection = connect(ctx, account, since_months=since_months)
    try:
        if full:
            # Every folder starts over; the sweep removes copies gone meanwhile, never history.
            ctx.store.restart_source(connection.source.name)
        with progress_bar(progress, f"Syncing {account.name}", None) as bar:
            advance = (lambda n: bar.advance(bar.task_ids[0], n)) if bar is not None else None
            report = sync_source(ctx.store, connection.source, on_batch=advance)
    finally:
        connection.close()
    _own_account_address(ctx.store, account)
    return report


def _own_account_address(store: Store, account: AccountConfig) -> None:
    """The configured account's address is the owner's: the config says so, no guess needed."""
    owner, origin = store.owner()
    address = account.address.lower()
    if origin == "given" and address in owner:
        return
    keep = owner if origin == "given" else ()
    store.set_owner(sorted({*keep, address}), "given")


def apply_account(
    ctx: Context, account: AccountConfig, *, dry_run: bool
) -> tuple[WritebackPlan, ApplyReport | None]:
    """``outlook-networking apply [--dry-run]`` for one account."""
    from .connectors.factory import connect

    connection = connect(ctx, account)
    try:
        actions = plan_account(ctx.network, ctx.config, account, connection.sink)
        if dry_run:
            return actions, None
        report = apply_plan(ctx.store, connection.sink, actions, run_id=uuid.uuid4().hex)
        return actions, report
    finally:
        connection.close()


def undo_account(ctx: Context, account: AccountConfig) -> ApplyReport:
    """``outlook-networking undo`` for one account."""
    from .connectors.factory import connect

    connection = connect(ctx, account)
    try:
        return undo(ctx.store, connection.sink, scheme_for(ctx.config))
    finally:
        connection.close()
