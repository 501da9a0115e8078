"""Item 13: ``--db PATH`` changes nothing that is not a store; read-only stores can still be read.

Read-only here means the owner's write bit is off, which the store honours even for root (these
tests run as root in CI, and root could write anyway).
"""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest

from .hosts import make_store, run_cli

PREFIX = "outlook-networking: "
READ_ONLY = "the store or its folder is read-only, and this command writes"
MERGE = ("p0@example.org", "p1@example.org")  # a command that writes: an identity correction


def _state(path: Path) -> tuple[int, str]:
    info = path.stat()
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(info.st_mode) else ""
    return info.st_mode, digest


def test_a_file_that_is_not_a_store_is_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    notes.chmod(0o644)
    other = tmp_path / "other.db"  # another program's SQLite database
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE bookmarks (url TEXT)")
    db.close()
    cases = {
        notes: "not a store: not an SQLite database",
        other: "not a store: an SQLite database of another program",
        Path("/dev/null"): "not a store: it is a device",
        tmp_path: "not a store: it is a folder",
    }
    for path, reason in cases.items():
        before = _state(path)
        result = run_cli("contacts", "--db", str(path))
        assert (result.code, result.lines) == (1, [f"{PREFIX}{path}: {reason}"])
        assert _state(path) == before


def test_a_store_made_read_only_stays_so_and_can_be_read(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.chmod(0o400)
    before = _state(store)
    listed = run_cli("contacts", "--json", "--db", str(store))
    assert listed.code == 0 and '"p0@example.org"' in listed.stdout
    assert run_cli("report", "--html", str(tmp_path / "r.html"), "--db", str(store)).code == 0
    written = run_cli("contacts", "merge", *MERGE, "--db", str(store))
    assert (written.code, written.lines) == (1, [f"{PREFIX}{store}: {READ_ONLY}"])
    assert _state(store) == before


def test_a_store_in_a_read_only_folder_can_be_read(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    store = make_store(folder)
    before = sorted(p.name for p in folder.iterdir())
    folder.chmod(0o555)
    try:
        listed = run_cli("contacts", "--json", "--db", str(store))
        assert listed.code == 0 and '"p0@example.org"' in listed.stdout
        written = run_cli("contacts", "merge", *MERGE, "--db", str(store))
        assert (written.code, written.lines) == (1, [f"{PREFIX}{store}: {READ_ONLY}"])
        assert sorted(p.name for p in folder.iterdir()) == before  # not even a -wal or -shm
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_store_readable_by_others_is_tightened_never_loosened(tmp_path: Path, mode: int) -> None:
    store = make_store(tmp_path)
    store.chmod(mode)
    assert run_cli("contacts", "--db", str(store)).code == 0
    assert stat.S_IMODE(store.stat().st_mode) == mode & 0o700


def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    empty = tmp_path / "new.sqlite3"
    empty.touch(mode=0o600)
    listed = run_cli("contacts", "--db", str(empty))
    assert (listed.code, listed.lines) == (
        1,
        [f"{PREFIX}{empty}: the store is empty: run `outlook-networking demo` or "
         "`outlook-networking ingest` (or `sync` for a configured mailbox)"],
    )  # fmt: skip
    assert empty.read_bytes().startswith(b"SQLite format 3\x00")
