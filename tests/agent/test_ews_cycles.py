"""Agent cycles against the EWS test server, in this process: what a quiet cycle costs, and
throttling and outages (503, ErrorServerBusy, dropped connections) that lose nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from exchangelib import close_connections

from outlook_networking.agent import CycleReport, Schedule, read_status, run_loop, run_once
from outlook_networking.config import Config, load_config
from outlook_networking.store import Store
from servers.ews import EWSServer

from .harness import (
    TOKEN,
    WRITE_OPS,
    ews_config,
    ews_connection,
    ews_server,
    normalised,
    product_problems,
)
from .world import NOW, build_world, load_ews

WORLD = build_world(seed=5, people=8, messages=90)
OWNED = frozenset(f"Network {t}" for t in "ABCD")
FOLDERS = 4  # inbox, sent, calendar, contacts (the mail folders listed by one FindFolder)


@pytest.fixture(autouse=True)
def _close_pools() -> Iterator[None]:
    yield
    close_connections()


def _setup(tmp_path: Path, server: EWSServer, name: str) -> tuple[Store, Config]:
    load_ews(server.mailbox, WORLD)
    config = load_config(ews_config(tmp_path / f"{name}.toml", server))
    return Store.open(tmp_path / f"{name}.sqlite3"), config


def _writes(server: EWSServer) -> int:
    return sum(n for op, n in server.counts.items() if op in WRITE_OPS)


def test_a_cycle_with_no_change_costs_one_sync_per_folder_and_no_writes(tmp_path: Path) -> None:
    with ews_server(validate_responses=False) as server:
        store, config = _setup(tmp_path, server, "quiet")
        connections = {"work": ews_connection(config.account(), token=TOKEN)}
        with store:
            first = run_once(store, config, connections, now=NOW)
            assert first.result == "ok" and first.actions_applied > 0
            # The next cycle reads back the categories it wrote (contacts changed) and plans
            # nothing; from then on nothing changes.
            second = run_once(store, config, connections, now=NOW)
            assert second.result == "ok" and second.actions_applied == 0
            server.reset_log()
            quiet = run_once(store, config, connections, now=NOW)
            assert quiet.result == "ok" and quiet.items_synced == 0
            assert quiet.accounts[0].apply == "unchanged"
            assert server.counts["SyncFolderItems"] == FOLDERS
            assert _writes(server) == 0
            assert server.counts["FindFolder"] == 1
            assert sum(server.counts.values()) == FOLDERS + 1, dict(server.counts)
        assert server.schema_errors == []


def _clean(tmp_path: Path) -> tuple[str, Counter[str]]:
    with ews_server(validate_responses=False) as server:
        store, config = _setup(tmp_path, server, "clean")
        connections = {"work": ews_connection(config.account(), token=TOKEN)}
        with store:
            for _ in range(2):
                assert run_once(store, config, connections, now=NOW).result == "ok"
            return store.digest(), normalised(server)


def test_throttling_and_drops_slow_it_down_but_lose_nothing(tmp_path: Path) -> None:
    clean_digest, clean_mailbox = _clean(tmp_path)
    with ews_server(validate_responses=False) as server:
        store, config = _setup(tmp_path, server, "throttled")
        connections = {"work": ews_connection(config.account(), token=TOKEN, max_wait_s=5,
                                              pause_s=0.05)}
        # One request in ten fails; a 503 costs its Retry-After (1 s), a drop the edge's pause.
        server.faults.random_rate(0.1, kinds=("server_busy", "http_503", "drop"), seed=11)
        reports: list[CycleReport] = []

        def settled(report: CycleReport) -> None:
            reports.append(report)

        schedule = Schedule(interval_s=0.01, jitter=0.0, backoff_cap_s=0.05)
        with store:
            for _ in range(12):  # cycles until two clean ones in a row: synced and applied
                run_loop(store, config, connections, schedule=schedule, base_now=NOW,
                         max_cycles=1, on_cycle=settled)
                last_two = reports[-2:]
                if len(last_two) == 2 and all(
                    r.result == "ok" and r.actions_applied == 0 for r in last_two
                ):
                    break
            else:
                pytest.fail(f"no quiet cycle: {[r.result for r in reports]}")
            server.faults.clear()
            assert run_once(store, config, connections, now=NOW).result == "ok"
            kinds = Counter(kind for _, kind in server.faults.injected)
            assert {"server_busy", "http_503", "drop"} <= set(kinds), kinds
            assert product_problems(server, OWNED) == []
            assert store.digest() == clean_digest
            assert normalised(server) == clean_mailbox
            assert read_status(store)["result"] == "ok"
