"""The token cache: encrypted where the platform can, else a 0600 file and a warning."""

from __future__ import annotations

import importlib.util
import stat
from pathlib import Path
from typing import Any

import msal
import msal_extensions
import pytest

from outlook_networking.auth import open_token_cache
from outlook_networking.auth.cache import PLAINTEXT_SUFFIX
from outlook_networking.errors import AuthError
from said import raises_saying

TOKEN_ENDPOINT = "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"


def _no_encryption(location: str) -> Any:
    raise ImportError("Unable to import module 'gi'")


def _write_tokens(cache: msal.TokenCache) -> None:
    # What msal does after a successful token request.
    cache.add(
        {
            "client_id": "client",
            "scope": ["Mail.Read"],
            "token_endpoint": TOKEN_ENDPOINT,
            "response": {
                "access_token": "an-access-token",
                "refresh_token": "a-refresh-token",
                "expires_in": 3600,
                "token_type": "Bearer",
            },
        }
    )


def _refresh_tokens(cache: msal.TokenCache) -> list[str]:
    found = cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN)
    return [entry["secret"] for entry in found]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(
    importlib.util.find_spec("gi") is not None,
    reason="a libsecret binding is installed: the real keyring would be written",
)
def test_headless_linux_falls_back_to_a_0600_file_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "config" / "msal.bin"

    cache, encrypted, warning = open_token_cache(path)  # msal-extensions' real builder
    _write_tokens(cache)

    plain = path.with_name(path.name + PLAINTEXT_SUFFIX)
    assert encrypted is False
    assert warning is not None and warning.code == "tokens_unencrypted"
    assert warning["path"] == str(plain)
    assert _mode(plain) == 0o600
    assert "a-refresh-token" in plain.read_text()
    reopened, _, _ = open_token_cache(path)
    assert _refresh_tokens(reopened) == ["a-refresh-token"]


def test_fallback_file_is_0600_and_tokens_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "msal.bin"
    cache, encrypted, warning = open_token_cache(path, build_encrypted=_no_encryption)
    _write_tokens(cache)

    plain = tmp_path / ("msal.bin" + PLAINTEXT_SUFFIX)
    assert (encrypted, _mode(plain)) == (False, 0o600)
    assert warning is not None and "gi" in str(warning["detail"])
    assert not path.exists()  # the encrypted path is never used for plaintext
    reopened, _, _ = open_token_cache(path, build_encrypted=_no_encryption)
    assert _refresh_tokens(reopened) == ["a-refresh-token"]


def test_a_too_open_fallback_file_is_tightened(tmp_path: Path) -> None:
    plain = tmp_path / ("msal.bin" + PLAINTEXT_SUFFIX)
    plain.write_text("")
    plain.chmod(0o644)

    open_token_cache(tmp_path / "msal.bin", build_encrypted=_no_encryption)

    assert _mode(plain) == 0o600


def test_the_cache_directory_is_private(tmp_path: Path) -> None:
    open_token_cache(tmp_path / "new" / "msal.bin", build_encrypted=_no_encryption)
    assert _mode(tmp_path / "new") == 0o700


def test_plaintext_can_be_refused(tmp_path: Path) -> None:
    with raises_saying(AuthError, "no encrypted token storage"):
        open_token_cache(
            tmp_path / "msal.bin", allow_plaintext=False, build_encrypted=_no_encryption
        )
    assert not (tmp_path / ("msal.bin" + PLAINTEXT_SUFFIX)).exists()


def test_encrypted_storage_is_used_when_the_platform_has_it(tmp_path: Path) -> None:
    def platform_encryption(location: str) -> Any:
        persistence = msal_extensions.FilePersistence(location)
        persistence.is_encrypted = True  # stands in for DPAPI/Keychain/libsecret
        return persistence

    path = tmp_path / "msal.bin"
    cache, encrypted, warning = open_token_cache(path, build_encrypted=platform_encryption)
    _write_tokens(cache)

    assert (encrypted, warning) == (True, None)
    assert path.exists() and not path.with_name(path.name + PLAINTEXT_SUFFIX).exists()


def test_an_unreadable_encrypted_cache_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    class Undecryptable(msal_extensions.FilePersistence):
        def load(self) -> str:
            raise msal_extensions.persistence.PersistenceDecryptionError(message="wrong user")

    with raises_saying(AuthError, "cannot be decrypted"):
        open_token_cache(tmp_path / "msal.bin", build_encrypted=Undecryptable)
