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


def test_marks_are_kept_per_message_merged_from_partial_updates_and_go_with_it(
    store: Store,
) -> None:
    from outlook_networking.ports import FollowUpFlag, MessageMarks

    flag = FollowUpFlag("flagged", start=T0, due=T0 + timedelta(days=2))
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"), _mail("bb")), marks=(
        MessageMarks("a", ("Customer",), flag, "ck1"),
        MessageMarks("bb", (), None, "ck1"),
        MessageMarks("not-stored", ("X",), None, "ck1"),  # a partial update of mail not kept
    )))  # fmt: skip
    (a, _) = store.account_messages("ews:work", since=T0)
    assert (a.state.categories, a.state.flag, a.state.version) == (("Customer",), flag, "ck1")
    assert (a.sender, a.recipients) == ("ann@partner.example", ("me@example.com",))
    # A partial update says only what changed: the rest is kept.
    changed = store.apply_batch("ews:work", Batch("inbox", marks=(
        MessageMarks("a", flag=FollowUpFlag("complete", completed=T0), version="ck2"),
    )))  # fmt: skip
    assert changed.written == 1
    (a, _) = store.account_messages("ews:work", since=T0)
    assert a.state.categories == ("Customer",) and a.state.flag.status == "complete"
    store.apply_batch("ews:work", Batch("inbox", deleted=("a",)))
    assert [m.item_id for m in store.account_messages("ews:work", since=T0)] == ["bb"]
    # Marks of a message the store did not hold were not kept: stored later, it shows its own.
    store.apply_batch("ews:work", Batch("inbox", (_mail("not-stored"), _mail("a"))))
    shown = {m.item_id: m.state for m in store.account_messages("ews:work", since=T0)}
    assert shown["not-stored"].categories == () and shown["not-stored"].version == ""
    assert shown["a"].flag.status == "notFlagged"  # the deleted message's marks went with it


def test_account_messages_are_the_windows_and_the_named_ones_without_noise(store: Store) -> None:
    from dataclasses import replace

    from outlook_networking.model import Flag

    old = replace(_mail("old"), at=T0 - timedelta(days=400))
    news = replace(_mail("news"), flags=frozenset({Flag.BULK}))
    store.apply_batch("ews:work", Batch("inbox", (_mail("new"), old, news)))
    store.apply_batch("graph:work", Batch("inbox", (replace(_mail("other"), source="graph:work"),)))
    assert [m.item_id for m in store.account_messages("ews:work", since=T0)] == ["new"]
    named = store.account_messages("ews:work", since=T0, item_ids=["old"])
    assert [m.item_id for m in named] == ["old", "new"]
    # Marks never reported: the categories as first stored, not flagged, no version.
    assert named[0].state.flag.status == "notFlagged" and named[0].state.version == ""


def test_declined_marks_are_remembered_per_account(store: Store) -> None:
    store.decline_marks("ews:work", [("m1@x", "category:Network B"), ("m2@x", "flag")], T0)
    store.decline_marks("ews:work", [("m1@x", "category:Network B")], T0)
    assert store.declined_marks("ews:work") == {
        ("m1@x", "category:Network B"), ("m2@x", "flag")
    }
    assert store.declined_marks("graph:work") == frozenset()


def test_the_journal_keeps_message_actions_whole_and_their_marks_with_them(store: Store) -> None:
    from outlook_networking.ports import (
        NOT_FLAGGED,
        Applied,
        FollowUpFlag,
        MessageMarks,
        SetCategories,
        SetFlag,
    )

    store.apply_batch("ews:work", Batch("inbox", (_mail("id1"),),
                                        marks=(MessageMarks("id1", (), None, "ck1"),)))  # fmt: skip
    flag = SetFlag("id1", NOT_FLAGGED, FollowUpFlag("flagged", start=T0, due=T0 + timedelta(1)),
                   message_id="m1@x", version="ck1", key="owed:ews:work:id1", contact="ann@x")
    tag = SetCategories("message", "id1", ("Mine",), ("Mine", "Network B"), "m1@x", "ck1", "ann@x")
    entries = store.journal_begin("ews:work", "run", [flag, tag], T0)
    assert [(e.action, e.done) for e in store.journal("ews:work")] == [(flag, False), (tag, False)]
    left = MessageMarks("id1", ("Mine", "Network B"), flag.after, "ck2")
    store.journal_finish("ews:work", [(entries[0], Applied(flag, "id1")),
                                      (entries[1], Applied(tag, "id1", left))])  # fmt: skip
    assert [e.done for e in store.journal("ews:work")] == [True, True]
    # Until the next sync, the store knows what the write left: the next plan builds on it.
    (stored,) = store.account_messages("ews:work", since=T0)
    assert stored.state.categories == ("Mine", "Network B")
    assert (stored.state.flag, stored.state.version) == (flag.after, "ck2")
    # Ids follow a message to a new id (Graph's immutable ids), SetFlag entries too.
    assert store.rename_journal_items("ews:work", {"id1": "id9"}) == 2
    assert {e.action.item_id for e in store.journal("ews:work")} == {"id9"}  # type: ignore[union-attr]
