"""The background agent: scheduled sync → analyse → write-back cycles that survive crashes.

- :func:`run_once` (:mod:`.cycle`): one cycle over every configured account, returning a
  :class:`CycleReport`; connections are injected, so tests run it against fakes and test servers.
- :func:`run_agent` (:mod:`.loop`): ``outlook-networking agent [--once]``: the lock, signals,
  schedule, status and logs around ``run_once``.
- :func:`read_status` (:mod:`.status`): what ``outlook-networking status`` prints.
- :mod:`.schedule`: the pure timing rules; :mod:`.lock`: one agent per store; :mod:`.logs`:
  structured, redacted logs.

Exports: ``run_once``, ``run_agent``, ``run_loop``, ``read_status``, ``AccountReport``,
``CycleReport``, ``Connection``, ``ConnectionPool``, ``Clocks``, ``Schedule``, ``StoreLock``,
``STATUS_DOC``.
"""

from __future__ import annotations

from .cycle import AccountReport, Connection, CycleReport, run_once
from .lock import StoreLock
from .loop import Clocks, ConnectionPool, run_agent, run_loop
from .schedule import Schedule
from .status import STATUS_DOC, read_status

__all__ = [
    "STATUS_DOC",
    "AccountReport",
    "Clocks",
    "Connection",
    "ConnectionPool",
    "CycleReport",
    "Schedule",
    "StoreLock",
    "read_status",
    "run_agent",
    "run_loop",
    "run_once",
]
