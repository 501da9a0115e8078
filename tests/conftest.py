"""Fixtures shared by every test area: where ../shared lives, and a fresh store."""

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
LKML = "notmuch-lkml-210.mbox.gz"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the project: real fixtures, corpora and schemas."""
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: tests need the shared fixtures beside the project")
    return SHARED


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "network.sqlite3") as opened:
        yield opened


def _decompressed(shared_dir: Path, name: str, target: Path) -> Path:
    with gzip.open(shared_dir / "corpora" / name, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


@pytest.fixture(scope="session")
def corpus_mbox(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SpamAssassin corpus decompressed once per session (2,500 ham, then 1,396 spam)."""
    target = tmp_path_factory.mktemp("corpus") / "spamassassin.mbox"
    return _decompressed(shared_dir, CORPUS, target)


@pytest.fixture(scope="session")
def lkml_mbox(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """210 real messages from three kernel lists (gmane's archive), decompressed once per
    session; every one is a list copy, 53 of them by joe@perches.com."""
    return _decompressed(shared_dir, LKML, tmp_path_factory.mktemp("lkml") / "lkml.mbox")
