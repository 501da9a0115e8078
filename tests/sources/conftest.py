"""Fixtures for the file-source tests: the decompressed SpamAssassin corpus, fixture paths."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

CORPUS = "spamassassin-easy-ham-1-and-spam-2.mbox.gz"


@pytest.fixture(scope="session")
def outlook_fixtures(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "outlook"


@pytest.fixture(scope="session")
def corpus_mbox(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus decompressed once per session (the product reads plain and gzip mbox)."""
    target = tmp_path_factory.mktemp("corpus") / "spamassassin.mbox"
    with gzip.open(shared_dir / "corpora" / CORPUS, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return target
