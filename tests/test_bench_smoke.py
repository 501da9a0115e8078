"""scripts/bench.py runs end to end in short mode and writes a result file that parses, and a
section that fails is an error, never a figure quietly missing.

Sizes are cut down so this takes seconds; no figure is checked against a target (no timing
assertions): only that every section ran and reported what it measured.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_short_mode_writes_valid_json(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "bench.py"), "--short",
         "--ingest-messages", "300", "--memory-small", "100", "--roundtrip-messages", "60",
         "--scoring-sizes", "500,1000", "--outlook-copies", "2",
         "--large-folder-messages", "600",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["mode"] == "short"
    assert result["machine"]["nproc"] >= 1

    demo = result["ingest"]["demo"]
    assert demo["files"] == demo["messages"] > 250
    warm = demo["warm"]
    assert warm["ingest"]["returncode"] == 0
    assert warm["ingest_msgs_per_s"] > 0 and warm["floor_s"] > 0
    assert warm["notmuch"] is None or warm["notmuch"]["returncode"] == 0

    memory = result["memory"]
    assert set(memory["runs"]) == {"100", "300"}
    assert all(r["max_rss_mib"] > 0 for r in memory["runs"].values())
    generator = memory["generator"]["runs"]
    assert set(generator) == {"100", "300"} and generator["300"]["messages"] > 250
    assert all(r["peak_kib"] > 0 for r in generator.values())

    assert result["errors"] == []
    for connector in ("ews", "graph"):
        trips = result["roundtrips"][connector]
        assert trips["messages_stored"] == 60, trips
        assert trips["initial_requests"] > 0 and trips["problems"] == 0

    steps = result["steps"]["runs"]  # each step of an analysis timed alone, at each read size
    assert set(steps) == set(result["reads"]["runs"])
    for sized in steps.values():
        assert sized["cpu_s"]["read"] > 0 and sized["cpu_s"]["network as a whole"] > 0
        named = {"histories", "ledger", "reply pairing", "graph and ties", "keep",
                 "identity statistics, kept fold", "reply pairing, kept fold", "ledger, kept fold",
                 "histories, kept fold",
                 "analysis afresh", "analysis going on"}
        assert set(sized["cpu_s"]) >= named

    reads = result["reads"]
    for sized in reads["runs"].values():  # each read both cold (analysing) and warm (kept)
        for name in ("contact", "contacts", "followups"):
            assert sized[name]["returncode"] == sized[f"{name}_cold"]["returncode"] == 0

    outlook = result["outlook"]
    assert set(outlook["runs"]) == {"1", "2"}
    assert all(r["returncode"] == 0 and r["max_rss_mib"] > 0 for r in outlook["runs"].values())

    large = result["ews_large_folder"]
    assert large["old_messages"] == 600 and large["stored"] == large["recent_messages"] == 6
    assert large["getitem_ids_asked"] == 6  # the window's messages only

    scoring = result["scoring"]
    assert set(scoring["runs"]) == {"500", "1000"}
    assert scoring["runs"]["1000"]["contacts"] > 0

    measures = [row["measure"] for row in result["table"]]
    assert any("ingest time / floor time" in m for m in measures)
    assert "ingest time / floor time" in done.stdout


def _bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_connector_that_raises_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench(monkeypatch)

    def broken(n: int, scratch: Path) -> dict[str, Any]:
        raise ConnectionResetError("the server hung up")

    def working(n: int, scratch: Path) -> dict[str, Any]:
        return {"messages_stored": n, "initial_per_1000": 1.0, "nothing_new_requests": 1,
                "folders": 3}

    result: dict[str, Any] = {}
    plan = bench.PLANS["short"]
    bench.bench_roundtrips(plan, tmp_path, result, {"ews": broken, "graph": working})
    assert result["roundtrips"]["ews"] == {"error": "ConnectionResetError: the server hung up"}
    assert bench.errors(result) == ["round trips ews: ConnectionResetError: the server hung up"]
    rows = {row[0]: row for row in bench.table(result)}
    assert rows["EWS: requests per 1,000 msgs, initial"][3] == "ERROR"
    assert "missing" not in json.dumps(result)


def test_an_agent_cycle_on_a_synthetic_store_is_measured(tmp_path: Path) -> None:
    # scripts/bench_agent.py --cycle-stores at toy sizes: the measured cycle synced the 100 new
    # messages, and a cycle that failed would have ended the script with an error.
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "bench_agent.py"), "--cycles", "0",
         "--idle-seconds", "0", "--cycle-stores", "1000,2000", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout)["cycle_on_store"]
    assert [run["interactions"] for run in measured["runs"]] == [1000, 2000]
    for run in measured["runs"]:
        assert run["synced"] == 100 and run["first_cycle"]["synced"] == 0
        assert run["cpu_s"] > 0 and run["max_rss_mib"] > 0
        assert run["first_cycle"]["applied"] > 0  # the store's network was written back once
    assert measured["cpu_ratio_largest_to_smallest"] > 0
