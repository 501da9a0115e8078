"""Delegated sign-in against the fake identity platform, msal unpatched.

The story a user lives: ``login`` shows a code, they sign in in a browser, and from then on the
agent (a new process, reading the same cache) gets tokens silently, refreshing them, until the
refresh token is revoked; then one clear ``LoginRequired``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import msal
import pytest

from outlook_networking.app.wording import describe
from outlook_networking.auth import (
    DelegatedTokenProvider,
    login_device_code,
    token_provider,
)
from outlook_networking.auth.scopes import EWS_SCOPES, GRAPH_SCOPES, graph_scopes
from outlook_networking.config import PLACEHOLDER_CLIENT_ID, AccountConfig
from outlook_networking.errors import (
    AuthError,
    ConfigError,
    ConnectionFailed,
    LoginRequired,
    UsageError,
)
from said import raises_saying

from .identity_platform import DEVICE_GRANT, IdentityPlatform

MakeAccount = Callable[..., AccountConfig]
OpenCache = Callable[[], msal.TokenCache]


def _user_code(message: str, platform: IdentityPlatform) -> str:
    codes = [d.user_code for d in platform.devices.values() if d.user_code in message]
    assert len(codes) == 1, message
    return codes[0]


def _sign_in(
    platform: IdentityPlatform, account: AccountConfig, cache: msal.TokenCache
) -> list[str]:
    shown: list[str] = []

    def show(message: str) -> None:
        shown.append(message)
        platform.approve(_user_code(message, platform))  # the user signs in in a browser

    login_device_code(account, cache, show)
    return shown


def test_device_code_login_shows_the_code_and_signs_in(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    shown: list[str] = []

    def show(message: str) -> None:
        shown.append(message)
        platform.approve(_user_code(message, platform))

    signed_in = login_device_code(make_account(), open_cache(), show)

    assert len(shown) == 1 and "https://microsoft.com/devicelogin" in shown[0]
    assert signed_in.username == "me@example.com"
    assert signed_in.scopes == EWS_SCOPES
    requested = next(form for m, path, form in platform.requests if path.endswith("/devicecode"))
    assert "https://outlook.office365.com/EWS.AccessAsUser.All" in requested["scope"].split()
    assert len(platform.grants(DEVICE_GRANT)) == 1


def test_login_waits_while_the_user_is_still_signing_in(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    def show(message: str) -> None:
        platform.approve(_user_code(message, platform), pending_polls=1)

    signed_in = login_device_code(make_account(), open_cache(), show)

    assert signed_in.username == "me@example.com"
    assert len(platform.grants(DEVICE_GRANT)) == 2  # one "authorization_pending", then success


def test_graph_login_asks_for_the_graph_scopes_only(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    account = make_account(connector="graph", endpoint=None)
    _sign_in(platform, account, open_cache())

    requested = next(form for m, path, form in platform.requests if path.endswith("/devicecode"))
    scopes = set(requested["scope"].split())
    assert set(graph_scopes(account)) <= scopes
    assert not any("EWS" in scope for scope in scopes)
    # Owed replies flag their message by default: that is a write to mail.
    assert "Mail.ReadWrite" in scopes and "Mail.Read" not in scopes


def test_graph_asks_to_write_mail_only_when_the_write_back_marks_messages(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    account = make_account(
        connector="graph", endpoint=None, followups_as=(("owed_reply", "task"),)
    )
    assert not account.writes_messages
    _sign_in(platform, account, open_cache())

    requested = next(form for m, path, form in platform.requests if path.endswith("/devicecode"))
    scopes = set(requested["scope"].split())
    assert set(GRAPH_SCOPES) <= scopes and "Mail.ReadWrite" not in scopes
    tagging = replace(account, tag_messages=True)
    assert "Mail.ReadWrite" in graph_scopes(tagging) and "Mail.Read" not in graph_scopes(tagging)


def test_declined_sign_in_is_an_auth_error(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    def show(message: str) -> None:
        platform.decline(_user_code(message, platform))

    with raises_saying(AuthError, "declined") as caught:
        login_device_code(make_account(), open_cache(), show)
    assert not isinstance(caught.value, LoginRequired)
    assert caught.value.account == "work"


def test_the_agent_gets_tokens_silently_from_the_cache_the_login_wrote(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    account = make_account()
    _sign_in(platform, account, open_cache())
    issued_at_login = platform.access_tokens[-1]
    platform.requests.clear()

    provider = token_provider(account, open_cache())  # a new process, the same cache file

    assert provider() == issued_at_login
    assert provider() == issued_at_login
    assert platform.grants("refresh_token") == []  # still valid: no request at all


def test_an_expiring_token_is_refreshed_with_the_refresh_token(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    platform.expires_in = 120  # under msal's five-minute margin: every token counts as expiring
    account = make_account()
    _sign_in(platform, account, open_cache())
    at_login = platform.access_tokens[-1]

    provider = token_provider(account, open_cache())
    first = provider()
    second = provider()

    assert at_login != first != second
    assert [first, second] == platform.access_tokens[-2:]
    assert len(platform.grants("refresh_token")) == 2  # the rotated refresh token was kept


def test_one_sign_in_serves_ews_and_graph(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    ews = make_account()
    _sign_in(platform, ews, open_cache())

    graph = replace(ews, name="work-graph", connector="graph", endpoint=None)
    token = token_provider(graph, open_cache())()

    assert token == platform.access_tokens[-1]
    refresh = platform.grants("refresh_token")
    assert len(refresh) == 1 and set(graph_scopes(graph)) <= set(refresh[0]["scope"].split())
    assert len(platform.grants(DEVICE_GRANT)) == 1  # no second sign-in


def test_a_revoked_refresh_token_means_login_required(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    platform.expires_in = 120
    account = make_account()
    _sign_in(platform, account, open_cache())
    platform.revoke_all()

    provider = token_provider(account, open_cache())
    with pytest.raises(LoginRequired) as caught:
        provider()

    assert caught.value.account == "work"
    assert "outlook-networking login" in describe(caught.value)
    assert "AADSTS70008" in caught.value.reason["detail"]


def test_never_signed_in_means_login_required(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    with raises_saying(LoginRequired, "run `outlook-networking login`"):
        token_provider(make_account(), open_cache())()


def test_the_provider_picks_the_configured_user_among_several(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    account = make_account()
    cache = open_cache()
    _sign_in(platform, account, cache)
    platform.user = replace(platform.user, preferred_username="other@example.com", oid="o2")
    other = make_account(name="other", address="other@example.com", username="other@example.com")
    _sign_in(platform, other, cache)
    mine = platform.access_tokens[0]

    assert token_provider(account, open_cache())() == mine
    nobody = make_account(name="x", address="x@example.com", username="x@example.com")
    with pytest.raises(LoginRequired):
        token_provider(nobody, open_cache())()


def test_force_refresh_after_the_server_rejected_a_token(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    account = make_account()
    _sign_in(platform, account, open_cache())
    provider = DelegatedTokenProvider(account, open_cache())
    cached = provider()

    fresh = provider.token(force_refresh=True)

    assert fresh != cached and fresh == platform.access_tokens[-1]


def test_the_placeholder_client_id_is_refused_before_any_request(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    account = make_account(client_id=PLACEHOLDER_CLIENT_ID)
    with raises_saying(ConfigError, "client_id"):
        login_device_code(account, open_cache(), lambda message: None)
    with raises_saying(ConfigError, "client_id"):
        token_provider(account, open_cache())
    assert platform.requests == []


def test_login_is_only_for_oauth_accounts(
    make_account: MakeAccount, open_cache: OpenCache
) -> None:
    with raises_saying(UsageError, "login is for auth"):
        login_device_code(make_account(auth="ntlm"), open_cache(), lambda message: None)


def test_an_unreachable_authority_is_a_connection_failure(
    make_account: MakeAccount, open_cache: OpenCache
) -> None:
    account = make_account(authority="https://127.0.0.1:9/organizations")  # discard port: closed
    with pytest.raises(ConnectionFailed) as caught:
        login_device_code(account, open_cache(), lambda message: None)
    assert caught.value.account == "work"


def test_parallel_requests_share_one_rotating_refresh_token(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    # Graph runs up to four requests at once; the platform rotates refresh tokens, so two
    # refreshes racing with the same one would revoke each other.
    platform.expires_in = 120
    account = make_account(connector="graph", endpoint=None)
    _sign_in(platform, account, open_cache())
    provider = token_provider(account, open_cache())

    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = list(pool.map(lambda _: provider(), range(8)))

    assert len(tokens) == 8 and set(tokens) <= set(platform.access_tokens)
    assert len(platform.grants("refresh_token")) == 8
