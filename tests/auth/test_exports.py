"""Where ``outlook_networking.auth`` keeps its files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import outlook_networking.auth as auth


@pytest.mark.skipif(sys.platform != "linux", reason="XDG directories are Linux's")
def test_the_default_cache_lives_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert auth.default_token_cache_path() == (
        tmp_path / "outlook-networking" / "msal_token_cache.bin"
    )
