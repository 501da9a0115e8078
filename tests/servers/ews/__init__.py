"""An EWS (Exchange Web Services) test server for exchangelib, on loopback.

``EWSServer`` is a real HTTP server holding an in-memory mailbox; it validates every request and
response against Microsoft's schema and can inject faults. See ``server`` for the details.

Exports: ``EWSServer``, ``Fault``, ``Mailbox``, ``RequestRecord``, ``SERVER_BUILD``.
"""

from __future__ import annotations

from .faults import Fault, FaultQueue
from .mailbox import Mailbox, StoredItem
from .server import SERVER_BUILD, EWSServer, RequestRecord

__all__ = [
    "SERVER_BUILD",
    "EWSServer",
    "Fault",
    "FaultQueue",
    "Mailbox",
    "RequestRecord",
    "StoredItem",
]
