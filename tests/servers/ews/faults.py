"""Faults the EWS test server can inject, one request at a time or at random.

``server.faults.push(Fault.server_busy(back_off_ms=50))`` makes the next matching request fail
that way; ``server.faults.random_rate(0.1, kinds=("server_busy", "http_503"), seed=7)`` makes each
request fail with probability 0.1 (for soak tests). Every injected fault is recorded in
``server.faults.injected`` as (operation, kind).

Kinds and what exchangelib 5.6 does with them (FaultTolerance policy):
    server_busy         SOAP fault ErrorServerBusy with BackOffMilliseconds: waits, retries.
    http_500            HTTP 500 "Server Error in '/EWS' Application": retries after Retry-After
                        (or 10 s without one).
    http_503            HTTP 503 with Retry-After: waits, retries.
    drop                connection closed without an answer: ErrorTimeoutExpired at once.
    drop_answer         the request is carried out, then the connection closes unanswered: the
                        client cannot know its write happened (retries must not duplicate).
    unauthorized        HTTP 401: treated as throttling, retried until max_wait.
    forbidden           HTTP 403, empty body: what Exchange Online answers to EWS for a mailbox
                        whose licence carries no EWS rights (Exchange Online Kiosk, F1, F3;
                        Microsoft 365 Message center MC1191578, enforced from 2026). exchangelib
                        raises an "unknown failure" transport error.
    invalid_sync_state  SyncFolderItems answers ErrorInvalidSyncStateData.

Exports: ``Fault``, ``FaultQueue``, ``KINDS``.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = (
    "server_busy",
    "http_500",
    "http_503",
    "drop",
    "drop_answer",
    "unauthorized",
    "forbidden",
    "invalid_sync_state",
)


@dataclass(frozen=True)
class Fault:
    """One fault; ``operation`` limits it to requests of that EWS operation."""

    kind: str
    back_off_ms: int = 50
    retry_after: int | None = None
    operation: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")

    @classmethod
    def server_busy(cls, back_off_ms: int = 50, operation: str | None = None) -> Fault:
        return cls("server_busy", back_off_ms=back_off_ms, operation=operation)

    @classmethod
    def http_500(cls, retry_after: int | None = 1, operation: str | None = None) -> Fault:
        return cls("http_500", retry_after=retry_after, operation=operation)

    @classmethod
    def http_503(cls, retry_after: int | None = 1, operation: str | None = None) -> Fault:
        return cls("http_503", retry_after=retry_after, operation=operation)

    @classmethod
    def dropped_connection(cls, operation: str | None = None) -> Fault:
        return cls("drop", operation=operation)

    @classmethod
    def dropped_answer(cls, operation: str | None = None) -> Fault:
        return cls("drop_answer", operation=operation)

    @classmethod
    def unauthorized(cls, retry_after: int | None = None, operation: str | None = None) -> Fault:
        return cls("unauthorized", retry_after=retry_after, operation=operation)

    @classmethod
    def forbidden(cls, operation: str | None = None) -> Fault:
        return cls("forbidden", operation=operation)

    @classmethod
    def invalid_sync_state(cls) -> Fault:
        return cls("invalid_sync_state", operation="SyncFolderItems")


class FaultQueue:
    """Pending faults (first in, first out) plus an optional random rate."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []
        self._rate = 0.0
        self._random_kinds: tuple[str, ...] = ()
        self._rng = random.Random(0)
        self._operations: frozenset[str] | None = None
        self.injected: list[tuple[str, str]] = []

    def push(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._pending.extend([fault] * times)

    def random_rate(
        self,
        p: float,
        kinds: Iterable[str] = ("server_busy", "http_503"),
        seed: int = 0,
        operations: Iterable[str] | None = None,
    ) -> None:
        """Fail each request with probability ``p`` with one of ``kinds``; ``p=0`` turns it off."""
        kinds = tuple(kinds)
        for kind in kinds:
            Fault(kind)  # validates the name
        with self._lock:
            self._rate = p
            self._random_kinds = kinds
            self._rng = random.Random(seed)
            self._operations = frozenset(operations) if operations is not None else None

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._rate = 0.0

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def take(self, operation: str) -> Fault | None:
        """The fault to apply to this request, if any (and record it)."""
        with self._lock:
            fault = None
            for i, candidate in enumerate(self._pending):
                if candidate.operation in (None, operation):
                    fault = self._pending.pop(i)
                    break
            eligible = self._operations is None or operation in self._operations
            if fault is None and self._rate and eligible and self._rng.random() < self._rate:
                kind = self._rng.choice(self._random_kinds)
                if kind != "invalid_sync_state" or operation == "SyncFolderItems":
                    fault = Fault(kind, back_off_ms=10, retry_after=1)
            if fault is not None:
                self.injected.append((operation, fault.kind))
            return fault
