"""Opening an account: endpoints allowed, credentials fed by a token provider, exchangelib's own
token refresh calling back into the provider."""

from __future__ import annotations

import pytest

from outlook_networking.config import AccountConfig
from outlook_networking.connectors.ews import TokenCredentials, open_account
from outlook_networking.connectors.ews import account as account_module
from outlook_networking.errors import ConfigError
from servers.ews import EWSServer

from .conftest import AccountFactory


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.com/EWS/Exchange.asmx",
        "http://192.0.2.2:8099\\@127.0.0.1/EWS/Exchange.asmx",
        "ftp://x",
        "",
    ],
)
def test_an_account_is_not_opened_on_an_endpoint_credentials_may_not_go_to(url: str) -> None:
    # The config refuses these already; an endpoint handed in directly is checked again.
    config = AccountConfig(name="w", address="me@example.com", endpoint=url, auth="token")
    with pytest.raises(ConfigError) as info:
        open_account(config, token=lambda: "t")
    assert info.value.key == "endpoint"


def test_password_auth_needs_a_password() -> None:
    config = AccountConfig(
        name="w",
        address="me@example.com",
        endpoint="https://mail.example.com/EWS/Exchange.asmx",
        auth="basic",
    )
    with pytest.raises(ConfigError):
        open_account(config)


def test_token_credentials_are_hashable_and_refresh_from_the_provider() -> None:
    tokens = iter(["one", "two"])
    creds = TokenCredentials(lambda: next(tokens))
    assert isinstance(hash(creds), int)
    creds.refresh(session=None)
    assert creds.access_token["access_token"] == "one"
    creds.refresh(session=None)
    assert creds.access_token["access_token"] == "two"


def test_building_an_account_asks_for_no_token(ews_server: EWSServer) -> None:
    asked: list[str] = []

    def provider() -> str:
        asked.append("token")
        return "test-token"

    config = AccountConfig(
        name="w", address="me@example.com", endpoint=ews_server.url, auth="token"
    )
    account = open_account(config, token=provider, build=(15, 1, 2507, 6))
    assert asked == [] and ews_server.requests == []
    assert account.inbox.name == "Inbox"
    assert asked == ["token"]


def test_exchangelib_refreshes_an_expired_token_through_the_provider(
    ews_server: EWSServer, make_account: AccountFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def provider() -> str:
        calls.append("token")
        if len(calls) > 1:
            # From the refresh on, tokens live normally again (an expired one would loop).
            monkeypatch.setattr(account_module, "TOKEN_LIFETIME_S", 300)
        return "test-token"

    # The first real token is born expired too: requests-oauthlib raises TokenExpiredError
    # before sending, exchangelib calls refresh(session=...), and the provider is asked again.
    monkeypatch.setattr(account_module, "TOKEN_LIFETIME_S", -60)
    account = make_account(auth="oauth", token=provider)
    assert account.inbox.name == "Inbox"
    assert len(calls) == 2
    assert {r.status for r in ews_server.requests} == {200}


def test_connect_gives_a_source_and_sink_sharing_one_account(ews_server: EWSServer) -> None:
    from outlook_networking.connectors.ews import connect
    from servers.ews import SERVER_BUILD

    ews_server.mailbox.add_contact(display_name="Ann", emails=["ann@partner.example"])
    config = AccountConfig(
        name="work", address="me@example.com", endpoint=ews_server.url, auth="token"
    )
    source, sink = connect(config, token=lambda: "test-token", build=SERVER_BUILD)
    assert source.name == sink.name == "ews:work"
    cards = [c for b in source.read({}) for c in b.cards]
    assert [c.full_name for c in cards] == ["Ann"]
    assert [c.full_name for c in sink.read_state().contacts] == ["Ann"]
