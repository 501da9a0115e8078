"""`forget ADDR|DOMAIN`: every trace gone from the store, kept out of later ingests, undoable."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.ports import CreateTask
from outlook_networking.store import Store

OWNER = "joe@perches.com"
JACK = "jack_wang@usish.com"  # wrote to Joe once, and Joe to him (with others on both)
LINDAR = "lindar_liu@usish.com"  # his colleague, on the same two messages
NOW = "2010-12-06T00:00:00Z"


@pytest.fixture()
def archive(lkml_mbox: Path, tmp_path: Path) -> Path:
    """A copy of its own: the tests read it again under other names."""
    return Path(shutil.copyfile(lkml_mbox, tmp_path / "lkml.mbox"))


def _run(db: Path, *args: str) -> int:
    return main(["--db", str(db), "--now", NOW, *args])


def _naming(db: Path, needle: str) -> set[str]:
    """Every table.column of the SQLite file with a value that contains ``needle``."""
    found: set[str] = set()
    with sqlite3.connect(db) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for column in [r[1] for r in con.execute(f"PRAGMA table_info({table})")]:
                hits = con.execute(
                    f"SELECT count(*) FROM {table} WHERE instr(lower(CAST({column} AS TEXT)), ?)",
                    (needle,),
                ).fetchone()[0]
                if hits:
                    found.add(f"{table}.{column}")
    return found


def _contact(db: Path, address: str, capsys: pytest.CaptureFixture[str]) -> dict | None:  # type: ignore[type-arg]
    code = _run(db, "contact", address, "--json")
    out = capsys.readouterr().out
    return json.loads(out) if code == 0 else None


def _prepared(archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "network.sqlite3"
    assert _run(db, "ingest", str(archive), "--me", OWNER) == 0
    assert _run(db, "contacts", "merge", JACK, LINDAR) == 0  # a correction naming him
    assert _run(db, "review", "--save") == 0  # a stored snapshot naming him
    at = datetime(2010, 12, 1, tzinfo=UTC)
    with Store.open(db) as store:  # tasks written for him: one keyed by his address, one
        # that names him only by name
        task = CreateTask(f"touch:{JACK}:2010-11-15", "Get in touch", None, "")
        named = CreateTask("owed:file:msg:1", "Reply to Jack Wang", None, "")
        store.journal_begin("work", "run", [task, named], at)
    capsys.readouterr()
    assert _naming(db, JACK) >= {
        "interactions.people",
        "interactions.sender",
        "identity.person",
        "kv.value",
        "journal.action",
    }
    return db


def test_forget_removes_every_trace_and_survives_a_new_ingest(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _prepared(archive, tmp_path, capsys)

    assert _run(db, "forget", JACK, "--yes") == 0
    assert "Forgot jack_wang@usish.com: 1 message or meeting removed, 1 kept" in (
        capsys.readouterr().err
    )
    assert _naming(db, JACK) == {"forgotten.what"}
    assert _naming(db, "jack wang") == set()  # the journal entry that named him is gone too
    # Joe's message to him and others stays, without him: Lindar still got it. Lindar is no
    # longer merged into him (the correction named him).
    assert _contact(db, JACK, capsys) is None
    lindar = _contact(db, LINDAR, capsys)
    assert lindar is not None
    assert (lindar["addresses"], lindar["sent"], lindar["received"]) == ([LINDAR], 1, 0)
    assert lindar["merged_because"] == []
    # Nothing of him is left in the file's free pages or its write-ahead log either.
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("network.sqlite3*"))
    assert raw.count(JACK.encode()) == 1  # the tombstone

    elsewhere = tmp_path / "again" / "lkml.mbox"
    elsewhere.parent.mkdir()
    shutil.copyfile(archive, elsewhere)
    assert _run(db, "ingest", str(elsewhere)) == 0
    assert _naming(db, JACK) == {"forgotten.what"}
    assert _contact(db, JACK, capsys) is None


def test_forget_asks_on_a_terminal_and_refuses_when_piped(
    archive: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = _prepared(archive, tmp_path, capsys)
    with Store.open(db) as store:
        digest = store.digest()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert _run(db, "forget", JACK) == 2
    assert "add --yes" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert _run(db, "forget", JACK) == 0
    assert "1 message or meeting removed" in capsys.readouterr().err  # the preview
    with Store.open(db) as store:
        assert store.digest() == digest and store.forgotten() == ()
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert _run(db, "forget", JACK) == 0
    with Store.open(db) as store:
        assert store.forgotten() == (JACK,)


def test_a_domain_goes_whole_and_the_owner_cannot_be_forgotten(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _prepared(archive, tmp_path, capsys)
    assert _run(db, "forget", "@USISH.com", "--yes") == 0
    assert _contact(db, JACK, capsys) is None and _contact(db, LINDAR, capsys) is None
    at_domain = re.compile(r"@(?:[\w-]+\.)*usish\.com(?![\w.-])")
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT people, sender, refs, in_reply_to FROM interactions")
        assert not any(at_domain.search(" ".join(map(str, row))) for row in rows)
    capsys.readouterr()
    for own in (OWNER, "perches.com"):
        assert _run(db, "forget", own, "--yes") == 2
        assert "owner" in capsys.readouterr().err
    assert _run(db, "forget", "not an address", "--yes") == 2


def test_undo_lifts_the_tombstone_and_the_next_ingest_brings_them_back(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "network.sqlite3"
    assert _run(db, "ingest", str(archive), "--me", OWNER) == 0
    before = _contact(db, JACK, capsys)
    assert _run(db, "forget", JACK, "--yes") == 0
    assert _run(db, "forget", "--undo", JACK) == 0
    assert _run(db, "forget", "--undo", JACK) == 2  # nothing left to lift
    assert _run(db, "ingest", str(archive)) == 0  # the same, unchanged file: read again
    assert _contact(db, JACK, capsys) == before
    with Store.open(db) as store:
        assert store.forgotten() == ()
