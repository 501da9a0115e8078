"""Helpers for the hostile-hosts tests: the real console script, and a listener that records.

- :func:`run_cli` runs ``outlook-networking`` (the installed console script, as a user would) in a
  subprocess with an address-space limit, so a regression fails instead of eating the machine,
  and optionally a file-size limit (a write that fails like a full disk).
- :func:`make_store` ingests a generated mbox of mail the owner sent to ``people`` people, so the
  store has that many contacts.
- :class:`Listener` is a bare TCP server on a loopback address that reads each HTTP request's
  header block, records it and answers ``401``; it stands for "another host" in the credential
  tests (nothing in it knows about the product).
"""

from __future__ import annotations

import contextlib
import mailbox
import os
import resource
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType

SCRIPT = Path(sys.executable).with_name("outlook-networking")
MEMORY_LIMIT = 1 << 30  # 1 GiB of address space: far above what any of these commands needs


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """The non-empty lines on stderr."""
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_cli(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    file_size: int | None = None,
) -> Result:
    """``outlook-networking ARGS`` with ``env`` added to a clean environment.

    ``file_size`` caps every file the command writes (RLIMIT_FSIZE; Python ignores SIGXFSZ, so a
    write past it fails with EFBIG, "File too large").
    """

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    base = {k: v for k, v in os.environ.items() if not k.startswith("OUTLOOK_NETWORKING_")}
    done = subprocess.run(
        [str(SCRIPT), *args],
        env={**base, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def make_store(directory: Path, people: int = 50) -> Path:
    """A store in ``directory`` holding mail the owner sent to ``people`` people (all contacts)."""
    source = mailbox.mbox(directory / "sent.mbox")
    for i in range(people):
        message = EmailMessage()
        message["From"] = "Me <me@example.com>"
        message["To"] = f"Person {i} <p{i}@example.org>"
        message["Subject"] = f"hello {i}"
        message["Date"] = f"Mon, {1 + i % 28:02d} Jun 2026 10:00:00 +0000"
        message["Message-ID"] = f"<m{i}@example.com>"
        source.add(message)
    source.close()
    db = directory / "network.sqlite3"
    result = run_cli("ingest", str(directory / "sent.mbox"), "--me", "me@example.com",
                     "--db", str(db))  # fmt: skip
    assert result.code == 0, result.stderr
    return db


@dataclass(frozen=True)
class Seen:
    """One HTTP request a listener received: its request line and headers (names lower case)."""

    line: str
    headers: Mapping[str, str]


@dataclass
class Listener:
    """A TCP listener on ``host`` that answers every HTTP request with 401 and records it."""

    host: str
    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self._sock = socket.create_server((self.host, self.port))
        self.port = self._sock.getsockname()[1]
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"

    def authorizations(self) -> list[str]:
        with self._lock:
            return [s.headers["authorization"] for s in self.seen if "authorization" in s.headers]

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = b""
            try:
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
                headers = {}
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                with self._lock:
                    self.seen.append(Seen(head[0], headers))
                conn.sendall(
                    b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            except OSError:
                return

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self._sock.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
