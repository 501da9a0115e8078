"""Signing in to Exchange and Microsoft Graph: tokens, the token cache, and passwords.

The only package that imports msal, msal-extensions and keyring. Connectors receive a
``Callable[[], str]`` token provider or a password and never see these libraries.

- :func:`open_token_cache`: msal's cache, encrypted by the platform or a 0600 file (with warning).
- :func:`login_interactive`: delegated sign-in in the system browser (authorization code with
  PKCE, loopback redirect), where :func:`browser_available` says a browser can be opened.
- :func:`login_device_code`: delegated sign-in with a device code (``auth = "oauth"``), for
  machines without a browser.
- :func:`token_provider`: a ``() -> str`` giving fresh access tokens for ``oauth`` (silent refresh),
  ``app`` (client credentials) and ``token`` (``$OUTLOOK_NETWORKING_ACCESS_TOKEN``).
- :func:`password_for`: the NTLM/basic password from the environment or the keyring.

msal's and keyring's failures arrive as :mod:`outlook_networking.errors` exceptions;
``LoginRequired`` means the user must run ``outlook-networking login``.

Exports: ``AppTokenProvider``, ``DelegatedTokenProvider``, ``EnvTokenProvider``, ``SignedIn``,
``TokenProvider``, ``app_scopes``, ``default_token_cache_path``, ``delegated_scopes``,
``login_device_code``, ``open_token_cache``, ``password_for``, ``save_password``,
``token_provider``, ``BrowserUnavailable``, ``browser_available``, ``login_interactive``.
"""

from __future__ import annotations

from .app_only import AppTokenProvider
from .cache import default_token_cache_path, open_token_cache
from .delegated import DelegatedTokenProvider, SignedIn, login_device_code
from .interactive import BrowserUnavailable, browser_available, login_interactive
from .scopes import app_scopes, delegated_scopes
from .secret_store import password_for, save_password
from .tokens import EnvTokenProvider, TokenProvider, token_provider

__all__ = [
    "AppTokenProvider",
    "BrowserUnavailable",
    "DelegatedTokenProvider",
    "EnvTokenProvider",
    "SignedIn",
    "TokenProvider",
    "app_scopes",
    "browser_available",
    "default_token_cache_path",
    "delegated_scopes",
    "login_device_code",
    "login_interactive",
    "open_token_cache",
    "password_for",
    "save_password",
    "token_provider",
]
