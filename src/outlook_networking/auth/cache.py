"""Where msal keeps its tokens between runs: encrypted by the platform, or a 0600 file.

msal-extensions encrypts the cache with DPAPI (Windows), the Keychain (macOS) or libsecret
(Linux). A headless Linux without a secret service (a server, a container) has none of them,
and msal-extensions then raises rather than writing plaintext. We fall back on purpose to a
plain file readable only by the user, at a *different* path, and say so: the caller shows the
warning once. A sign-in that only works on a desktop would be useless to a long-running agent.

Exports: ``open_token_cache``, ``default_token_cache_path``, ``TokenCache``, ``PLAINTEXT_SUFFIX``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msal
import msal_extensions
import platformdirs

from ..errors import AuthError, Problem, problem

__all__ = ["PLAINTEXT_SUFFIX", "TokenCache", "default_token_cache_path", "open_token_cache"]

# The fallback never shares the encrypted cache's path: on Linux that path is only libsecret's
# signal file, and a later encrypted run must not find tokens lying next to it in clear.
PLAINTEXT_SUFFIX = ".plaintext.json"

# What open_token_cache returns; msal applications take it as ``token_cache``.
TokenCache = msal.TokenCache

_CACHE_ACCOUNT = "token cache"  # the AuthError "account" when no single account is at fault


def default_token_cache_path() -> Path:
    """``msal_token_cache.bin`` in the product's user data directory (not a cache directory:
    deleting it signs the user out)."""
    return Path(platformdirs.user_data_dir("outlook-networking")) / "msal_token_cache.bin"


def open_token_cache(
    path: Path,
    *,
    allow_plaintext: bool = True,
    build_encrypted: Callable[[str], Any] | None = None,
) -> tuple[msal.TokenCache, bool, Problem | None]:
    """Open the token cache shared by every account and every run.

    Parameters:
        path: where the encrypted cache lives (its directory is created, mode 0700).
        allow_plaintext: when False, a platform without encryption is an error instead of a
            fallback to a 0600 file.
        build_encrypted: msal-extensions' ``build_encrypted_persistence`` unless a test gives
            another builder.

    Returns:
        ``(cache, encrypted, warning)``: the warning is None when encrypted, else a
        :class:`~outlook_networking.errors.Problem` (``tokens_unencrypted``) naming the
        plaintext file, for the caller to word.

    Raises:
        AuthError: the encrypted cache exists but cannot be read (wrong user, damaged), or no
            encryption is available and ``allow_plaintext`` is False.
    """
    path = Path(path).expanduser()
    _private_directory(path.parent)
    builder = build_encrypted or msal_extensions.build_encrypted_persistence
    try:
        persistence = builder(str(path))
        _probe(persistence)
    except msal_extensions.persistence.PersistenceDecryptionError as exc:
        raise AuthError(_CACHE_ACCOUNT, problem("cache_undecryptable", path=str(path))) from exc
    except (ImportError, RuntimeError, OSError, ValueError) as exc:
        # ImportError: no PyGObject/libsecret; RuntimeError: unsupported platform; OSError and
        # msal-extensions' PersistenceError (an IOError): no secret service answering.
        if not allow_plaintext:
            raise AuthError(
                _CACHE_ACCOUNT, problem("no_encrypted_storage", detail=_first_line(exc))
            ) from exc
        plain = path.with_name(path.name + PLAINTEXT_SUFFIX)
        _private_file(plain)
        cache = msal_extensions.PersistedTokenCache(msal_extensions.FilePersistence(str(plain)))
        warning = problem("tokens_unencrypted", detail=_first_line(exc), path=str(plain))
        return cache, False, warning
    return msal_extensions.PersistedTokenCache(persistence), True, None


def _probe(persistence: Any) -> None:
    # libsecret's persistence is built lazily: a missing secret service shows up only on the
    # first load, so try one now rather than in the middle of a sign-in.
    with contextlib.suppress(msal_extensions.persistence.PersistenceNotFound):
        persistence.load()  # nothing saved yet is fine


def _private_directory(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)


def _private_file(file: Path) -> None:
    # FilePersistence creates with 0600 but keeps the mode of a file that already exists,
    # so create it ourselves and tighten whatever was there.
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(descriptor)
    os.chmod(file, 0o600)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
