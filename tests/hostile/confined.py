"""Running the real command line under resource limits, so a regression fails, not the machine.

:func:`run` starts the installed ``outlook-networking`` console script in a child process with
``RLIMIT_AS`` (address space) and ``RLIMIT_CPU`` set. A hostile file that makes the product
allocate gigabytes then ends in a ``MemoryError`` or a kill, one that makes it spin runs out of
CPU seconds: the test sees a failed :class:`Outcome` instead of the machine swapping or hanging.
A generous wall-clock timeout is only the last guard (a child blocked on a pipe uses no CPU).

File modes: tests may run as root, which reads a mode-000 file as if nothing were wrong. The
child then drops ``CAP_DAC_OVERRIDE`` and ``CAP_DAC_READ_SEARCH`` from its capability bounding
set before it executes the console script, so it obeys file modes like any user;
:func:`modes_apply` says whether that worked here.

Exports: ``run``, ``Outcome``, ``modes_apply``.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Outcome", "modes_apply", "run"]

_PR_CAPBSET_DROP = 24  # prctl(2)
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


@dataclass(frozen=True)
class Outcome:
    """How the child ended: its exit code (negative: killed by that signal) and its output."""

    code: int
    stdout: str
    stderr: str

    @property
    def error(self) -> str:
        """The one line the CLI prints for an error (``outlook-networking: ...``), or ``""``."""
        lines = [ln for ln in self.stderr.splitlines() if ln.startswith("outlook-networking: ")]
        return lines[-1].removeprefix("outlook-networking: ") if lines else ""

    def within_limits(self) -> bool:
        """Neither killed (CPU seconds, memory) nor out of memory, and no traceback printed."""
        return (
            self.code >= 0
            and "MemoryError" not in self.stderr
            and "Traceback" not in self.stderr
            and "internal error" not in self.stderr
        )


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("outlook-networking")
    if script.exists():
        return [str(script)]
    found = shutil.which("outlook-networking")
    return [found] if found else [sys.executable, "-m", "outlook_networking"]


def _confine(memory_mb: int, cpu_s: int) -> Callable[[], None]:
    def limit() -> None:  # runs in the child, between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
        if os.geteuid() == 0:
            libc = ctypes.CDLL(None, use_errno=True)
            for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
                libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0)

    return limit


def run(
    *args: str,
    workdir: Path,
    memory_mb: int = 512,
    cpu_s: int = 60,
    config: str = "",
) -> Outcome:
    """Run ``outlook-networking --db ... --config ... ARGS`` confined; ``workdir`` holds both.

    Parameters:
        args: the command and its arguments (``"ingest", path, "--me", address``).
        workdir: a fresh folder for the store, the config file and the child's ``HOME``.
        memory_mb: the child's address-space limit.
        cpu_s: the child's CPU-time limit in seconds (SIGXCPU, then SIGKILL 5 s later).
        config: the TOML config file's text (``[files]`` limits, say).
    """
    config_path = workdir / "config.toml"
    config_path.write_text(config, encoding="utf-8")
    argv = [
        *_console_script(),
        "--db",
        str(workdir / "network.sqlite3"),
        "--config",
        str(config_path),
        "--now",
        "2025-06-01T00:00:00Z",
        *args,
    ]
    env = {**os.environ, "HOME": str(workdir), "NO_COLOR": "1", "COLUMNS": "250"}
    child = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_confine(memory_mb, cpu_s),
        start_new_session=True,
    )
    try:
        stdout, stderr = child.communicate(timeout=4 * cpu_s + 60)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # the child's own session, nothing else
        stdout, stderr = child.communicate()
        stderr += "\n(confined: killed after the wall-clock timeout; it hung)"
        return Outcome(-signal.SIGKILL, stdout, stderr)
    return Outcome(child.returncode, stdout, stderr)


def modes_apply(path: Path) -> bool:
    """Whether a confined child is refused reading ``path`` (made unreadable by the caller)."""
    reach = "os.listdir(path)" if path.is_dir() else "open(path, 'rb').close()"
    probe = (
        f"import os, sys\npath = sys.argv[1]\ntry:\n    {reach}\nexcept OSError:\n    sys.exit(3)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)],
        preexec_fn=_confine(256, 10),
        check=False,
        capture_output=True,
    )
    return done.returncode == 3
