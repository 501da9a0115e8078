"""Fixtures shared by every test area: where ../shared lives, a fresh store, the one browser of
the run, an English system, and the Hypothesis profiles (see docs/testing.md).

Hypothesis profiles, chosen by ``HYPOTHESIS_PROFILE`` (``pytest --hypothesis-profile NAME`` wins):

- ``ci``: deterministic (``derandomize``: every run tries the same examples), no example
  database, and a failure prints the blob that reproduces it (``@reproduce_failure``). ``.ci/run``
  exports it, and it is the default wherever a ``CI`` variable is set.
- ``dev`` (the default elsewhere): random, five times the examples, the example database in
  ``.hypothesis/`` so a failure found locally is tried first on the next run.
- ``soak``: random with Hypothesis's default 100 examples and no database, for
  ``scripts/soak.py``'s many runs with fresh seeds.

No profile has a deadline: timing belongs to ``scripts/bench.py``, not to a test on a shared
machine.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from chromium import CHROMIUM, LAUNCH_ARGS
from outlook_networking.store import Store

settings.register_profile(
    "ci", derandomize=True, database=None, print_blob=True, deadline=None, max_examples=100
)
settings.register_profile("dev", deadline=None, max_examples=500, print_blob=True)
settings.register_profile("soak", deadline=None, print_blob=True, database=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if "CI" in os.environ else "dev")
)

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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser), one for the whole run.

    Playwright's sync API allows one running instance per thread: a second ``sync_playwright()``
    while another is open fails with "Sync API inside the asyncio loop", so every browser test
    (report, add-in) shares this one and opens its own context. Skips without Chromium or
    Playwright (``.ci/run`` installs both).
    """
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("needs the playwright Python package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()
