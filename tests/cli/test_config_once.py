"""The configuration is read once per command: the language is chosen from it before the
arguments are parsed, and the workspace keeps what was read then instead of reading the file
again (a broken file is still reported by the command, in the usual line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import NOW

import outlook_networking.app.workspace as workspace_module
import outlook_networking.cli.options as options_module
from outlook_networking.cli import main
from outlook_networking.config import Config, load_config


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    """Every read of a configuration file by the command line or the workspace."""
    reads: list[Path | None] = []

    def counted(path: Path | None) -> Config:
        reads.append(path)
        return load_config(path)

    monkeypatch.setattr(options_module, "load_config", counted)
    monkeypatch.setattr(workspace_module, "load_config", counted)
    return reads


def test_a_command_reads_the_configuration_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.sqlite3"
    config = tmp_path / "work.toml"
    config.write_text('language = "de"\n', encoding="utf-8")
    assert main(["--now", NOW, "demo", "--db", str(db), "--limit", "0"]) == 0
    reads = _counting(monkeypatch)
    capsys.readouterr()
    assert main(["--config", str(config), "--db", str(db), "--now", NOW, "contacts"]) == 0
    assert reads == [config]
    assert "Ihr Netzwerk" in capsys.readouterr().out  # what was read is what is used
    reads.clear()
    # --config after the command, and as --config=PATH: still one read
    assert main(["--db", str(db), "--now", NOW, "contacts", f"--config={config}"]) == 0
    assert reads == [config]


def test_a_broken_configuration_is_still_reported_by_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("language = \n", encoding="utf-8")
    reads = _counting(monkeypatch)
    assert main(["--config", str(config), "--db", str(tmp_path / "n.sqlite3"), "contacts"]) == 2
    assert "invalid configuration" in capsys.readouterr().err
    assert reads == [config, config]  # the first read failed, so the workspace reads it again
