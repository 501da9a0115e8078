"""Fixtures for the Graph connector tests: a live Graph test server and clients bound to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from outlook_networking.connectors.graph import GraphClient, RetryPolicy
from servers.graph import GraphServer


@pytest.fixture()
def server() -> Iterator[GraphServer]:
    with GraphServer(concurrency_retry_after=0) as srv:
        yield srv


@pytest.fixture()
def waits() -> list[float]:
    """Every pause a client took, recorded instead of slept (Retry-After is honoured, not felt)."""
    return []


@pytest.fixture()
def make_client(server: GraphServer, waits: list[float]) -> Iterator[Callable[..., GraphClient]]:
    clients: list[GraphClient] = []

    def make(**kwargs: object) -> GraphClient:
        kwargs.setdefault("retry", RetryPolicy(max_wait_s=30, backoff_s=0.5))
        kwargs.setdefault("sleep", waits.append)
        client = GraphClient(
            server.url,
            lambda: server.token,
            account="work",
            **kwargs,  # type: ignore[arg-type]
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture()
def client(make_client: Callable[..., GraphClient]) -> GraphClient:
    return make_client()
