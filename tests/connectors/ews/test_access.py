"""Who may read which mailbox over EWS, and what the user is told when the server says no.

- HTTP 403: Exchange Online refuses EWS to mailboxes whose licence carries no EWS rights (Kiosk,
  F1, F3; Message center MC1191578). Not a network fault: one request, one ``AccessDenied``
  that says what to do.
- App-only tokens act on a mailbox only through impersonation; without it Exchange answers
  "ExchangeImpersonation SOAP header must be present for this type of OAuth token"
  (OfficeDev/ews-managed-api#245).
- A shared or delegated mailbox: the user's credentials, delegate access to that mailbox's
  address, allowed only when its owner granted the user access.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from exchangelib import close_connections

from outlook_networking.app.wording import describe
from outlook_networking.config import AccountConfig, config_from_mapping
from outlook_networking.connectors.ews import EwsSource, connect, open_account
from outlook_networking.errors import AccessDenied, AuthError, ConfigError
from outlook_networking.i18n import Wording
from servers.ews import SERVER_BUILD, EWSServer, Fault

from .conftest import NOW, AccountFactory

TEAM = "team@example.com"


def read_all(source: EwsSource) -> list[str]:
    return [i.subject for b in source.read({}) for i in b.interactions]


def test_a_403_is_an_access_error_that_says_what_to_do(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    ews_server.mailbox.add_message("inbox", subject="Hi", sender="ann@partner.example", sent=NOW)
    ews_server.faults.push(Fault.forbidden())
    source = EwsSource(make_account(), "ews:work", folders=("inbox",), now=lambda: NOW)

    with pytest.raises(AccessDenied) as caught:
        read_all(source)

    reason = describe(caught.value)
    assert "403" in reason and "F1" in reason and 'connector = "graph"' in reason
    german = describe(caught.value, Wording("de"))
    assert "HTTP 403" in german and "verwenden Sie connector = \"graph\"" in german
    assert [r.status for r in ews_server.requests] == [403]  # no retries: they cannot help


def test_an_app_only_token_without_impersonation_gets_the_documented_fault(
    ews_server: EWSServer,
) -> None:
    ews_server.app_tokens.add("app-token")
    # auth = "token" lets an app-only token in without impersonation (the config refuses
    # auth = "app" without it); the server then refuses every request.
    plain = AccountConfig(name="org", address="me@example.com", endpoint=ews_server.url,
                          auth="token")  # fmt: skip
    source = EwsSource(
        open_account(plain, token=lambda: "app-token", build=SERVER_BUILD),
        "ews:org",
        folders=("inbox",),
        now=lambda: NOW,
    )
    with pytest.raises(AuthError) as caught:
        read_all(source)
    assert "impersonation = true" in describe(caught.value)
    assert [r.fault for r in ews_server.requests] == ["no_impersonation"]


def test_app_only_with_impersonation_reads_the_mailbox(ews_server: EWSServer) -> None:
    ews_server.app_tokens.add("app-token")
    ews_server.mailbox.add_message("inbox", subject="Hi", sender="ann@partner.example", sent=NOW)
    app = AccountConfig(name="org", address="me@example.com", endpoint=ews_server.url,
                        auth="app", impersonation=True)  # fmt: skip
    source = EwsSource(
        open_account(app, token=lambda: "app-token", build=SERVER_BUILD),
        "ews:org",
        folders=("inbox",),
        now=lambda: NOW,
    )
    assert read_all(source) == ["Hi"]


def test_the_config_refuses_app_only_ews_without_impersonation() -> None:
    table = {
        "name": "org",
        "address": "me@example.com",
        "endpoint": "https://mail.example.com/EWS/Exchange.asmx",
        "auth": "app",
        "tenant": "contoso.onmicrosoft.com",
    }
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"accounts": [table]})
    assert caught.value.key == "accounts[0].impersonation"
    assert "impersonation = true" in describe(caught.value)
    account = config_from_mapping({"accounts": [{**table, "impersonation": True}]}).account()
    assert account.impersonation


@pytest.fixture
def team_server() -> Iterator[EWSServer]:
    """A shared mailbox team@ that me@ may open (the owner granted it)."""
    with EWSServer(address=TEAM, users={"me@example.com": "secret", "eve@example.com": "x"}) as s:
        s.mailbox.delegates.add("me@example.com")
        s.mailbox.add_message(
            "inbox", subject="For the team", sender="ann@partner.example", to=[TEAM],
            sent=NOW - timedelta(days=1),
        )  # fmt: skip
        yield s
        assert s.schema_errors == []
    close_connections()


def _team_account(server: EWSServer, user: str) -> AccountConfig:
    document = {
        "accounts": [
            {
                "name": "team",
                "address": user,
                "mailbox": TEAM,
                "endpoint": server.url,
                "auth": "basic",
            }
        ]
    }
    return config_from_mapping(document).account()


def test_a_shared_mailbox_is_read_with_delegate_access(team_server: EWSServer) -> None:
    account = _team_account(team_server, "me@example.com")
    assert account.mailbox == TEAM and not account.writeback  # read-only unless said otherwise

    source, _ = connect(account, password="secret", build=SERVER_BUILD)

    assert read_all_folders(source) == ["For the team"]


def test_a_user_the_owner_did_not_let_in_is_denied(team_server: EWSServer) -> None:
    source, _ = connect(_team_account(team_server, "eve@example.com"), password="x",
                        build=SERVER_BUILD)  # fmt: skip
    with pytest.raises(AccessDenied):
        read_all_folders(source)


def read_all_folders(source: EwsSource) -> list[str]:
    return [i.subject for b in source.read({}) if b.folder == "inbox" for i in b.interactions]
