"""Item 3: an autodiscover failure leaves no address behind; logs are for the user's eyes only.

The account's domain is under ``.invalid`` (RFC 6761: never resolves), so exchangelib's
autodiscover fails on its own, unpatched, after its DNS lookups; its message names the address.
"""

from __future__ import annotations

import logging
import stat
import sys
from pathlib import Path

import pytest

from outlook_networking.agent.logs import close_logging, configure_logging, log_event

from .hosts import run_cli

ADDRESS = "ada.private@example.invalid"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_autodiscover_failure_names_no_address_anywhere(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[accounts]]\nname = "work"\naddress = "{ADDRESS}"\nautodiscover = true\n'
        'auth = "token"\n',
        encoding="utf-8",
    )
    logs = tmp_path / "logs"
    env = {"OUTLOOK_NETWORKING_ACCESS_TOKEN": "t", "OUTLOOK_NETWORKING_LOG_DIR": str(logs)}
    common = ("--config", str(config), "--db", str(tmp_path / "n.sqlite3"))
    agent = run_cli("agent", "--once", *common, env=env)
    status = run_cli("status", "--json", *common, env=env)
    assert agent.code == 1 and status.code == 0
    line = "ews:work: autodiscover found no Exchange server for this account; set its endpoint"
    assert f'error="{line}"' in agent.stderr  # the console
    log = (logs / "agent.log").read_text(encoding="utf-8")
    assert f'"error": "{line}"' in log
    assert f'"last_error": "{line}"' in status.stdout
    for where in (agent.stdout, agent.stderr, log, status.stdout, status.stderr):
        assert "ada.private" not in where
    assert _mode(logs) == 0o700 and _mode(logs / "agent.log") == 0o600


def test_log_files_stay_private_through_rotation(tmp_path: Path) -> None:
    logs = tmp_path / "log"
    logs.mkdir(mode=0o755)
    left = logs / "agent.log.1"  # what an older version left behind
    left.write_text("{}\n", encoding="utf-8")
    left.chmod(0o644)
    path = configure_logging(log_dir=logs, console=False)
    try:
        logger = logging.getLogger("outlook_networking.test")
        while not (logs / "agent.log.2").exists():  # 1 MiB per file
            log_event(logger, "filler", text="x" * 1000)
    finally:
        close_logging()
    files = sorted(logs.iterdir())
    assert [f.name for f in files] == ["agent.log", "agent.log.1", "agent.log.2"]
    assert path == logs / "agent.log"
    assert {_mode(f) for f in files} == {0o600}
    assert _mode(logs) == 0o755  # a directory the user named is theirs: left as it was


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_STATE_HOME is where Linux keeps logs")
def test_the_default_log_directory_is_tightened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OUTLOOK_NETWORKING_LOG_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))  # platformdirs' base on Linux
    default = tmp_path / "outlook-networking" / "log"
    default.mkdir(parents=True, mode=0o755)
    try:
        assert configure_logging(console=False) == default / "agent.log"
    finally:
        close_logging()
    assert _mode(default) == 0o700
