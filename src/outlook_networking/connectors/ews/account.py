"""Opening an exchangelib ``Account`` for one configured mailbox: credentials, endpoint, retries.

- ``TokenCredentials``: exchangelib's OAuth credentials fed by a token provider (a ``() -> str``
  from :mod:`outlook_networking.auth`: msal's silent refresh, client credentials, or an
  environment token). exchangelib calls ``refresh(session=...)`` when the token it holds has
  expired; we then ask the provider, which answers from msal's cache or refreshes. Every attribute
  is hashable, as exchangelib hashes credentials to share one connection pool per mailbox.
- ``RefusingFaultTolerance``: exchangelib's ``FaultTolerance`` (it waits out ErrorServerBusy and
  503 up to ``max_wait``) except that HTTP 401 fails at once instead of counting as throttling:
  a revoked token would otherwise loop for the whole ``max_wait``. The edge then refreshes the
  token once and retries. HTTP 403 becomes ``Forbidden`` (exchangelib would report an "unknown
  failure" transport error). It also counts the server's requests to back off (``busy``), the
  signal the source's GetItem batches shrink on.
- ``open_account``: the ``Account`` for an ``AccountConfig``, pinned to a server version when one
  is given (no ConvertId probe), with that retry policy. A configured ``mailbox`` (shared or
  delegated) is opened with delegate access: the user's credentials, that mailbox's address.

The endpoint goes through :func:`outlook_networking.endpoints.check_url` (as the config already
did): https, or plain ``http://`` on a loopback host (a test server), and read the same way by
urllib3, which requests uses to connect. requests-oauthlib refuses OAuth over http unless
``OAUTHLIB_INSECURE_TRANSPORT`` is set, which we set only for such a loopback endpoint.

Exports: ``TokenCredentials``, ``RefusingFaultTolerance``, ``Forbidden``, ``open_account``,
``TOKEN_LIFETIME_S``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from exchangelib import (
    BASIC,
    DELEGATE,
    IMPERSONATION,
    NTLM,
    OAUTH2,
    Account,
    Build,
    Configuration,
    Credentials,
    FaultTolerance,
    OAuth2AuthorizationCodeCredentials,
    Version,
)
from exchangelib.errors import TransportError, UnauthorizedError
from oauthlib.oauth2 import OAuth2Token

from ...config import AccountConfig
from ...endpoints import check_url
from ...errors import ConfigError, problem

__all__ = [
    "TOKEN_LIFETIME_S",
    "Forbidden",
    "RefusingFaultTolerance",
    "TokenCredentials",
    "open_account",
]

# How long exchangelib may use a token before it asks the provider again. msal answers from its
# cache until shortly before the real expiry, so asking every few minutes costs nothing.
TOKEN_LIFETIME_S = 300


def _token(value: str) -> OAuth2Token:
    return OAuth2Token(
        {"access_token": value, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S}
    )


class TokenCredentials(OAuth2AuthorizationCodeCredentials):  # type: ignore[misc]
    """OAuth credentials whose token comes from a provider, refreshed on exchangelib's request."""

    def __init__(self, provider: Callable[[], str], **kwargs: Any) -> None:
        # Born expired: the first request makes exchangelib call refresh(), which asks the
        # provider. So building an account contacts nobody, not even the identity platform.
        born_expired = OAuth2Token(
            {"access_token": "not-yet", "token_type": "Bearer", "expires_in": -1}
        )
        super().__init__(access_token=born_expired, **kwargs)
        # Hashable: a function, bound method or provider object (hashed by identity).
        self.provider = provider

    def refresh(self, session: Any) -> None:
        """Called by exchangelib as ``refresh(session=...)`` once the token has expired."""
        del session  # exchangelib renews the session with the new token itself
        with self.lock:
            self.access_token = _token(self.provider())

    def force_refresh(self) -> None:
        """A token the server refused (401): ask the provider to really refresh, if it can."""
        token = getattr(self.provider, "token", None)
        value = token(force_refresh=True) if callable(token) else self.provider()
        with self.lock:
            self.access_token = _token(value)


class Forbidden(TransportError):  # type: ignore[misc]
    """HTTP 403: the server refuses EWS to this user, mailbox or app, whoever signs in."""


class RefusingFaultTolerance(FaultTolerance):  # type: ignore[misc]
    """FaultTolerance, but a 401 is a refusal (``UnauthorizedError``), not a reason to wait, and
    a 403 is ``Forbidden``; ``busy`` counts the server's requests to back off."""

    def __init__(self, max_wait: float) -> None:
        super().__init__(max_wait=max_wait)
        self.busy = 0

    def back_off(self, seconds: float | None) -> None:
        # ErrorServerBusy (a fault or per item), 503 with Retry-After, or a timeout exchangelib
        # re-raised as busy: every way the server asks us to slow down comes through here.
        self.busy += 1
        super().back_off(seconds)

    def raise_response_errors(self, response: Any) -> None:
        if response.status_code == 401:
            raise UnauthorizedError(f"HTTP 401 from {response.url}")
        if response.status_code == 403:
            raise Forbidden(f"HTTP 403 from {response.url}")
        super().raise_response_errors(response)


def open_account(
    account: AccountConfig,
    *,
    token: Callable[[], str] | None = None,
    password: str | None = None,
    build: tuple[int, ...] | None = None,
    max_wait_s: float = 120.0,
    endpoint: str | None = None,
) -> Account:
    """The exchangelib Account for ``account``; no request is sent until the first use.

    Parameters:
        account: the configured mailbox.
        token: the access-token provider, for ``auth`` oauth, app and token.
        password: for ``auth`` ntlm and basic.
        build: the server's build (e.g. ``(15, 1, 2507, 6)``) to skip version probing.
        max_wait_s: the longest exchangelib waits out throttling before giving up.
        endpoint: overrides ``account.endpoint``.
    """
    discover = account.autodiscover and not (endpoint or account.endpoint)
    url = None
    if not discover:
        checked = check_url(endpoint or account.endpoint or "", "endpoint")
        url = checked.url
        if checked.scheme == "http":
            # Loopback only (checked above): lets requests-oauthlib send a bearer token over http.
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    credentials: Any
    if account.auth in ("ntlm", "basic"):
        if password is None:
            raise ConfigError("auth", problem("needs_password", method=account.auth))
        credentials = Credentials(account.username or account.address, password)
        auth_type = NTLM if account.auth == "ntlm" else BASIC
    else:
        if token is None:
            raise ConfigError("auth", problem("needs_token", method=account.auth))
        credentials = TokenCredentials(token)
        auth_type = OAUTH2
    config = Configuration(
        service_endpoint=url,
        credentials=credentials,
        auth_type=auth_type,
        version=Version(build=Build(*build)) if build else None,
        retry_policy=RefusingFaultTolerance(max_wait=max_wait_s),
    )
    access = IMPERSONATION if account.impersonation else DELEGATE
    return Account(
        account.mailbox_address,
        config=config,
        autodiscover=discover,
        access_type=access,
        default_timezone=None,
    )
