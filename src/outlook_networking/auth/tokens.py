"""One way for connectors to get a bearer token, whatever the account's ``auth`` is.

Connectors take a ``TokenProvider``: a callable returning a valid access token, called before
each request (cheap: tokens are cached until five minutes before expiry). Exchangelib's OAuth
credentials and the Graph client wrap it; neither imports msal.

Exports: ``TokenProvider``, ``token_provider``, ``EnvTokenProvider``.
"""

from __future__ import annotations

from typing import Protocol

import msal

from ..config import AccountConfig
from ..errors import ConfigError, problem
from .app_only import AppTokenProvider
from .delegated import DelegatedTokenProvider, auth_key
from .secret_store import access_token_from_env

__all__ = ["EnvTokenProvider", "TokenProvider", "token_provider"]


class TokenProvider(Protocol):
    """``provider()`` → a valid access token (raises ``LoginRequired``, ``AuthError``, …)."""

    def __call__(self) -> str: ...


class EnvTokenProvider:
    """``auth = "token"``: the bearer token in ``$OUTLOOK_NETWORKING_ACCESS_TOKEN``.

    Read on every call, so a script can rotate it while the agent runs.
    """

    def __init__(self, account: AccountConfig) -> None:
        self.account = account

    def __call__(self) -> str:
        return access_token_from_env(self.account)


def token_provider(account: AccountConfig, cache: msal.TokenCache | None) -> TokenProvider:
    """The token provider for ``account``.

    Parameters:
        account: an account whose ``auth`` is ``oauth``, ``app`` or ``token``.
        cache: the persisted cache from ``open_token_cache`` (needed for ``oauth`` only).

    Raises:
        ConfigError: the account signs in with a password (use ``password_for``), or ``oauth``
            without a cache.
        ConfigError: the client id is still the placeholder.
    """
    if account.auth == "oauth":
        if cache is None:
            raise ConfigError(auth_key(account), problem("needs_token_cache"))
        return DelegatedTokenProvider(account, cache)
    if account.auth == "app":
        return AppTokenProvider(account)
    if account.auth == "token":
        return EnvTokenProvider(account)
    raise ConfigError(auth_key(account), problem("password_not_token", method=account.auth))
