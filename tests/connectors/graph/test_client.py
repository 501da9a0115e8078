"""The Graph HTTP edge: URL policy, retries within a bounded wait, limits, and error mapping."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from outlook_networking.app.wording import describe
from outlook_networking.connectors.graph import (
    BatchRequest,
    GraphClient,
    RetryPolicy,
)
from outlook_networking.errors import (
    AuthError,
    ConfigError,
    Conflict,
    ConnectionFailed,
    ServerFault,
    SyncStateInvalid,
    Throttled,
)
from outlook_networking.i18n import Wording
from servers.graph import GraphServer


@pytest.mark.parametrize(
    "url",
    [
        "https://graph.microsoft.com/v1.0/",
        "http://127.0.0.1:8080/v1.0",
        "http://localhost:1/v1.0",
        "http://[::1]:9/v1.0",
    ],
)
def test_graph_url_https_or_loopback(url: str) -> None:
    with GraphClient(url, lambda: "t", account="w") as client:
        assert client.base == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://graph.microsoft.com/v1.0", "http://10.0.0.1/v1.0", "ftp://x/y", "graph"]
)
def test_graph_url_refuses_plain_http_elsewhere(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        GraphClient(url, lambda: "t", account="w")
    assert info.value.key == "graph_url"


def test_retry_after_is_honoured(
    server: GraphServer, client: GraphClient, waits: list[float]
) -> None:
    server.inject(429, path="/outlook/masterCategories", retry_after=2, times=2)
    server.inject(503, path="/outlook/masterCategories", retry_after=1)
    resp = client.get("/me/outlook/masterCategories")
    assert resp.status == 200
    assert waits == [2.0, 2.0, 1.0]
    assert server.count(path="/outlook/masterCategories") == 4


def test_total_wait_is_bounded(
    server: GraphServer, make_client: Callable[..., GraphClient], waits: list[float]
) -> None:
    client = make_client(retry=RetryPolicy(max_wait_s=30))
    server.inject(429, path="/me", retry_after=20, times=None)
    with pytest.raises(Throttled) as info:
        client.get("/me")
    assert info.value.retry_after_s == 20
    assert waits == [20.0]


def test_server_errors_retried_only_when_safe(
    server: GraphServer, client: GraphClient, waits: list[float]
) -> None:
    server.inject(500, path="/me$", method="GET")
    assert client.get("/me").status == 200
    assert len(waits) == 1
    server.inject(500, path="/todo/lists$", method="POST")
    with pytest.raises(ConnectionFailed):
        client.request("POST", "/me/todo/lists", json={"displayName": "x"})
    assert server.count(method="POST", path="/todo/lists") == 1


def test_dropped_connection_retried_for_reads_not_for_creates(
    server: GraphServer, client: GraphClient
) -> None:
    server.inject_drop(path="/me$")
    assert client.get("/me").status == 200
    server.inject_drop(path="/todo/lists$", method="POST")
    with pytest.raises(ConnectionFailed) as failed:
        client.request("POST", "/me/todo/lists", json={"displayName": "x"})
    # one line in the user's language around httpx's own English
    german = describe(failed.value, Wording("de"))
    assert german.startswith("work: der Server ist nicht erreichbar: "), german
    assert german.removeprefix("work: der Server ist nicht erreichbar: ") == failed.value.reason[
        "detail"
    ]


def test_expired_token_is_refreshed_once(server: GraphServer, waits: list[float]) -> None:
    tokens = iter([server.token, "fresh"])
    server.expire_token()
    server.add_token("fresh")
    with GraphClient(server.url, lambda: next(tokens), account="work", sleep=waits.append) as c:
        assert c.get("/me").body["userPrincipalName"] == server.upn
    with (
        GraphClient(server.url, lambda: server.token, account="work") as stale,
        pytest.raises(AuthError),
    ):
        stale.get("/me")


class Provider:
    """A token provider like auth.DelegatedTokenProvider: ``()`` and ``token(force_refresh=)``,
    where only a forced refresh gets past msal's cache to a new token."""

    def __init__(self, cached: str, fresh: str) -> None:
        self.cached, self.fresh = cached, fresh
        self.calls: list[bool] = []

    def __call__(self) -> str:
        return self.token()

    def token(self, *, force_refresh: bool = False) -> str:
        self.calls.append(force_refresh)
        return self.fresh if force_refresh else self.cached


def test_a_refused_token_is_refreshed_for_real(server: GraphServer, waits: list[float]) -> None:
    # The server revoked the token before msal thought it expired: asking again without
    # force_refresh would get the same token back from msal's cache.
    server.expire_token()
    server.add_token("fresh")
    provider = Provider(cached=server.token, fresh="fresh")
    with GraphClient(server.url, provider, account="work", sleep=waits.append) as c:
        assert c.get("/me").body["userPrincipalName"] == server.upn
    assert provider.calls == [False, True]
    assert [r.status for r in server.requests] == [401, 200]


def test_every_request_asks_for_immutable_ids(server: GraphServer, client: GraphClient) -> None:
    mid = server.add_message("inbox", subject="x", sender="ann@x.example")
    client.get("/me/mailFolders/inbox/messages/delta", headers={"Prefer": "odata.maxpagesize=5"})
    client.batch(
        [
            BatchRequest("mail", "GET", f"/me/messages/{mid}"),
            BatchRequest(
                "lists", "GET", "/me/todo/lists", headers={"Prefer": "odata.maxpagesize=5"}
            ),
        ]
    )
    # The header counts only for the request it comes with, $batch parts included (Outlook
    # immutable identifiers); the caller's own preferences stay.
    assert {r.path.rsplit("/", 1)[-1]: r.headers.get("prefer") for r in server.requests} == {
        "delta": 'IdType="ImmutableId", odata.maxpagesize=5',
        "$batch": 'IdType="ImmutableId"',
        mid: 'IdType="ImmutableId"',
        "lists": 'IdType="ImmutableId", odata.maxpagesize=5',
    }
    delta = client.get("/me/mailFolders/inbox/messages/delta").body
    assert [m["id"] for m in delta["value"]] == [mid]


def test_error_mapping(server: GraphServer, client: GraphClient) -> None:
    with pytest.raises(SyncStateInvalid) as gone:
        client.get("/me/mailFolders/inbox/messages/delta", params={"$deltatoken": "garbled"})
    assert gone.value.reason == "SyncStateNotFound"
    server.inject(412, path="/contacts/")
    with pytest.raises(Conflict):
        client.request("PATCH", "/me/contacts/x", json={})
    with pytest.raises(ServerFault) as missing:
        client.get("/me/messages/AAMknope=")
    assert missing.value.code == "ErrorItemNotFound"
    with pytest.raises(ServerFault):
        client.get("https://evil.example/v1.0/me")


def test_never_more_than_four_requests_in_flight(server: GraphServer, client: GraphClient) -> None:
    server.latency = 0.05
    statuses: list[int] = []

    def work() -> None:
        for _ in range(3):
            statuses.append(client.get("/me").status)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert statuses == [200] * 24
    assert server.peak_in_flight[server.upn] <= 4
    assert server.count(status=429) == 0


def test_batches_hold_at_most_twenty_and_retry_throttled_parts(
    server: GraphServer, client: GraphClient, waits: list[float]
) -> None:
    server.inject(429, path="/outlook/masterCategories", in_batch=True, times=3, retry_after=1)
    requests = [BatchRequest(str(i), "GET", "/me/outlook/masterCategories") for i in range(45)]
    results = client.batch(requests)
    assert sorted(results, key=int) == [str(i) for i in range(45)]
    assert {r.status for r in results.values()} == {200}
    assert server.count(path="/$batch") == 4  # 20 + 20 + 5, and one resend of the throttled
    assert waits == [1.0]


def test_one_connection_is_reused(server: GraphServer, client: GraphClient) -> None:
    for _ in range(20):
        client.get("/me")
    client.request("PATCH", "/me/outlook/masterCategories/none", json={}, ok=(404,))
    assert server.connections == 1
