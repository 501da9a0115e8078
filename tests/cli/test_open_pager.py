"""A reading command whose answer sits in a pager holds no moment of the store: the agent's writes
meanwhile can be folded back from the write-ahead log into the file (a reader's snapshot would
stop that, and the log would grow for as long as the pager stays open)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runs import NOW, SCRIPT, Home

# The pager: writes to the store as the agent would, then asks SQLite to fold the whole log back
# into the file (TRUNCATE: it must get past every reader), says whether a reader was in the way
# (1) or not (0), and shows the page.
PAGER = """
import sqlite3, sys
db, said = sys.argv[1], sys.argv[2]
with sqlite3.connect(db, timeout=0.2) as connection:
    connection.execute("CREATE TABLE IF NOT EXISTS agent_wrote (n)")
    connection.execute("INSERT INTO agent_wrote VALUES (1)")
busy = sqlite3.connect(db, timeout=0.2).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
open(said, "w").write(str(busy))
sys.stdout.write(sys.stdin.read())
"""


@pytest.mark.parametrize(
    "command", [("contacts",), ("followups",), ("contact", "mei.wagner@example.com")]
)
def test_a_pager_left_open_does_not_hold_the_store(
    home: Home, demo_db: Path, command: tuple[str, ...]
) -> None:
    script, said = home.root / "pager.py", home.root / "busy.txt"
    script.write_text(PAGER, encoding="utf-8")
    pager = f"{sys.executable} {script} {demo_db} {said}"
    assert home.run("--db", str(demo_db), "--now", NOW, "rebuild").code == 0  # answers kept
    shown = home.run_tty("--db", str(demo_db), "--now", NOW, *command, rows=8, env={"PAGER": pager})
    assert shown.code == 0, shown.out
    assert said.read_text() == "0"  # nobody held a moment of the store while it paged


# What a reader of the piped JSON does before reading on, as a pager waiting at its first page
# does: the agent writes and folds the log back meanwhile (1: a reader was in the way).
def _folded(db: Path) -> int:
    with sqlite3.connect(db, timeout=0.2) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS agent_wrote (n)")
        connection.execute("INSERT INTO agent_wrote VALUES (1)")
    checkpoint = sqlite3.connect(db, timeout=0.2)
    try:
        return int(checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0])
    finally:
        checkpoint.close()


@pytest.mark.parametrize("command", [("contacts", "--json"), ("followups", "--json")])
def test_json_in_a_pipe_not_read_on_does_not_hold_the_store(
    home: Home, demo_db: Path, command: tuple[str, ...]
) -> None:
    args = ("--db", str(demo_db), "--now", NOW, *command)
    assert home.run("--db", str(demo_db), "--now", NOW, "rebuild").code == 0  # answers kept
    whole = home.run(*args)
    assert whole.code == 0, whole.err
    # A pipe that holds one page (pipe(7): F_SETPIPE_SZ), less than the document, so the command
    # is still writing, and waiting for its reader, when the first line has been read.
    reading, writing = os.pipe()
    fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, 4096)
    assert len(whole.out.encode()) > 2 * fcntl.fcntl(writing, fcntl.F_GETPIPE_SZ)
    with open(reading, "rb") as out, subprocess.Popen(
        [str(SCRIPT), *args], env=home.env, cwd=home.root,
        stdout=writing, stderr=subprocess.DEVNULL,
    ) as command_run:  # fmt: skip
        os.close(writing)
        first = out.readline()
        busy = _folded(demo_db)
        rest = out.read()
    assert command_run.returncode == 0
    assert (first + rest).decode() == whole.out  # the same document, whole
    assert busy == 0  # nobody held a moment of the store while the pipe waited
