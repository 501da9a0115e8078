"""How many items one GetItem asks for: a size that adapts to how the server copes.

EWS limits the execution time of a batch request to one minute, and the server checks the
caller's throttling budget after every item of a batch, delaying the next one when the budget is
spent ("EWS throttling in Exchange", Throttling implications for EWS batch requests: "limit the
number of item requests that can be included in a single batch"). A batch that runs out of time
answers the item where it stopped with an error and the rest with ``ErrorBatchProcessingStopped``.
exchangelib's own default is 100 items per request; that is where we start.

- shrink (halve) when a batch was stopped part way, timed out, or the server asked us to back
  off (``ErrorServerBusy``, 503), or when a batch took more than ``slow_s`` (half the limit);
- grow (by half) after ``grow_after`` full batches in a row answered within ``fast_s``
  without any request to back off, up to 512 (a short remainder batch counts neither way).

Pure: the caller measures the time (with a clock it can replace in tests) and reports what
happened; each report gives the next ``BatchSize``.

Exports: ``BatchSize``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["BatchSize"]


@dataclass(frozen=True)
class BatchSize:
    """The current GetItem batch size and the rule that moves it."""

    size: int = 100
    low: int = 10
    high: int = 512
    fast_s: float = 10.0
    slow_s: float = 30.0
    grow_after: int = 2
    fast_in_a_row: int = 0

    def shrunk(self) -> BatchSize:
        """After a batch the server stopped, one that timed out, or a request to back off."""
        return replace(self, size=max(self.low, self.size // 2), fast_in_a_row=0)

    def answered(self, asked: int, seconds: float, *, busy: bool) -> BatchSize:
        """After a batch of ``asked`` ids was answered in full in ``seconds``."""
        if busy or seconds > self.slow_s:
            return self.shrunk()
        if asked < self.size:
            return self  # a short remainder says nothing about a full batch
        if seconds > self.fast_s:
            return replace(self, fast_in_a_row=0)
        if self.fast_in_a_row + 1 < self.grow_after:
            return replace(self, fast_in_a_row=self.fast_in_a_row + 1)
        return replace(self, size=min(self.high, self.size + self.size // 2), fast_in_a_row=0)
