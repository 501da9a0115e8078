"""One cycle of the agent: sync every account, analyse the network, write it back.

:func:`run_once` is the whole cycle; the loop in :mod:`.loop` and ``agent --once`` call it, and
tests call it directly with in-memory or test-server connections. It does exactly what the
commands ``sync`` and ``apply`` do, through the same functions of :mod:`outlook_networking.app`,
for every configured account:

1. record the configured addresses as the owner's, and sync each account's source into the
   store, batch by batch (each batch with its cursor);
2. analyse the whole store once, as of ``now`` (the network spans every account, and its
   follow-ups include the give-and-take ledger's, as ``apply`` sees them), and keep its answers
   in the store for the commands that read (:mod:`outlook_networking.app.answers`); from the
   sync's first change to the store until they are kept, readers are served the answers kept
   before (``app.answers.analysing``, marked after every batch that changed the store);
3. for each account whose sync succeeded and whose write-back is enabled: plan against the
   mailbox as it is and apply the plan with the journal (``app.pipeline.write_back``).

One account failing (sign-in, server down, throttled) is recorded in its :class:`AccountReport`
and the others go on. ``should_stop`` is asked between batches and between actions, the safe
points where stopping leaves nothing half-done and unrecorded.

A cycle in which nothing changed must cost one sync request per folder and no writes. Reading
the mailbox's state for the plan would cost more, so the plan is skipped when the account's sync
changed nothing in the store, the desired state hashes the same as at the last complete apply,
and that apply is younger than ``recheck_s``; the periodic re-check catches what the user changed
by hand in folders the sync does not read (the Tasks folder, the master category list).

Analysing the whole store costs far more than a quiet sync (a minute of CPU at a million
interactions), so a cycle also skips steps 2 and 3 when it is **quiet**: the loop hands it the
last cycle that analysed and wrote back every account (:class:`Settled`), and nothing an
analysis reads has changed since (the store's generation is the same: no new mail, no owner's
decision, no merge) and that analysis is younger than ``recheck_s``. Only the passing of time
could then change the analysis (a reply becoming owed, a contact cooling; counted in days), so
what the mailbox shows and the answers the commands read lag the clock by at most ``recheck_s``
and one interval, never the data. The answers the loop keeps last that long.

Exports: ``AccountReport``, ``CycleReport``, ``Connection``, ``OnInsight``, ``Settled``,
``run_once``, ``desired_digest``, ``APPLIED_DOC_PREFIX``, ``DEFAULT_RECHECK_S``.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from ..app.analysis import Insight, analyse_store
from ..app.answers import MAX_AGE as ANSWERS_MAX_AGE
from ..app.answers import analysing
from ..app.answers import keep as keep_answers
from ..app.pipeline import claim_owner, desired_state, extra_tasks, sync_source, write_back
from ..app.wording import describe, describe_each
from ..config import AccountConfig, Config
from ..core.network import Network
from ..errors import StoreError, Throttled
from ..i18n import category_scheme, wording_for
from ..ports import Batch, Sink, Source
from ..store import Store
from ..writeback.plan import DesiredTask
from .logs import LOGGER_NAME, log_event

__all__ = [
    "APPLIED_DOC_PREFIX",
    "DEFAULT_RECHECK_S",
    "AccountReport",
    "Connection",
    "CycleReport",
    "OnInsight",
    "Settled",
    "desired_digest",
    "run_once",
]

APPLIED_DOC_PREFIX = "agent:applied:"  # + account name: the last complete apply's desired hash
DEFAULT_RECHECK_S = 3600.0

_log = logging.getLogger(f"{LOGGER_NAME}.agent")

# Given a cycle's analysis, the store's fingerprint from just before it, and its ``now``.
OnInsight = Callable[[Insight, tuple[object, ...], datetime], None]


class Connection(Protocol):
    """An account's source and sink (what ``app.connect.connect`` returns)."""

    @property
    def source(self) -> Source: ...

    @property
    def sink(self) -> Sink: ...


@dataclass(frozen=True)
class Settled:
    """A cycle that analysed the store and wrote the analysis back: the store's generation it
    analysed (unchanged until the cycle ended), the cycle's ``now`` and the accounts whose
    write-back it completed (or found nothing to change for). The next cycle is quiet while the
    generation is the same, ``now`` recent and every account it would write back among these
    (see the module docstring); an account that failed is written back by the next cycle."""

    generation: int
    now: datetime
    accounts: frozenset[str]


@dataclass(frozen=True)
class AccountReport:
    """What one cycle did for one account.

    ``apply`` says what happened to the write-back: ``"applied"``, ``"unchanged"`` (skipped, see
    the module docstring), ``"disabled"``, ``"skipped"`` (the sync failed or a stop came first)
    or ``"failed"``. ``deferred``: the account was not tried this cycle (it is backing off after
    failures of its own; see :mod:`.loop`).
    """

    account: str
    items: int = 0  # items read from the source
    written: int = 0  # new or changed in the store
    deleted: int = 0
    planned: int = 0
    applied: int = 0
    apply: str = "skipped"
    error: str | None = None  # one line for people
    error_kind: str | None = None  # the exception class, for scripts and the log
    error_words: Mapping[str, str] = dataclasses.field(default_factory=dict)  # language -> line
    retry_after_s: float = 0.0  # the back-off a throttling server asked for
    stopped: bool = False
    deferred: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.deferred


@dataclass(frozen=True)
class CycleReport:
    """What one cycle did: per account, and whether it was stopped or failed as a whole."""

    started: datetime
    finished: datetime
    accounts: tuple[AccountReport, ...] = ()
    stopped: bool = False
    error: str | None = None  # the cycle as a whole failed (the store, the analysis)
    error_kind: str | None = None
    error_words: Mapping[str, str] = dataclasses.field(default_factory=dict)  # language -> line
    analysed: bool = False  # the store was analysed this cycle (not quiet, not sync-only)
    settled: Settled | None = None  # what the next cycle may stay quiet on (run_once's settled)

    @property
    def items_synced(self) -> int:
        return sum(a.items for a in self.accounts)

    @property
    def actions_applied(self) -> int:
        return sum(a.applied for a in self.accounts)

    @property
    def errors(self) -> tuple[str, ...]:
        own = (self.error,) if self.error else ()
        return own + tuple(a.error for a in self.accounts if a.error)

    @property
    def errors_words(self) -> tuple[Mapping[str, str], ...]:
        """:attr:`errors` in every language, in the same order."""
        own = (self.error_words,) if self.error else ()
        return own + tuple(a.error_words for a in self.accounts if a.error)

    @property
    def retry_after_s(self) -> float:
        return max((a.retry_after_s for a in self.accounts), default=0.0)

    @property
    def result(self) -> str:
        """``ok``, ``partial`` (some accounts failed or back off), ``failed`` or ``stopped``."""
        if self.error is not None or (self.accounts and not any(a.ok for a in self.accounts)):
            return "failed"
        if any(not a.ok for a in self.accounts):
            return "partial"
        if self.stopped:
            return "stopped"
        return "ok"

    @property
    def failed(self) -> bool:
        return self.result in ("failed", "partial")

    def to_json(self) -> dict[str, Any]:
        return {
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "result": self.result,
            "items_synced": self.items_synced,
            "actions_applied": self.actions_applied,
            "analysed": self.analysed,
            "errors": list(self.errors),
            "accounts": [
                {k: v for k, v in dataclasses.asdict(a).items() if k != "error_words"}
                for a in self.accounts
            ],
        }


def desired_digest(
    network: Network, config: Config, account: AccountConfig, extra: Sequence[DesiredTask] = ()
) -> str:
    """A stable hash of what the mailbox should show for ``account`` (names and colours too, in
    the language the mailbox is written in)."""
    words = wording_for(config)
    desired = desired_state(network, account, words, extra=extra)
    scheme = category_scheme(config, words)
    doc = {
        "scheme": [sorted(scheme.names.items()), sorted(scheme.colours.items())],
        "contacts": sorted(
            [sorted(c.addresses), c.name, c.tier] for c in desired.contacts
        ),
        "tasks": sorted(
            [t.key, t.subject, t.due.isoformat() if t.due else None, t.body]
            for t in desired.tasks
        ),
        "create_for": sorted(desired.create_contacts_for),
        "messages": [
            account.tag_messages, list(account.tag_message_tiers), account.tag_message_days,
            list(account.followups_as),
        ],
    }
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False).encode()).hexdigest()


@dataclass
class _Progress:
    items: int = 0
    written: int = 0
    deleted: int = 0
    planned: int = 0
    applied: int = 0
    apply: str = "skipped"
    error: BaseException | None = None
    stopped: bool = False
    connection: Connection | None = None
    deferred: bool = False

    @property
    def synced(self) -> bool:
        """Tried this cycle and read without an error: its mailbox may be written."""
        return self.error is None and not self.deferred and self.connection is not None

    def report(self, account: str) -> AccountReport:
        error = self.error
        return AccountReport(
            account=account,
            items=self.items,
            written=self.written,
            deleted=self.deleted,
            planned=self.planned,
            applied=self.applied,
            apply=self.apply,
            error=describe(error) if error is not None else None,
            error_kind=type(error).__name__ if error is not None else None,
            error_words=describe_each(error) if error is not None else {},
            retry_after_s=error.retry_after_s if isinstance(error, Throttled) else 0.0,
            stopped=self.stopped,
            deferred=self.deferred,
        )


def run_once(
    store: Store,
    config: Config,
    connections: Mapping[str, Connection],
    *,
    now: datetime,
    apply: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
    recheck_s: float = DEFAULT_RECHECK_S,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    defer: Collection[str] = (),
    on_insight: OnInsight | None = None,
    answers_for: timedelta = ANSWERS_MAX_AGE,
    settled: Settled | None = None,
) -> CycleReport:
    """Run one cycle over every configured account (see the module docstring).

    Parameters:
        connections: account name → its connection. Looked up inside the account's error
            handling, so a mapping that connects lazily may raise for one account only.
        now: the time the analysis takes as "now" (``--now`` replays the past).
        apply: False: sync only; nothing is analysed or written (the analysis serves only the
            write-back).
        should_stop: asked at every safe point; True ends the cycle there.
        recheck_s: re-read the mailbox's state at least this often even when nothing changed.
        clock: the wall clock, for the report's times and the re-check age.
        defer: names of accounts not to try this cycle (backing off); reported as deferred.
        on_insight: given the cycle's analysis, the store's fingerprint from just before it and
            its ``now`` (the add-in's card server beside the agent keeps it).
        answers_for: how long the answers the cycle keeps serve the reading commands
            (``app.answers``): until the next cycle has kept newer ones.
        settled: the report's ``settled`` of the previous cycle: this one is quiet (neither
            analyses nor writes back) while the store's generation is still its and its
            ``now`` is less than ``recheck_s`` ago.

    Returns:
        The cycle's report. Raises only ``StoreError`` (the store is shared by every account).
    """
    started = clock()
    progress = {a.name: _Progress(deferred=a.name in defer) for a in config.accounts}
    claim_owner(store, [a.mailbox_address for a in config.accounts])
    # What the sync stores is what the analysis after it reads: from its first change on,
    # readers are served the answers kept before (app.answers.analysing), not left to analyse a
    # store half synced beside the agent. Each change is marked after it is stored, so a write
    # of the owner's meanwhile (a follow-up done) moves the store past the mark and is seen.
    marked = _Marks(store, now) if apply and any(a.writeback for a in config.accounts) else None
    stopped = _sync_accounts(store, config, connections, progress, should_stop, marked)
    network: Network | None = None
    cycle_error: BaseException | None = None
    generation = store.generation()
    writers = [a for a in config.accounts if a.writeback and progress[a.name].synced]
    analyse = apply and not stopped and bool(writers)
    # The analysis that ends an hour of quiet cycles is the hourly re-check of the mailboxes as
    # well: the last apply may have ended less than recheck_s before it (it ended after the
    # settled cycle's now), and would otherwise wait another hour.
    hourly = settled is not None and settled.generation == generation
    if analyse and _quiet(settled, generation, now, recheck_s, writers):
        assert settled is not None
        log_event(_log, "analyse.quiet", generation=generation,
                  age_s=round((now - settled.now).total_seconds(), 3))
        for account in writers:
            progress[account.name].apply = "unchanged"
        analyse = False
    else:
        settled = None
    # The analysis's objects are frozen out of the cyclic collector's sight (app.analysis);
    # this process lives on, so they go back to it as the cycle lets them go.
    try:
        if analyse:
            network, cycle_error = _analyse(store, config, now, on_insight, answers_for, generation)
        elif marked is not None and marked.made:
            analysing(store, None, now)  # no analysis follows the sync's changes after all
        if _write_back_accounts(
            store, config, progress, network, apply=apply, clock=clock,
            recheck_s=0.0 if hourly else recheck_s, should_stop=should_stop,
        ):
            stopped = True
        written_back = _written_back(config, progress)
        if network is not None and written_back and store.generation() == generation:
            settled = Settled(generation, now, written_back)
        return CycleReport(
            started=started,
            finished=clock(),
            accounts=tuple(progress[a.name].report(a.name) for a in config.accounts),
            stopped=stopped,
            error=describe(cycle_error) if cycle_error is not None else None,
            error_kind=type(cycle_error).__name__ if cycle_error is not None else None,
            error_words=describe_each(cycle_error) if cycle_error is not None else {},
            analysed=network is not None,
            settled=settled,
        )
    finally:
        gc.unfreeze()


def _quiet(
    settled: Settled | None,
    generation: int,
    now: datetime,
    recheck_s: float,
    writers: Sequence[AccountConfig],
) -> bool:
    """Whether nothing an analysis reads changed since ``settled``, which is younger than
    ``recheck_s`` and wrote back every account in ``writers``."""
    if settled is None or settled.generation != generation:
        return False
    if any(a.name not in settled.accounts for a in writers):
        return False
    return 0 <= (now - settled.now).total_seconds() < recheck_s


def _written_back(config: Config, progress: Mapping[str, _Progress]) -> frozenset[str]:
    """The accounts synced and written back whole this cycle."""
    return frozenset(
        a.name
        for a in config.accounts
        if a.writeback
        and progress[a.name].synced
        and progress[a.name].apply in ("applied", "unchanged")
        and not progress[a.name].stopped
    )


class _Marks:
    """Marks the store as about to be analysed (``app.answers.analysing``) at each generation a
    sync's batch moved it to."""

    def __init__(self, store: Store, now: datetime) -> None:
        self.store, self.now = store, now
        self.generation = store.generation()
        self.made = False

    def __call__(self) -> None:
        generation = self.store.generation()
        if generation != self.generation:  # (a batch of copies seen again changed nothing)
            analysing(self.store, generation, self.now)
            self.generation, self.made = generation, True


def _sync_accounts(
    store: Store,
    config: Config,
    connections: Mapping[str, Connection],
    progress: Mapping[str, _Progress],
    should_stop: Callable[[], bool],
    marked: Callable[[], None] | None = None,
) -> bool:
    """Step 1: each account's source into the store; True if a stop came first. ``marked`` is
    called after each batch is stored."""
    for account in config.accounts:
        state = progress[account.name]
        if state.deferred:
            continue
        if should_stop():
            return True
        try:
            state.connection = connections[account.name]

            def count(batch: Batch, state: _Progress = state) -> None:
                # kept when a later batch fails: those batches are stored
                state.items += len(batch.interactions) + len(batch.cards)
                if marked is not None:
                    marked()

            sync = sync_source(
                store, state.connection.source, on_batch=count, should_stop=should_stop
            )
        except StoreError:
            raise
        except Exception as exc:  # one account's trouble must not stop the others
            state.error = exc
            log_event(_log, "sync.failed", level=logging.WARNING, account=account.name,
                      kind=type(exc).__name__, error=describe(exc))
            continue
        state.items, state.written, state.deleted = sync.items, sync.written, sync.deleted
        log_event(_log, "sync.done", account=account.name, items=sync.items,
                  written=sync.written, deleted=sync.deleted, batches=sync.batches,
                  unreadable=len(sync.problems), stopped=sync.stopped)
        if sync.stopped:
            state.stopped = True
            return True
    return False


def _analyse(
    store: Store,
    config: Config,
    now: datetime,
    on_insight: OnInsight | None,
    answers_for: timedelta,
    generation: int,
) -> tuple[Network | None, BaseException | None]:
    """Step 2: the whole store (at ``generation``) analysed as ``apply`` analyses it, or the
    error that stopped it; its answers kept in the store for the commands that read
    (``app.answers``), and ``on_insight`` given the analysis with the store's fingerprint from
    just before it. Until its answers are kept, readers are served the ones kept before
    (``app.answers.analysing``), and the add-in's card server its last analysis."""
    try:
        before = store.fingerprint() if on_insight is not None else ()
        analysing(store, generation, now)
        insight = analyse_store(store, config, now)
    except StoreError:
        raise
    except Exception as exc:
        analysing(store, None, now)
        log_event(_log, "analyse.failed", level=logging.ERROR, kind=type(exc).__name__,
                  error=describe(exc))
        return None, exc
    try:
        kept = keep_answers(
            store, insight, config, wording_for(config), generation, fresh_for=answers_for
        )
        log_event(_log, "answers.kept" if kept else "answers.outdated", generation=generation)
        if not kept:
            analysing(store, None, now)
    except StoreError:
        raise
    except Exception as exc:  # the answers are a saving: the write-back goes on without them
        analysing(store, None, now)
        log_event(_log, "answers.failed", level=logging.WARNING, kind=type(exc).__name__,
                  error=describe(exc))
    if on_insight is not None:
        on_insight(insight, before, now)
    return insight.network, None


def _write_back_accounts(
    store: Store,
    config: Config,
    progress: Mapping[str, _Progress],
    network: Network | None,
    *,
    apply: bool,
    clock: Callable[[], datetime],
    recheck_s: float,
    should_stop: Callable[[], bool],
) -> bool:
    """Step 3: each synced account's write-back; True if a stop came first."""
    for account in config.accounts:
        state = progress[account.name]
        if not account.writeback or not apply:
            state.apply = "disabled"
            continue
        if network is None or not state.synced:
            continue
        if should_stop():
            return True
        _apply_account(store, config, account, state, network, clock, recheck_s, should_stop)
        if state.stopped:
            return True
    return False


def _apply_account(
    store: Store,
    config: Config,
    account: AccountConfig,
    state: _Progress,
    network: Network,
    clock: Callable[[], datetime],
    recheck_s: float,
    should_stop: Callable[[], bool],
) -> None:
    assert state.connection is not None
    digest = desired_digest(network, config, account, extra_tasks(store, network, config))
    key = APPLIED_DOC_PREFIX + account.name
    last = store.get_doc(key) or {}
    moment = clock()
    age = moment.timestamp() - float(last.get("checked_at", 0))
    if (
        state.written == 0
        and state.deleted == 0
        and last.get("desired") == digest
        and 0 <= age < recheck_s
    ):
        state.apply = "unchanged"
        log_event(_log, "apply.unchanged", account=account.name)
        return
    try:
        actions, report = write_back(
            store, config, network, account, state.connection.sink, should_stop=should_stop
        )
    except StoreError:
        raise
    except Exception as exc:
        state.error = exc
        state.apply = "failed"
        log_event(_log, "apply.failed", level=logging.WARNING, account=account.name,
                  kind=type(exc).__name__, error=describe(exc))
        return
    assert report is not None
    state.planned = len(actions)
    state.applied = len(report.applied)
    if report.error is not None:
        state.error = report.error
        state.apply = "failed"
        log_event(_log, "apply.failed", level=logging.WARNING, account=account.name,
                  planned=state.planned, applied=state.applied,
                  kind=type(report.error).__name__, error=describe(report.error))
        return
    if not report.complete:  # stopped between actions
        state.apply = "applied"
        state.stopped = True
        log_event(_log, "apply.stopped", account=account.name, planned=state.planned,
                  applied=state.applied)
        return
    state.apply = "applied"
    store.put_doc(key, {"desired": digest, "checked_at": moment.timestamp()})
    log_event(_log, "apply.done", account=account.name, planned=state.planned,
              applied=state.applied)
