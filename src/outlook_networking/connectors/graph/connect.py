"""One configured Graph account as a ready Source and Sink sharing one client.

The connector factory calls :func:`connect_graph` for accounts with ``connector = "graph"``; the
token provider comes from :mod:`outlook_networking.auth`. An app-only account (``auth = "app"``)
reads ``/users/{address}``, a delegated one ``/me``, or ``/users/{mailbox}`` for a shared or
delegated mailbox it names (with the ``*.Shared`` permissions, see ``auth.scopes``).

Exports: ``GraphConnection``, ``connect_graph``, ``graph_user``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from ...config import AccountConfig
from .client import GraphClient, RetryPolicy, TokenProvider
from .sink import TASK_LIST, GraphSink
from .source import GraphSource

__all__ = ["GraphConnection", "connect_graph", "graph_user"]


def graph_user(account: AccountConfig) -> str | None:
    """Whose mailbox the account reads: None for the signed-in user (``/me``), else a UPN."""
    if account.mailbox is not None:
        return account.mailbox
    return account.address if account.auth == "app" else None


@dataclass(frozen=True)
class GraphConnection:
    """The Source and Sink of one account; ``close()`` ends the shared HTTP client."""

    source: GraphSource
    sink: GraphSink
    client: GraphClient

    def close(self) -> None:
        self.client.close()


def connect_graph(
    account: AccountConfig,
    token_provider: TokenProvider,
    *,
    todo_list: str = TASK_LIST,
    since_months: int | None = None,
    retry: RetryPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> GraphConnection:
    """A Graph Source and Sink for ``account``; ``transport`` replaces httpx's own (tests);
    ``include`` / ``exclude``: the ``[folders]`` patterns (see :mod:`..folders`).

    Raises:
        ConfigError: ``graph_url`` is plain http on a host that is not loopback.
    """
    client = GraphClient(
        account.graph_url, token_provider, account=account.name, retry=retry, transport=transport
    )
    user = graph_user(account)
    months = account.since_months if since_months is None else since_months
    past = timedelta(days=round(months * 30.44))
    name = f"graph:{account.name}"
    source = GraphSource(
        client,
        name=name,
        user=user,
        calendar_past=past,
        now=now,
        since=now() - past,
        include=include,
        exclude=exclude,
    )
    sink = GraphSink(client, name=name, user=user, task_list=todo_list)
    return GraphConnection(source=source, sink=sink, client=client)
