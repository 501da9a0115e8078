"""What the CLI and the connectors import from ``outlook_networking.auth``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import outlook_networking.auth as auth


def test_every_export_exists() -> None:
    assert sorted(auth.__all__) == auth.__all__
    for name in auth.__all__:
        assert getattr(auth, name) is not None, name


@pytest.mark.skipif(sys.platform != "linux", reason="XDG directories are Linux's")
def test_the_default_cache_lives_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert auth.default_token_cache_path() == (
        tmp_path / "outlook-networking" / "msal_token_cache.bin"
    )
