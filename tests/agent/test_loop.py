"""The loop around run_once: cycles, status document, stop flag and signals, logs, lock."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from outlook_networking.addin.commands import CardService, start_background
from outlook_networking.agent import (
    Clocks,
    CycleReport,
    Schedule,
    StoreLock,
    read_status,
    run_agent,
    run_loop,
)
from outlook_networking.agent.logs import close_logging, configure_logging, redact
from outlook_networking.app.analysis import Insight
from outlook_networking.app.answers import analysing, kept
from outlook_networking.app.workspace import Workspace
from outlook_networking.cli import main
from outlook_networking.connectors.memory import MemoryMailbox
from outlook_networking.errors import ConnectionFailed, LockHeld, LoginRequired, UsageError
from outlook_networking.i18n import wording_for
from outlook_networking.model import Interaction, Kind, Mailbox
from outlook_networking.store import Store

from .conftest import make_config, memory_connection
from .world import NOW, build_world, load_memory

FAST = Schedule(interval_s=0.01, jitter=0.0, backoff_cap_s=0.05)


@pytest.fixture(autouse=True)
def _quiet_logging() -> Iterator[None]:
    yield
    close_logging()

CONFIG = """
[[accounts]]
name = "work"
address = "me@example.com"
connector = "graph"
"""


def _box() -> MemoryMailbox:
    box = MemoryMailbox()
    load_memory(box, build_world(people=10, messages=80))
    return box


def _workspace(tmp_path: Path) -> Workspace:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return Workspace(tmp_path / "network.sqlite3", config, now=NOW)


def test_status_before_any_run(store: Store) -> None:
    doc = read_status(store)
    assert doc["state"] == "never run" and doc["running"] is False
    assert doc["last_run_start"] is None and doc["items_synced"] is None


def test_loop_runs_cycles_and_records_status(store: Store, log_dir: Path) -> None:
    box = _box()
    reports = []
    last = run_loop(
        store, make_config("work"), {"work": memory_connection(box)}, schedule=FAST,
        base_now=NOW, max_cycles=3, on_cycle=reports.append,
    )
    assert len(reports) == 3 and last is reports[-1]
    assert reports[0].actions_applied > 0 and reports[2].actions_applied == 0
    doc = read_status(store)
    assert doc["state"] == "stopped" and doc["result"] == "ok"
    assert doc["last_run_end"] is not None and doc["last_error"] is None
    assert doc["items_synced"] == 0 and doc["actions_applied"] == 0  # the last cycle's counts
    assert doc["accounts"]["work"]["apply"] == "unchanged"


def test_stop_flag_ends_the_wait_at_once(store: Store) -> None:
    box = _box()
    stop = threading.Event()
    slow = Schedule(interval_s=3600, jitter=0.0)
    cycles = []

    def after(report: object) -> None:
        cycles.append(report)
        threading.Timer(0.05, stop.set).start()

    run_loop(store, make_config("work"), {"work": memory_connection(box)}, schedule=slow,
             base_now=NOW, stop=stop, on_cycle=after)
    assert len(cycles) == 1  # woke from an hour's wait, did not run again
    assert read_status(store)["state"] == "stopped"


def _events(log_dir: Path) -> list[dict[str, object]]:
    text = (log_dir / "agent.log").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_failures_are_counted_then_cleared(store: Store, log_dir: Path) -> None:
    box = _box()
    connection = memory_connection(box)
    real = connection.source
    failing = {"left": 2}

    class Flaky:
        name = real.name

        def read(self, cursors):  # type: ignore[no-untyped-def]
            if failing["left"]:
                failing["left"] -= 1
                raise ConnectionFailed("work", "server unreachable")
            yield from real.read(cursors)

    connection.source = Flaky()
    seen: list[int] = []
    configure_logging(console=False)
    run_loop(
        store, make_config("work"), {"work": connection}, schedule=FAST, base_now=NOW,
        max_cycles=3,
        on_cycle=lambda r: seen.append(read_status(store)["consecutive_failures"]),
    )
    assert seen == [1, 2, 0]
    doc = read_status(store)
    assert doc["result"] == "ok" and doc["last_error"] == "work: server unreachable"
    delays = [e["delay_s"] for e in _events(log_dir) if e["event"] == "cycle.next"]
    assert delays == [0.02, 0.04]  # interval × 2, × 4 after one and two failures


def test_run_agent_once_in_the_foreground(tmp_path: Path, log_dir: Path) -> None:
    box = _box()
    workspace = _workspace(tmp_path)
    try:
        code = run_agent(workspace, once=True, connect=lambda account: memory_connection(box))
        assert code == 0 and box.tasks
        doc = read_status(workspace.store)
        assert doc["result"] == "ok" and doc["running"] is False and doc["state"] == "stopped"
    finally:
        workspace.close()
    lines = (log_dir / "agent.log").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line)["event"] for line in lines]
    assert events[0] == "agent.start" and "cycle.end" in events and events[-1] == "agent.stop"
    text = "\n".join(lines)
    # No subjects, no bodies, no addresses at the default level.
    assert "Topic" not in text and "Question" not in text and "@" not in text


def test_run_agent_refuses_a_second_agent(tmp_path: Path, log_dir: Path) -> None:
    workspace = _workspace(tmp_path)
    try:
        with StoreLock(workspace.db_path), pytest.raises(LockHeld):
            run_agent(workspace, once=True, connect=lambda account: memory_connection(_box()))
    finally:
        workspace.close()


def test_sigterm_stops_the_loop_at_a_safe_point(tmp_path: Path, log_dir: Path) -> None:
    box = _box()
    workspace = _workspace(tmp_path)
    # Created first: two connections migrating a brand-new store at once collide (Store.open).
    Store.open(workspace.db_path).close()
    done = threading.Event()

    def terminate_once_waiting() -> None:
        # Only once the agent has finished a cycle is its handler surely installed.
        with Store.open(workspace.db_path) as watcher:
            while not done.is_set():
                if read_status(watcher)["state"] == "waiting":
                    os.kill(os.getpid(), signal.SIGTERM)
                    return
                time.sleep(0.01)

    watcher = threading.Thread(target=terminate_once_waiting)
    watcher.start()
    try:
        code = run_agent(workspace, interval=0.05, connect=lambda account: memory_connection(box))
        assert code == 0
        doc = read_status(workspace.store)
        assert doc["state"] == "stopped" and doc["next_run"] is None
    finally:
        done.set()
        watcher.join()
        workspace.close()
    # The handler is gone again: SIGTERM's disposition is what it was before.
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    events = [json.loads(line) for line in (log_dir / "agent.log").read_text().splitlines()]
    assert any(e["event"] == "agent.stopping" and e["signal"] == "SIGTERM" for e in events)


def test_status_json_from_the_command_line(
    tmp_path: Path, log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = _box()
    workspace = _workspace(tmp_path)
    try:
        run_agent(workspace, once=True, connect=lambda account: memory_connection(box))
    finally:
        workspace.close()
    capsys.readouterr()
    assert main(["--db", str(tmp_path / "network.sqlite3"), "status", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["result"] == "ok" and doc["actions_applied"] > 0 and doc["running"] is False
    assert set(doc) >= {"last_run_start", "last_run_end", "next_run", "last_error",
                        "items_synced", "actions_applied"}


def test_redaction_removes_tokens() -> None:
    line = redact("HTTP 401 for Authorization: Bearer abc.def-123 and access_token=xyz&x=1")
    assert "abc.def-123" not in line and "xyz" not in line and "[redacted]" in line
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2ln"
    assert jwt not in redact(f"token was {jwt}")
    assert "\n" not in redact("one\ntwo") and len(redact("x" * 1000)) <= 300


def test_status_for_people(
    tmp_path: Path, log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = _box()
    workspace = _workspace(tmp_path)
    try:
        run_agent(workspace, once=True, connect=lambda account: memory_connection(box))
    finally:
        workspace.close()
    capsys.readouterr()
    assert main(["--db", str(tmp_path / "network.sqlite3"), "status"]) == 0
    out = capsys.readouterr().out
    assert "agent running: no" in out and "result: ok" in out
    assert "  work: " in out and "write-back applied" in out


def test_a_wake_up_long_past_due_runs_one_cycle_at_once(store: Store, log_dir: Path) -> None:
    # An hour's interval, and the machine sleeps 8 hours during the first wait: the wall clock
    # moves on, the monotonic clock does not. The next cycle must run at once, and only one.
    box = _box()
    jump = {"wall": 0.0}
    clocks = Clocks(wall=lambda: time.time() + jump["wall"], monotonic=time.monotonic)

    class Suspend(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            if not jump["wall"]:
                jump["wall"] = 8 * 3600.0  # the nap "lasted" 8 hours of wall time
                return False
            return super().wait(timeout)

    cycles = []
    configure_logging(console=False)
    run_loop(store, make_config("work"), {"work": memory_connection(box)},
             schedule=Schedule(interval_s=3600, jitter=0.0), base_now=NOW, clocks=clocks,
             stop=Suspend(), max_cycles=2, on_cycle=cycles.append)
    assert len(cycles) == 2
    woke = [e for e in _events(log_dir) if e["event"] == "agent.woke_late"]
    assert len(woke) == 1 and woke[0]["missed_cycles"] == 7


def test_serve_addin_without_a_certificate_is_refused_and_cleans_up(
    tmp_path: Path, log_dir: Path
) -> None:
    workspace = _workspace(tmp_path)
    try:
        with pytest.raises(UsageError, match="certificate"):
            run_agent(workspace, once=True, beside=lambda: start_background(workspace),
                      connect=lambda account: memory_connection(_box()))
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        with StoreLock(workspace.db_path):  # released
            pass
    finally:
        workspace.close()


class _FakeTime(threading.Event):
    """Both clocks, advanced only by the loop's naps: the test runs at once, exactly."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 1_000_000.0

    def clocks(self) -> Clocks:
        return Clocks(wall=lambda: self.now, monotonic=lambda: self.now - 999_000.0)

    def wait(self, timeout: float | None = None) -> bool:
        self.now += timeout or 0.0
        return self.is_set()


def test_a_failing_account_backs_off_alone(store: Store) -> None:
    good = _box()
    attempts: list[int] = []
    cycles: list[object] = []

    class Lazy(Mapping[str, object]):
        def __getitem__(self, name: str) -> object:
            if name == "broken":
                attempts.append(len(cycles) + 1)
                raise LoginRequired("broken", "the refresh token has expired")
            return memory_connection(good)

        def __iter__(self) -> Iterator[str]:
            return iter(("broken", "work"))

        def __len__(self) -> int:
            return 2

    fake = _FakeTime()
    run_loop(store, make_config("broken", "work"), Lazy(),  # type: ignore[arg-type]
             schedule=Schedule(interval_s=300, jitter=0.0, backoff_cap_s=3600), base_now=NOW,
             clocks=fake.clocks(), stop=fake, max_cycles=8, on_cycle=cycles.append)
    # Tried at 0 s, then after 600 s (cycle 3), then 1200 s later (cycle 7); the healthy
    # account ran every 300 s throughout.
    assert attempts == [1, 3, 7]
    assert all(r.accounts[1].ok for r in cycles)  # type: ignore[attr-defined]
    assert [r.accounts[0].deferred for r in cycles] == [  # type: ignore[attr-defined]
        False, True, False, True, True, True, False, True,
    ]
    doc = read_status(store)
    assert doc["result"] == "partial" and doc["accounts"]["broken"]["failures"] == 3
    assert doc["accounts"]["work"]["failures"] == 0 and doc["accounts"]["work"]["retry_at"] is None


def test_the_card_server_beside_the_agent_keeps_each_cycles_analysis(
    store: Store, log_dir: Path
) -> None:
    # `agent --serve-addin`: the first card after a sync needs no second analysis of the store
    # (at a million interactions that is most of a minute); the card is the one a service that
    # analysed the store itself would give, and a store changed since is analysed afresh.
    config = make_config("work")
    service = CardService(store.path, config, lambda: NOW)
    offered: list[object] = []

    def offer(insight: Insight, fingerprint: tuple[object, ...], now: datetime) -> None:
        offered.append(insight)
        service.offer(insight, fingerprint, now)

    run_loop(store, config, {"work": memory_connection(_box())}, schedule=FAST, base_now=NOW,
             max_cycles=1, on_insight=offer)
    assert len(offered) == 1
    address = "person00.last@corp0.example"
    card = service(address)

    assert card is not None and card["is_owner"] is False
    assert service._insight is offered[0]  # served from the cycle's analysis
    assert card == CardService(store.path, config, lambda: NOW)(address)
    store.dismiss("some-item", NOW)  # the store changes after the cycle
    assert service(address) is not None and service._insight is not offered[0]


def test_while_the_agent_analyses_the_card_server_beside_it_serves_its_last_analysis(
    store: Store, log_dir: Path
) -> None:
    """At a million interactions the agent analyses for a minute after each sync that brings
    mail; the pane's cards meanwhile come from the analysis it handed over last, not from a
    second analysis every card would wait for. Its own writes (the owner's) are not hidden."""
    config = make_config("work")
    service = CardService(store.path, config, lambda: NOW)
    run_loop(store, config, {"work": memory_connection(_box())}, schedule=FAST, base_now=NOW,
             max_cycles=1, on_insight=service.offer)  # fmt: skip
    offered = service._insight
    address = "person00.last@corp0.example"
    card = service(address)
    store.dismiss("some-item", NOW)  # the next cycle's sync, say
    analysing(store, store.generation(), NOW)  # what the cycle says before it analyses
    assert service(address) == card and service._insight is offered
    store.mark_followup_done("k", "item:x", NOW)  # the owner, meanwhile
    assert service(address) is not None and service._insight is not offered


def test_run_agent_hands_each_cycles_analysis_to_the_service_beside_it(
    tmp_path: Path, log_dir: Path
) -> None:
    class Beside:  # what start_background returns, as far as the agent sees it
        def __init__(self) -> None:
            self.offered: list[tuple[object, ...]] = []
            self.stopped = False

        def offer(self, insight: Insight, fingerprint: tuple[object, ...], now: datetime) -> None:
            self.offered.append((insight, fingerprint, now))

        def shutdown(self) -> None:
            self.stopped = True

    beside = Beside()
    workspace = _workspace(tmp_path)
    try:
        assert run_agent(workspace, once=True, beside=lambda: beside,
                         connect=lambda account: memory_connection(_box())) == 0
        assert len(beside.offered) == 1 and beside.stopped
        insight, fingerprint, now = beside.offered[0]
        # The cycle's own "now": --now plus the moments the agent has run.
        assert isinstance(insight, Insight) and insight.network.now == now >= NOW
        assert fingerprint == workspace.store.fingerprint()  # the write-back changed none of it
    finally:
        workspace.close()


def test_the_first_cycle_is_at_the_time_given_and_later_ones_move_on_with_the_clock(
    store: Store,
) -> None:
    """``agent --once --now T`` analyses as of T exactly, as every other command does (so the
    answers it keeps serve ``contacts --now T``); later cycles add the wall time since."""
    wall = iter([1_000.0, 1_000.5, 1_030.0, 1_030.5, 1_060.0, 1_060.5] + [1_061.0] * 50)
    clocks = Clocks(wall=lambda: next(wall), monotonic=time.monotonic)
    seen: list[datetime] = []
    box = _box()
    run_loop(store, make_config("work"), {"work": memory_connection(box)}, schedule=FAST,
             base_now=NOW, clocks=clocks, max_cycles=2,
             on_cycle=lambda _report: _new_mail(box),  # so that the second cycle analyses
             on_insight=lambda _insight, _fingerprint, now: seen.append(now))  # fmt: skip
    assert seen[0] == NOW
    assert len(seen) == 2 and seen[1] > NOW and (seen[1] - NOW).total_seconds() < 120


def _new_mail(box: MemoryMailbox) -> None:
    box.put("inbox", Interaction(
        source="memory", item_id=box.new_id("msg-"), kind=Kind.EMAIL, at=NOW,
        sender=Mailbox("person01.last@corp1.example"), to=(Mailbox("me@example.com"),),
        subject="News", message_id=f"{box.new_id('news-')}@corp1.example", folder="inbox",
    ))  # fmt: skip


def test_quiet_cycles_analyse_nothing_until_the_hourly_recheck(store: Store, log_dir: Path) -> None:
    """A loop whose mailbox brings nothing new analyses the store in its first cycle, not in
    the following ones, and again once an hour has passed since that analysis; new mail ends the
    quiet at once. The ``cycle.end`` log line says which cycles analysed."""
    box = _box()
    # The wall clock as each cycle starts: seconds after the first one.
    starts = iter([600.0, 1_200.0, 3_700.0, 3_800.0, 3_900.0, 4_000.0])
    offset = [0.0]
    clocks = Clocks(wall=lambda: 1_000.0 + offset[0], monotonic=time.monotonic)
    reports: list[CycleReport] = []

    def on_cycle(report: CycleReport) -> None:
        reports.append(report)
        offset[0] = next(starts)
        if len(reports) == 4:
            _new_mail(box)

    configure_logging(console=False)
    run_loop(store, make_config("work"), {"work": memory_connection(box)}, schedule=FAST,
             base_now=NOW, clocks=clocks, max_cycles=6, on_cycle=on_cycle)  # fmt: skip
    assert [r.analysed for r in reports] == [True, False, False, True, True, False]
    assert all(r.result == "ok" for r in reports)
    assert [e["analysed"] for e in _events(log_dir) if e["event"] == "cycle.end"] == [
        r.analysed for r in reports
    ]


def test_the_answers_a_cycle_keeps_serve_until_the_next_cycle_has_kept_newer_ones(
    store: Store,
) -> None:
    """Every 15 minutes: the reading commands' answers (``app.answers``) last an hour (while
    nothing changes, the cycles after an analysis are quiet until the hourly re-check) and two
    intervals, not the 10 minutes of answers a command kept, so that no read between two cycles
    analyses again."""
    config = make_config("work")
    run_loop(store, config, {"work": memory_connection(_box())},
             schedule=Schedule(interval_s=900, jitter=0.0), base_now=NOW, max_cycles=1)  # fmt: skip
    words = wording_for(config)
    assert kept(store, config, words, NOW + timedelta(minutes=89)) is not None
    assert kept(store, config, words, NOW + timedelta(minutes=91)) is None
