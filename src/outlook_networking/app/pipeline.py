"""The pipeline's steps: sync or ingest, record the owner, plan, apply, undo.

The command line, the agent and the add-in call these functions, so a command typed by hand and
a cycle of the background agent do exactly the same work. Nothing here prints: progress reaches a
front end through callbacks (``on_batch``), errors as the product's exceptions.

- :func:`sync_source` drains a Source into the store, one batch and its cursor per transaction;
  :func:`sync_account` does it for a configured account, :func:`ingest_files` for exported files.
- :func:`claim_owner` and :func:`settle_owner` record whose mailbox this is.
- :func:`desired_state` turns the analysed network into what a mailbox should show (with
  :func:`extra_tasks`, the morning brief when it is configured); :func:`plan_account` compares
  it with the mailbox as it is.
- :func:`write_back` plans and applies (``apply`` and the agent's cycle both call it),
  :func:`apply_plan` runs a plan with the journal, :func:`undo` reverts everything written.

Exports: ``SyncReport``, ``ApplyReport``, ``sync_source``, ``sync_account``, ``ingest_files``,
``claim_owner``, ``settle_owner``, ``desired_state``, ``extra_tasks``, ``plan_account``,
``apply_plan``,
``write_back``, ``undo``, ``apply_account``, ``undo_account``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import AccountConfig, Config
from ..core.network import Network
from ..core.owner import OwnerTally, detect_owner
from ..errors import ConnectorError, UsageError
from ..parsing.addresses import normalise
from ..ports import Action, Batch, Problem, Sink, Source
from ..store import Store
from ..writeback.plan import (
    CategoryScheme,
    Desired,
    DesiredContact,
    DesiredTask,
    WritebackPlan,
    plan,
    plan_undo,
)
from .brief import morning_brief_task
from .workspace import Workspace

if TYPE_CHECKING:
    from ..sources import Unit

__all__ = [
    "ApplyReport",
    "SyncReport",
    "apply_account",
    "apply_plan",
    "claim_owner",
    "desired_state",
    "extra_tasks",
    "ingest_files",
    "plan_account",
    "settle_owner",
    "sync_account",
    "sync_source",
    "undo",
    "undo_account",
    "write_back",
]

OnBatch = Callable[[Batch], None]
FileProgress = Callable[["Unit", int, int | None], None]  # a file, items read, their total


# --- reading -------------------------------------------------------------------------------------


@dataclass
class SyncReport:
    """What one sync of one source did."""

    source: str
    batches: int = 0
    interactions: int = 0
    cards: int = 0
    written: int = 0
    deleted: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # left out on purpose, by what
    stopped: bool = False  # asked to stop at a safe point before the round finished

    @property
    def items(self) -> int:
        """Interactions and contact cards read."""
        return self.interactions + self.cards

    @property
    def unreadable(self) -> list[Problem]:
        """Whole files that could not be read (the others were)."""
        return [p for p in self.problems if p.whole]


def sync_source(
    store: Store,
    source: Source,
    *,
    on_batch: OnBatch | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SyncReport:
    """Read everything new from ``source`` into ``store``; each batch with its cursor.

    ``on_batch`` hears of every batch once it is stored; ``should_stop`` is asked after each,
    the safe point where stopping leaves nothing half-written.
    """
    report = SyncReport(source.name)
    batches = source.read(store.cursors(source.name))
    try:
        for batch in batches:
            result = store.apply_batch(source.name, batch)
            report.batches += 1
            report.interactions += len(batch.interactions)
            report.cards += len(batch.cards)
            report.written += result.written
            report.deleted += result.deleted + result.swept
            report.problems.extend(batch.problems)
            report.skipped.update({s.what: s.count for s in batch.skipped})
            if on_batch is not None:
                on_batch(batch)
            if should_stop():
                report.stopped = True
                break
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()
    return report


def sync_account(
    workspace: Workspace,
    account: AccountConfig,
    *,
    since_months: int | None = None,
    full: bool = False,
    on_batch: OnBatch | None = None,
) -> SyncReport:
    """``outlook-networking sync`` for one account: its mail into the store, its address as the
    owner's (a shared mailbox's own address, not the reader's)."""
    connection = workspace.connect(account, since_months=since_months)
    try:
        if full:
            workspace.store.forget_source(connection.source.name)
        report = sync_source(workspace.store, connection.source, on_batch=on_batch)
    finally:
        connection.close()
    claim_owner(workspace.store, [account.mailbox_address])
    return report


def ingest_files(
    store: Store,
    paths: Sequence[Path],
    *,
    now: datetime,
    on_batch: OnBatch | None = None,
    on_file: FileProgress | None = None,
) -> tuple[SyncReport, OwnerTally]:
    """``outlook-networking ingest``: exported files into the store, and the owner evidence they
    hold (for :func:`settle_owner`). ``on_file`` hears how far the file being read is."""
    from ..sources import FileSource  # icalendar, vobject, pff: only an ingest needs them

    tally = OwnerTally()

    def stored(batch: Batch) -> None:
        tally.feed(batch.interactions, batch.cards)
        if on_batch is not None:
            on_batch(batch)

    source = FileSource(paths, now=now, progress=on_file)
    return sync_source(store, source, on_batch=stored), tally


# --- the owner -----------------------------------------------------------------------------------


def claim_owner(store: Store, addresses: Collection[str]) -> None:
    """The configured mailboxes are the owner's: the configuration says so, no guess needed.

    Addresses given before (``ingest --me``, other accounts) stay; a detected guess gives way.
    Written only when something changes.
    """
    wanted = {a.lower() for a in addresses}
    owner, origin = store.owner()
    if origin == "given" and wanted <= set(owner):
        return
    keep = set(owner) if origin == "given" else set()
    store.set_owner(sorted(keep | wanted), "given")


def settle_owner(
    store: Store, given: Sequence[str], tally: OwnerTally | None = None
) -> tuple[tuple[str, ...], str]:
    """The owner's addresses after an ingest, and how they were found: as given now (``--me``
    replaces the owner), as given before, or detected.

    Detection uses what this ingest read (``tally``) when that is conclusive, and only then
    reads the whole store again.
    """
    if given:
        addresses = tuple(dict.fromkeys(a for a in (normalise(g) for g in given) if a))
        if len(addresses) != len(given):
            raise UsageError(f"--me: not an e-mail address: {', '.join(given)}")
        store.set_owner(addresses, "given")
        return addresses, "given"
    current, origin = store.owner()
    if origin == "given":
        return current, origin
    guess = tally.guess() if tally is not None else None
    if guess is None or not guess.addresses:
        guess = detect_owner(store.interactions(), store.cards())
    if guess.addresses:
        store.set_owner(guess.addresses, "detected")
        return tuple(guess.addresses), f"detected: {guess.evidence}"
    return current, "detected earlier" if current else ""


# --- writing back --------------------------------------------------------------------------------


def extra_tasks(store: Store, network: Network, config: Config) -> tuple[DesiredTask, ...]:
    """The tasks besides the follow-ups: today's morning brief, if ``[brief] write = "task"``."""
    brief = morning_brief_task(store, network, config)
    return (brief,) if brief is not None else ()


def desired_state(
    network: Network, account: AccountConfig, extra: Sequence[DesiredTask] = ()
) -> Desired:
    """What the mailbox should show: each person's tier category, a task per open follow-up,
    and the ``extra`` tasks (:func:`extra_tasks`)."""
    contacts = tuple(
        DesiredContact(tuple(view.addresses), view.name, view.tier.tier)
        for view in network.contacts
    )
    tasks = tuple(DesiredTask(f.key, f.subject, f.due, f.reason) for f in network.followups)
    tasks += tuple(extra)
    return Desired(
        contacts=contacts,
        tasks=tasks,
        create_contacts_for=frozenset(account.create_contacts_for_tiers),
    )


def plan_account(
    network: Network,
    config: Config,
    account: AccountConfig,
    sink: Sink,
    extra: Sequence[DesiredTask] = (),
) -> WritebackPlan:
    """The write-back plan for one account's mailbox as it is now."""
    desired = desired_state(network, account, extra)
    return plan(desired, sink.read_state(), config.writeback.scheme)


@dataclass
class ApplyReport:
    """What an apply or undo did; ``error`` is set when it stopped early."""

    applied: list[Action] = field(default_factory=list)
    planned: int = 0
    error: ConnectorError | None = None

    @property
    def complete(self) -> bool:
        return self.error is None and len(self.applied) == self.planned


def apply_plan(
    store: Store,
    sink: Sink,
    actions: WritebackPlan,
    run_id: str,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> ApplyReport:
    """Apply the plan action by action, journalling each before and after it runs.

    Stops at the first connector error (the rest is planned again next run) or when
    ``should_stop`` says so between actions (the agent's safe point).
    """
    report = ApplyReport(planned=len(actions))
    for action in actions.actions:
        if should_stop():
            break
        entry = store.journal_begin(sink.name, run_id, action, datetime.now(UTC))
        try:
            applied = sink.apply(action)
        except ConnectorError as exc:
            report.error = exc
            break
        store.journal_finish(entry, applied.item_id)
        report.applied.append(action)
    return report


def write_back(
    store: Store,
    config: Config,
    network: Network,
    account: AccountConfig,
    sink: Sink,
    *,
    dry_run: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[WritebackPlan, ApplyReport | None]:
    """Plan the account's write-back against its mailbox and, unless ``dry_run``, apply it.

    ``apply`` and the agent's cycle both write back through here, so they plan alike.
    """
    actions = plan_account(network, config, account, sink, extra_tasks(store, network, config))
    if dry_run:
        return actions, None
    return actions, apply_plan(store, sink, actions, uuid.uuid4().hex, should_stop=should_stop)


def undo(store: Store, sink: Sink, scheme: CategoryScheme) -> ApplyReport:
    """Remove everything the product wrote to this sink's mailbox, and nothing else."""
    actions = plan_undo(store.journal(sink.name), sink.read_state(), scheme)
    report = ApplyReport(planned=len(actions))
    for action in actions.actions:
        try:
            sink.apply(action)
        except ConnectorError as exc:
            report.error = exc
            return report  # entries stay: running undo again finishes the job
        report.applied.append(action)
    store.journal_undone(sink.name)
    return report


def apply_account(
    workspace: Workspace, account: AccountConfig, *, dry_run: bool
) -> tuple[WritebackPlan, ApplyReport | None]:
    """``outlook-networking apply [--dry-run]`` for one account."""
    connection = workspace.connect(account)
    try:
        return write_back(
            workspace.store,
            workspace.config,
            workspace.network,
            account,
            connection.sink,
            dry_run=dry_run,
        )
    finally:
        connection.close()


def undo_account(workspace: Workspace, account: AccountConfig) -> ApplyReport:
    """``outlook-networking undo`` for one account."""
    connection = workspace.connect(account)
    try:
        return undo(workspace.store, connection.sink, workspace.config.writeback.scheme)
    finally:
        connection.close()
