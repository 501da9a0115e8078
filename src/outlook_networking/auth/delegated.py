"""Delegated sign-in: the user signs in once with a device code; tokens refresh silently after.

``login_device_code`` runs msal's device-code flow: msal asks for a code, the caller shows the
message ("go to https://microsoft.com/devicelogin and enter ABCD-EFGH"), and msal polls until
the user has signed in in any browser, on any device. The refresh token lands in the persisted
cache, so a later process (the agent) gets access tokens through :class:`DelegatedTokenProvider`
without the user, until the refresh token is revoked or expires; then it raises
``LoginRequired``.

Exports: ``login_device_code``, ``SignedIn``, ``DelegatedTokenProvider``, ``public_client``,
``login_client``, ``signed_in``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import msal

from ..config import AccountConfig
from ..errors import ConfigError, LoginRequired, problem
from .failures import from_discovery, from_network, raise_for_result
from .scopes import delegated_scopes

__all__ = [
    "DelegatedTokenProvider",
    "SignedIn",
    "login_client",
    "login_device_code",
    "public_client",
    "signed_in",
]

# Hosts msal already knows; for any other authority (AD FS, a test identity platform) the user
# named it in their own config file, so asking Microsoft's instance discovery to vouch for it
# would only add a network call that fails offline.
_MICROSOFT_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "sts.windows.net",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    }
)


@dataclass(frozen=True)
class SignedIn:
    """The outcome of a successful sign-in."""

    account: str  # the config account's name
    username: str  # who actually signed in (may differ from the configured address)
    scopes: tuple[str, ...]


def auth_key(account: AccountConfig) -> str:
    """The configuration key an account's sign-in method is read from."""
    return f"accounts[{account.name}].auth"


def check_client_id(account: AccountConfig) -> None:
    """Refuse to sign in with the placeholder: msal would only get an opaque AADSTS error."""
    if account.client_id_is_placeholder:
        raise ConfigError(
            f"accounts[{account.name}].client_id",
            problem("client_id_placeholder"),
        )


def msal_options(account: AccountConfig) -> dict[str, Any]:
    """Keyword arguments every msal application for this account shares."""
    host = (urlsplit(account.authority).hostname or "").lower()
    options: dict[str, Any] = {"authority": account.authority}
    if host not in _MICROSOFT_HOSTS:
        options["instance_discovery"] = False
    return options


def public_client(account: AccountConfig, cache: msal.TokenCache) -> msal.PublicClientApplication:
    """An msal public client for ``account``: this reads the authority's OpenID configuration.

    Raises:
        ConfigError: the client id is still the placeholder.
        ConnectionFailed, AuthError: the authority cannot be reached or is not usable.
    """
    check_client_id(account)
    try:
        return msal.PublicClientApplication(
            account.client_id, token_cache=cache, **msal_options(account)
        )
    except ValueError as exc:
        raise from_discovery(account.name, exc) from exc
    except OSError as exc:
        raise from_network(account.name, exc) from exc


def login_device_code(
    account: AccountConfig, cache: msal.TokenCache, show: Callable[[str], None]
) -> SignedIn:
    """Sign ``account`` in with a device code; blocks until the user finishes or the code expires.

    Parameters:
        account: an account with ``auth = "oauth"``.
        cache: from :func:`~outlook_networking.auth.open_token_cache`; receives the tokens.
        show: called once with msal's message telling the user where to enter which code.

    Raises:
        ConfigError: the account does not sign in with ``oauth``.
        AuthError: the user declined, the code expired, or the app registration refused.
        ConnectionFailed: the sign-in service could not be reached.
    """
    app, scopes = login_client(account, cache)
    try:
        flow = app.initiate_device_flow(scopes=scopes)
        if "user_code" not in flow:
            raise_for_result(account.name, flow)
        show(str(flow["message"]))
        result = app.acquire_token_by_device_flow(flow)
    except OSError as exc:
        raise from_network(account.name, exc) from exc
    return signed_in(account, result, scopes)


def login_client(
    account: AccountConfig, cache: msal.TokenCache
) -> tuple[msal.PublicClientApplication, list[str]]:
    """The msal client and the scopes a login of ``account`` asks for (``auth = "oauth"``)."""
    if account.auth != "oauth":
        raise ConfigError(auth_key(account), problem("login_needs_oauth", method=account.auth))
    return public_client(account, cache), delegated_scopes(account)


def signed_in(account: AccountConfig, result: Mapping[str, Any], scopes: list[str]) -> SignedIn:
    """Who a login's msal result signed in; the product's error if it signed in nobody."""
    if "access_token" not in result:
        raise_for_result(account.name, result)
    return SignedIn(
        account=account.name,
        username=_username(result) or account.address,
        scopes=tuple(scopes),
    )


def _username(result: Mapping[str, Any]) -> str:
    claims = result.get("id_token_claims") or {}
    return str(claims.get("preferred_username") or claims.get("upn") or claims.get("email") or "")


class DelegatedTokenProvider:
    """``provider()`` returns a valid access token for the signed-in user of ``account``.

    msal answers from the cache while the token has more than five minutes left and otherwise
    redeems the refresh token. Safe to call from several threads (Graph runs requests in
    parallel). Hashable by identity, as exchangelib's credentials require.
    """

    def __init__(
        self,
        account: AccountConfig,
        cache: msal.TokenCache,
        scopes: list[str] | None = None,
    ) -> None:
        if account.auth != "oauth":
            raise ConfigError(
                auth_key(account), problem("no_delegated_tokens", method=account.auth)
            )
        check_client_id(account)
        self.account = account
        self.scopes = list(scopes) if scopes is not None else delegated_scopes(account)
        self._cache = cache
        self._app: msal.PublicClientApplication | None = None
        self._lock = threading.Lock()

    def __call__(self) -> str:
        return self.token()

    def token(self, *, force_refresh: bool = False) -> str:
        """A valid access token; ``force_refresh`` after the server rejected the last one."""
        name = self.account.name
        with self._lock:
            if self._app is None:
                # Built lazily: creating it already talks to the authority.
                self._app = public_client(self.account, self._cache)
            app = self._app
            try:
                signed_in = self._msal_account(app)
                if signed_in is None:
                    raise LoginRequired(name, problem("login_required", detail="not_signed_in"))
                result = app.acquire_token_silent_with_error(
                    self.scopes, account=signed_in, force_refresh=force_refresh
                )
            except OSError as exc:
                raise from_network(name, exc) from exc
        if result is None:
            # The account is known but no refresh token is left for it.
            raise LoginRequired(name, problem("login_required", detail="no_refresh_token"))
        if "access_token" not in result:
            raise_for_result(name, result)
        return str(result["access_token"])

    def _msal_account(self, app: msal.PublicClientApplication) -> dict[str, Any] | None:
        accounts: list[dict[str, Any]] = app.get_accounts()
        wanted = {self.account.address.lower(), self.account.username.lower()}
        for candidate in accounts:
            if str(candidate.get("username", "")).lower() in wanted:
                return candidate
        # The user may sign in with a UPN that differs from the mailbox address; with a single
        # signed-in user there is no doubt which one is meant.
        if len(accounts) == 1:
            return accounts[0]
        return None

