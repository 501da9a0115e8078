"""Item 1: credentials go only to the host that was validated, and never in clear text elsewhere.

Two listeners stand for two hosts: ``a`` on 127.0.0.1 and ``b`` on 127.0.0.2 (a second loopback
address, so plain http is allowed on both and only the parsing decides where a request goes).
Every URL below is a known way to make two URL parsers disagree. Each is either refused by
:func:`check_url` or, if accepted, driven through the real clients (exchangelib with a password
and with a bearer token, the Graph client with a bearer token), unpatched: the Authorization
header must reach exactly the host and port the check named, and nothing else.
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from exchangelib import (
    BASIC,
    Account,
    Configuration,
    Credentials,
    FaultTolerance,
    close_connections,
)
from exchangelib.errors import UnauthorizedError

from outlook_networking.config import AccountConfig
from outlook_networking.connectors.ews import open_account
from outlook_networking.connectors.graph import GraphClient, RetryPolicy
from outlook_networking.endpoints import check_url
from outlook_networking.errors import AuthError, ConfigError

from .hosts import Listener, run_cli

PASSWORD = "correct-horse-battery"
TOKEN = "bearer-secret-token"
BASIC_HEADER = "Basic " + base64.b64encode(f"me@example.com:{PASSWORD}".encode()).decode()
ISSUE_URL = "http://{b}\\@{a}/EWS/Exchange.asmx"  # the URL of the report, verbatim in shape

# (template, where it must lead: "a", "b", or None for refused). {a}/{b} are host:port,
# {pa} is a's port alone.
URLS = [
    (ISSUE_URL, None),  # backslash: urllib.parse reads a, urllib3 connects to b
    ("http:/\\{b}/EWS", None),
    ("http://{b}@{a}/EWS", None),  # userinfo
    ("http://user:pw@{a}/EWS", None),
    ("http://{a}%2f@{b}/EWS", None),  # an encoded slash inside userinfo
    ("http://{a}/@{b}/EWS", "a"),  # @ in the path is just a path
    ("http://{a}?@{b}/EWS", "a"),  # @ in the query is just a query
    ("http://{a}#@{b}/EWS", None),  # fragment tricks
    ("http://%31%32%37.0.0.1:{pa}/EWS", None),  # percent-encoded host
    ("http://[::1%25lo]:{pa}/EWS", None),  # IPv6 zone id
    ("http://localhost.:{pa}/EWS", None),  # trailing dots
    ("http://127.0.0.1.:{pa}/EWS", None),
    ("http://0x7f.1:{pa}/EWS", None),  # hexadecimal, short and decimal IPv4 forms
    ("http://2130706433:{pa}/EWS", None),
    ("http://127.1:{pa}/EWS", None),
    ("http://0177.0.0.1:{pa}/EWS", None),
    ("http://[::ffff:127.0.0.1]:{pa}/EWS", None),  # IPv4-mapped IPv6: not counted as loopback
    ("HtTp://{a}/EWS", "a"),  # mixed-case scheme: every parser lower-cases it
    ("http://{a}\t.example/EWS", None),  # whitespace and control characters
    ("http://{a} /EWS", None),
    ("http://{a}\x00/EWS", None),
    ("http://{a}\r\nHost: {b}/EWS", None),
    ("http://\u24dbocalhost:{pa}/EWS", None),  # a non-ASCII host that folds to localhost
    ("http://{a}:{pa}/EWS", None),  # two ports
    ("http://localhost:{pa}/EWS", "a"),
    ("http://{b}/EWS", "b"),  # plain, on the other host: allowed, and that is where it goes
]


@pytest.fixture
def hosts() -> Iterator[dict[str, Listener]]:
    with Listener("127.0.0.1") as a, Listener("127.0.0.2") as b:
        yield {"a": a, "b": b}
    close_connections()


def _url(template: str, hosts: dict[str, Listener]) -> str:
    a, b = hosts["a"], hosts["b"]
    return template.format(a=a.authority, b=b.authority, pa=a.port)


def _send_with_every_client(url: str) -> None:
    """One request with a password and one with a token through exchangelib, one via Graph."""
    for auth, secret in (("basic", {"password": PASSWORD}), ("token", {"token": lambda: TOKEN})):
        config = AccountConfig(name="w", address="me@example.com", endpoint=url, auth=auth)
        account = open_account(config, build=(15, 1, 2507, 6), max_wait_s=1, **secret)
        with pytest.raises(UnauthorizedError):  # the listener answers 401
            account.inbox.refresh()
    policy = RetryPolicy(max_wait_s=0, max_attempts=1)
    with GraphClient(url, lambda: TOKEN, account="w", retry=policy) as client, pytest.raises(
        AuthError
    ):
        client.get("/me")


@pytest.mark.parametrize(("template", "leads_to"), URLS, ids=[repr(t) for t, _ in URLS])
def test_credentials_reach_only_the_validated_host(
    hosts: dict[str, Listener], template: str, leads_to: str | None
) -> None:
    url = _url(template, hosts)
    try:
        endpoint = check_url(url, "endpoint")
    except ConfigError as refused:
        assert leads_to is None, f"refused: {refused.problem}"
        return
    assert leads_to is not None, f"accepted as {endpoint}"
    target = hosts[leads_to]
    assert (socket.gethostbyname(endpoint.host), endpoint.port) == (target.host, target.port)
    _send_with_every_client(url)
    other = hosts["b" if leads_to == "a" else "a"]
    assert other.connections == 0
    # exchangelib: one request with the password, one with the token; Graph: the token, and
    # once more after the 401 with a fresh one.
    assert target.authorizations() == [BASIC_HEADER] + [f"Bearer {TOKEN}"] * 3


def test_the_reported_url_would_leak_the_password_and_is_refused_by_the_cli(
    hosts: dict[str, Listener], tmp_path: Path
) -> None:
    url = _url(ISSUE_URL, hosts)
    # The danger is real on this machine: exchangelib, given the URL unchecked, sends the password
    # to b while urllib.parse says the host is a.
    leaky = Account(
        "me@example.com",
        config=Configuration(
            service_endpoint=url,
            credentials=Credentials("me@example.com", PASSWORD),
            auth_type=BASIC,
            retry_policy=FaultTolerance(max_wait=1),
        ),
        autodiscover=False,
    )
    with pytest.raises(Exception):  # noqa: B017 - any failure; what matters is where it went
        leaky.inbox.refresh()
    assert BASIC_HEADER in hosts["b"].authorizations()
    leaked = len(hosts["b"].seen)

    config = tmp_path / "config.toml"
    config.write_text(
        f'[[accounts]]\naddress = "me@example.com"\nauth = "basic"\nendpoint = "{url}"\n'.replace(
            "\\", "\\\\"
        ),
        encoding="utf-8",
    )
    result = run_cli(
        "sync", "--config", str(config), "--db", str(tmp_path / "n.sqlite3"),
        env={"OUTLOOK_NETWORKING_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert result.code == 2
    assert result.lines == [
        f"outlook-networking: invalid configuration: {config}: accounts[0].endpoint: "
        "has a backslash"
    ]
    assert len(hosts["b"].seen) == leaked and hosts["a"].connections == 0


def test_a_graph_link_to_another_origin_is_not_followed(hosts: dict[str, Listener]) -> None:
    base = f"http://{hosts['a'].authority}/v1.0"
    with GraphClient(base, lambda: TOKEN, account="w") as client:
        assert client.owns(f"HTTP://{hosts['a'].authority}/v1.0/me/messages?$skip=10")
        for template, leads_to in URLS:
            if leads_to != "a":
                assert not client.owns(_url(template, hosts)), template
