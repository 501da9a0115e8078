"""The store: keyed upserts, cursors with their batch, resync sweeps, file mode, versions."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from outlook_networking.errors import SchemaTooNew, StoreError
from outlook_networking.model import Interaction, Kind, Mailbox
from outlook_networking.ports import Batch
from outlook_networking.store import SCHEMA_VERSION, Store

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def _mail(item_id: str, folder: str = "inbox", subject: str = "Hello") -> Interaction:
    return Interaction(
        source="ews:work",
        item_id=item_id,
        kind=Kind.EMAIL,
        at=T0 + timedelta(minutes=len(item_id)),
        sender=Mailbox("ann@partner.example", "Ann"),
        to=(Mailbox("me@example.com"),),
        subject=subject,
        folder=folder,
    )


def test_the_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "network.sqlite3"
    Store.open(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_upserts_are_keyed_and_unchanged_items_write_nothing(store: Store) -> None:
    first = store.apply_batch("ews:work", Batch("inbox", (_mail("a"), _mail("b")), cursor="c1"))
    assert first.written == 2
    digest = store.digest()
    again = store.apply_batch("ews:work", Batch("inbox", (_mail("a"), _mail("b")), cursor="c1"))
    assert again.written == 0 and store.digest() == digest
    changed = store.apply_batch("ews:work", Batch("inbox", (_mail("a", subject="New"),)))
    assert changed.written == 1
    assert sorted(i.subject for i in store.interactions()) == ["Hello", "New"]
    assert store.cursors("ews:work") == {"inbox": "c1"}  # a batch without a cursor keeps it


def test_a_failed_batch_stores_neither_items_nor_cursor(store: Store) -> None:
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"),), cursor="c1"))
    broken = _mail("b")
    object.__setattr__(broken, "kind", "not a kind")  # fails while the row is built
    with pytest.raises(AttributeError):
        store.apply_batch("ews:work", Batch("inbox", (_mail("c"), broken), cursor="c2"))
    assert [i.item_id for i in store.interactions()] == ["a"]
    assert store.cursors("ews:work") == {"inbox": "c1"}


def test_a_full_resync_sweeps_what_it_did_not_see_in_its_own_stream(store: Store) -> None:
    # A subfolder's items say folder "inbox" but were written by the "inbox/Projects" stream.
    store.apply_batch("ews:work", Batch("inbox/Projects", (_mail("p1"), _mail("p2")), cursor="s"))
    store.apply_batch("ews:work", Batch("inbox", (_mail("i1"),), cursor="t"))
    store.apply_batch(
        "ews:work",
        Batch("inbox/Projects", (_mail("p2"),), cursor="s2", reset=True, complete=True),
    )
    assert sorted(i.item_id for i in store.interactions()) == ["i1", "p2"]


def test_deletions_remove_items(store: Store) -> None:
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"), _mail("b"))))
    result = store.apply_batch("ews:work", Batch("inbox", deleted=("a", "missing")))
    assert result.deleted == 1
    assert [i.item_id for i in store.interactions()] == ["b"]


def test_a_newer_store_is_refused_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "network.sqlite3"
    Store.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNew):
        Store.open(path)


def test_a_file_that_is_no_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "network.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store.open(path)


def _open_and_report_version(path: str) -> int:
    Store.open(path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    path = str(tmp_path / "network.sqlite3")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        versions = pool.map(_open_and_report_version, [path] * 8)
    assert versions == [SCHEMA_VERSION] * 8
