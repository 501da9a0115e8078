"""Item 10 (hosts, outputs, store): one line and the right exit code, never "internal error".

Each case runs the installed console script in a memory-limited subprocess.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .hosts import make_store, run_cli

PREFIX = "outlook-networking: "


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path, people=200)


def test_a_damaged_page_is_one_line_about_the_store(store: Path) -> None:
    with sqlite3.connect(store) as db:  # the page the interactions table starts on
        query = "SELECT rootpage FROM sqlite_master WHERE name = 'interactions'"
        (root,) = db.execute(query).fetchone()
        (page_size,) = db.execute("PRAGMA page_size").fetchone()
    db.close()
    with store.open("r+b") as raw:
        raw.seek((root - 1) * page_size)
        raw.write(b"\xa5" * page_size)
    for command in (["contacts"], ["followups", "--json"], ["report", "--html", "r.html"]):
        result = run_cli(*command, "--db", str(store), cwd=store.parent)
        assert result.code == 1
        assert result.lines == [
            f"{PREFIX}{store}: the store is damaged (database disk image is malformed); "
            "restore a copy or ingest again"
        ]


@pytest.mark.parametrize("now", ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+01:00"])
def test_a_now_outside_the_analysable_years_is_a_usage_error(store: Path, now: str) -> None:
    result = run_cli("contacts", "--db", str(store), "--now", now)
    assert result.code == 2
    assert result.lines[-1] == (
        f"outlook-networking contacts: error: argument --now: {now!r} is outside the years "
        "1970 to 8999 the analysis can work in"
    )
    assert "Traceback" not in result.stderr


def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    db = ("--db", str(tmp_path / "n.sqlite3"))
    assert run_cli("addin", "cert", *db).code == 0
    for action in ("serve", "manifest"):
        result = run_cli("addin", action, "--port", "99999", *db)
        assert (result.code, result.lines) == (
            2, [f"{PREFIX}the port must be between 1 and 65535, not 99999"]
        )


@pytest.mark.parametrize("nested", ["[" * 5000 + "]" * 5000, "{a = " * 5000 + "1" + "}" * 5000])
def test_a_deeply_nested_config_is_a_config_error(tmp_path: Path, nested: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"x = {nested}\n", encoding="utf-8")
    result = run_cli("contacts", "--config", str(config), "--db", str(tmp_path / "n.sqlite3"))
    assert (result.code, result.lines) == (
        2,
        [f"{PREFIX}invalid configuration: {config}: invalid TOML: arrays or tables "
         "nested too deeply"],
    )  # fmt: skip
