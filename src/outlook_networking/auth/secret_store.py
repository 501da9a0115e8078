"""Secrets that never go in the configuration file: passwords, client secrets, bearer tokens.

Each comes from an environment variable first (scripts, CI, containers) and otherwise from the
system keyring under the service ``outlook-networking``:

=====================  ==================================  =====================================
what                   environment variable                keyring entry (service, username)
=====================  ==================================  =====================================
NTLM/basic password    ``OUTLOOK_NETWORKING_PASSWORD``     ``outlook-networking``, ``username``
app client secret      ``OUTLOOK_NETWORKING_CLIENT_SECRET`` ``outlook-networking``,
                                                           ``client-secret:<client_id>``
bearer token           ``OUTLOOK_NETWORKING_ACCESS_TOKEN`` (environment only)
certificate passphrase ``OUTLOOK_NETWORKING_CERTIFICATE_PASSPHRASE`` (environment only)
=====================  ==================================  =====================================

Exports: ``password_for``, ``client_secret_for``, ``access_token_from_env``, ``save_password``,
``KEYRING_SERVICE``, ``ACCESS_TOKEN_ENV``, ``CERTIFICATE_PASSPHRASE_ENV``, ``CLIENT_SECRET_ENV``,
``PASSWORD_ENV``.
"""

from __future__ import annotations

import os

import keyring
import keyring.errors

from ..config import AccountConfig
from ..errors import AuthError, problem

__all__ = [
    "ACCESS_TOKEN_ENV",
    "CERTIFICATE_PASSPHRASE_ENV",
    "CLIENT_SECRET_ENV",
    "KEYRING_SERVICE",
    "PASSWORD_ENV",
    "access_token_from_env",
    "client_secret_for",
    "password_for",
    "save_password",
]

KEYRING_SERVICE = "outlook-networking"
PASSWORD_ENV = "OUTLOOK_NETWORKING_PASSWORD"
CLIENT_SECRET_ENV = "OUTLOOK_NETWORKING_CLIENT_SECRET"
ACCESS_TOKEN_ENV = "OUTLOOK_NETWORKING_ACCESS_TOKEN"
CERTIFICATE_PASSPHRASE_ENV = "OUTLOOK_NETWORKING_CERTIFICATE_PASSPHRASE"


def password_for(account: AccountConfig) -> str:
    """The NTLM/basic password: ``$OUTLOOK_NETWORKING_PASSWORD``, else the keyring.

    Raises:
        AuthError: neither has one (the reason says how to store it), or the keyring failed.
    """
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    stored = _keyring_get(account.name, account.username)
    if stored:
        return stored
    raise AuthError(
        account.name,
        problem("no_password", username=account.username, env=PASSWORD_ENV,
                service=KEYRING_SERVICE),
    )


def save_password(account: AccountConfig, password: str) -> None:
    """Store the NTLM/basic password in the keyring (for an interactive ``login``)."""
    try:
        keyring.set_password(KEYRING_SERVICE, account.username, password)
    except keyring.errors.KeyringError as exc:
        raise AuthError(account.name, problem("keyring_refused", detail=str(exc))) from exc


def client_secret_for(account: AccountConfig) -> str | None:
    """The app registration's secret, or None (then a certificate must be configured)."""
    from_env = os.environ.get(CLIENT_SECRET_ENV)
    if from_env:
        return from_env
    return _keyring_get(account.name, f"client-secret:{account.client_id}") or None


def access_token_from_env(account: AccountConfig) -> str:
    """The bearer token for ``auth = "token"``, read afresh on every call."""
    token = os.environ.get(ACCESS_TOKEN_ENV, "").strip()
    if not token:
        raise AuthError(account.name, problem("token_env_missing", env=ACCESS_TOKEN_ENV))
    return token


def _keyring_get(account_name: str, username: str) -> str | None:
    try:
        return keyring.get_password(KEYRING_SERVICE, username)
    except keyring.errors.NoKeyringError:
        # A headless machine without any keyring: the environment variable is the way there.
        return None
    except keyring.errors.KeyringError as exc:
        raise AuthError(account_name, problem("keyring_failed", detail=str(exc))) from exc
