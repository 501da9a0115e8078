"""Folders an unlucky user points at: nothing is dropped without a word, nothing hangs.

Issue 12 items 9 and 10: files silently dropped with exit 0 and nothing counted, a FIFO that
hung the ingest, and folders that ended in "internal error".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from outlook_networking.store import Store

from .confined import run
from .conftest import ME, maildir_message, mbox


def _stored(workdir: Path) -> int:
    with Store.open(workdir / "network.sqlite3") as store:
        return sum(1 for _ in store.interactions())


def test_an_mbox_with_a_nul_byte_and_an_unreadable_one_in_a_folder(
    tmp_path: Path, workdir: Path, lock: Callable[[Path], None]
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    data = mbox(100)
    body = data.index(b"Body.", 300)  # in a body within the first 8 KiB
    (folder / "nul.mbox").write_bytes(data[:body] + b"\x00" + data[body:])
    locked = folder / "locked.mbox"
    locked.write_bytes(mbox(10, start=100))
    lock(locked)
    done = run("ingest", str(folder), "--me", ME, workdir=workdir, cpu_s=30)
    # A whole file not read is a failure, named; everything else is read and stored.
    assert done.code == 1 and done.within_limits(), done.stderr
    assert _stored(workdir) == 100  # the mbox with a NUL byte is read, not taken for binary
    assert f"\ncannot read {locked}: permission denied\n" in done.stderr


def test_an_unreadable_maildir_folder_and_a_symlink_loop_are_named(
    tmp_path: Path, workdir: Path, lock: Callable[[Path], None]
) -> None:
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (maildir / sub).mkdir(parents=True)
    for n in range(200):
        (maildir / "cur" / f"{n:03d}.host:2,S").write_bytes(maildir_message(n))
    for n in range(5):
        (maildir / ".Sent" / "cur" / f"{n}.host:2,S").write_bytes(maildir_message(500 + n))
    (maildir / "cur" / "loop").symlink_to("loop")  # lost 165 of 200 messages before
    lock(maildir / ".Sent" / "cur")
    done = run("ingest", str(maildir), "--me", ME, workdir=workdir, cpu_s=30)
    assert done.code == 1 and done.within_limits(), done.stderr
    assert _stored(workdir) == 200
    assert f"\ncannot read {maildir / 'cur' / 'loop'}: symbolic link loop\n" in done.stderr
    assert f"\ncannot read {maildir / '.Sent' / 'cur'}: permission denied\n" in done.stderr


def test_a_fifo_named_as_input_is_refused_at_once(tmp_path: Path, workdir: Path) -> None:
    fifo = tmp_path / "inbox.mbox"
    os.mkfifo(fifo)
    done = run("ingest", str(fifo), "--me", ME, workdir=workdir, cpu_s=10)  # hung forever
    assert done.code == 1 and done.within_limits(), done.stderr
    assert done.error == f"cannot read {fifo}: not a regular file but a named pipe (FIFO)"


def test_an_unreadable_folder_is_one_line(
    tmp_path: Path, workdir: Path, lock: Callable[[Path], None]
) -> None:
    folder = tmp_path / "export"
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "a.mbox").write_bytes(mbox(1))
    lock(folder / "inner")
    done = run("ingest", str(folder), "--me", ME, workdir=workdir, cpu_s=30)
    assert done.code == 1 and done.within_limits(), done.stderr  # was: internal error
    assert done.error == (
        f"cannot read {folder}: nothing in this folder can be read: "
        f"{folder / 'inner'}: permission denied"
    )
    lock(folder)
    done = run("ingest", str(folder / "inner" / "a.mbox"), workdir=workdir, cpu_s=30)
    assert done.code == 1 and done.within_limits(), done.stderr
    assert done.error == f"cannot read {folder / 'inner' / 'a.mbox'}: permission denied"


def test_a_symlink_loop_is_a_problem_not_the_end(tmp_path: Path, workdir: Path) -> None:
    folder = tmp_path / "export"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.mbox").write_bytes(mbox(3))
    (folder / "sub" / "b.mbox").write_bytes(mbox(2, start=3))
    (folder / "sub" / "up").symlink_to("..")  # aborted the whole ingest before
    done = run("--debug", "ingest", str(folder), "--me", ME, workdir=workdir, cpu_s=30)
    assert done.code == 0 and done.within_limits(), done.stderr  # nothing lost: read once
    assert _stored(workdir) == 5
    assert "1 part(s) could not be read" in done.stderr
    loop = f"{folder / 'sub' / 'up'}: symbolic link loop (back to {folder}); not read twice"
    assert loop in done.stderr


def test_folders_1500_deep_are_walked_without_recursion(tmp_path: Path, workdir: Path) -> None:
    top = str(tmp_path / "deep")
    path = top
    try:
        os.mkdir(top)
        for _ in range(1500):  # os.makedirs and pathlib recurse: they fail on this very tree
            path = os.path.join(path, "d")
            os.mkdir(path)
        Path(path, "deep.mbox").write_bytes(mbox(1))
        done = run("ingest", top, "--me", ME, workdir=workdir, cpu_s=30)
        assert done.code == 0 and done.within_limits(), done.stderr  # was: RecursionError
        assert _stored(workdir) == 1
    finally:
        _remove_deep(top)


def _remove_deep(top: str) -> None:
    """Take a tree of single folders down from the bottom: shutil.rmtree (and so pytest's own
    clean-up of old temporary folders) recurses and would fail on it, for every later run."""
    path = top
    while os.path.isdir(os.path.join(path, "d")):
        path = os.path.join(path, "d")
    while True:
        for name in os.listdir(path):
            os.unlink(os.path.join(path, name))
        os.rmdir(path)
        if path == top:
            return
        path = os.path.dirname(path)
