"""Fixtures of the application layer's tests: the demo mailbox in a store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.demo import generate

DEMO_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture()
def demo_store(tmp_path: Path) -> Path:
    """The demo mailbox (every planted pattern: owed replies, favours, key dates, merges),
    ingested as of :data:`DEMO_NOW`."""
    truth = generate(tmp_path / "demo", now=DEMO_NOW, messages=700)
    db = tmp_path / "demo.sqlite3"
    files = [str(tmp_path / "demo" / f) for f in ("mailbox.mbox", "calendar.ics", "contacts.vcf")]
    assert main(["--db", str(db), "ingest", *files, "--me", truth.owner]) == 0
    return db
