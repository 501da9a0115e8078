"""A fresh EWS test server per test, and exchangelib accounts that talk to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from exchangelib import Account, close_connections

from outlook_networking.config import AccountConfig
from outlook_networking.connectors.ews import open_account
from servers.ews import SERVER_BUILD, EWSServer

# The contract's messages are from October 2026; "now" is fixed so the 18-month window holds.
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def ews_server() -> Iterator[EWSServer]:
    with EWSServer() as server:
        yield server
        errors = list(server.schema_errors)
        unsupported = list(server.unsupported)
    close_connections()
    assert errors == [], "schema violations: " + "\n".join(errors)
    assert unsupported == []


AccountFactory = Callable[..., Account]


@pytest.fixture
def make_account(ews_server: EWSServer) -> AccountFactory:
    """``make_account(auth="basic"|"token", token=..., max_wait_s=...)`` for the test server."""

    def make(
        auth: str = "basic",
        token: Callable[[], str] | None = None,
        password: str = "secret",
        max_wait_s: float = 5,
    ) -> Account:
        config = AccountConfig(
            name="test", address="me@example.com", endpoint=ews_server.url, auth=auth
        )
        return open_account(
            config, token=token, password=password, build=SERVER_BUILD, max_wait_s=max_wait_s
        )

    return make
