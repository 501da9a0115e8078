"""Interactive sign-in: the authorization code flow with PKCE, in the user's own browser.

Many tenants block the device code flow with Conditional Access (Microsoft recommends blocking
it wherever it is not needed), so where a browser can be opened ``login`` signs in this way:

1. a listener on ``http://127.0.0.1:<free port>`` waits for the browser to come back: a
   loopback redirect, RFC 8252 7.3, which Entra accepts for public clients ("Redirect URI
   restrictions": prefer ``127.0.0.1`` over ``localhost``; the port is not part of the match);
2. msal's ``initiate_auth_code_flow`` builds the authorize URL with a fresh PKCE code
   challenge (S256), ``state`` and ``nonce``; the system browser opens it;
3. the user signs in (MFA, Conditional Access, consent: whatever the tenant asks), and the
   identity platform has the browser POST ``code`` and ``state`` to the listener
   (``response_mode=form_post``: the code never sits in a URL or the browser's history,
   RFC 9700 4.3.1; msal warns about anything else);
4. msal's ``acquire_token_by_auth_code_flow`` checks ``state``, redeems the code with the PKCE
   verifier, checks the ID token's nonce and puts the tokens into the persisted cache.

The device code (``login_device_code``) stays for machines without a browser, and for
``login --device-code``; :func:`browser_available` tells which one a machine gets.

Exports: ``login_interactive``, ``browser_available``, ``BrowserUnavailable``.
"""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

import msal

from ..config import AccountConfig
from ..errors import AuthError, problem
from .delegated import SignedIn, login_client, signed_in
from .failures import from_network

__all__ = ["BrowserUnavailable", "browser_available", "login_interactive"]

LOGIN_TIMEOUT_S = 300.0
_DONE_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>outlook-networking</title>"
    b"<p>Sign-in finished. You can close this tab and go back to the terminal.</p>"
)


class BrowserUnavailable(Exception):
    """No browser could be opened: sign in with a device code instead."""


def browser_available(
    environ: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> bool:
    """Whether this session can open a graphical browser the user sits in front of.

    Windows and macOS always can; elsewhere a display is needed (``DISPLAY`` or
    ``WAYLAND_DISPLAY``): over SSH or in a container without one, :mod:`webbrowser` would at best
    start a text browser in the terminal, which cannot pass a modern sign-in page.
    """
    if platform in ("win32", "darwin"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


class _Listener:
    """The loopback end of the redirect: takes the first form post with a code or an error."""

    def __init__(self) -> None:
        self.answer: dict[str, str] | None = None
        self._arrived = threading.Event()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                del format, args  # nothing of the sign-in goes to the terminal

            def do_GET(self) -> None:
                self._empty(404)  # a favicon, or an answer in the URL we did not ask for

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 65536)).decode("ascii", "replace")
                form = {k: v[0] for k, v in parse_qs(body).items()}
                if "code" not in form and "error" not in form:
                    self._empty(400)
                    return
                if listener.answer is None:
                    listener.answer = form
                    listener._arrived.set()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(_DONE_PAGE)))
                self.end_headers()
                self.wfile.write(_DONE_PAGE)

            def _empty(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sign-in-redirect", daemon=True
        )

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def wait(self, timeout_s: float) -> dict[str, str] | None:
        self._arrived.wait(timeout_s)
        return self.answer

    def __enter__(self) -> _Listener:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def login_interactive(
    account: AccountConfig,
    cache: msal.TokenCache,
    show_address: Callable[[str], None],
    *,
    open_browser: Callable[[str], bool] = webbrowser.open,
    timeout_s: float = LOGIN_TIMEOUT_S,
) -> SignedIn:
    """Sign ``account`` in through the system browser; blocks until the browser comes back.

    Parameters:
        account: an account with ``auth = "oauth"``.
        cache: from :func:`~outlook_networking.auth.open_token_cache`; receives the tokens.
        show_address: called once with the address to open, for the caller to show should the
            browser not come up by itself.
        open_browser: opens a URL in the browser (``webbrowser.open``); False if it could not.
        timeout_s: how long to wait for the user to finish in the browser.

    Raises:
        ConfigError: the account does not sign in with ``oauth``.
        BrowserUnavailable: no browser could be opened (the caller falls back to a device code).
        AuthError: the user cancelled, the answer did not belong to this sign-in, or the
            identity platform refused; ``LoginRequired`` never (this *is* the login).
        ConnectionFailed: the sign-in service could not be reached.
    """
    app, scopes = login_client(account, cache)
    with _Listener() as listener:
        try:
            flow = app.initiate_auth_code_flow(
                scopes,
                redirect_uri=listener.redirect_uri,
                login_hint=account.username or None,
                response_mode="form_post",
            )
        except OSError as exc:
            raise from_network(account.name, exc) from exc
        show_address(str(flow["auth_uri"]))
        if not open_browser(str(flow["auth_uri"])):
            raise BrowserUnavailable(account.name)
        answer = listener.wait(timeout_s)
    if answer is None:
        raise AuthError(account.name, problem("browser_timeout", minutes=int(timeout_s) // 60))
    try:
        result = app.acquire_token_by_auth_code_flow(flow, answer)
    except ValueError as exc:  # msal: state missing or not this flow's
        raise AuthError(account.name, problem("browser_answer_foreign", detail=str(exc))) from exc
    except OSError as exc:
        raise from_network(account.name, exc) from exc
    return signed_in(account, result, scopes)
