"""A configured Graph account becomes a Source and Sink on one client, /me or /users/{address}."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outlook_networking.config import AccountConfig
from outlook_networking.connectors.graph import connect_graph
from outlook_networking.errors import ConfigError
from servers.graph import APP_PRINCIPAL, GraphServer

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _account(server: GraphServer, **kwargs: object) -> AccountConfig:
    return AccountConfig(
        name="work", address=server.upn, connector="graph", graph_url=server.url, **kwargs
    )  # type: ignore[arg-type]


def test_delegated_account_reads_me_since_its_months(server: GraphServer) -> None:
    server.add_message(
        "inbox", subject="recent", sender="a@x.example", sent=NOW - timedelta(days=3)
    )
    server.add_message("inbox", subject="old", sender="a@x.example", sent=NOW - timedelta(days=400))
    connection = connect_graph(
        _account(server, auth="token", since_months=6), lambda: server.token, now=lambda: NOW
    )
    try:
        assert connection.source.name == connection.sink.name == "graph:work"
        batches = list(connection.source.read({}))
        assert [i.subject for b in batches if b.folder == "inbox" for i in b.interactions] == [
            "recent"
        ]
        archive = server.mailbox().folder_alias["archive"]
        assert {b.folder for b in batches} == {
            "folders", "inbox", "sent", f"folder/{archive}", "calendar", "contacts"
        }  # fmt: skip
        assert all(r.path.startswith("/me") or r.path == "/$batch" for r in server.requests)
    finally:
        connection.close()


def test_app_only_account_reads_users_address(server: GraphServer) -> None:
    server.add_token("app-token", APP_PRINCIPAL)
    connection = connect_graph(_account(server, auth="app"), lambda: "app-token", now=lambda: NOW)
    try:
        list(connection.source.read({}))
        connection.sink.read_state()
        assert server.count(path=f"/users/{server.upn}/") == server.count() - server.count(
            path="/$batch"
        )
    finally:
        connection.close()


def test_plain_http_graph_url_only_on_loopback() -> None:
    account = AccountConfig(
        name="work", address="me@example.com", connector="graph",
        graph_url="http://graph.example.com/v1.0",
    )  # fmt: skip
    with pytest.raises(ConfigError):
        connect_graph(account, lambda: "t")
