"""scripts/bench.py runs end to end in short mode and writes a result file that parses.

Sizes are cut down so this takes seconds; no figure is checked against a target (no timing
assertions): only that every section ran and reported what it measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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

    for connector in ("ews", "graph"):
        trips = result["roundtrips"][connector]
        # A connector still being written is reported as missing, never silently dropped.
        assert "missing" in trips or trips["messages_stored"] == 60

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
