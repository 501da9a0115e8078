"""Injectable failures for the Graph test server.

A ``Fault`` matches requests by method and path (a regular expression searched in the path after
``/v1.0``, e.g. ``r"/messages/delta"``) and answers the next ``times`` of them with an error
status, a ``resyncRequired`` reset, or a dropped connection (before or after the request took
effect: "drop_after" is the case that tests idempotent writes). ``Chaos`` answers any request
with a random one of those, seeded, for soak tests.

Exports: ``Fault``, ``Chaos``, ``FaultPlan``, ``DROP``, ``DROP_AFTER``, ``RESYNC``.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field

DROP = "drop"
DROP_AFTER = "drop_after"
RESYNC = "resync"

DEFAULT_CODES = {
    401: ("InvalidAuthenticationToken", "Access token has expired or is not yet valid."),
    410: (
        "SyncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must be "
        "synchronized again.",
    ),
    429: ("TooManyRequests", "Too many requests, please retry later."),
    500: ("generalException", "An unexpected error occurred."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable. Please retry later."),
    504: ("GatewayTimeout", "The gateway did not receive a response in time."),
}


@dataclass
class Fault:
    """One rule: answer matching requests with ``status`` (an HTTP code, DROP, DROP_AFTER, RESYNC).

    ``skip`` lets that many matching requests through first; ``times`` is how many it then hits
    (``None``: every one until removed). ``in_batch`` restricts it to sub-requests of a
    ``$batch`` (True), to plain requests (False), or neither (None).
    """

    status: int | str
    path: str | None = None
    method: str | None = None
    times: int | None = 1
    skip: int = 0
    retry_after: int | None = None
    code: str | None = None
    message: str | None = None
    in_batch: bool | None = None
    hits: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path) if self.path else None

    def matches(self, method: str, path: str, in_batch: bool) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.in_batch is not None and self.in_batch != in_batch:
            return False
        if in_batch and self.status in (DROP, DROP_AFTER):
            return False
        return self._pattern is None or self._pattern.search(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def error_body(self) -> tuple[str, str]:
        default_code, default_message = DEFAULT_CODES.get(
            self.status if isinstance(self.status, int) else 0, ("UnknownError", "")
        )
        return self.code or default_code, self.message or default_message


@dataclass
class Chaos:
    """Random faults at ``rate`` from a seeded generator (reproducible for a sequential client)."""

    seed: int
    rate: float
    kinds: tuple[int | str, ...] = (429, 503, 500, DROP, DROP_AFTER)
    retry_after: int = 0
    path: str | None = None
    _rng: random.Random = field(init=False, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._pattern = re.compile(self.path) if self.path else None

    def draw(self, path: str, in_batch: bool) -> Fault | None:
        if self._pattern is not None and not self._pattern.search(path):
            return None
        if self._rng.random() >= self.rate:
            return None
        kinds = [k for k in self.kinds if not (in_batch and k in (DROP, DROP_AFTER))]
        if not kinds:
            return None
        status = self._rng.choice(kinds)
        retry = self.retry_after if status in (429, 503) else None
        return Fault(status=status, retry_after=retry, times=1)


class FaultPlan:
    """The faults armed on one server; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rules: list[Fault] = []
        self.chaos: Chaos | None = None
        self.fired: list[tuple[str, str, int | str]] = []

    def add(self, status: int | str, **kwargs: object) -> Fault:
        fault = Fault(status=status, **kwargs)  # type: ignore[arg-type]
        with self._lock:
            self.rules.append(fault)
        return fault

    def set_chaos(self, seed: int, rate: float, **kwargs: object) -> Chaos:
        chaos = Chaos(seed=seed, rate=rate, **kwargs)  # type: ignore[arg-type]
        with self._lock:
            self.chaos = chaos
        return chaos

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.chaos = None

    def take(self, method: str, path: str, in_batch: bool) -> Fault | None:
        """The fault this request meets, if any (and count it as fired)."""
        with self._lock:
            for rule in self.rules:
                if rule.exhausted or not rule.matches(method, path, in_batch):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                rule.hits += 1
                self.fired.append((method, path, rule.status))
                return rule
            if self.chaos is not None:
                fault = self.chaos.draw(path, in_batch)
                if fault is not None:
                    self.fired.append((method, path, fault.status))
                return fault
        return None
