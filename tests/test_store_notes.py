"""The owner's own data in the store: notes and hand-entered key dates, and key dates on cards.

They are the user's, not a source's: a re-sync, a full resync and a sweep of what a source no
longer holds leave them alone; ``Store.forget`` (an address, or a domain with its subdomains)
removes them with everything else about the forgotten.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from outlook_networking.model import ContactCard, KeyDate
from outlook_networking.ports import Batch
from outlook_networking.store import SCHEMA_VERSION, Store

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ANN = "ann@partner.example"
CARD = ContactCard(
    "ews:work", "c1", "Ann", (ANN,),
    key_dates=(KeyDate("birthday", 2, 29), KeyDate("anniversary", 1, 13, 2011)),
)  # fmt: skip


def test_cards_keep_their_key_dates_and_a_changed_date_is_written(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.apply_batch("ews:work", Batch("contacts", cards=(CARD,)))
        assert [c.key_dates for c in store.cards()] == [CARD.key_dates]
        again = store.apply_batch("ews:work", Batch("contacts", cards=(CARD,)))
        assert again.written == 0
        moved = ContactCard("ews:work", "c1", "Ann", (ANN,),
                            key_dates=(KeyDate("birthday", 3, 1),))  # fmt: skip
        assert store.apply_batch("ews:work", Batch("contacts", cards=(moved,))).written == 1
        assert [c.key_dates for c in store.cards()] == [(KeyDate("birthday", 3, 1),)]


def test_notes_and_dates_survive_every_kind_of_resync(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.apply_batch("ews:work", Batch("contacts", cards=(CARD,), cursor="c1"))
        first = store.add_note(ANN, "Met at the Hamburg fair.\nTwo kids.", T0)
        store.add_note("bob@client.example", "Prefers phone calls.", T0)
        store.set_key_date(ANN, "birthday", KeyDate("birthday", 4, 15, 1980))
        store.apply_batch("ews:work", Batch("contacts", cards=(CARD,), reset=True,
                                            complete=True, cursor="c2"))  # fmt: skip
        store.apply_batch("ews:work", Batch("contacts", reset=True, complete=True))  # swept
        assert list(store.cards()) == []
        assert [(n.id, n.address, n.text) for n in store.notes([ANN])] == [
            (first.id, ANN, "Met at the Hamburg fair.\nTwo kids.")
        ]
        assert store.key_dates() == {ANN: {"birthday": KeyDate("birthday", 4, 15, 1980)}}


def test_note_ids_are_never_reused_and_a_deleted_note_is_gone(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        one = store.add_note(ANN, "one", T0)
        two = store.add_note(ANN, "two", T0)
        assert store.delete_note(two.id) == two
        assert store.delete_note(two.id) is None
        three = store.add_note(ANN, "three", T0)
        assert three.id > two.id > one.id
        assert [n.text for n in store.notes()] == ["one", "three"]


def test_removing_a_hand_entered_date_and_the_fingerprint_seeing_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        before = store.fingerprint()
        store.set_key_date(ANN, "birthday", KeyDate("birthday", 4, 15))
        entered = store.fingerprint()
        store.set_key_date(ANN, "birthday", KeyDate("birthday", 5, 15))
        changed = store.fingerprint()
        assert len({before, entered, changed}) == 3  # the add-in's cached analysis notices
        store.set_key_date(ANN, "birthday", None)
        assert store.key_dates() == {} and store.fingerprint() not in {before, entered, changed}


def test_forgetting_removes_notes_and_dates_of_those_addresses_only(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.add_note(ANN, "a", T0)
        store.add_note("ann@home.example", "b", T0)
        store.add_note("bob@client.example", "c", T0)
        store.set_key_date(ANN, "anniversary", KeyDate("anniversary", 1, 1))
        assert store.forget(ANN, dry_run=True).other_removed == 2
        assert len(store.notes()) == 3  # a dry run only counts
        assert store.forget(ANN).other_removed == 2
        assert [n.text for n in store.notes()] == ["b", "c"]
        assert store.key_dates() == {}
        assert store.forget("ann@home.example").other_removed == 1
        assert [n.text for n in store.notes()] == ["c"]


def test_a_store_of_the_version_before_gains_the_new_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with Store.open(path) as store:
        store.apply_batch("ews:work", Batch("contacts", cards=(CARD,)))
    db = sqlite3.connect(path)  # version 3, as a store written before notes and key dates
    db.executescript("DROP TABLE notes; DROP TABLE key_dates; ALTER TABLE cards DROP COLUMN "
                     "key_dates; DROP TABLE generation; DROP TABLE answers; "
                     "PRAGMA user_version = 3;")  # fmt: skip
    db.close()
    with Store.open(path) as store:
        (card,) = store.cards()
        assert card.key_dates == ()  # re-read at the next sync
        assert store.add_note(ANN, "kept", T0).id == 1
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_forgetting_a_domain_removes_its_notes_and_its_subdomains_only(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        for address in ("a@client.example", "b@eu.client.example", "c@notclient.example",
                        "d@client_example", "e@client%example"):  # fmt: skip
            store.add_note(address, address, T0)
        store.set_key_date("b@eu.client.example", "birthday", KeyDate("birthday", 1, 2))
        assert store.forget("client.example").other_removed == 3
        assert [n.address for n in store.notes()] == [
            "c@notclient.example", "d@client_example", "e@client%example"
        ]  # fmt: skip


def test_a_meeting_no_calendar_holds_any_more_is_no_meeting_of_its_day(tmp_path: Path) -> None:
    """History keeps it (append-only), the day's meetings (``brief``) do not: a meeting deleted
    from the calendar before it took place did not take place."""
    from core.builders import ME, meeting

    kept = meeting(ME, [ANN], T0 + timedelta(hours=2), subject="kept")
    dropped = meeting(ME, ["bob@client.example"], T0 + timedelta(hours=4), subject="dropped")
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.apply_batch("test", Batch("calendar", (kept, dropped), reset=True, complete=True))
        day = (T0, T0 + timedelta(days=1))
        assert [m.subject for m in store.meetings(*day)] == ["kept", "dropped"]
        store.apply_batch("test", Batch("calendar", (kept,), reset=True, complete=True))
        assert [m.subject for m in store.meetings(*day)] == ["kept"]
        assert {i.subject for i in store.interactions()} == {"kept", "dropped"}


def test_forget_overwrites_the_freed_pages_where_sqlite_would_not(tmp_path: Path) -> None:
    # Debian builds SQLite with SECURE_DELETE on by default; python.org's, Apple's and most
    # others leave it off (https://sqlite.org/pragma.html#pragma_secure_delete). Forget must
    # not count on the build: this connection is set as theirs are.
    # Nor on the store being closed: the agent keeps it open, and until a checkpoint the old
    # pages stay in the database file beside the write-ahead log.
    note = "met Ann at the 2026 offsite"
    with Store.open(tmp_path / "s.sqlite3") as store:
        store._db.execute("PRAGMA secure_delete = OFF")
        store.add_note(ANN, note, T0)
        store.forget(ANN)
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("s.sqlite3*"))
        assert note.encode() not in raw
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("s.sqlite3*"))
    assert note.encode() not in raw


def test_lifting_a_tombstone_that_is_not_there_changes_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.apply_batch("ews:work", Batch("contacts", cards=(CARD,), cursor="c1"))
        assert store.unforget("nobody@nowhere.example") is False
        assert store.cursors("ews:work") == {"contacts": "c1"}  # no full re-read for nothing
        store.forget("bob@client.example")
        assert store.unforget("bob@client.example") is True
        assert store.cursors("ews:work") == {}  # every source is read again in full


def test_notes_are_read_by_address_oldest_first_with_their_time(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        late = store.add_note(ANN, "late", T0 + timedelta(days=2))
        early = store.add_note("bob@client.example", "early", T0)
        same = store.add_note(ANN, "same day, later id", T0 + timedelta(days=2))
        assert late.at == T0 + timedelta(days=2)  # to the second, in UTC
        assert [(n.text, n.at) for n in store.notes()] == [
            ("early", T0), ("late", late.at), ("same day, later id", late.at)
        ]  # fmt: skip
        assert [n.id for n in store.notes([ANN, ANN])] == [late.id, same.id]
        assert store.notes([]) == [] and store.notes(["nobody@x.example"]) == []
        assert store.delete_note(early.id) == early
        assert [n.text for n in store.notes(["bob@client.example", ANN])] == ["late", same.text]
