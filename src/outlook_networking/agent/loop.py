"""The agent's loop around :func:`.cycle.run_once`: schedule, signals, lock, status and logs.

:func:`run_agent` is what ``outlook-networking agent`` runs, in the foreground, as a service
manager starts it. It takes the store's lock (one agent per store), then runs a cycle, plans the
next (:mod:`.schedule`: interval with jitter, back-off after failures, one catch-up run after a
suspend), records the status and naps until the next run is due. It hands each cycle what the
last one settled (:class:`.cycle.Settled`), so a cycle in which nothing changed neither analyses
nor writes back until the hourly re-check; the answers the cycles keep last until then.

Back-off is per account: an account whose cycle failed is left out of the following cycles until
its own back-off (interval × 2ⁿ, capped, at least the server's ``Retry-After``) has passed, while
the healthy accounts keep the normal interval; when every account is backing off the agent
sleeps until the first of them is due. One expired sign-in therefore never slows the others.

SIGTERM and SIGINT set a flag that the cycle reads at its safe points (between batches, between
actions) and that ends a nap at once; the agent then records ``stopped`` and exits 0. A second
signal raises ``KeyboardInterrupt`` at once, which is still safe: every batch and every journal
entry is its own transaction, so nothing half-applied is left unrecorded either way.

Connections are built once per account with ``app.connect.connect`` and kept across
cycles (exchangelib's session pool, msal's token cache); an account whose cycle failed gets a
fresh connection the next time.

Early wake-up through EWS streaming notifications is left out: it needs a second long-lived
connection per account, a subscription to renew, and the test server does not implement it,
while a 5-minute interval already costs one SyncFolderItems per folder per cycle.

Exports: ``run_agent``, ``run_loop``, ``ConnectionPool``, ``Clocks``.
"""

from __future__ import annotations

import logging
import random
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any, Protocol

from ..app.answers import MAX_AGE as ANSWERS_MAX_AGE
from ..app.workspace import Workspace
from ..config import AccountConfig, Config
from ..errors import ConfigError, UsageError, problem
from ..store import Store
from .cycle import DEFAULT_RECHECK_S, Connection, CycleReport, OnInsight, Settled, run_once
from .lock import StoreLock
from .logs import LOGGER_NAME, close_logging, configure_logging, log_event
from .schedule import PlannedRun, Schedule, missed_cycles, plan_next, wait_before
from .status import StatusKeeper

__all__ = ["Clocks", "ConnectionPool", "run_agent", "run_loop"]

_log = logging.getLogger(f"{LOGGER_NAME}.agent")


@dataclass(frozen=True)
class Clocks:
    """The two clocks the schedule compares (see :mod:`.schedule`)."""

    wall: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic


class ConnectionPool(Mapping[str, Connection]):
    """Account name → connection, connecting on first use and kept until discarded."""

    def __init__(
        self, accounts: tuple[AccountConfig, ...], connect: Callable[[AccountConfig], Connection]
    ) -> None:
        self._accounts = {a.name: a for a in accounts}
        self._connect = connect
        self._open: dict[str, Connection] = {}

    def __getitem__(self, name: str) -> Connection:
        if name not in self._open:
            self._open[name] = self._connect(self._accounts[name])
        return self._open[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._accounts)

    def __len__(self) -> int:
        return len(self._accounts)

    def discard(self, name: str) -> None:
        """Close and forget an account's connection; the next use connects again."""
        connection = self._open.pop(name, None)
        close = getattr(connection, "close", None)
        if callable(close):
            try:
                close()
            except Exception as exc:  # closing a broken connection must not end the agent
                log_event(_log, "connection.close_failed", level=logging.DEBUG,
                          account=name, kind=type(exc).__name__)

    def close(self) -> None:
        for name in list(self._open):
            self.discard(name)


@dataclass
class _Stop:
    """Set by SIGTERM/SIGINT (or a test); a second signal interrupts at once."""

    event: threading.Event = field(default_factory=threading.Event)
    signals: int = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.signals += 1
        if self.signals > 1:
            raise KeyboardInterrupt
        log_event(_log, "agent.stopping", signal=signal.Signals(signum).name)
        self.event.set()


def run_loop(
    store: Store,
    config: Config,
    connections: ConnectionPool | Mapping[str, Connection],
    *,
    schedule: Schedule,
    once: bool = False,
    apply: bool = True,
    stop: threading.Event | None = None,
    base_now: datetime | None = None,
    clocks: Clocks = Clocks(),
    max_cycles: int | None = None,
    on_cycle: Callable[[CycleReport], None] | None = None,
    on_insight: OnInsight | None = None,
) -> CycleReport | None:
    """Run cycles until ``stop`` is set (or once, or ``max_cycles``); the last cycle's report.

    ``base_now`` is the analysis time of the first cycle (``--now``); later cycles add the wall
    time that has passed since, so a replayed past moves forward as the real clock does.
    ``on_insight`` gets each cycle's analysis (:func:`.cycle.run_once`).
    """
    stop = stop if stop is not None else threading.Event()
    status = StatusKeeper(store)
    wall_at_start = clocks.wall()
    start_now = base_now if base_now is not None else datetime.fromtimestamp(wall_at_start, UTC)
    seed = random.SystemRandom().randrange(1 << 32)
    # The answers a cycle keeps serve until a later cycle has kept newer ones: the next, or,
    # while nothing changes, the first after DEFAULT_RECHECK_S (quiet cycles analyse nothing).
    answers_for = max(
        ANSWERS_MAX_AGE, timedelta(seconds=DEFAULT_RECHECK_S + 2 * schedule.interval_s)
    )
    settled: Settled | None = None
    report: CycleReport | None = None
    cycles = 0
    log_event(_log, "agent.start", accounts=len(config.accounts), interval_s=schedule.interval_s,
              once=once, apply=apply)
    # Per account: failed cycles in a row, and when it may be tried again (None: every cycle).
    backoff: dict[str, tuple[int, PlannedRun | None]] = {a.name: (0, None) for a in config.accounts}
    try:
        while not stop.is_set():
            wall = clocks.wall()
            # The first cycle is exactly at ``base_now`` (``agent --once --now`` replays that
            # moment, as every other command does), later ones as far on as the clock went.
            now = start_now + timedelta(seconds=wall - wall_at_start if cycles else 0)
            defer = _backing_off(backoff, wall, clocks.monotonic())
            status.cycle_started(datetime.fromtimestamp(wall, UTC))
            log_event(_log, "cycle.start", cycle=cycles + 1, deferred=len(defer))
            report = run_once(store, config, connections, now=now, apply=apply,
                              should_stop=stop.is_set, defer=defer, on_insight=on_insight,
                              answers_for=answers_for, settled=settled)
            settled = report.settled
            cycles += 1
            end_wall, end_mono = clocks.wall(), clocks.monotonic()
            _back_off_failed(report, backoff, schedule, end_wall, end_mono, seed + cycles)
            _record(report, status, backoff, connections, cycles)
            if on_cycle is not None:
                on_cycle(report)
            if once or stop.is_set() or (max_cycles is not None and cycles >= max_cycles):
                break
            planned = _next_cycle(schedule, report, backoff, end_wall, end_mono, seed + cycles,
                                  status.consecutive_failures)
            status.waiting(planned.wall)
            log_event(_log, "cycle.next", delay_s=round(planned.delay_s, 3),
                      failures=status.consecutive_failures)
            _nap(planned, stop, clocks, schedule)
    finally:
        status.stopped()
        log_event(_log, "agent.stop", cycles=cycles)
    return report


def _backing_off(
    backoff: Mapping[str, tuple[int, PlannedRun | None]], wall: float, monotonic: float
) -> set[str]:
    """The accounts whose own back-off has not yet passed: left out of this cycle."""
    return {
        name for name, (_, retry) in backoff.items()
        if retry is not None and wait_before(retry, wall=wall, monotonic=monotonic) > 0
    }


def _back_off_failed(
    report: CycleReport,
    backoff: dict[str, tuple[int, PlannedRun | None]],
    schedule: Schedule,
    wall: float,
    monotonic: float,
    seed: int,
) -> None:
    """A healthy account is tried every cycle again; a failed one backs off a step further."""
    for account in report.accounts:
        if account.deferred or (account.stopped and account.error is None):
            continue
        if account.error is None:
            backoff[account.account] = (0, None)
            continue
        failures = backoff[account.account][0] + 1
        retry = plan_next(schedule, wall=wall, monotonic=monotonic, failures=failures,
                          seed=seed, retry_after_s=account.retry_after_s)
        backoff[account.account] = (failures, retry)
        log_event(_log, "account.backoff", level=logging.WARNING,
                  account=account.account, failures=failures,
                  delay_s=round(retry.delay_s, 3))


def _record(
    report: CycleReport,
    status: StatusKeeper,
    backoff: Mapping[str, tuple[int, PlannedRun | None]],
    connections: ConnectionPool | Mapping[str, Connection],
    cycles: int,
) -> None:
    """The cycle into the status document and the log; failed accounts connect afresh."""
    status.cycle_finished(report)
    status.account_backoff({name: (f, r.wall if r else None) for name, (f, r) in backoff.items()})
    for account in report.accounts:
        if account.error is not None and isinstance(connections, ConnectionPool):
            connections.discard(account.account)
    log_event(
        _log, "cycle.end", level=logging.WARNING if report.failed else logging.INFO,
        cycle=cycles, result=report.result, items=report.items_synced,
        applied=report.actions_applied, analysed=report.analysed,
        seconds=round((report.finished - report.started).total_seconds(), 3),
        error=report.errors[0] if report.errors else None,
    )


def _nap(planned: PlannedRun, stop: threading.Event, clocks: Clocks, schedule: Schedule) -> None:
    """Wait for the planned run, or a stop; say so when the machine slept through cycles."""
    while not stop.is_set():
        nap = wait_before(planned, wall=clocks.wall(), monotonic=clocks.monotonic())
        if nap <= 0:
            break
        stop.wait(nap)
    missed = missed_cycles(planned, wall=clocks.wall(), interval_s=schedule.interval_s)
    if missed and not stop.is_set():
        log_event(_log, "agent.woke_late", missed_cycles=missed,
                  late_s=round(clocks.wall() - planned.wall))


def _next_cycle(
    schedule: Schedule,
    report: CycleReport,
    backoff: Mapping[str, tuple[int, PlannedRun | None]],
    wall: float,
    monotonic: float,
    seed: int,
    cycle_failures: int,
) -> PlannedRun:
    """The next cycle: after the interval while any account is healthy, else when the first
    backing-off account may be tried again; a cycle that failed as a whole backs off itself."""
    if report.error is not None:
        return plan_next(schedule, wall=wall, monotonic=monotonic, failures=cycle_failures,
                         seed=seed)
    retries = [retry for _, retry in backoff.values()]
    if any(retry is None for retry in retries):
        return plan_next(schedule, wall=wall, monotonic=monotonic, failures=0, seed=seed)
    return min(
        (retry for retry in retries if retry is not None),
        key=lambda r: min(r.monotonic - monotonic, r.wall - wall),
    )


def _install_signals(stop: _Stop) -> dict[int, Any]:
    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, stop)
    return previous


class Service(Protocol):
    """Something the agent runs beside its loop (the add-in's card server) and shuts down.
    One with an ``offer`` method (an :data:`.cycle.OnInsight`) is given each cycle's analysis."""

    def shutdown(self) -> None: ...


def run_agent(
    workspace: Workspace,
    *,
    once: bool = False,
    interval: float | None = None,
    apply: bool = True,
    debug: bool = False,
    beside: Callable[[], Service] | None = None,
    connect: Callable[[AccountConfig], Connection] | None = None,
) -> int:
    """``outlook-networking agent``: the exit code (0 ok or stopped; 1 a ``--once`` cycle failed).

    Parameters:
        debug: log at debug level.
        beside: starts a service to run while the agent does (``--serve-addin``).
        connect: an account's connection (default: the workspace's, as ``sync`` connects).

    Raises:
        LockHeld: another agent runs on this store.
        ConfigError: no account is configured.
    """
    config = workspace.config
    if not config.accounts:
        raise ConfigError("accounts", problem("agent_needs_account"), str(config.path or ""))
    if interval is not None and interval <= 0:
        raise UsageError(problem("interval_not_positive"))
    schedule = Schedule(interval_s=interval) if interval is not None else Schedule()
    # Under pythonw.exe (the Windows task) there is no stderr to log to; the file is enough.
    configure_logging(console=sys.stderr is not None, debug=debug)
    stop = _Stop()
    lock = StoreLock(workspace.db_path)
    lock.acquire()
    previous = _install_signals(stop)
    pool = ConnectionPool(config.accounts, connect or workspace.connect)
    service = None
    try:
        if beside is not None:
            service = beside()
        report = run_loop(
            workspace.store, config, pool, schedule=schedule, once=once, apply=apply,
            stop=stop.event, base_now=workspace.now,
            # The card server keeps each cycle's analysis: no second one for the first card.
            on_insight=getattr(service, "offer", None),
        )
    finally:
        pool.close()
        if service is not None:
            service.shutdown()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        lock.release()
        close_logging()
    if once and report is not None and report.failed:
        return 1
    return 0
