"""One agent per store: an advisory lock on a file beside the store that dies with its holder.

The lock is taken with ``fcntl.flock`` (``msvcrt.locking`` on Windows) on ``<store>.agent.lock``.
The kernel releases it when the holding process exits in any way, SIGKILL and power loss
included, so a crashed agent can never leave it stuck; there is no stale-lock clean-up to get
wrong. The holder writes its pid and what it is (``agent``, or the command ``apply``/``undo``
holding the store while it writes to a mailbox) into the file only so a refusal can name it and
``status`` can tell an agent from a command; neither is trusted to decide who may write.

:func:`holder` tells ``status`` whether an agent is running: it probes with a shared lock, which
an agent's exclusive lock refuses. An agent starting during that probe would be refused by the
probe's shared lock, so :meth:`StoreLock.acquire` tries a few times before giving up.

On Windows the lock covers one byte far past the pid, so the pid stays readable while locked.
Windows support follows the documented ``msvcrt`` behaviour but is not exercised by the test
suite (no Windows runner).

Exports: ``StoreLock``, ``lock_path_for``, ``held_by``, ``holder``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType

from ..errors import LockHeld

__all__ = ["StoreLock", "held_by", "holder", "lock_path_for"]

_WINDOWS_LOCK_OFFSET = 1 << 20  # the byte locked on Windows, well past the pid text
_ATTEMPTS = 5
_PAUSE_S = 0.05


def lock_path_for(store_path: Path) -> Path:
    """The lock file that guards the store at ``store_path``."""
    return store_path.with_name(store_path.name + ".agent.lock")


def _try_lock(fd: int, *, shared: bool = False) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _read_holder(path: Path) -> tuple[int, str]:
    """The pid and role written in the lock file (0 and "" where unreadable). A file an older
    version wrote holds only a pid: only agents took the lock then."""
    try:
        pid, _, role = path.read_text(encoding="ascii", errors="replace").strip().partition(" ")
    except OSError:
        return 0, ""
    if not pid.isdigit():
        return 0, ""
    return int(pid), role or "agent"


class StoreLock:
    """The agent's exclusive lock on a store. Use as a context manager."""

    def __init__(self, store_path: Path, role: str = "agent") -> None:
        self.path = lock_path_for(store_path)
        self.role = role  # "agent", or the command holding it ("apply", "undo")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock and write our pid into it.

        Raises:
            LockHeld: another live process holds it (its pid, or 0 if it wrote none yet, and
                its role).
        """
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            for attempt in range(_ATTEMPTS):
                if _try_lock(fd):
                    break
                if attempt + 1 < _ATTEMPTS:
                    time.sleep(_PAUSE_S)
            else:
                raise LockHeld(str(self.path), *_read_holder(self.path))
            # Truncate only once we hold it: the holder's pid must stay readable until then.
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()} {self.role}\n".encode("ascii"))
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (the file stays; an empty pid means nobody holds it)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def held_by(store_path: Path) -> tuple[int, str] | None:
    """The pid (0 if unknown) and role of whoever holds the store's lock, or None if nobody."""
    path = lock_path_for(store_path)
    try:
        fd = os.open(path, os.O_RDONLY if sys.platform != "win32" else os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd, shared=True):
            _unlock(fd)
            return None
        return _read_holder(path)
    finally:
        os.close(fd)


def holder(store_path: Path) -> int | None:
    """The pid of the agent holding the store's lock (0 if unknown), or None if no agent runs
    (nobody holds it, or an ``apply`` or ``undo`` does)."""
    held = held_by(store_path)
    return held[0] if held is not None and held[1] in ("agent", "") else None
