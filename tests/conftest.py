"""Fixtures shared by every test area: where ../shared lives, a fresh store, an English system."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from outlook_networking.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
CORPUS = "spamassassin-easy-ham-1-and-spam-2.mbox.gz"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the project: real fixtures, corpora and schemas."""
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: tests need the shared fixtures beside the project")
    return SHARED


@pytest.fixture(autouse=True)
def english_system(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees an English system (a test that wants German says so): the developer's
    own locale must not change what the product prints. Commands run as subprocesses inherit
    it."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "network.sqlite3") as opened:
        yield opened


@pytest.fixture(scope="session")
def corpus_mbox(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SpamAssassin corpus decompressed once per session (2,500 ham, then 1,396 spam)."""
    target = tmp_path_factory.mktemp("corpus") / "spamassassin.mbox"
    with gzip.open(shared_dir / "corpora" / CORPUS, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return target
