"""Account keys that follow Exchange's own rules: which connector an Exchange Online mailbox
gets, shared and delegated mailboxes, and app-only EWS that cannot work without impersonation."""

from __future__ import annotations

from typing import Any

import pytest

from outlook_networking.app.wording import describe
from outlook_networking.config import AccountConfig, config_from_mapping
from outlook_networking.errors import ConfigError


def _account(**keys: Any) -> AccountConfig:
    table = {"name": "work", "address": "mia@example.com", **keys}
    return config_from_mapping({"accounts": [table]}).account()


def _problem(**keys: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        _account(**keys)
    return caught.value


@pytest.mark.parametrize(
    ("keys", "connector"),
    [
        # Exchange Online's own EWS host: a Microsoft 365 mailbox, where EWS is ending.
        ({"endpoint": "https://outlook.office365.com/EWS/Exchange.asmx"}, "graph"),
        ({"endpoint": "https://outlook.office.com/EWS/Exchange.asmx"}, "graph"),
        ({"address": "mia@contoso.onmicrosoft.com"}, "graph"),
        ({"address": "mia@contoso.onmicrosoft.com", "autodiscover": True}, "graph"),
        # Exchange Server on-premises keeps EWS.
        ({"endpoint": "https://mail.corp.example/EWS/Exchange.asmx"}, "ews"),
        ({"autodiscover": True}, "ews"),
        # Said explicitly, the user's word stands (login then warns, see the login tests).
        ({"endpoint": "https://outlook.office365.com/EWS/Exchange.asmx", "connector": "ews"},
         "ews"),
    ],
)  # fmt: skip
def test_exchange_online_accounts_default_to_graph(keys: dict[str, Any], connector: str) -> None:
    account = _account(**keys)
    assert account.connector == connector
    if connector == "graph":
        assert account.endpoint is None and not account.autodiscover


def test_without_endpoint_the_message_names_graph_too() -> None:
    problem = describe(_problem())
    assert "autodiscover = true" in problem and 'connector = "graph"' in problem


def test_a_shared_mailbox_is_read_only_and_is_the_owner() -> None:
    account = _account(connector="graph", mailbox="team@example.com")
    assert account.mailbox == "team@example.com"
    assert account.mailbox_address == "team@example.com"
    assert not account.writeback
    assert _account(connector="graph").mailbox_address == "mia@example.com"
    # Through EWS delegate access the owner may have granted more; the user can say so.
    ews = _account(endpoint="https://mail.corp.example/EWS/Exchange.asmx",
                   mailbox="boss@corp.example", writeback=True)  # fmt: skip
    assert ews.writeback


@pytest.mark.parametrize(
    ("keys", "key", "fragment"),
    [
        ({"connector": "graph", "mailbox": "team"}, "mailbox", "not an e-mail address"),
        ({"connector": "graph", "mailbox": "team@example.com", "writeback": True}, "writeback",
         "must be false"),
        ({"connector": "graph", "mailbox": "team@example.com", "auth": "app",
          "tenant": "contoso.onmicrosoft.com"}, "mailbox", "signed-in user"),
        ({"endpoint": "https://mail.corp.example/EWS/Exchange.asmx", "auth": "app",
          "tenant": "contoso.onmicrosoft.com"}, "impersonation", "impersonation = true"),
    ],
)  # fmt: skip
def test_what_exchange_would_refuse_is_refused_here(
    keys: dict[str, Any], key: str, fragment: str
) -> None:
    problem = _problem(**keys)
    assert problem.key == f"accounts[0].{key}"
    assert fragment in describe(problem)
