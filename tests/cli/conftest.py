"""Fixtures for the command-line tests: a home of the test's own, and the demo mailbox in a store
made once by ``demo`` as a new user runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_runs import NOW, Home, Run


@pytest.fixture()
def home(tmp_path: Path) -> Home:
    root = tmp_path / "home"
    root.mkdir()
    return Home(root)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """The demo's store, made once by `demo` as a new user runs it, and what demo printed."""
    root = tmp_path_factory.mktemp("demo-home")
    db = root / "demo.sqlite3"
    done = Home(root).run("--now", NOW, "demo", "--db", str(db))
    assert done.code == 0, done.err
    return db, done


@pytest.fixture()
def demo_db(demo_store: tuple[Path, Run], home: Home) -> Path:
    """A copy of the demo's store in this test's home, to change at will."""
    db = home.root / "demo.sqlite3"
    shutil.copy(demo_store[0], db)
    return db
