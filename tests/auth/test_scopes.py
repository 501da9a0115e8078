"""Which resource a token is asked for: it must match the server the token is shown to."""

from __future__ import annotations

from dataclasses import replace

import pytest

from outlook_networking.auth import app_scopes, delegated_scopes
from outlook_networking.config import AccountConfig

EWS = AccountConfig(name="w", address="me@example.com", endpoint=None, autodiscover=True)


@pytest.mark.parametrize(
    ("endpoint", "resource"),
    [
        (None, "https://outlook.office365.com"),
        ("https://outlook.office365.com/EWS/Exchange.asmx", "https://outlook.office365.com"),
        ("https://Mail.Contoso.com/EWS/Exchange.asmx", "https://mail.contoso.com"),
        ("http://127.0.0.1:8080/EWS/Exchange.asmx", "https://outlook.office365.com"),
    ],
)
def test_ews_tokens_are_for_the_server_they_are_used_against(
    endpoint: str | None, resource: str
) -> None:
    account = replace(EWS, endpoint=endpoint, autodiscover=endpoint is None)
    assert delegated_scopes(account) == [f"{resource}/EWS.AccessAsUser.All"]
    assert app_scopes(account) == [f"{resource}/.default"]


def test_graph_scopes_never_include_what_msal_adds_itself() -> None:
    graph = replace(EWS, connector="graph", autodiscover=False)
    scopes = delegated_scopes(graph)
    assert "Mail.ReadWrite" in scopes and "Contacts.ReadWrite" in scopes
    assert not {"offline_access", "openid", "profile"} & set(scopes)
    assert app_scopes(graph) == ["https://graph.microsoft.com/.default"]


def test_a_national_cloud_graph_gets_its_own_resource() -> None:
    graph = replace(
        EWS, connector="graph", autodiscover=False, graph_url="https://graph.microsoft.us/v1.0"
    )
    assert "https://graph.microsoft.us/Mail.ReadWrite" in delegated_scopes(graph)
    assert app_scopes(graph) == ["https://graph.microsoft.us/.default"]


def test_graph_asks_to_write_mail_only_for_an_account_that_marks_messages() -> None:
    graph = replace(EWS, connector="graph", autodiscover=False)
    reading = replace(graph, followups_as=(("owed_reply", "task"),))
    assert "Mail.Read" in delegated_scopes(reading)
    assert "Mail.ReadWrite" not in delegated_scopes(reading)
    for marking in (replace(reading, tag_messages=True), graph):
        assert "Mail.ReadWrite" in delegated_scopes(marking)
        assert "Mail.Read" not in delegated_scopes(marking)
    read_only = replace(graph, writeback=False, tag_messages=True)
    assert "Mail.Read" in delegated_scopes(read_only)
