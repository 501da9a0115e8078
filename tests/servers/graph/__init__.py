"""Microsoft Graph v1.0 test server for the Graph connector's tests (loopback, real HTTP).

Exports: ``GraphServer`` (start/stop, seeding, fault injection, request log, ``snapshot()``),
``RequestRecord``, ``Fault``, ``DEFAULT_TOKEN``, ``DEFAULT_UPN``, ``APP_PRINCIPAL``, and the fault
kinds ``DROP``, ``DROP_AFTER``, ``RESYNC``.

Layout: ``server`` (HTTP, auth, concurrency limit, faults, log, snapshot), ``seeding`` (test
helpers that put items in), ``batch`` (``$batch``), ``routes`` (path → operation), ``items``
(mail, calendar, contacts), ``categories``, ``todo``, ``deltas`` (delta pages) with ``delta``
(tokens), ``protocol`` (request/reply types, error shape), ``resources`` (JSON shapes),
``mailbox`` (in-memory store with change logs), ``faults``.
"""

from __future__ import annotations

from .faults import DROP, DROP_AFTER, RESYNC, Fault
from .server import APP_PRINCIPAL, DEFAULT_TOKEN, DEFAULT_UPN, GraphServer, RequestRecord

__all__ = [
    "APP_PRINCIPAL",
    "DEFAULT_TOKEN",
    "DEFAULT_UPN",
    "DROP",
    "DROP_AFTER",
    "RESYNC",
    "Fault",
    "GraphServer",
    "RequestRecord",
]
