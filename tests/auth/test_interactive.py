"""Interactive sign-in against the fake identity platform over HTTPS, msal unpatched.

The browser is played by the test: an HTTP client that opens the authorize URL msal built,
follows the platform's redirect to the product's listener on 127.0.0.1, and so hands the code
back, as the system browser would. PKCE, state and nonce are checked by the platform and msal.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import httpx
import msal
import pytest

from i18n.pseudo import PseudoWording, has_words
from outlook_networking.app.wording import describe
from outlook_networking.auth import (
    BrowserUnavailable,
    browser_available,
    login_interactive,
    token_provider,
)
from outlook_networking.auth.scopes import GRAPH_SHARED_SCOPES
from outlook_networking.config import AccountConfig
from outlook_networking.errors import AuthError
from outlook_networking.i18n import Wording
from said import raises_saying

from .identity_platform import IdentityPlatform

MakeAccount = Callable[..., AccountConfig]
OpenCache = Callable[[], msal.TokenCache]


class _Form(HTMLParser):
    """The one form of a page: its action and its hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        elif tag == "input":
            self.fields[values.get("name", "")] = values.get("value", "")


class Browser:
    """Opens a URL like the system browser: follows redirects, submits the page's auto-posting
    form (``response_mode=form_post``), remembers where it went."""

    def __init__(self, platform: IdentityPlatform) -> None:
        self.platform = platform
        self.visited: list[str] = []

    def __call__(self, url: str) -> bool:
        trust = ssl.create_default_context(cafile=str(self.platform.ca_file))
        with httpx.Client(verify=trust, follow_redirects=True) as client:
            page = client.get(url)
            form = _Form()
            form.feed(page.text)
            self.visited = [url]
            if form.action:
                self.visited.append(form.action)
                client.post(form.action, data=form.fields).raise_for_status()
        return True


def test_the_browser_signs_in_and_the_agent_then_refreshes_silently(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    account = make_account()
    browser = Browser(platform)
    shown: list[str] = []

    signed_in = login_interactive(account, open_cache(), shown.append, open_browser=browser)

    assert signed_in.username == "me@example.com"
    authorize = parse_qs(urlsplit(browser.visited[0]).query)
    # A loopback redirect on 127.0.0.1, where the product's listener answered.
    assert urlsplit(authorize["redirect_uri"][0]).hostname == "127.0.0.1"
    assert urlsplit(browser.visited[-1]).hostname == "127.0.0.1"
    # PKCE: the verifier sent with the code hashes to the challenge sent to the browser.
    (redeemed,) = platform.grants("authorization_code")
    digest = hashlib.sha256(redeemed["code_verifier"].encode()).digest()
    assert (
        base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == (authorize["code_challenge"][0])
    )
    assert authorize["code_challenge_method"] == ["S256"]
    assert "https://outlook.office365.com/EWS.AccessAsUser.All" in authorize["scope"][0].split()
    assert len(shown) == 1 and browser.visited[0] in shown[0]

    # A later process (the agent) gets its tokens from the cache the login filled.
    platform.requests.clear()
    assert token_provider(account, open_cache())() == platform.access_tokens[-1]
    assert platform.grants("refresh_token") == []


def test_cancelling_in_the_browser_is_an_auth_error(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    platform.browser_answer = "decline"
    with raises_saying(AuthError, "cancelled or refused in the browser"):
        login_interactive(make_account(), open_cache(), print, open_browser=Browser(platform))
    assert platform.grants("authorization_code") == []


def test_a_cancelled_sign_in_reads_in_german_and_through_the_catalogs(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    platform.browser_answer = "decline"
    with pytest.raises(AuthError) as caught:
        login_interactive(make_account(), open_cache(), print, open_browser=Browser(platform))

    german = describe(caught.value, Wording("de"))
    assert german == "work: die Anmeldung wurde im Browser abgebrochen oder abgelehnt"
    assert not has_words(describe(caught.value, PseudoWording()).replace("work", ""))


def test_an_answer_for_another_sign_in_is_refused(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    def forged(url: str) -> bool:
        # Someone else's answer reaches the listener first: a code, but not our state.
        redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        httpx.post(redirect, data={"code": "stolen", "state": "not-ours"})
        return True

    with raises_saying(AuthError, "does not belong to this sign-in"):
        login_interactive(make_account(), open_cache(), print, open_browser=forged)
    assert platform.grants("authorization_code") == []


def test_no_browser_means_the_caller_falls_back(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    with pytest.raises(BrowserUnavailable):
        login_interactive(make_account(), open_cache(), print, open_browser=lambda url: False)


def test_a_shared_graph_mailbox_asks_for_the_shared_permissions(
    platform: IdentityPlatform, make_account: MakeAccount, open_cache: OpenCache
) -> None:
    account = make_account(connector="graph", endpoint=None, mailbox="team@example.com",
                           writeback=False)  # fmt: skip
    browser = Browser(platform)
    login_interactive(account, open_cache(), print, open_browser=browser)
    scopes = set(parse_qs(urlsplit(browser.visited[0]).query)["scope"][0].split())
    assert set(GRAPH_SHARED_SCOPES) <= scopes
    assert not {"Mail.Read", "Tasks.ReadWrite"} & scopes


@pytest.mark.parametrize(
    ("environ", "platform_name", "expected"),
    [
        ({}, "win32", True),
        ({}, "darwin", True),
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"SSH_CONNECTION": "10.0.0.1 22 10.0.0.2 4711"}, "linux", False),
        ({}, "linux", False),
    ],
)
def test_a_browser_is_assumed_only_where_one_can_be_seen(
    environ: dict[str, str], platform_name: str, expected: bool
) -> None:
    assert browser_available(environ, platform_name) is expected
