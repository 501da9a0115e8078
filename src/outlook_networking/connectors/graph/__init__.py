"""Microsoft Graph connector for Exchange Online: delta sync in, categories and To Do out.

The only package that sends anything with httpx (:mod:`outlook_networking.endpoints` borrows its
URL parser, to check URLs as httpx reads them). :class:`GraphClient` is the HTTP edge (limits,
retries, error mapping), :class:`GraphSource` reads mail, calendar and contacts by delta query,
and :class:`GraphSink` writes categories and Microsoft To Do follow-ups. Authentication comes in
as a token provider (``Callable[[], str]``, see :mod:`outlook_networking.auth`).

Typical use::

    client = GraphClient(graph_url, token_provider, account="work")
    source = GraphSource(client, name="graph:work")
    sink = GraphSink(client, name="graph:work")

Exports: ``connect_graph``, ``GraphConnection``, ``GraphClient``, ``GraphSource``,
``GraphSink``, ``RetryPolicy``, ``BatchRequest``, ``GraphResponse``, ``APPLICATION_NAME``,
``MARKER_PROPERTY``, ``TASK_LIST``, ``FOLDERS``, ``TokenProvider``.
"""

from __future__ import annotations

from .client import (
    BatchRequest,
    GraphClient,
    GraphResponse,
    RetryPolicy,
    TokenProvider,
)
from .connect import GraphConnection, connect_graph
from .sink import APPLICATION_NAME, MARKER_PROPERTY, TASK_LIST, GraphSink
from .source import FOLDERS, GraphSource

__all__ = [
    "APPLICATION_NAME",
    "FOLDERS",
    "MARKER_PROPERTY",
    "TASK_LIST",
    "BatchRequest",
    "GraphClient",
    "GraphConnection",
    "GraphResponse",
    "GraphSink",
    "GraphSource",
    "RetryPolicy",
    "TokenProvider",
    "connect_graph",
]
