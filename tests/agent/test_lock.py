"""One agent per store: a second agent is refused, and a killed holder never leaves it stuck."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from outlook_networking.agent.lock import StoreLock, held_by, holder, lock_path_for
from outlook_networking.errors import LockHeld

HOLD = """
import sys, time
from pathlib import Path
from outlook_networking.agent.lock import StoreLock
lock = StoreLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def _hold_in_child(store: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "locked"
    return child


def test_second_agent_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    store = tmp_path / "network.sqlite3"
    with StoreLock(store):
        with pytest.raises(LockHeld) as refused:
            StoreLock(store).acquire()
        assert refused.value.pid == os.getpid()
        assert refused.value.path == str(lock_path_for(store))
        assert holder(store) == os.getpid()
    assert holder(store) is None
    with StoreLock(store) as again:  # released: the next agent gets it
        assert again.held


def test_a_killed_holder_does_not_leave_the_lock_stuck(tmp_path: Path) -> None:
    store = tmp_path / "network.sqlite3"
    child = _hold_in_child(store)
    try:
        with pytest.raises(LockHeld) as refused:
            StoreLock(store).acquire()
        assert refused.value.pid == child.pid
        assert holder(store) == child.pid
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert child.stdout is not None
        child.stdout.close()
    # The kernel let go with the process; the stale pid left in the file does not matter.
    assert holder(store) is None
    lock = StoreLock(store)
    lock.acquire()
    try:
        assert lock_path_for(store).read_text().strip() == f"{os.getpid()} agent"
    finally:
        lock.release()


def test_a_command_holding_the_store_is_not_an_agent_but_still_refuses_one(
    tmp_path: Path,
) -> None:
    # `apply` and `undo` hold the same lock while they write to a mailbox: a second writer is
    # refused and told who holds it, while `status` does not report an agent running.
    store = tmp_path / "network.sqlite3"
    with StoreLock(store, role="apply"):
        with pytest.raises(LockHeld) as refused:
            StoreLock(store).acquire()
        assert (refused.value.pid, refused.value.role) == (os.getpid(), "apply")
        assert held_by(store) == (os.getpid(), "apply")
        assert holder(store) is None


def test_a_lock_file_written_by_an_older_version_names_an_agent(tmp_path: Path) -> None:
    # Before commands took the lock, only agents did, and the file held just the pid.
    store = tmp_path / "network.sqlite3"
    with StoreLock(store):
        lock_path_for(store).write_text("4242\n")
        assert held_by(store) == (4242, "agent")
        assert holder(store) == 4242
        with pytest.raises(LockHeld) as refused:
            StoreLock(store, role="undo").acquire()
        assert refused.value.role == "agent"


def test_no_lock_file_means_no_agent(tmp_path: Path) -> None:
    assert holder(tmp_path / "never.sqlite3") is None
