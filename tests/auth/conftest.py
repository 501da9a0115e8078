"""Fixtures for sign-in tests: the fake identity platform, accounts, caches, a private keyring."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import msal
import pytest

from outlook_networking.auth import open_token_cache
from outlook_networking.config import AccountConfig

from .identity_platform import IdentityPlatform, User

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
ENV_VARS = (
    "OUTLOOK_NETWORKING_PASSWORD",
    "OUTLOOK_NETWORKING_CLIENT_SECRET",
    "OUTLOOK_NETWORKING_ACCESS_TOKEN",
    "OUTLOOK_NETWORKING_CERTIFICATE_PASSPHRASE",
)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in a dict, so tests never touch the real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.fail: Exception | None = None

    def get_password(self, service: str, username: str) -> str | None:
        if self.fail is not None:
            raise self.fail
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.fail is not None:
            raise self.fail
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def private_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """No secrets from the developer's environment or keyring leak into (or out of) a test."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        yield memory
    finally:
        keyring.set_keyring(previous)


@pytest.fixture()
def memory_keyring(private_environment: MemoryKeyring) -> MemoryKeyring:
    return private_environment


@pytest.fixture(scope="session")
def platform_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityPlatform]:
    platform = IdentityPlatform(tmp_path_factory.mktemp("identity"))
    platform.start()
    yield platform
    platform.stop()


@pytest.fixture()
def platform(
    platform_session: IdentityPlatform, monkeypatch: pytest.MonkeyPatch
) -> IdentityPlatform:
    """The fake platform, reset, and trusted by requests (which msal uses) through its CA."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(platform_session.ca_file))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    platform_session.user = User()
    platform_session.expires_in = 3600
    platform_session.devices.clear()
    platform_session.refresh_tokens.clear()
    platform_session.access_tokens.clear()
    platform_session.requests.clear()
    platform_session.client_secrets.clear()
    platform_session.client_certificates.clear()
    platform_session.codes.clear()
    platform_session.redirect_uris = {"http://127.0.0.1"}
    platform_session.browser_answer = "approve"
    return platform_session


@pytest.fixture()
def make_account(platform: IdentityPlatform) -> Callable[..., AccountConfig]:
    """An account signing in against the fake platform; keywords override fields."""

    def make(**changes: Any) -> AccountConfig:
        tenant = changes.pop("tenant", "organizations")
        base = AccountConfig(
            name="work",
            address=platform.user.preferred_username,
            connector="ews",
            endpoint="https://127.0.0.1:1/EWS/Exchange.asmx",
            auth="oauth",
            username=platform.user.preferred_username,
            client_id=CLIENT_ID,
            tenant=tenant,
            authority=platform.authority(tenant),
        )
        return replace(base, **changes)

    return make


def _no_encryption(location: str) -> Any:
    raise ImportError("no platform encryption in tests")


@pytest.fixture()
def open_cache(tmp_path: Path) -> Callable[[], msal.TokenCache]:
    """Open the token cache at one path, as each new process does (plaintext fallback).

    Tests must not write into the developer's real Keychain or secret service, so the
    encrypted persistence is refused here the way a headless Linux refuses it.
    """

    def open_again() -> msal.TokenCache:
        cache, _, _ = open_token_cache(
            tmp_path / "cache" / "msal.bin", build_encrypted=_no_encryption
        )
        return cache

    return open_again
