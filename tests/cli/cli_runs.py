"""The command line as people run it: the installed console script in a subprocess, piped or on a
pseudo-terminal of a given size, with a home of its own (no store, config or pager of the
machine running the tests leaks in).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("outlook-networking")
NOW = "2026-11-27T12:00:00Z"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        """The non-empty lines on stderr."""
        return [line for line in self.err.splitlines() if line.strip()]


@dataclass(frozen=True)
class Home:
    """A user's home for the tests: data, config and the environment commands run with."""

    root: Path

    @property
    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith("OUTLOOK_NETWORKING_")}
        for name in ("PAGER", "LESS", "COLUMNS", "LINES", "BROWSER", "TZ"):
            keep.pop(name, None)
        return {
            **keep,
            "HOME": str(self.root),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "TZ": "UTC",
            # The analysis bar from its first step (not after a second): the demo's analysis
            # is quicker than that, and the tests look at the bar.
            "OUTLOOK_NETWORKING_PROGRESS_DELAY": "0",
        }

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        stdin: str | None = None,
        cwd: Path | None = None,
    ) -> Run:
        """``outlook-networking ARGS`` with its output piped."""
        done = subprocess.run(
            [str(SCRIPT), *args],
            env={**self.env, **(env or {})},
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            cwd=cwd or self.root,
            timeout=180,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def run_tty(
        self,
        *args: str,
        columns: int = 80,
        rows: int = 24,
        env: Mapping[str, str] | None = None,
        keys: str = "",
    ) -> Run:
        """``outlook-networking ARGS`` on a pseudo-terminal of ``columns`` × ``rows``, as in a
        terminal window; ``keys`` are typed in. Everything it shows comes back in ``out``."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        process = subprocess.Popen(
            [str(SCRIPT), *args],
            env={**self.env, "TERM": "xterm-256color", **(env or {})},
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=self.root,
            close_fds=True,
        )
        os.close(slave)
        if keys:
            os.write(master, keys.encode())
        chunks: list[bytes] = []
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            if not ready:
                process.kill()
                raise AssertionError(f"no output for 120 s from {args}")
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other side closed: the command has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        code = process.wait(timeout=60)
        text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
        return Run(code, text, "")


def ansi_free(text: str) -> str:
    """What a terminal shows, without its colour and cursor codes."""
    import re

    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", "", text)
