"""``status`` shows the agent's last error in the language it is run in: the agent keeps each
error in every language of the catalogs, whatever the language of its own run. A status written
before that, with the English line only, still shows that line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from outlook_networking.agent import STATUS_DOC, run_agent
from outlook_networking.agent.cycle import Connection
from outlook_networking.agent.logs import close_logging
from outlook_networking.app.workspace import Workspace
from outlook_networking.cli import main
from outlook_networking.config import AccountConfig
from outlook_networking.errors import AuthError, problem
from outlook_networking.store import Store

ACCOUNT = '[[accounts]]\nname = "work"\naddress = "me@example.com"\nconnector = "graph"\n'
ENGLISH = "work: the server refused the credentials"
GERMAN = "work: der Server hat die Anmeldeinformationen abgelehnt"


@pytest.fixture(autouse=True)
def _logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OUTLOOK_NETWORKING_LOG_DIR", str(tmp_path / "logs"))
    yield
    close_logging()


def _refused(account: AccountConfig) -> Connection:
    raise AuthError(account.name, problem("credentials_refused"))


def _config(tmp_path: Path, language: str) -> Path:
    path = tmp_path / f"{language}.toml"
    path.write_text(f'language = "{language}"\n{ACCOUNT}', encoding="utf-8")
    return path


def test_the_last_error_is_shown_in_the_language_of_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = Workspace(tmp_path / "network.sqlite3", _config(tmp_path, "en"))
    try:  # the agent runs in English
        run_agent(workspace, once=True, connect=_refused)
    finally:
        workspace.close()
    capsys.readouterr()

    db = str(tmp_path / "network.sqlite3")
    assert main(["--config", str(_config(tmp_path, "de")), "--db", db, "status"]) == 0
    german = capsys.readouterr().out.splitlines()
    assert main(["--config", str(_config(tmp_path, "en")), "--db", db, "status"]) == 0
    english = capsys.readouterr().out.splitlines()
    assert main(["--config", str(_config(tmp_path, "de")), "--db", db, "status", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)

    assert f"letzter Fehler: {GERMAN}" in german
    assert any(line.endswith(f"; {GERMAN}") for line in german)  # the account's line
    assert f"last error: {ENGLISH}" in english
    assert doc["last_error"] == GERMAN and doc["accounts"]["work"]["error"] == GERMAN
    # the lines of the other languages are kept, not shown
    assert "last_error_words" not in doc and "error_words" not in doc["accounts"]["work"]


def test_a_status_stored_before_shows_its_english_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "network.sqlite3"
    with Store.open(db) as store:  # as an agent of an earlier version wrote it
        account = {"apply": "skipped", "error": ENGLISH}
        stored = {"state": "stopped", "last_error": ENGLISH, "accounts": {"work": account}}
        store.put_doc(STATUS_DOC, stored)

    assert main(["--config", str(_config(tmp_path, "de")), "--db", str(db), "status"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert f"letzter Fehler: {ENGLISH}" in out
    assert any(line.endswith(f"; {ENGLISH}") for line in out)
