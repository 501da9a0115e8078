"""The store: one interaction per message wherever its copies are, append-only history, keyed
upserts, cursors with their batch, resync sweeps, file mode, versions and migration."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from outlook_networking.app.wording import describe
from outlook_networking.errors import SchemaTooNew, StoreError
from outlook_networking.model import (
    Attendee,
    ContactCard,
    Flag,
    Interaction,
    Kind,
    Mailbox,
    Response,
)
from outlook_networking.ports import Batch, CategoriesChanged
from outlook_networking.store import _COLUMNS, _MIGRATIONS, SCHEMA_VERSION, Store, _Decoder

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
ME = "me@example.com"
LISTED = frozenset({Flag.LIST})


def _mail(
    item_id: str,
    folder: str = "inbox",
    subject: str = "Hello",
    *,
    source: str = "ews:work",
    message_id: str | None = None,
    minutes: int = 0,
) -> Interaction:
    return Interaction(
        source=source,
        item_id=item_id,
        kind=Kind.EMAIL,
        at=T0 + timedelta(minutes=minutes),
        sender=Mailbox("ann@partner.example", "Ann"),
        to=(Mailbox(ME),),
        subject=subject,
        message_id=f"{item_id}@partner.example" if message_id is None else message_id,
        folder=folder,
        delivered=True,
    )


def _meeting(item_id: str, at: datetime) -> Interaction:
    return Interaction(
        source="ews:work",
        item_id=item_id,
        kind=Kind.MEETING,
        at=at,
        sender=Mailbox("ann@partner.example"),
        attendees=(Attendee(Mailbox(ME)),),
        subject="Review",
        duration_s=1800,
    )


def _subjects(store: Store, *, located: bool = False) -> list[str]:
    return sorted(i.subject for i in store.interactions(located=located))


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
    assert _subjects(store) == ["Hello", "New"]
    assert store.cursors("ews:work") == {"inbox": "c1"}  # a batch without a cursor keeps it


def test_a_failed_batch_stores_neither_items_nor_cursor(store: Store) -> None:
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"),), cursor="c1"))
    broken = _mail("b")
    object.__setattr__(broken, "kind", "not a kind")  # fails while the row is built
    with pytest.raises(AttributeError):
        store.apply_batch("ews:work", Batch("inbox", (_mail("c"), broken), cursor="c2"))
    assert [i.item_id for i in store.interactions()] == ["a"]
    assert store.cursors("ews:work") == {"inbox": "c1"}
    # Nothing of it is left open either: the next batch is stored.
    store.apply_batch("ews:work", Batch("inbox", (_mail("c"),), cursor="c2"))
    assert [i.item_id for i in store.interactions()] == ["a", "c"]


def test_one_message_in_folders_sources_and_exports_is_one_interaction(store: Store) -> None:
    copy = _mail("AAMk1", message_id="<Q1@Partner.EXAMPLE> ")
    store.apply_batch("ews:work", Batch("inbox", (copy,)))
    store.apply_batch("ews:work", Batch("archive", (replace(copy, item_id="AAMk2"),)))
    export = replace(copy, source="file", item_id="msg:Q1@Partner.EXAMPLE", folder="")
    export = replace(export, message_id="Q1@Partner.EXAMPLE")
    store.apply_batch("file", Batch("/export/mail.mbox", (export,)))
    stored = list(store.interactions())
    assert len(stored) == 1 and store.counts()["locations"] == 3
    # Its name is the first copy's, whatever arrives later (follow-up keys rely on it).
    assert (stored[0].source, stored[0].item_id) == ("ews:work", "AAMk1")


def test_without_a_message_id_the_digest_finds_the_same_message(store: Store) -> None:
    one = _mail("AAMk1", message_id="")
    store.apply_batch("ews:work", Batch("inbox", (one,)))
    store.apply_batch("file", Batch("/x.mbox", (replace(one, source="file", item_id="sha:1"),)))
    other = replace(one, item_id="AAMk3", subject="Hello again")
    store.apply_batch("ews:work", Batch("inbox", (other,)))
    assert _subjects(store) == ["Hello", "Hello again"]


def test_the_direct_copy_wins_over_the_list_copy_in_either_order(tmp_path: Path) -> None:
    direct = _mail("d")
    listed = replace(direct, item_id="l", flags=LISTED, list_id="team.lists.example")
    for order in ((direct, listed), (listed, direct)):
        with Store.open(tmp_path / f"{order[0].item_id}.sqlite3") as store:
            for item in order:
                store.apply_batch("ews:work", Batch("inbox", (item,)))
            digest = store.digest()
            for item in order:  # and reading both again changes nothing
                assert store.apply_batch("ews:work", Batch("inbox", (item,))).written == 0
            assert store.digest() == digest
            (stored,) = store.interactions()
            assert stored.flags == frozenset() and store.counts([ME])["direct"] == 1
            # The list it also went through is remembered from the list copy.
            assert stored.list_id == "team.lists.example"


@pytest.mark.parametrize(
    ("better", "worse", "worse_delivered"),
    [
        ({Flag.BULK, Flag.AUTOMATED}, {Flag.LIST}, True),  # any direct copy beats a list copy
        (set(), {Flag.BULK}, True),  # then fewer noise flags beat more
        ({Flag.AUTOMATED}, {Flag.BULK, Flag.AUTOMATED}, True),
        ({Flag.LIST}, {Flag.LIST, Flag.BULK}, True),
        (set(), {Flag.BULK}, False),  # even when the one with more is the sender's own copy
    ],
)
def test_the_better_copy_is_the_evidence_in_either_order(
    tmp_path: Path, better: set[Flag], worse: set[Flag], worse_delivered: bool
) -> None:
    # The module docstring's order of evidence: the interaction's fields (its flags among
    # them, which decide how it counts) come from the better copy, whichever was read first.
    good = replace(_mail("good", message_id="m@x"), flags=frozenset(better))
    bad = replace(_mail("bad", message_id="m@x"), flags=frozenset(worse))
    bad = replace(bad, delivered=worse_delivered)
    for n, order in enumerate(((good, bad), (bad, good))):
        with Store.open(tmp_path / f"{n}.sqlite3") as store:
            for item in order:
                store.apply_batch("ews:work", Batch("inbox", (item,)))
            (stored,) = store.interactions()
            assert stored.flags == good.flags


def test_the_senders_own_copy_keeps_its_bcc(store: Store) -> None:
    received = replace(_mail("r"), sender=Mailbox(ME), to=(Mailbox("ann@partner.example"),))
    sent = replace(received, item_id="s", delivered=False, bcc=(Mailbox("boss@example.com"),))
    store.apply_batch("ews:work", Batch("inbox", (received,)))
    store.apply_batch("ews:work", Batch("sent", (sent,)))
    (stored,) = store.interactions()
    assert [m.address for m in stored.bcc] == ["boss@example.com"]


def test_deleting_or_moving_a_copy_keeps_the_interaction(store: Store) -> None:
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"), _mail("b"))))
    result = store.apply_batch("ews:work", Batch("inbox", deleted=("a", "missing")))
    assert result.deleted == 1
    assert _subjects(store) == ["Hello", "Hello"]
    assert [i.item_id for i in store.interactions(located=True)] == ["b"]
    # Moved: it leaves the inbox and arrives in the archive under a new id, in either order.
    store.apply_batch("ews:work", Batch("archive", (replace(_mail("b"), item_id="b2"),)))
    store.apply_batch("ews:work", Batch("inbox", deleted=("b",)))
    assert len(list(store.interactions())) == 2
    assert [i.item_id for i in store.interactions(located=True)] == ["b"]  # named as first seen


def test_a_deletion_removes_the_copy_of_its_own_folder_only(store: Store) -> None:
    # Graph's immutable ids: the same id leaves the Inbox and turns up in Archive; the Archive
    # round may come first.
    store.apply_batch("graph:work", Batch("inbox", (_mail("X"),)))
    store.apply_batch("graph:work", Batch("archive", (_mail("X"),)))
    store.apply_batch("graph:work", Batch("inbox", deleted=("X",)))
    assert [i.item_id for i in store.interactions(located=True)] == ["X"]


def test_a_later_copy_of_equal_rank_updates_what_left_the_mailbox(store: Store) -> None:
    store.apply_batch("graph:work", Batch("inbox", (_mail("X"),)))
    store.apply_batch("graph:work", Batch("inbox", deleted=("X",)))
    moved = replace(_mail("Y", message_id="X@partner.example"), categories=("Client",))
    store.apply_batch("graph:work", Batch("archive", (moved,)))
    (stored,) = store.interactions()
    assert stored.categories == ("Client",)


def test_a_full_resync_sweeps_copies_it_did_not_see_never_history(store: Store) -> None:
    # A subfolder's items say folder "inbox" but were written by the "inbox/Projects" stream.
    store.apply_batch("ews:work", Batch("inbox/Projects", (_mail("p1"), _mail("p2")), cursor="s"))
    store.apply_batch("ews:work", Batch("inbox", (_mail("i1"),), cursor="t"))
    result = store.apply_batch(
        "ews:work",
        Batch("inbox/Projects", (_mail("p2"),), cursor="s2", reset=True, complete=True),
    )
    assert result.swept == 1
    assert sorted(i.item_id for i in store.interactions(located=True)) == ["i1", "p2"]
    assert sorted(i.item_id for i in store.interactions()) == ["i1", "p1", "p2"]


def test_a_round_that_is_no_resync_sweeps_nothing_however_it_is_cut(store: Store) -> None:
    # An incremental round ends "complete" too (EWS's calendar view, Graph's delta), and a file
    # is read in batches with its cursor on the last: neither is a full read, so every copy
    # the earlier batches and rounds stored stays where it is.
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"),)))
    store.apply_batch("ews:work", Batch("inbox", (_mail("b"),), cursor="c1", complete=True))
    last = Batch("inbox", (_mail("c"),), cursor="c2", complete=True)
    result = store.apply_batch("ews:work", last)
    assert result.swept == 0
    assert sorted(i.item_id for i in store.interactions(located=True)) == ["a", "b", "c"]


def test_a_full_resync_keeps_the_contact_cards_it_saw_unchanged(store: Store) -> None:
    ann = ContactCard("ews:work", "c1", "Ann", ("ann@partner.example",))
    bob = ContactCard("ews:work", "c2", "Bob", ("bob@partner.example",))
    store.apply_batch("ews:work", Batch("contacts", cards=(ann, bob), cursor="c1"))
    result = store.apply_batch(
        "ews:work", Batch("contacts", cards=(ann,), cursor="c2", reset=True, complete=True)
    )
    assert (result.written, result.swept) == (0, 1)
    assert [c.item_id for c in store.cards()] == ["c1"]
    # A resync's round number is bookkeeping: reading the same again changes no digest.
    digest = store.digest()
    resync = Batch("contacts", cards=(ann,), cursor="c3", reset=True, complete=True)
    assert store.apply_batch("ews:work", resync).swept == 0
    assert store.digest() == digest


def test_categories_reported_again_unchanged_write_nothing(store: Store) -> None:
    # EWS reports a copy's categories alone when only they changed (or seem to); the same
    # names again, accents and all, are no change.
    tagged = replace(_mail("a"), categories=("Privé", "Kunde Ü"))
    store.apply_batch("ews:work", Batch("inbox", (tagged,), cursor="c1"))
    again = Batch("inbox", categories_changed=(CategoriesChanged("a", tagged.categories),))
    assert store.apply_batch("ews:work", again).written == 0
    changed = Batch("inbox", categories_changed=(CategoriesChanged("a", ("Privé",)),))
    assert store.apply_batch("ews:work", changed).written == 1
    assert [i.categories for i in store.interactions()] == [("Privé",)]


def test_a_batch_counts_what_it_wrote_and_deleted(store: Store) -> None:
    # The sync reports these counts; a copy of a known message in another folder is one
    # written (its location), a deleted copy one deleted.
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"),), cursor="c1"))
    filed = _mail("a2", "archive", message_id="a@partner.example")
    assert store.apply_batch("ews:work", Batch("archive", (filed,), cursor="c2")).written == 1
    result = store.apply_batch("ews:work", Batch("inbox", deleted=("a", "never-stored")))
    assert (result.written, result.deleted) == (0, 1)
    card = ContactCard("ews:work", "c1", "Ann", ("ann@partner.example",))
    store.apply_batch("ews:work", Batch("contacts", cards=(card,), cursor="c3"))
    assert store.apply_batch("ews:work", Batch("contacts", deleted=("c1",))).deleted == 1


def test_a_resync_cut_short_after_its_first_batch_sweeps_nothing(store: Store) -> None:
    # The agent may stop between batches, a connection may drop: the copies the resync has
    # not read yet are still in the folder until its last batch says the round is complete.
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"), _mail("b")), cursor="c1"))
    first = store.apply_batch("ews:work", Batch("inbox", (_mail("a"),), reset=True))
    assert first.swept == 0
    assert sorted(i.item_id for i in store.interactions(located=True)) == ["a", "b"]


def test_a_meeting_a_full_resync_no_longer_finds_before_it_starts_is_cancelled(
    store: Store,
) -> None:
    future = _meeting("m2", T0 + timedelta(days=3))
    store.apply_batch("ews:work", Batch("calendar", (future,), cursor="c1"), now=T0)
    swept = Batch("calendar", (), cursor="c2", reset=True, complete=True)
    assert store.apply_batch("ews:work", swept, now=T0).swept == 1
    assert [(i.item_id, i.cancelled) for i in store.interactions()] == [("m2", True)]


def test_a_copy_swept_and_found_again_does_not_bring_back_its_old_marks(store: Store) -> None:
    # A full resync that no longer finds a copy drops what it showed; should the same id turn
    # up again with a partial report, the write-back must not plan against marks it had then.
    from outlook_networking.ports import MessageMarks

    tagged = MessageMarks("a", ("Network B",), None, "ck1")
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"),), cursor="c1", marks=(tagged,)))
    store.apply_batch("ews:work", Batch("inbox", (), cursor="c2", reset=True, complete=True))
    back = Batch("inbox", (_mail("a"),), cursor="c3", marks=(MessageMarks("a", version="ck2"),))
    store.apply_batch("ews:work", back)
    (a,) = store.account_messages("ews:work", since=T0)
    assert (a.state.categories, a.state.version) == ((), "ck2")


def test_restarting_a_source_reads_it_again_and_keeps_history(store: Store) -> None:
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"), _mail("b")), cursor="c1"))
    store.restart_source("ews:work")
    assert store.cursors("ews:work") == {}
    store.apply_batch(
        "ews:work", Batch("inbox", (_mail("b"),), cursor="c2", reset=True, complete=True)
    )
    assert [i.item_id for i in store.interactions(located=True)] == ["b"]
    assert len(list(store.interactions())) == 2


def test_a_meeting_gone_before_it_starts_is_cancelled_one_that_took_place_stays(
    store: Store,
) -> None:
    now = T0
    past, future = _meeting("m1", now - timedelta(days=3)), _meeting("m2", now + timedelta(days=3))
    store.apply_batch("ews:work", Batch("calendar", (past, future)), now=now)
    store.apply_batch("ews:work", Batch("calendar", deleted=("m1", "m2")), now=now)
    cancelled = {i.item_id: i.cancelled for i in store.interactions()}
    assert cancelled == {"m1": False, "m2": True}
    # It comes back (moved into the window again): it is on again.
    store.apply_batch("ews:work", Batch("calendar", (future,)), now=now)
    assert {i.item_id: i.cancelled for i in store.interactions()}["m2"] is False


def test_a_copy_that_gets_a_message_id_replaces_its_old_identity(store: Store) -> None:
    store.apply_batch("graph:work", Batch("drafts-like", (_mail("A", message_id=""),)))
    store.apply_batch("graph:work", Batch("drafts-like", (_mail("A", message_id="<a@x>"),)))
    assert [i.message_id for i in store.interactions()] == ["<a@x>"]


def test_counts_follow_the_counting_rule(store: Store) -> None:
    team = Mailbox("team@lists.example")
    items = (
        _mail("direct"),
        replace(_mail("named"), to=(team, Mailbox(ME)), flags=LISTED),
        replace(_mail("through"), to=(team,), flags=LISTED),
        replace(_mail("post"), sender=Mailbox(ME), to=(team,), flags=LISTED),
        replace(_mail("news"), flags=frozenset({Flag.BULK})),
    )
    store.apply_batch("file", Batch("/m.mbox", items))
    counts = store.counts([ME])
    assert (counts["emails"], counts["direct"], counts["noise"]) == (5, 3, 2)


def test_reading_every_row_shares_what_repeats_and_reads_the_same_with_any_cache(
    store: Store,
) -> None:
    # A large store is read with one decoder that hands out the same mailbox, recipients, flags
    # and categories again where rows repeat them (most of a read's memory at 1,000,000 rows);
    # its caches are emptied when full, which must never change what is read.
    bob = Mailbox("bob@partner.example", "Bob")
    items = [
        replace(_mail("a", minutes=0), cc=(bob,), flags=LISTED, list_id="team.example",
                conversation_id="AAQk" + "x" * 60),
        replace(_mail("b", minutes=1), cc=(bob,), categories=("Mine", "Network A"),
                conversation_id="AAQk" + "x" * 60, in_reply_to="a@partner.example",
                references=("a@partner.example",)),
        replace(_mail("c", minutes=2), bcc=(bob,), flags=frozenset({Flag.BULK, Flag.LIST})),
        replace(_mail("d", minutes=3), cc=(bob,), categories=("Mine", "Network A")),
        replace(_meeting("m", T0 + timedelta(minutes=4)), attendees=(
            Attendee(Mailbox(ME)), Attendee(bob, Response.DECLINED, optional=True))),
    ]  # fmt: skip
    store.apply_batch("ews:work", Batch("inbox", tuple(items)))
    read = list(store.interactions())

    assert [(i.item_id, i.cc, i.bcc, i.flags, i.categories, i.attendees, i.list_id,
             i.conversation_id) for i in read] == [(i.item_id, i.cc, i.bcc, i.flags,
            i.categories, i.attendees, i.list_id, i.conversation_id) for i in items]  # fmt: skip
    assert len({id(i.sender) for i in read if i.kind is Kind.EMAIL}) == 1  # one Ann
    assert read[0].cc is read[3].cc and read[1].categories is read[3].categories
    assert read[0].conversation_id is read[1].conversation_id  # one thread's id, kept once
    assert read[1].in_reply_to is read[1].references[0] is read[0].message_id  # one parent id
    assert [(i.in_reply_to, i.references) for i in read] == [
        (i.in_reply_to, i.references) for i in items]
    assert read[1].cc[0] is read[2].bcc[0] is read[4].attendees[1].mailbox  # one Bob
    rows = store._db.execute(f"SELECT {_COLUMNS} FROM interactions ORDER BY at, source, item_id")
    assert [_Decoder(limit=1)(row) for row in rows] == read


def test_a_newer_store_is_refused_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "network.sqlite3"
    Store.open(path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNew) as refused:
        Store.open(path)
    # Refused and let go: the error's frames still hold the connection, which must be closed.
    assert refused.value.found == SCHEMA_VERSION + 1
    assert not [fd for fd in os.listdir("/proc/self/fd")
                if os.path.realpath(f"/proc/self/fd/{fd}") == str(path.resolve())]  # fmt: skip


def test_a_file_that_is_no_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "network.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store.open(path)


def _version_1_store(path: Path, rows: list[tuple[object, ...]]) -> None:
    db = sqlite3.connect(path)
    db.executescript(_MIGRATIONS[0])
    db.executemany(f"INSERT INTO interactions VALUES ({', '.join('?' * 21)})", rows)
    for source, stream in {(r[0], r[20]) for r in rows}:
        db.execute("INSERT INTO cursors VALUES (?, ?, 'state', 3, 0)", (source, stream))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def _v1_row(
    source: str, item_id: str, stream: str, message_id: str, flags: str
) -> tuple[object, ...]:
    people = json.dumps({"to": [[ME, ""]]})
    at = int(T0.timestamp())
    return (
        source,
        item_id,
        "inbox",
        "email",
        at,
        "ann@partner.example",
        "Ann",
        people,
        "Hi",
        message_id,
        "",
        "",
        "",
        flags,
        "l.x" if flags else "",
        1,
        0,
        0,
        "[]",
        3,
        stream,
    )


def test_a_version_1_store_is_migrated_with_copies_merged(tmp_path: Path) -> None:
    path = tmp_path / "network.sqlite3"
    _version_1_store(
        path,
        [
            _v1_row("file", "msg:q@p", "/a.mbox", "q@p", "list"),
            _v1_row("ews:work", "AAMk", "inbox", "q@p", ""),
            _v1_row("file", "sha:9", "/a.mbox", "", ""),
        ],
    )
    with Store.open(path) as store:
        stored = sorted(store.interactions(), key=lambda i: i.item_id)
        assert [(i.item_id, i.flags) for i in stored] == [
            ("AAMk", frozenset()),  # the direct copy's evidence, though the list copy came first
            ("sha:9", frozenset()),
        ]
        assert store.counts()["locations"] == 3
        # The sweep bookkeeping survived: a full resync of the file sweeps its old copies.
        store.apply_batch("file", Batch("/a.mbox", reset=True, complete=True))
        assert [i.item_id for i in store.interactions(located=True)] == ["AAMk"]
    assert _open_and_report_version(str(path)) == SCHEMA_VERSION


def _open_and_report_version(path: str) -> int:
    Store.open(path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


# Eight interpreters wait for one signal, then open the same new store at once (the CLI, the
# agent and the add-in starting together): every one must find it created and migrated.
_OPEN_AT_ONCE = """
import os, sys, time
from outlook_networking.store import Store
go = sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.005)
Store.open(sys.argv[1]).close()
"""


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    # Plain processes, not a multiprocessing.Pool: a Pool's result handler once hung a CI run
    # here (all workers idle, pool.map waiting for ever); a subprocess has a timeout.
    path, go = tmp_path / "network.sqlite3", tmp_path / "go"
    command = [sys.executable, "-c", _OPEN_AT_ONCE, str(path), str(go)]
    procs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(8)]
    go.touch()
    errors = [proc.communicate(timeout=300)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 8, errors
    assert _open_and_report_version(str(path)) == SCHEMA_VERSION


class _CreatedByAnotherProcess(type(Path())):  # type: ignore[misc]
    """A path another process creates just after this one found it missing."""

    looked = False

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        if not _CreatedByAnotherProcess.looked:
            _CreatedByAnotherProcess.looked = True
            Store.open(str(self)).close()  # the other process wins the race
            raise FileNotFoundError(str(self))
        return super().stat(follow_symlinks=follow_symlinks)


def test_a_store_created_between_looking_and_creating_is_opened(tmp_path: Path) -> None:
    # The race the eight processes above run into by chance (a CI run once lost it), made
    # certain: the file appears between this process's stat and its exclusive create.
    from outlook_networking.store import _connect

    path = _CreatedByAnotherProcess(tmp_path / "network.sqlite3")
    _connect(path, create=True).close()
    assert _CreatedByAnotherProcess.looked
    assert _open_and_report_version(str(path)) == SCHEMA_VERSION


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


def test_account_messages_are_every_copy_of_a_message_named_by_any_source(store: Store) -> None:
    """A message read first from an export, then found in two folders of the account (and moved
    out of one): each copy the account holds now, each naming the interaction as follow-ups do,
    found by that name however old."""
    from dataclasses import replace

    old = T0 - timedelta(days=400)
    exported = replace(_mail("x1", source="file", message_id="m1@x"), at=old)
    store.apply_batch("file", Batch("/export/mail.mbox", (exported,)))
    inbox = replace(_mail("c-inbox", message_id="m1@x"), at=old)
    kept = replace(_mail("c-kept", "Kept", message_id="m1@x"), at=old)
    store.apply_batch("ews:work", Batch("inbox", (inbox,)))
    store.apply_batch("ews:work", Batch("kept", (kept,)))
    assert store.account_messages("ews:work", since=T0) == []  # out of the window
    named = store.account_messages("ews:work", since=T0, interactions=["file:x1"])
    assert [(m.item_id, m.interaction) for m in named] == [
        ("c-inbox", "file:x1"),
        ("c-kept", "file:x1"),
    ]
    store.apply_batch("ews:work", Batch("inbox", deleted=("c-inbox",)))  # moved out, or deleted
    named = store.account_messages("ews:work", since=T0, interactions=["file:x1"])
    assert [m.item_id for m in named] == ["c-kept"]
    assert store.account_messages("graph:work", since=T0, interactions=["file:x1"]) == []


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


def test_the_journal_names_every_outlook_item_it_touched_undone_too(store: Store) -> None:
    # Graph's id translation (adopt_immutable_ids) asks for these: an item the journal names
    # but the store no longer holds must still be found by undo under its new id.
    from outlook_networking.ports import Applied, CreateTask, SetCategories

    tag = SetCategories("contact", "c2", (), ("Network B",))
    mark = SetCategories("message", "m1", (), ("Network B",), "m1@x")
    task = CreateTask("owed:x", "Reply to Ann", None, "")
    entries = store.journal_begin("ews:work", "run", [tag, mark, task], T0)
    store.journal_finish("ews:work", [(entries[0], Applied(tag, "c2")),
                                      (entries[2], Applied(task, "todo-1"))])  # fmt: skip
    store.journal_undone("ews:work")
    assert store.journal_item_ids("ews:work") == ["c2", "m1"]  # a To Do task is no Outlook item


def test_forgetting_someone_keeps_the_journal_entries_of_those_they_wrote_to(
    store: Store,
) -> None:
    # Undo needs the journal: forget removes the entries that name the forgotten (by address,
    # or by their full name), never those of the people on their mail.
    from outlook_networking.ports import CreateTask

    jack = Mailbox("jack@usish.example", "Jack Wang")
    lindar = Mailbox("lindar@client.example", "Lindar Smith")
    mail = replace(_mail("m1"), sender=jack, to=(lindar, Mailbox(ME)))
    store.apply_batch("ews:work", Batch("inbox", (mail,), cursor="c1"))
    his = CreateTask("owed:a", "Reply to Jack Wang", None, "")
    hers = CreateTask("owed:b", "Reply to Lindar Smith", None, "")
    store.journal_begin("ews:work", "run", [his, hers], T0)
    store.forget("jack@usish.example")
    assert [e.action for e in store.journal("ews:work")] == [hers]


def test_forget_removes_their_card_and_the_journal_entries_that_name_them(
    store: Store,
) -> None:
    # A card that is theirs alone goes, and with it their name: a journal entry naming them
    # only by it goes too. A card they share with an address that is not forgotten stays
    # without theirs.
    from outlook_networking.ports import CreateTask

    own = ContactCard("ews:work", "c1", "Ann Lee", ("ann@partner.example",))
    shared = ContactCard("ews:work", "c2", "Desk", ("ann@partner.example", "desk@partner.example"))
    store.apply_batch("ews:work", Batch("contacts", cards=(own, shared), cursor="c1"))
    named = CreateTask("owed:a", "Reply to Ann Lee", None, "")
    other = CreateTask("owed:b", "Reply to Bob", None, "")
    store.journal_begin("ews:work", "run", [named, other], T0)
    report = store.forget("ann@partner.example")
    assert (report.cards_removed, report.cards_changed) == (1, 1)
    assert [(c.item_id, c.addresses) for c in store.cards()] == [("c2", ("desk@partner.example",))]
    assert [e.action for e in store.journal("ews:work")] == [other]


def test_forget_removes_the_identity_corrections_that_name_them_and_no_others(
    store: Store,
) -> None:
    store.set_identity("ann@home.example", "ann@partner.example", "same person")
    store.set_identity("bob@home.example", "bob@client.example", "same person")
    store.set_identity("cy@client.example", "", "split off")
    assert store.forget("ann@partner.example").other_removed == 1  # what forget reports
    assert set(store.identity_overrides()) == {"bob@home.example", "cy@client.example"}


def _rows(store: Store, query: str) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(store.path)) as con:
        return [tuple(r) for r in con.execute(query)]


def test_forget_takes_the_copies_and_marks_of_what_it_removes(store: Store) -> None:
    # Jack's mail goes whole; what the store knew of its copies (where they are, their marks)
    # goes with it, and a copy found again after the tombstone is lifted shows its own marks.
    from outlook_networking.ports import MessageMarks

    jack = Mailbox("jack@usish.example", "Jack Wang")
    his = replace(_mail("his"), sender=jack)
    store.apply_batch("ews:work", Batch("inbox", (his, _mail("ann")), marks=(
        MessageMarks("his", ("Customer",), None, "ck1"),
        MessageMarks("ann", ("Mine",), None, "ck1"),
    )))  # fmt: skip
    store.apply_batch("ews:work", Batch("kept", (replace(his, item_id="his-2", folder="kept"),)))
    report = store.forget("jack@usish.example")
    assert report.interactions_removed == 1
    assert _rows(store, "SELECT item_id FROM locations ORDER BY item_id") == [("ann",)]
    assert _rows(store, "SELECT item_id, categories FROM marks") == [("ann", '["Mine"]')]
    assert store.unforget("jack@usish.example")
    store.apply_batch("ews:work", Batch("inbox", (his,)))
    shown = {m.item_id: m.state for m in store.account_messages("ews:work", since=T0)}
    assert (shown["his"].categories, shown["his"].version) == ((), "")


def test_a_message_left_as_one_already_stored_joins_it_copies_and_all(store: Store) -> None:
    # Two messages without a Message-ID, the same but for Jack on one: without him, the first
    # is the second (the same digest). One interaction is left, holding both copies, and
    # nothing of him. The same when the copy with him is history only (deleted from the
    # mailbox): no copy moves, and the interaction still goes.
    jack = Mailbox("jack@usish.example", "Jack Wang")
    with_him = replace(_mail("a", message_id=""), to=(Mailbox(ME), jack))
    without = _mail("b", "kept", message_id="")
    history = replace(with_him, item_id="h", subject="Earlier")
    store.apply_batch("ews:work", Batch("inbox", (with_him, history)))
    store.apply_batch("ews:work", Batch("inbox", deleted=("h",)))
    store.apply_batch("ews:work", Batch("kept", (without, replace(without, item_id="h2",
                                                                  subject="Earlier"))))  # fmt: skip
    assert len(list(store.interactions())) == 4
    report = store.forget("jack@usish.example")
    assert (report.interactions_removed, report.interactions_changed) == (0, 2)
    assert [(i.item_id, [m.address for m in i.recipients()]) for i in store.interactions()] == [
        ("b", [ME]),
        ("h2", [ME]),
    ]
    assert [m.item_id for m in store.account_messages("ews:work", since=T0)] == ["a", "b", "h2"]
    assert _rows(store, "SELECT count(*) FROM locations WHERE interaction NOT IN "
                        "(SELECT id FROM interactions)") == [(0,)]  # fmt: skip


def test_forget_finds_journal_entries_by_any_of_their_names(store: Store) -> None:
    # Jack is "Jack Wang" on one message and "Wang Jack" on another: an entry that names him
    # either way goes.
    from outlook_networking.ports import CreateTask

    first = replace(_mail("m1"), sender=Mailbox("jack@usish.example", "Jack Wang"))
    second = replace(_mail("m2"), sender=Mailbox("jack@usish.example", "Wang Jack"))
    store.apply_batch("ews:work", Batch("inbox", (first, second)))
    one = CreateTask("owed:a", "Reply to Jack Wang", None, "")
    other = CreateTask("owed:b", "Reply to Wang Jack", None, "")
    kept = CreateTask("owed:c", "Reply to Ann", None, "")
    store.journal_begin("ews:work", "run", [one, other, kept], T0)
    store.forget("jack@usish.example")
    assert [e.action for e in store.journal("ews:work")] == [kept]


def test_forget_counts_each_entry_it_removes_once(store: Store) -> None:
    # Two declined marks, three journal entries, a document named after him (holding his
    # address too) and an entry of another document: seven, in the dry run as in the real one.
    from outlook_networking.ports import CreateTask

    jack = "jack@usish.example"
    store.decline_marks("ews:work", [(f"1-{jack}", "flag"), (f"2-{jack}", "flag"),
                                     ("3@ann.example", "flag")], T0)  # fmt: skip
    tasks = [CreateTask(f"touch:{jack}:{n}", "Get in touch", None, "") for n in range(3)]
    store.journal_begin("ews:work", "run", [*tasks, CreateTask("owed:b", "Reply", None, "")], T0)
    store.put_doc(f"seen:{jack}", {"who": jack})
    store.put_doc("review", {"people": [jack, "ann@partner.example"]})
    assert store.forget(jack, dry_run=True).other_removed == 7
    assert store.forget(jack).other_removed == 7
    assert store.declined_marks("ews:work") == {("3@ann.example", "flag")}
    assert len(store.journal("ews:work")) == 1
    assert store.get_doc(f"seen:{jack}") is None
    assert store.get_doc("review") == {"people": ["ann@partner.example"]}


def test_a_forget_that_fails_half_way_leaves_the_store_as_it_was(store: Store) -> None:
    # A stored document damaged on disk (not JSON) stops forget at its last step, after the
    # tombstone and the removals: none of them is kept, and the store goes on working.
    jack = Mailbox("jack@usish.example", "Jack Wang")
    store.apply_batch("ews:work", Batch("inbox", (replace(_mail("his"), sender=jack),)))
    with contextlib.closing(sqlite3.connect(store.path)) as con, con:
        con.execute("INSERT INTO kv (key, value) VALUES ('damaged', '{not json')")
    with pytest.raises(StoreError) as damaged:  # one line for the person, never a traceback
        store.forget("jack@usish.example")
    assert describe(damaged.value).startswith(f"{store.path}: the store is damaged (")
    assert store.forgotten() == ()
    assert [i.item_id for i in store.interactions()] == ["his"]
    store.set_owner([ME], "test")  # a new transaction starts: none is left open
    assert store.owner()[0] == (ME,)


def test_a_card_moved_to_another_folder_is_not_swept_with_the_old_one(store: Store) -> None:
    # The user moves Ann's card, unchanged, to another contacts folder: a full resync of the
    # folder it left no longer finds it there, and must not take it from the store.
    ann = ContactCard("ews:work", "c1", "Ann", ("ann@partner.example",))
    store.apply_batch("ews:work", Batch("contacts", cards=(ann,), cursor="c1"))
    assert store.apply_batch("ews:work", Batch("contacts/team", cards=(ann,), cursor="t1")).written
    resync = Batch("contacts", cursor="c2", reset=True, complete=True)
    result = store.apply_batch("ews:work", resync)
    assert result.swept == 0
    assert [c.item_id for c in store.cards()] == ["c1"]


def test_forget_finds_an_address_that_is_not_ascii_on_a_message_and_a_card(store: Store) -> None:
    # An internationalised address (RFC 6531) on the To line, not the sender, and on a card:
    # forget finds the message and the card by it, and keeps the message without them.
    jorg = Mailbox("jörg@beispiel.example", "Jörg Groß")
    mail = replace(_mail("m1"), to=(Mailbox(ME), jorg))
    card = ContactCard("ews:work", "c1", "Jörg Groß", (jorg.address,))
    store.apply_batch("ews:work", Batch("inbox", (mail,)))
    store.apply_batch("ews:work", Batch("contacts", cards=(card,)))
    report = store.forget("jörg@beispiel.example")
    assert (report.interactions_removed, report.interactions_changed) == (0, 1)
    assert report.cards_removed == 1 and list(store.cards()) == []
    (kept,) = store.interactions()
    assert [m.address for m in kept.recipients()] == [ME]


def test_the_default_file_is_the_environments_or_in_the_users_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On Linux platformdirs follows the XDG base directory specification: $XDG_DATA_HOME.
    from outlook_networking.store import ENV_DB, default_db_path

    monkeypatch.delenv(ENV_DB, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform == "linux":
        assert default_db_path() == tmp_path / "data" / "outlook-networking" / "network.sqlite3"
    monkeypatch.setenv(ENV_DB, "~/elsewhere.sqlite3")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "elsewhere.sqlite3"


def test_what_is_stored_reads_back_field_for_field(store: Store) -> None:
    # Every field of a mail, a meeting and an item without a sender, each different from the
    # others and from its default: reading one column for another shows.
    from outlook_networking.model import Response

    mail = Interaction(
        source="ews:work",
        item_id="AAMk1",
        kind=Kind.EMAIL,
        at=T0,
        sender=Mailbox("ann@partner.example", "Ann Lee"),
        to=(Mailbox(ME, "Me"), Mailbox("bob@partner.example", "Bob")),
        cc=(Mailbox("cy@client.example", "Cy"),),
        bcc=(Mailbox("dee@client.example", ""),),
        subject="Quarterly numbers",
        message_id="q1@partner.example",
        in_reply_to="q0@partner.example",
        references=("r1@partner.example", "q0@partner.example"),
        conversation_id="conv-7",
        flags=frozenset({Flag.BULK, Flag.AUTOMATED}),
        list_id="numbers.lists.example",
        folder="Inbox/Reports",
        delivered=True,
        duration_s=7,
        categories=("Customer", "Privé"),
    )
    meeting = Interaction(
        source="ews:work",
        item_id="AAMk2",
        kind=Kind.MEETING,
        at=T0 + timedelta(days=1),
        sender=Mailbox("ann@partner.example"),  # an organiser without a name
        attendees=(
            Attendee(Mailbox(ME, "Me"), Response.ACCEPTED),
            Attendee(Mailbox("bob@partner.example", "Bob"), Response.TENTATIVE, optional=True),
        ),
        subject="Review",
        folder="calendar",
        duration_s=1800,
        cancelled=True,
    )
    nobody = Interaction("file", "sha:1", Kind.EMAIL, T0 + timedelta(days=2), None, subject="?")
    store.apply_batch("ews:work", Batch("inbox", (mail, meeting)))
    store.apply_batch("file", Batch("/x.mbox", (nobody,)))
    assert list(store.interactions()) == [mail, meeting, nobody]
    assert list(store.interactions(since=T0 + timedelta(days=1))) == [meeting, nobody]


def test_a_stored_card_reads_back_field_for_field(store: Store) -> None:
    from outlook_networking.model import KeyDate

    card = ContactCard(
        "ews:work",
        "c1",
        "Ann Lee",
        ("ann@partner.example", "ann@home.example"),
        organisation="Partner GmbH",
        categories=("Network A", "Privé"),
        names=("Annie",),
        is_me=True,
        key_dates=(KeyDate("birthday", 4, 15, 1980),),
    )
    store.apply_batch("ews:work", Batch("contacts", cards=(card,)))
    assert list(store.cards()) == [card]


# --- the file: what Store.open refuses, reads read-only, tightens (in this process, where a
# planted bug shows; tests/hostile runs the same through the command line)

READ_ONLY = "the store or its folder is read-only, and this command writes"


def _filled(path: Path) -> Path:
    with Store.open(path) as store:
        store.apply_batch("ews:work", Batch("inbox", (_mail("a"),)))
    return path


def _file_state(path: Path) -> tuple[int, bytes]:
    info = path.stat()
    return stat.S_IMODE(info.st_mode), path.read_bytes() if stat.S_ISREG(info.st_mode) else b""


def test_what_is_no_store_is_refused_untouched(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n", encoding="utf-8")
    text.chmod(0o644)
    other = tmp_path / "other.db"  # another program's SQLite database
    newer = tmp_path / "versioned.db"  # one that numbers its versions as the store does
    for path, version in ((other, 0), (newer, 1)):
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("CREATE TABLE bookmarks (url TEXT)")
            db.execute(f"PRAGMA user_version = {version}")
            db.commit()
        path.chmod(0o644)
    folder = tmp_path / "folder"
    folder.mkdir()
    cases = {
        text: "not a store: not an SQLite database",
        other: "not a store: an SQLite database of another program",
        newer: "not a store: an SQLite database of another program",
        Path("/dev/null"): "not a store: it is a device",
        folder: "not a store: it is a folder",
    }
    for path, reason in cases.items():
        before = _file_state(path)
        with pytest.raises(StoreError) as refused:
            Store.open(path)
        assert describe(refused.value) == f"{path}: {reason}"
        assert _file_state(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "folder", "notes.txt", "other.db", "versioned.db"
    ]  # fmt: skip


def test_a_missing_store_is_made_only_when_asked(tmp_path: Path) -> None:
    from outlook_networking.errors import StoreMissing

    path = tmp_path / "new" / "deeper" / "network.sqlite3"
    with pytest.raises(StoreMissing):
        Store.open(path, create=False)
    assert not (tmp_path / "new").exists()
    with Store.open(path) as store:  # and its folders
        assert store.is_empty()
        card = ContactCard("ews:work", "c1", "Ann", (ME,))
        store.apply_batch("ews:work", Batch("contacts", cards=(card,)))
        assert not store.is_empty()


def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    empty = tmp_path / "new.sqlite3"
    empty.touch(mode=0o600)
    with Store.open(empty) as store:
        assert store.is_empty()
    assert empty.read_bytes().startswith(b"SQLite format 3\x00")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o755])  # 755: copied from a FAT drive
def test_a_store_readable_by_others_is_tightened_never_loosened(tmp_path: Path, mode: int) -> None:
    path = _filled(tmp_path / "network.sqlite3")
    path.chmod(mode)
    Store.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == mode & 0o700


def test_a_store_made_read_only_stays_so_and_can_be_read(tmp_path: Path) -> None:
    # The owner's write bit is what counts, even for root (who could write anyway).
    path = _filled(tmp_path / "network.sqlite3")
    path.chmod(0o444)
    before = _file_state(path)
    with Store.open(path) as store:
        assert [i.item_id for i in store.interactions()] == ["a"]
        with pytest.raises(StoreError) as refused:
            store.set_identity("ann@partner.example", "", "split off")
        assert describe(refused.value) == f"{path}: {READ_ONLY}"
    assert _file_state(path) == before


def test_a_store_in_a_read_only_folder_can_be_read(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    path = _filled(folder / "network.sqlite3")
    before = sorted(p.name for p in folder.iterdir())
    folder.chmod(0o555)
    try:
        with Store.open(path) as store:
            assert [i.item_id for i in store.interactions()] == ["a"]
            with pytest.raises(StoreError) as refused:
                store.set_identity("ann@partner.example", "", "split off")
            assert describe(refused.value) == f"{path}: {READ_ONLY}"
        assert sorted(p.name for p in folder.iterdir()) == before  # not even a -wal or -shm
    finally:
        folder.chmod(0o755)


def test_a_damaged_page_is_a_store_error_when_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "network.sqlite3"
    with Store.open(path) as store:
        mails = tuple(_mail(f"m{n}", subject=f"Hello {n}" * 20) for n in range(200))
        store.apply_batch("ews:work", Batch("inbox", mails))
    with contextlib.closing(sqlite3.connect(path)) as db:  # the interactions table's first page
        query = "SELECT rootpage FROM sqlite_master WHERE name = 'interactions'"
        (root,) = db.execute(query).fetchone()
        (page_size,) = db.execute("PRAGMA page_size").fetchone()
    with path.open("r+b") as raw:
        raw.seek((root - 1) * page_size)
        raw.write(b"\xa5" * page_size)
    with Store.open(path) as store, pytest.raises(StoreError) as damaged:
        list(store.interactions())
    assert describe(damaged.value) == (
        f"{path}: the store is damaged (database disk image is malformed); "
        "restore a copy or ingest again"
    )


def _open_files() -> set[str]:
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            found.add(os.readlink(f"/proc/self/fd/{fd}"))
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_a_file_refused_after_sqlite_opened_it_is_left_closed(tmp_path: Path) -> None:
    # SQLite's header, then garbage: SQLite opens it and fails on the first read. The file is
    # not held open after the refusal (on Windows an open file cannot be moved or deleted).
    path = tmp_path / "network.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xa5" * 4000)
    with pytest.raises(StoreError) as refused:
        Store.open(path)
    assert "the store is damaged" in describe(refused.value)
    assert str(path) not in _open_files()  # while the traceback still holds the frames


# --- what the commands read: owner, cursors, ids, counts, renames, small documents


def test_the_owner_is_replaced_whole_and_read_in_order(store: Store) -> None:
    assert store.owner() == ((), "")
    store.set_owner(["me@example.com", "ME@home.example".lower()], "detected")
    store.set_owner(["me@work.example", "me@example.com", "me@example.com"], "given")
    assert store.owner() == (("me@example.com", "me@work.example"), "given")


def test_restarting_one_source_or_all_drops_their_cursors_only(store: Store) -> None:
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"),), cursor="w1"))
    store.apply_batch("ews:work", Batch("sent", cursor="w2"))
    store.apply_batch("graph:home", Batch("inbox", cursor="h1"))
    assert store.cursors("ews:work") == {"inbox": "w1", "sent": "w2"}
    store.restart_source("graph:home")
    assert store.cursors("graph:home") == {}
    assert store.cursors("ews:work") == {"inbox": "w1", "sent": "w2"}
    store.restart_source()
    assert store.cursors("ews:work") == {}


def test_a_sources_item_ids_are_its_copies_names_and_cards(store: Store) -> None:
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"), _mail("gone"))))
    store.apply_batch("ews:work", Batch("inbox", deleted=("gone",)))  # history, still named
    store.apply_batch("file", Batch("/x.mbox", (replace(_mail("a"), source="file", item_id="f"),)))
    store.apply_batch("ews:work", Batch("inbox", (_mail("b", message_id="a@partner.example"),)))
    store.apply_batch("ews:work", Batch("contacts", cards=(ContactCard("ews:work", "c1", "Ann",
                                                                       (ME,)),)))  # fmt: skip
    assert sorted(store.item_ids("ews:work")) == ["a", "b", "c1", "gone"]
    assert store.item_ids("file") == ["f"]


def test_counts_tell_kinds_cards_copies_and_the_owners_mail_from_noise(store: Store) -> None:
    # Direct: the owner's own (not automated), or to the owner in To or Cc, flagged at most as
    # list mail. Noise: every other flagged mail.
    assert set(store.counts([ME]).values()) == {0}  # an empty store: nothing of any kind
    owner_auto = replace(_mail("auto"), sender=Mailbox(ME), to=(Mailbox("x@partner.example"),),
                         flags=frozenset({Flag.AUTOMATED}))  # fmt: skip
    items = (
        replace(_mail("cc"), to=(Mailbox("x@partner.example"),), cc=(Mailbox(ME),)),
        replace(_mail("bcc"), to=(Mailbox("x@partner.example"),), bcc=(Mailbox(ME),)),
        replace(owner_auto, item_id="own", message_id="own@x", flags=frozenset({Flag.BULK})),
        owner_auto,
        replace(_mail("bulk-cc"), to=(), cc=(Mailbox(ME),), flags=frozenset({Flag.BULK})),
        _meeting("m1", T0),
    )
    store.apply_batch("file", Batch("/m.mbox", items))
    store.apply_batch("file", Batch("/n.mbox", (replace(_mail("cc"), item_id="cc2"),)))
    store.apply_batch("ews:work", Batch("contacts", cards=(ContactCard("ews:work", "c1", "Ann",
                                                                       (ME,)),)))  # fmt: skip
    assert store.counts([ME]) == {
        "emails": 5,
        "meetings": 1,
        "noise": 2,  # the automated one of the owner's, the bulk one to the owner
        "cards": 1,
        "direct": 2,  # Cc'd, and the owner's own bulk mail; not the Bcc copy
        "locations": 7,
    }
    assert store.counts()["direct"] == 0 and store.counts()["noise"] == 3


def test_renaming_a_sources_items_follows_them_everywhere(store: Store) -> None:
    # Graph's immutable ids: every copy, card, mark, name and evidence pointer of the source
    # takes its new id; a copy already stored under its new id keeps that row.
    from outlook_networking.ports import MessageMarks

    mails = tuple(_mail(i, source="graph:work") for i in ("old1", "old2", "new3"))
    marks = (MessageMarks("old1", ("Mine",), None, "v"),)
    store.apply_batch("graph:work", Batch("inbox", mails, marks=marks))
    card = ContactCard("graph:work", "oldc", "Ann", (ME,))
    store.apply_batch("graph:work", Batch("contacts", cards=(card,)))
    store.apply_batch("ews:work", Batch("inbox", (_mail("old1", source="ews:work"),)))
    renamed = {"old1": "new1", "old2": "new3", "oldc": "newc"}
    assert store.rename_items("graph:work", renamed) == 2  # a copy and a card (not marks)
    assert sorted(store.item_ids("graph:work")) == ["new1", "new3", "newc"]
    assert store.item_ids("ews:work") == ["old1"]
    assert [(i.source, i.item_id) for i in store.interactions(located=True)] == [
        ("graph:work", "new1"),
        ("graph:work", "new3"),
    ]
    assert _rows(store, "SELECT item_id, categories FROM marks") == [("new1", '["Mine"]')]
    assert _rows(store, "SELECT ev_item FROM interactions ORDER BY ev_item") == [
        ("new1",), ("new3",), ("new3",)
    ]  # fmt: skip


def test_the_users_followup_decisions_are_kept_together(store: Store) -> None:
    from datetime import timezone

    assert store.followup_decisions().done == {} and store.followup_decisions().snoozed == {}
    store.mark_followup_done("owed:a", "ews:work:m1", T0)
    later = datetime(2026, 10, 8, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    store.snooze_followup("touch:b", later, T0)
    store.mark_followup_done("owed:c", "ews:work:m3", T0)
    decisions = store.followup_decisions()
    assert decisions.done == {"owed:a": "ews:work:m1", "owed:c": "ews:work:m3"}
    assert decisions.snoozed == {"touch:b": later}
    assert decisions.snoozed["touch:b"].utcoffset() == timedelta(0)


def test_small_documents_read_back_and_only_mappings_count_as_a_review_or_proposals(
    store: Store,
) -> None:
    assert store.get_doc("nothing") is None
    assert store.review_snapshot() is None and store.intro_proposals() is None
    store.put_doc("x", ["a", {"b": 1}])
    store.put_doc("x", {"ü": [1, 2]})  # replaced, not added
    assert store.get_doc("x") == {"ü": [1, 2]}
    store.keep_review_snapshot({"people": 3})
    store.keep_intro_proposals({"asked": []})
    assert store.review_snapshot() == {"people": 3}
    assert store.intro_proposals() == {"asked": []}


def test_dismissals_and_identity_corrections_are_kept_and_replaced(store: Store) -> None:
    store.dismiss("owed:a", T0)
    store.dismiss("owed:a", T0 + timedelta(days=1))
    store.dismiss("touch:b", T0)
    assert store.dismissed() == {"owed:a", "touch:b"}
    store.set_identity("ann@home.example", "ann@partner.example", "same person")
    store.set_identity("ann@home.example", "", "split off")
    assert store.identity_overrides() == {"ann@home.example": ("", "split off")}


def test_the_store_keeps_a_write_ahead_log_and_closing_folds_it_in(tmp_path: Path) -> None:
    # WAL lets the commands read while the agent writes; closing the last connection
    # checkpoints the log, so the .sqlite3 file alone is the whole store again.
    path = tmp_path / "network.sqlite3"
    with Store.open(path) as store:
        store.apply_batch("ews:work", Batch("inbox", (_mail("a"),)))
        assert (tmp_path / "network.sqlite3-wal").exists()
        with contextlib.closing(sqlite3.connect(path)) as other:
            assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["network.sqlite3"]
    store = Store.open(path)
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["network.sqlite3"]


def test_a_migration_that_fails_leaves_the_old_version_and_no_lock(tmp_path: Path) -> None:
    # A store of version 4 that already holds a table the step to 5 creates (made by hand, or
    # by a build that was never released): the step fails, and leaves the file as it was,
    # unlocked for the next writer. (Version 4: a later step, such as 6's index, is written to
    # run again harmlessly.)
    path = tmp_path / "old.sqlite3"
    Store.open(path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript("DROP TABLE key_dates; ALTER TABLE cards DROP COLUMN key_dates; "
                         "PRAGMA user_version = 4;")  # fmt: skip
    with pytest.raises(StoreError):
        Store.open(path)
    with contextlib.closing(sqlite3.connect(path, timeout=1)) as db:
        db.execute("BEGIN IMMEDIATE")  # no write lock is held
        assert db.execute("PRAGMA user_version").fetchone() == (4,)
        columns = [r[1] for r in db.execute("PRAGMA table_info(cards)")]
        assert "key_dates" not in columns
        db.execute("ROLLBACK")


def test_the_messages_showing_a_category_are_found_by_their_marks_or_as_stored(
    store: Store,
) -> None:
    # A rename of categories reaches the messages that show a former name now: the marks last
    # synced or written where there are any, else the categories the copy was stored with.
    from outlook_networking.ports import MessageMarks

    mails = (
        replace(_mail("b"), categories=("Network B",)),  # as stored
        replace(_mail("a"), categories=("Network B",)),  # taken off since: the marks say so
        replace(_mail("c"), categories=("Other",)),
        _mail("d"),  # tagged since: the marks say so
    )
    marks = (MessageMarks("a", (), None, "v2"), MessageMarks("d", ("Network A",), None, "v2"))
    store.apply_batch("ews:work", Batch("inbox", mails, marks=marks))
    home = replace(_mail("h", source="graph:home"), categories=("Network B",))
    store.apply_batch("graph:home", Batch("inbox", (home,)))
    found = store.messages_with_categories("ews:work", ["Network B", "Network A", "Network B"])
    assert found == ["b", "d"]
    assert store.messages_with_categories("ews:work", []) == []


def test_the_digest_changes_with_what_is_stored(store: Store) -> None:
    # The tests prove "nothing changed" with it: it must change when something does.
    seen = [store.digest()]
    store.apply_batch("ews:work", Batch("inbox", (_mail("a"),)))
    seen.append(store.digest())
    store.apply_batch("ews:work", Batch("contacts", cards=(ContactCard("ews:work", "c1", "Ann",
                                                                       (ME,)),)))  # fmt: skip
    seen.append(store.digest())
    store.set_owner([ME], "given")
    seen.append(store.digest())
    store.forget("bob@client.example")
    seen.append(store.digest())
    assert len(set(seen)) == 5


# Another interpreter (the agent, or a command run later) writes a flagged message first; it
# has its own string hash seed, so its set of flags iterates in another order.
_WRITE_FLAGGED = """
import sys
from datetime import UTC, datetime
from outlook_networking.model import Flag, Interaction, Kind, Mailbox
from outlook_networking.ports import Batch
from outlook_networking.store import Store
item = Interaction(
    source="ews:work", item_id="news", kind=Kind.EMAIL,
    at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC), sender=Mailbox("news@partner.example"),
    to=(Mailbox("me@example.com"),), subject="Newsletter", message_id="news@partner.example",
    folder="inbox", delivered=True, flags=frozenset(Flag),
)
store = Store.open(sys.argv[1])
print(store.apply_batch("ews:work", Batch("inbox", (item,))).written)
store.close()
"""


@pytest.mark.parametrize("seed", ["1", "2", "3"])
def test_a_flagged_copy_another_process_wrote_is_not_written_again(
    tmp_path: Path, seed: str
) -> None:
    path = tmp_path / "network.sqlite3"
    env = {**os.environ, "PYTHONHASHSEED": seed}
    child = subprocess.run(
        [sys.executable, "-c", _WRITE_FLAGGED, str(path)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert (child.returncode, child.stdout.strip()) == (0, "1"), child.stderr
    item = Interaction(
        source="ews:work", item_id="news", kind=Kind.EMAIL, at=T0,
        sender=Mailbox("news@partner.example"), to=(Mailbox(ME),), subject="Newsletter",
        message_id="news@partner.example", folder="inbox", delivered=True,
        flags=frozenset(Flag),
    )  # fmt: skip
    with contextlib.closing(Store.open(str(path))) as store:
        before = store.digest()
        # the same message read again in this process (its own seed): nothing changed
        assert store.apply_batch("ews:work", Batch("inbox", (item,))).written == 0
        assert store.digest() == before
        (stored,) = store.interactions()
    assert stored.flags == frozenset(Flag)


def test_the_analysis_reads_the_interactions_in_the_order_of_an_index(tmp_path: Path) -> None:
    """Store.interactions walks an index in the order it yields (at, source, item_id): no
    temporary tree sorts the ties, which at a million interactions cost a second, and the
    order is the same whatever order the copies arrived in."""
    executed: list[str] = []
    with Store.open(tmp_path / "s.db") as store:
        first = Batch("inbox", interactions=[_mail("b"), _mail("a", minutes=-1)])
        store.apply_batch("ews:work", first)
        store.apply_batch("ews:work", Batch("inbox", interactions=[_mail("c"), _mail("a2")]))
        store._db.set_trace_callback(executed.append)
        order = [(i.at, i.source, i.item_id) for i in store.interactions()]
        store._db.set_trace_callback(None)
        (query,) = [q for q in executed if "FROM interactions" in q]
        plan = [row[-1] for row in store._db.execute("EXPLAIN QUERY PLAN " + query)]
    assert order == sorted(order) and [o[2] for o in order] == ["a", "a2", "b", "c"]
    assert plan == ["SCAN i USING INDEX interactions_order"], plan


def test_the_decoder_builds_interactions_like_their_constructor(store: Store) -> None:
    """_Decoder fills in each field of an Interaction by name and then makes it one (a frozen
    dataclass's constructor costs seven times as much): what it gives must be an Interaction
    like any other, every field set (one Interaction gains and the decoder forgets would be
    missing here), frozen, equal and hashed as the constructor's."""
    from dataclasses import FrozenInstanceError, fields

    bob = Mailbox("bob@partner.example", "Bob")
    items = [
        replace(_mail("a", minutes=0), cc=(bob,), bcc=(bob,), flags=LISTED, list_id="l.example",
                conversation_id="AAQk", in_reply_to="p@x", references=("o@x", "p@x"),
                categories=("Mine",), delivered=True),
        replace(_meeting("m", T0 + timedelta(minutes=4)), duration_s=1800, cancelled=True,
                attendees=(Attendee(bob, Response.DECLINED, optional=True),)),
    ]  # fmt: skip
    store.apply_batch("ews:work", Batch("inbox", tuple(items)))
    read = list(store.interactions())

    for got, built in zip(read, items, strict=True):  # (replace() calls the constructor)
        assert type(got) is Interaction
        assert [getattr(got, f.name) for f in fields(Interaction)] == [
            getattr(built, f.name) for f in fields(Interaction)]  # fmt: skip
        assert got == built and hash(got) == hash(built) and repr(got) == repr(built)
        with pytest.raises(FrozenInstanceError):
            got.subject = "changed"  # type: ignore[misc]


# What migration 7 added, taken away again: a store as version 6 left it.
_AS_VERSION_6 = (
    "DROP TRIGGER derived_insert; DROP TRIGGER derived_update; DROP TRIGGER derived_delete; "
    "DROP TABLE derived; PRAGMA user_version = 6; "
)


def test_a_store_of_version_6_gets_the_table_of_what_is_derived_and_its_triggers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v6.sqlite3"
    with Store.open(path) as store:
        store.apply_batch("ews:work", Batch("inbox", interactions=[_mail("a")]))
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript(_AS_VERSION_6)
    with Store.open(path) as store:
        assert store.derived("x") is None
        assert store.keep_derived("x", 10**10, "b", "{}", generation=store.generation())
        assert store.derived("x") == (10**10, "b", "{}")
        store.apply_batch("ews:work", Batch("inbox", interactions=[_mail("b")]))
        assert store.derived("x") is None  # (a message at or before its horizon: dropped)


def test_a_store_of_version_5_trades_its_index_on_at_for_the_reading_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v5.sqlite3"
    with Store.open(path) as store:
        store.apply_batch("ews:work", Batch("inbox", interactions=[_mail("a"), _mail("b")]))
    with contextlib.closing(sqlite3.connect(path)) as db:  # as version 5 left it
        db.executescript(_AS_VERSION_6 + "DROP INDEX interactions_order; "
                         "CREATE INDEX interactions_at ON interactions (at); "
                         "PRAGMA user_version = 5;")  # fmt: skip
    with Store.open(path) as store:
        assert [i.item_id for i in store.interactions()] == ["a", "b"]
    with contextlib.closing(sqlite3.connect(path)) as db:
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert "interactions_order" in indexes and "interactions_at" not in indexes
