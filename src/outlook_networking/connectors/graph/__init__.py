"""Microsoft Graph connector for Exchange Online: delta sync in, categories and To Do out.

The only package that imports httpx. :class:`GraphClient` is the HTTP edge (limits, retries,
error mapping), :class:`GraphSource` reads mail, calendar and contacts by delta query, and
:class:`GraphSink` writes categories and Microsoft To Do follow-ups. Authentication comes in as a
token provider (``Callable[[], str]``, see :mod:`outlook_networking.auth`).

Typical use::

    client = GraphClient(graph_url, token_provider, account="work")
    source = GraphSource(client, name="graph:work")
    sink = GraphSink(client, name="graph:work")

Exports: ``connect_graph``, ``GraphConnection``, ``GraphClient``, ``GraphSource``,
``GraphSink``, ``RetryPolicy``, ``BatchRequest``, ``GraphResponse``, ``check_graph_url``,
``DEFAULT_GRAPH_URL``, ``APPLICATION_NAME``, ``MARKER_PROPERTY``, ``TASK_LIST``, ``FOLDERS``,
``TokenProvider``.
"""

from __future__ import annotations

from .client import (
    DEFAULT_GRAPH_URL,
    BatchRequest,
    GraphClient,
    GraphResponse,
    RetryPolicy,
    TokenProvider,
    check_graph_url,
)
from .connect import GraphConnection, connect_graph
from .sink import APPLICATION_NAME, MARKER_PROPERTY, TASK_LIST, GraphSink
from .source import FOLDERS, GraphSource

__all__ = [
    "APPLICATION_NAME",
    "DEFAULT_GRAPH_URL",
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
    "check_graph_url",
    "connect_graph",
]
