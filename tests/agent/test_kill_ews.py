"""SIGKILL the agent at random points of sync and write-back; it must converge and undo cleanly.

Against the EWS test server in this process, the agent runs as a separate process: the command
line ``outlook-networking agent --once`` (forked from a pre-imported zygote, see ``zygote.py``).
A server hook kills it when the run's n-th request of a kind arrives, during the sync
(SyncFolderItems, GetItem) or during the write-back (CreateItem, UpdateItem, configuration
writes), either before the server acts on the request or after (written, but the agent never
hears of it). It is restarted each time until a run completes; then the store and the mailbox
must equal those of an uninterrupted run exactly (store digest; every item as a user sees it,
counted, so a duplicated task or category is a difference), and ``undo`` must return the mailbox
to its original state. Messages are marked too (``tag_messages = true``, owed replies as flags
and tasks, a hundred messages to an UpdateItem): no message is tagged twice, and undo leaves no
flag behind.

The seed is printed on failure; ``AGENT_KILL_SEED`` replays a run.
"""

from __future__ import annotations

import os
import random
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from exchangelib import close_connections

from outlook_networking.agent import read_status
from outlook_networking.store import Store
from servers.ews import EWSServer

from .harness import (
    SYNC_OPS,
    TOKEN,
    WRITE_OPS,
    Agents,
    KillSwitch,
    ews_config,
    ews_server,
    normalised,
    product_problems,
)
from .world import NOW, build_world, load_ews

SEED = int(os.environ.get("AGENT_KILL_SEED", "20261127"))
MIN_KILLS = 20
WORLD = build_world(seed=3, people=16, messages=220)
OWNED = frozenset(f"Network {t}" for t in "ABCD")


@pytest.fixture()
def agents(tmp_path: Path) -> Iterator[Agents]:
    env = {
        "OUTLOOK_NETWORKING_ACCESS_TOKEN": TOKEN,
        "OUTLOOK_NETWORKING_LOG_DIR": str(tmp_path / "logs"),
    }
    zygote = Agents(tmp_path, env)
    yield zygote
    zygote.close()
    close_connections()


def _cli(db: Path, config: Path, *command: str) -> list[str]:
    return ["--db", str(db), "--config", str(config), "--now", NOW.isoformat(), *command]


def _agent(db: Path, config: Path) -> list[str]:
    return _cli(db, config, "agent", "--once")


def _undo(db: Path, config: Path) -> list[str]:
    return _cli(db, config, "undo")


def _config(path: Path, server: EWSServer) -> Path:
    """Categories on messages, and owed replies as a flag and a task: every kind of write."""
    config = ews_config(path, server, tag_messages=True)
    with config.open("a", encoding="utf-8") as out:
        out.write('followups_as = { owed_reply = "both" }\n')
    return config


def _digest(db: Path) -> str:
    with Store.open(db) as store:
        return store.digest()


def _reference(agents: Agents, tmp_path: Path) -> tuple[str, Counter[str]]:
    """The uninterrupted run: one cycle, and one more that reads back what it wrote."""
    with ews_server(validate_responses=False) as server:
        load_ews(server.mailbox, WORLD)
        db, config = tmp_path / "clean.sqlite3", _config(tmp_path / "clean.toml", server)
        for _ in range(2):
            assert agents.run(_agent(db, config)) == 0, agents.tail()
        assert product_problems(server, OWNED) == []
        messages = [i for i in server.mailbox.snapshot().values() if i["type"] == "Message"]
        assert any(OWNED & set(m["categories"]) for m in messages), "messages must be tagged"
        assert any("Flag" in m["fields"] for m in messages), "owed replies must be flagged"
        return _digest(db), normalised(server)


def test_sigkill_during_sync_and_apply_converges_and_undo_restores(
    agents: Agents, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    clean_digest, clean_mailbox = _reference(agents, tmp_path)
    kills: list[tuple[str, int, str]] = []
    rounds = 0
    while len(kills) < MIN_KILLS:
        rounds += 1
        assert rounds <= 3, f"seed {SEED}: only {len(kills)} kills in 3 rounds"
        with ews_server(validate_responses=False) as server:
            load_ews(server.mailbox, WORLD)
            original = server.mailbox.snapshot()
            db = tmp_path / f"killed{rounds}.sqlite3"
            config = _config(tmp_path / f"killed{rounds}.toml", server)
            switch = KillSwitch(server)
            for run in range(80):
                if len(kills) < 3 or rng.random() < 0.25:
                    phase, ops, nth = "sync", SYNC_OPS, rng.randint(1, 4)
                else:
                    phase, ops, nth = "apply", WRITE_OPS, rng.randint(1, 3)
                when = rng.choice(("before", "after"))

                def arm(pid: int, switch: KillSwitch = switch, ops: frozenset[str] = ops,
                        nth: int = nth, when: str = when) -> None:
                    switch.arm(pid, ops, nth, when)

                code = agents.run(_agent(db, config), on_start=arm)
                switch.disarm()
                if switch.fired:
                    assert code == -9, f"seed {SEED}: expected a SIGKILL, got {code}"
                    kills.append((phase, nth, when))
                    continue
                assert code == 0, f"seed {SEED}, run {run}:\n{agents.tail()}"
                break
            else:
                pytest.fail(f"seed {SEED}: the agent did not finish in 80 runs")

            # One more run reads back what the last one wrote, as the reference's second did.
            assert agents.run(_agent(db, config)) == 0, agents.tail()
            assert product_problems(server, OWNED) == [], f"seed {SEED}"
            assert _digest(db) == clean_digest, f"seed {SEED}: the store differs"
            assert normalised(server) == clean_mailbox, f"seed {SEED}: the mailbox differs"

            assert agents.run(_undo(db, config)) == 0, agents.tail()
            flags_left = [i for i in server.mailbox.snapshot().values() if "Flag" in i["fields"]]
            assert flags_left == [], f"seed {SEED}: undo left flags behind"
            assert server.mailbox.snapshot() == original, f"seed {SEED}: undo left traces"
            assert b"Network " not in (server.mailbox.category_list() or b"")
            assert server.schema_errors == []
    phases = Counter(phase for phase, _, _ in kills)
    print(f"seed {SEED}: {len(kills)} kills in {rounds} round(s): {dict(phases)}")
    assert phases["sync"] >= 3 and phases["apply"] >= 3, kills
    assert {when for _, _, when in kills} == {"before", "after"}


def test_sigterm_mid_write_back_stops_after_the_action_and_leaves_it_recorded(
    agents: Agents, tmp_path: Path
) -> None:
    with ews_server(validate_responses=False) as server:
        load_ews(server.mailbox, WORLD)
        db, config = tmp_path / "term.sqlite3", ews_config(tmp_path / "term.toml", server)
        switch = KillSwitch(server)
        code = agents.run(
            _cli(db, config, "agent", "--interval", "3600"),
            on_start=lambda pid: switch.arm(pid, WRITE_OPS, 3, "before", signal.SIGTERM),
        )
        assert switch.fired and code == 0, agents.tail()  # a clean stop, not a crash
        with Store.open(db) as store:
            journal = store.journal("ews:work")
            status = read_status(store)
        # The action in flight when the signal came was finished and recorded; none after it.
        assert len(journal) == 3 and all(entry.done for entry in journal)
        assert status["result"] == "stopped" and status["state"] == "stopped"
        assert status["running"] is False
        # The next run finishes the job.
        assert agents.run(_agent(db, config)) == 0, agents.tail()
        assert product_problems(server, OWNED) == []
