"""Item 14: configuration values that make no sense are refused, naming the key (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .hosts import run_cli

CASES = [
    ("[scoring]\nhalf_life_days = nan\n",
     "scoring.half_life_days: must be a finite number, not nan"),
    ("[tiers]\na_share = inf\n", "tiers.a_share: must be a finite number, not inf"),
    ("[time]\nweekly_target_hours = -inf\n",
     "time.weekly_target_hours: must be a finite number, not -inf"),
    ("[ledger]\nwindow_days = nan\n", "ledger.window_days: must be a finite number, not nan"),
    ('pasword = "hunter2"\n',
     'pasword: unknown key; did you mean "password"? (see docs/config.md)'),
    ("[scorng]\nhalf_life_days = 30\n",
     'scorng: unknown key; did you mean "scoring"? (see docs/config.md)'),
    ("[totally_unrelated]\n", "totally_unrelated: unknown key (see docs/config.md)"),
]  # fmt: skip


@pytest.mark.parametrize(("toml", "problem"), CASES, ids=[p.split(":")[0] for _, p in CASES])
def test_a_senseless_value_is_one_line_naming_the_key(
    tmp_path: Path, toml: str, problem: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    result = run_cli("contacts", "--config", str(config), "--db", str(tmp_path / "n.sqlite3"))
    assert (result.code, result.lines) == (
        2, [f"outlook-networking: invalid configuration: {config}: {problem}"]
    )
