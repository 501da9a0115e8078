"""App-only sign-in for administrators: the application acts on its own (client credentials).

The app registration holds application permissions (``full_access_as_app`` for EWS, Graph's
``Mail.Read`` etc.) granted by an administrator; the token is for the ``.default`` scope of the
resource. It proves itself with a client secret (from the environment or the keyring, never the
config file) or, better, a certificate: a PEM file with the private key and the certificate
(msal then identifies it by its SHA-256 thumbprint), or the key and a configured SHA-1
``certificate_thumbprint`` (the legacy form AD FS needs).

Exports: ``AppTokenProvider``, ``client_credential``.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import msal
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ..config import AccountConfig
from ..errors import AuthError, ConfigError, problem
from .delegated import auth_key, check_client_id, msal_options
from .failures import from_discovery, from_network, raise_for_result
from .scopes import app_scopes
from .secret_store import CERTIFICATE_PASSPHRASE_ENV, CLIENT_SECRET_ENV, client_secret_for

__all__ = ["AppTokenProvider", "client_credential"]


def client_credential(account: AccountConfig) -> str | dict[str, str]:
    """What msal's ``client_credential`` takes: the secret, or the certificate and its key.

    Raises:
        AuthError: the certificate cannot be read, or there is neither certificate nor secret.
    """
    if account.certificate_path is not None:
        return _certificate(account)
    secret = client_secret_for(account)
    if secret:
        return secret
    raise AuthError(
        account.name,
        problem("app_needs_credential", env=CLIENT_SECRET_ENV, client_id=account.client_id),
    )


def _certificate(account: AccountConfig) -> dict[str, str]:
    path = account.certificate_path
    assert path is not None
    try:
        pem = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(
            account.name, problem("certificate_unreadable", path=str(path), detail=str(exc))
        ) from exc
    if "PRIVATE KEY-----" not in pem:
        raise AuthError(account.name, problem("no_private_key", path=str(path)))
    credential = {"private_key": pem}
    if account.certificate_thumbprint:
        # A configured thumbprint is SHA-1: the legacy form, which AD FS still needs.
        credential["thumbprint"] = account.certificate_thumbprint
    else:
        # With the certificate itself msal signs with its SHA-256 thumbprint (PS256), the form
        # Entra prefers.
        credential["public_certificate"] = _certificate_block(account, pem)
    passphrase = os.environ.get(CERTIFICATE_PASSPHRASE_ENV)
    if passphrase:
        credential["passphrase"] = passphrase
    return credential


def _certificate_block(account: AccountConfig, pem: str) -> str:
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except ValueError as exc:
        raise AuthError(
            account.name, problem("no_certificate", path=str(account.certificate_path))
        ) from exc
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


class AppTokenProvider:
    """``provider()`` returns an app-only access token; msal reuses it until it nears expiry."""

    def __init__(self, account: AccountConfig, scopes: list[str] | None = None) -> None:
        if account.auth != "app":
            raise ConfigError(auth_key(account), problem("not_app_only", method=account.auth))
        check_client_id(account)
        self.account = account
        self.scopes = list(scopes) if scopes is not None else app_scopes(account)
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    def __call__(self) -> str:
        return self.token()

    def token(self, *, force_refresh: bool = False) -> str:
        """A valid access token; ``force_refresh`` skips msal's in-memory cache."""
        name = self.account.name
        with self._lock:
            try:
                app = self._app or self._build()
                self._app = app
                result: dict[str, Any] = (
                    app.acquire_token_for_client(self.scopes)
                    if not force_refresh
                    # msal has no force_refresh here; a fresh in-memory cache does the same.
                    else self._rebuilt().acquire_token_for_client(self.scopes)
                )
            except OSError as exc:
                raise from_network(name, exc) from exc
        if "access_token" not in result:
            raise_for_result(name, result)
        return str(result["access_token"])

    def _rebuilt(self) -> msal.ConfidentialClientApplication:
        self._app = self._build()
        return self._app

    def _build(self) -> msal.ConfidentialClientApplication:
        # App tokens are cheap to get again, so they stay in memory, not in the user's cache.
        try:
            return msal.ConfidentialClientApplication(
                self.account.client_id,
                client_credential=client_credential(self.account),
                token_cache=msal.TokenCache(),
                **msal_options(self.account),
            )
        except ValueError as exc:
            raise from_discovery(self.account.name, exc) from exc
