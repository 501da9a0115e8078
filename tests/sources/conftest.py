"""Fixtures for the file-source tests: the Outlook fixture folder (the corpus is shared)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def outlook_fixtures(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "outlook"
