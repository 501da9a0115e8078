"""A token Graph refuses is refreshed through msal, unpatched, before the request is retried.

msal answers from its cache while a token has time left, so after a 401 (the token was revoked
early, say by continuous access evaluation) asking it again as usual hands back the same refused
token; the Graph client must ask for a forced refresh, which reaches the identity platform.
"""

from __future__ import annotations

from collections.abc import Callable

import msal

from outlook_networking.auth import DelegatedTokenProvider, login_device_code
from outlook_networking.config import AccountConfig
from outlook_networking.connectors.graph import GraphClient
from servers.graph import GraphServer

from .identity_platform import IdentityPlatform


class PlatformTokens(dict[str, str]):
    """The Graph test server's token table: whatever the platform issued and was not revoked."""

    def __init__(self, platform: IdentityPlatform, upn: str) -> None:
        super().__init__()
        self.platform, self.upn = platform, upn
        self.revoked: set[str] = set()

    def get(self, token: str, default: str | None = None) -> str | None:  # type: ignore[override]
        issued = token in self.platform.access_tokens and token not in self.revoked
        return self.upn if issued else default


def test_a_refused_graph_token_is_refreshed_through_msal(
    platform: IdentityPlatform,
    make_account: Callable[..., AccountConfig],
    open_cache: Callable[[], msal.TokenCache],
) -> None:
    account = make_account(connector="graph", endpoint=None)
    login_device_code(
        account,
        open_cache(),
        lambda message: platform.approve(
            next(d.user_code for d in platform.devices.values() if d.user_code in message)
        ),
    )
    provider = DelegatedTokenProvider(account, open_cache())
    with GraphServer(upn=account.address) as server:
        tokens = PlatformTokens(platform, server.upn)
        server.tokens = tokens
        with GraphClient(server.url, provider, account=account.name) as client:
            assert client.get("/me").status == 200
            tokens.revoked.add(platform.access_tokens[-1])  # revoked long before it expires
            assert client.get("/me").body["userPrincipalName"] == server.upn
    assert [r.status for r in server.requests] == [200, 401, 200]
    assert len(platform.access_tokens) == 2  # the second one came from a forced refresh
