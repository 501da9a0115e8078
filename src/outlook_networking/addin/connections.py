"""The card server's open connections: how many at once, and how long one request may take.

The server gives each connection a thread. Without limits, idle clients (a TLS handshake never
finished, one header line every few seconds, a keep-alive connection left open) each hold a
thread for as long as they like, since a socket timeout applies per read. So:

- at most ``limit`` connections are open; a new one makes room by cutting the connection that
  has waited longest for its next request (never one whose request is being answered). Only when
  every connection is busy does a newcomer wait, and it is refused if none frees up in time;
- every request has a total deadline, from the moment the connection starts waiting for it
  (accept, or the end of the previous answer) until its answer is sent. The server checks the
  deadlines between accepts and cuts connections that have run over.

Cutting is ``shutdown()`` of the socket, which wakes the thread blocked on it; the connection
counts against the limit until its thread has finished, so the thread count never exceeds it.

Exports: ``Connections``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass

__all__ = ["Connections"]


@dataclass
class _Entry:
    deadline: float
    waiting_since: float
    busy: bool = False
    cut: bool = False


def _cut(sock: socket.socket) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter also drops the TLS state, under
    # the feet of the thread still reading from it.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Connections:
    """The table of open connections (see the module docstring); safe to use from any thread."""

    def __init__(self, limit: int, deadline_s: float) -> None:
        self.limit = limit
        self.deadline_s = deadline_s
        self._entries: dict[socket.socket, _Entry] = {}
        self._changed = threading.Condition()
        self.cuts = 0  # connections cut for room or for their deadline, for tests and logs

    def __len__(self) -> int:
        with self._changed:
            return len(self._entries)

    def admit(self, sock: socket.socket) -> bool:
        """Register a new connection, making room if needed; False if no room could be made."""
        give_up = time.monotonic() + self.deadline_s
        with self._changed:
            while len(self._entries) >= self.limit:
                self._cut_expired()
                if not any(entry.cut for entry in self._entries.values()):
                    idle = [(e.waiting_since, s) for s, e in self._entries.items() if not e.busy]
                    if idle:
                        self._cut(min(idle, key=lambda pair: pair[0])[1])
                left = give_up - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.5))
            now = time.monotonic()
            self._entries[sock] = _Entry(deadline=now + self.deadline_s, waiting_since=now)
            return True

    def busy(self, sock: socket.socket) -> None:
        """The request on ``sock`` has been read; its answer is being made."""
        with self._changed:
            entry = self._entries.get(sock)
            if entry is not None:
                entry.busy = True

    def idle(self, sock: socket.socket) -> None:
        """The answer is sent; the next request's deadline starts now."""
        with self._changed:
            entry = self._entries.get(sock)
            if entry is not None:
                now = time.monotonic()
                entry.busy, entry.waiting_since, entry.deadline = False, now, now + self.deadline_s

    def remove(self, sock: socket.socket) -> None:
        """The connection's thread is done with it."""
        with self._changed:
            if self._entries.pop(sock, None) is not None:
                self._changed.notify_all()

    def cut_expired(self) -> None:
        """Cut every connection past its deadline."""
        with self._changed:
            self._cut_expired()

    def cut_all(self) -> None:
        """Cut every connection (the server is stopping)."""
        with self._changed:
            for sock in list(self._entries):
                self._cut(sock)

    def _cut_expired(self) -> None:
        now = time.monotonic()
        for sock, entry in list(self._entries.items()):
            if not entry.cut and entry.deadline < now:
                self._cut(sock)

    def _cut(self, sock: socket.socket) -> None:
        self._entries[sock].cut = True
        self.cuts += 1
        _cut(sock)
