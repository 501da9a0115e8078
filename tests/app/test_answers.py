"""Answers kept from the last analysis (``app.answers``): exactly the fresh ones, served only
while they hold, and never a reason to keep what ``forget`` removed."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

import outlook_networking.app.workspace as workspace_module
import outlook_networking.store as store_module
from outlook_networking.app.analysis import analyse_store
from outlook_networking.app.answers import (
    MAX_AGE,
    RENEWAL,
    Answers,
    analysing,
    answered,
    fresh,
    keep,
    kept,
    renewing,
)
from outlook_networking.cli import main
from outlook_networking.config import Config, load_config
from outlook_networking.i18n import Wording
from outlook_networking.model import Interaction, KeyDate, Kind, Mailbox
from outlook_networking.ports import Batch
from outlook_networking.store import Store

from .conftest import DEMO_NOW

LKML_OWNER = "joe@perches.com"  # 53 of the 210 real list messages are his
LKML_NOW = datetime(2013, 6, 1, tzinfo=UTC)


def _as_printed(value: object) -> Any:
    return json.loads(json.dumps(value))


def _printed(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _demo_truth(store: Store) -> Answers:
    """A fresh analysis's answers for the demo store as of DEMO_NOW, in English."""
    return fresh(analyse_store(store, load_config(None), DEMO_NOW), store, Wording("en"))


def _refuse(*_: object, **__: object) -> None:
    raise AssertionError("analysed again: the kept answers were not served")


@pytest.fixture()
def lkml_store(lkml_mbox: Path, tmp_path: Path) -> Path:
    db = tmp_path / "lkml.sqlite3"
    assert main(["--db", str(db), "ingest", str(lkml_mbox), "--me", LKML_OWNER]) == 0
    return db


@pytest.mark.parametrize(
    ("mailbox", "language"), [("lkml", "en"), ("lkml", "de"), ("demo", "en"), ("demo", "de")]
)
def test_every_answer_kept_is_the_one_a_fresh_analysis_gives(
    mailbox: str,
    language: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db: Path = request.getfixturevalue(f"{mailbox}_store")
    now = LKML_NOW if mailbox == "lkml" else DEMO_NOW
    config_path = tmp_path / "config.toml"
    config_path.write_text(f'language = "{language}"\n', encoding="utf-8")
    words = Wording(language)
    with Store.open(db) as store:
        truth = fresh(analyse_store(store, load_config(config_path), now), store, words)
        rows, total = truth.contacts()
        contacts = [json.loads(row) for row in rows]
        assert total == len(contacts)
        followups = [json.loads(listed.text) for listed in truth.followups()]
        cards = {
            address: _as_printed(truth.card(address))
            for row in contacts
            for address in row["addresses"]
        }
    capsys.readouterr()
    run = ["--db", str(db), "--config", str(config_path), "--now", now.isoformat()]

    first = _printed(capsys, *run, "contacts", "--json")  # analyses, and keeps the answers
    assert first["contacts"] == contacts and len(contacts) >= 5
    monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    assert _printed(capsys, *run, "contacts", "--json") == first
    for tier in "abcd":
        shown = _printed(capsys, *run, "contacts", "--tier", tier, "--json")["contacts"]
        assert shown == [row for row in contacts if row["tier"] == tier.upper()]
    assert _printed(capsys, *run, "contacts", "--limit", "3", "--json")["contacts"] == contacts[:3]
    assert _printed(capsys, *run, "followups", "--json")["followups"] == followups
    for kind in {f["kind"] for f in followups}:
        shown = _printed(capsys, *run, "followups", "--kind", kind, "--json")["followups"]
        assert shown == [f for f in followups if f["kind"] == kind]
    first_two = list(dict.fromkeys(f["contact"] for f in followups))[:2]
    shown = _printed(capsys, *run, "followups", "--limit", "2", "--json")["followups"]
    assert shown == [f for f in followups if f["contact"] in first_two]
    for address, card in cards.items():  # every address of every contact, any spelling
        for spelling in (address, address.upper()):
            shown = _printed(capsys, *run, "contact", spelling, "--json")
            assert shown.pop("as_of") == first["as_of"] == now.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert shown.pop("schema") == "outlook-networking/contact/1"
            assert shown == card
    if mailbox == "demo":
        assert followups and any(card["balance"]["items"] for card in cards.values())


@pytest.mark.parametrize(
    "command",
    [("ledger", "--json"), ("review", "--json"), ("report", "--html", "{tmp}/report.html"),
     ("review", "--save", "--json")],
)  # fmt: skip
def test_a_command_that_needs_the_whole_analysis_keeps_its_answers(
    command: tuple[str, ...],
    demo_store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The report, the ledger and a review analyse the whole store; where no answers are kept,
    they keep theirs, so the next `contacts`, `followups` and `contact` are lookups (at a
    million interactions, the same minute saved), and a fresh analysis's. Saving the review
    (the demo's moment is in the week before the review day) takes the annual review's
    follow-up out of them in the same write."""
    run = ["--db", str(demo_store), "--now", DEMO_NOW.isoformat()]
    assert main([*run, *(part.format(tmp=tmp_path) for part in command)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    contacts = _printed(capsys, *run, "contacts", "--json")["contacts"]
    followups = _printed(capsys, *run, "followups", "--json")["followups"]
    card = _printed(capsys, *run, "contact", contacts[0]["address"], "--json")
    monkeypatch.undo()
    with Store.open(demo_store) as store:
        truth = _demo_truth(store)
        assert contacts == [json.loads(row) for row in truth.contacts()[0]]
        assert followups == [json.loads(listed.text) for listed in truth.followups()]
        same = _as_printed(truth.card(contacts[0]["address"]))
        assert {**card, "as_of": None, "schema": None} == {**same, "as_of": None, "schema": None}
    assert len(contacts) >= 5 and followups
    reviewed = any(f["kind"] == "annual_review" for f in followups)
    assert reviewed == ("--save" not in command)


def test_a_review_saved_again_or_of_another_year_leaves_the_kept_answers_a_fresh_analysis(
    demo_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review saved again (the same year) changes nothing an analysis reads, and the answers
    stay; one of another year than the kept answers' would bring the annual review's follow-up
    back, so they end rather than being edited."""
    from outlook_networking.app.answers import review_saved

    run = ["--db", str(demo_store), "--now", DEMO_NOW.isoformat()]
    _printed(capsys, *run, "contacts", "--json")  # the answers, kept as of DEMO_NOW
    for year in (DEMO_NOW.year, DEMO_NOW.year, DEMO_NOW.year - 1):
        if year == DEMO_NOW.year:
            assert main([*run, "review", "--save"]) == 0
            capsys.readouterr()
        with Store.open(demo_store) as store:
            if year != DEMO_NOW.year:
                snapshot = {"version": 1, "year": year, "at": "2025-12-01T09:00:00Z", "tiers": {}}
                assert not review_saved(store, snapshot)
            validity = store.kept_validity()
            edited = validity is not None and validity.get("generation") == store.generation()
            assert edited == (year == DEMO_NOW.year)
            truth = _demo_truth(store)
        if edited:
            monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
        followups = _printed(capsys, *run, "followups", "--json")["followups"]
        monkeypatch.undo()
        assert followups == [json.loads(listed.text) for listed in truth.followups()]
        reviewed = any(f["kind"] == "annual_review" for f in followups)
        assert reviewed == (year != DEMO_NOW.year)  # 2025's review saved: 2026's is due again


@pytest.mark.parametrize("command", ["intro", "dismiss"])
def test_a_command_whose_write_ends_the_answers_keeps_none(
    command: str, demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`intro` writes what it proposed and `ledger dismiss` the dismissal, both read by the
    analysis right after theirs: answers kept from it would end at once, so none are kept (at a
    million interactions, seconds of rendering saved)."""
    run = ["--db", str(demo_store), "--now", DEMO_NOW.isoformat()]
    ledger = _printed(capsys, *run, "ledger", "--json")
    contacts = _printed(capsys, *run, "contacts", "--json")["contacts"]
    # An organisation someone can introduce the owner to: the proposals are then written.
    target = next(
        org
        for org in dict.fromkeys(c["organisation"] for c in contacts if c["organisation"])
        if _printed(capsys, *run, "intro", org, "--json")["paths"]
    )
    with sqlite3.connect(demo_store) as connection:
        connection.execute("DELETE FROM answers")
    if command == "intro":
        assert _printed(capsys, *run, "intro", target, "--json")["paths"]
    else:
        assert main([*run, "ledger", "dismiss", ledger["items"][0]["id"]]) == 0
        capsys.readouterr()
    with Store.open(demo_store) as store:
        assert store.kept_validity() is None


def _analysed(store: Store, config: Config, words: Wording, now: datetime) -> None:
    """Analyse ``store`` as of ``now`` and keep its answers."""
    generation = store.generation()
    assert keep(store, analyse_store(store, config, now), config, words, generation)


@pytest.fixture()
def opened(demo_store: Path) -> Iterator[Store]:
    with Store.open(demo_store) as store:
        yield store


def test_kept_answers_hold_for_their_moment_their_settings_and_their_language(
    opened: Store, tmp_path: Path
) -> None:
    config, english = load_config(None), Wording("en")
    _analysed(opened, config, english, DEMO_NOW)
    assert kept(opened, config, english, DEMO_NOW, replay=True) is not None
    later = DEMO_NOW + timedelta(seconds=1)
    assert kept(opened, config, english, later, replay=True) is None  # a replay is exact
    assert kept(opened, config, english, DEMO_NOW + MAX_AGE) is not None
    assert kept(opened, config, english, DEMO_NOW + MAX_AGE + timedelta(seconds=1)) is None
    assert kept(opened, config, english, DEMO_NOW - timedelta(seconds=1)) is None  # the past
    hour = timedelta(hours=1)  # an agent's interval of half an hour: its next cycle's are due
    assert keep(opened, analyse_store(opened, config, DEMO_NOW), config, english,
                opened.generation(), fresh_for=hour)  # fmt: skip
    assert kept(opened, config, english, DEMO_NOW + hour) is not None
    assert kept(opened, config, english, DEMO_NOW + hour + timedelta(seconds=1)) is None
    _analysed(opened, config, english, DEMO_NOW)
    assert kept(opened, config, Wording("de"), DEMO_NOW, replay=True) is None
    other = tmp_path / "other.toml"
    other.write_text("[scoring]\nhalf_life_days = 45\n", encoding="utf-8")
    assert kept(opened, load_config(other), english, DEMO_NOW, replay=True) is None
    other.write_text("[ledger]\nintro_evidence_days = 90\n", encoding="utf-8")
    assert kept(opened, load_config(other), english, DEMO_NOW, replay=True) is None


def _some_contact(store: Store, config: Config) -> str:
    served = kept(store, config, Wording("en"), DEMO_NOW, replay=True)
    assert served is not None
    rows, _ = served.contacts()
    return str(json.loads(next(iter(rows)))["address"])


_Write = Callable[[Store, str], object]
_SEEN: dict[str, _Write] = {
    "new mail": lambda s, a: s.apply_batch("extra", Batch("inbox", (_mail_from(a),), cursor="n")),
    "a merge": lambda s, a: s.set_identity("someone.else@example.org", a, ""),
    "a dismissal": lambda s, _: s.dismiss("item:x", DEMO_NOW),
    "a follow-up snoozed": lambda s, _: s.snooze_followup("k", DEMO_NOW, DEMO_NOW),
    "a follow-up done": lambda s, _: s.mark_followup_done("k", "item:x", DEMO_NOW),
    "a key date": lambda s, a: s.set_key_date(a, "birthday", KeyDate("birthday", 3, 4)),
    "the review kept": lambda s, _: s.keep_review_snapshot({"year": 2026}),
    "the owner": lambda s, _: s.set_owner(["me@example.org"], "given"),
    "a forget": lambda s, a: s.forget(a),
}
_UNSEEN: dict[str, _Write] = {
    "a note": lambda s, a: s.add_note(a, "met at the fair", DEMO_NOW),
    "the agent's status": lambda s, _: s.put_doc("agent:status", {"cycles": 1}),
    "a declined mark": lambda s, _: s.decline_marks("ews:work", [("<m@x>", "flag")], DEMO_NOW),
    # A sync's batch with only its new cursor, or the same message again: nothing new.
    "a quiet sync": lambda s, _: s.apply_batch("extra", Batch("inbox", cursor="next")),
    "mail seen again": lambda s, _: _read_again(s),
}


def _read_again(store: Store) -> None:
    """The first stored message read again from where it is (a resync's copy of it)."""
    first = next(store.interactions())
    with sqlite3.connect(store.path) as con:
        (stream,) = con.execute(
            "SELECT stream FROM locations WHERE source = ? AND item_id = ?",
            (first.source, first.item_id),
        ).fetchone()
    assert store.apply_batch(first.source, Batch(stream, (first,))).written == 0


def _mail_from(address: str) -> Interaction:
    return Interaction(
        source="extra", item_id="new-1", kind=Kind.EMAIL, at=DEMO_NOW - timedelta(hours=1),
        sender=Mailbox(address), to=(Mailbox("someone@example.org"),), subject="News",
        message_id="<new-1@example.org>", folder="inbox",
    )  # fmt: skip


@pytest.mark.parametrize("write", sorted(_SEEN))
def test_a_write_an_analysis_sees_ends_the_kept_answers(opened: Store, write: str) -> None:
    config, english = load_config(None), Wording("en")
    _analysed(opened, config, english, DEMO_NOW)
    _SEEN[write](opened, _some_contact(opened, config))
    assert kept(opened, config, english, DEMO_NOW, replay=True) is None


@pytest.mark.parametrize("write", sorted(_UNSEEN))
def test_a_write_no_analysis_reads_leaves_them(opened: Store, write: str) -> None:
    config, english = load_config(None), Wording("en")
    _analysed(opened, config, english, DEMO_NOW)
    address = _some_contact(opened, config)
    _UNSEEN[write](opened, address)
    served = kept(opened, config, english, DEMO_NOW, replay=True)
    assert served is not None
    card = served.card(address)
    assert card is not None
    # The owner's notes are read fresh for every card.
    assert [n["text"] for n in card["notes"]] == [n.text for n in opened.notes(card["addresses"])]
    if write == "a note":
        assert [n["text"] for n in card["notes"]] == ["met at the fair"]


def test_answers_of_a_store_that_changed_while_it_was_analysed_are_not_kept(
    opened: Store,
) -> None:
    config, english = load_config(None), Wording("en")
    generation = opened.generation()
    insight = analyse_store(opened, config, DEMO_NOW)
    opened.dismiss("item:x", DEMO_NOW)  # another process, meanwhile
    assert not keep(opened, insight, config, english, generation)
    assert kept(opened, config, english, DEMO_NOW, replay=True) is None
    assert opened.kept_validity() is None


def test_forget_takes_the_kept_answers_that_name_them(opened: Store, demo_store: Path) -> None:
    config, english = load_config(None), Wording("en")
    _analysed(opened, config, english, DEMO_NOW)
    address = _some_contact(opened, config)
    with sqlite3.connect(demo_store) as con:
        named = "SELECT count(*) FROM answers WHERE instr(doc, ?) OR instr(key, ?)"
        assert con.execute(named, (address, address)).fetchone()[0] > 1
    opened.forget(address)
    with sqlite3.connect(demo_store) as con:
        assert con.execute("SELECT count(*) FROM answers").fetchone()[0] == 0


def test_a_read_only_store_is_answered_and_keeps_nothing(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "read-only" / "network.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(demo_store, copy)
    copy.chmod(stat.S_IRUSR)
    try:
        shown = _printed(capsys, "--db", str(copy), "--now", DEMO_NOW.isoformat(), "contacts",
                         "--json")  # fmt: skip
        assert shown["contacts"]
        with Store.open(copy) as store:
            assert store.read_only and store.kept_validity() is None
    finally:
        copy.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_the_generation_moves_once_per_write_transaction(opened: Store) -> None:
    before = opened.generation()
    opened.dismiss("item:a", DEMO_NOW)
    opened.dismiss("item:b", DEMO_NOW)
    assert opened.generation() == before + 2
    opened.add_note("a@example.org", "note", DEMO_NOW)
    assert opened.generation() == before + 2


def test_keeping_the_same_answers_again_writes_nothing_and_fewer_only_removes(
    opened: Store, demo_store: Path
) -> None:
    """The agent keeps its answers every cycle; what has not changed is not written again."""
    config, english = load_config(None), Wording("en")
    insight = analyse_store(opened, config, DEMO_NOW)
    assert keep(opened, insight, config, english, opened.generation())
    with sqlite3.connect(demo_store) as con:
        con.executescript(
            "CREATE TABLE written (key TEXT);"
            "CREATE TRIGGER on_insert AFTER INSERT ON answers "
            "BEGIN INSERT INTO written VALUES (new.key); END;"
            "CREATE TRIGGER on_update AFTER UPDATE ON answers "
            "BEGIN INSERT INTO written VALUES (new.key); END;"
            "CREATE TRIGGER on_delete AFTER DELETE ON answers "
            "BEGIN INSERT INTO written VALUES ('-' || old.key); END;"
        )
    assert keep(opened, insight, config, english, opened.generation())
    with sqlite3.connect(demo_store) as con:
        assert [k for (k,) in con.execute("SELECT key FROM written")] == []
        con.execute("DELETE FROM written")
        contacts = con.execute("SELECT count(*) FROM answers WHERE key LIKE 'card:%'").fetchone()
    # A contact fewer (say, merged away since): their answers go, nothing else is written.
    gone = insight.network.contacts[-1]
    fewer = dataclasses.replace(
        insight,
        network=dataclasses.replace(insight.network, contacts=insight.network.contacts[:-1]),
    )
    assert keep(opened, fewer, config, english, opened.generation())
    with sqlite3.connect(demo_store) as con:
        written = sorted(k for (k,) in con.execute("SELECT key FROM written"))
        assert f"-card:{gone.person.key}" in written
        assert all(k.startswith("-") for k in written)
        left = con.execute("SELECT count(*) FROM answers WHERE key LIKE 'card:%'").fetchone()
        assert left[0] == contacts[0] - 1


def test_a_store_of_the_version_before_gains_a_generation_and_room_for_answers(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(demo_store) as con:  # as the version before this one wrote it
        con.executescript("DROP TABLE generation; DROP TABLE answers; PRAGMA user_version = 4;")
    run = ["--db", str(demo_store), "--now", DEMO_NOW.isoformat()]
    shown = _printed(capsys, *run, "contacts", "--json")
    assert shown["contacts"]
    with Store.open(demo_store) as store:
        assert store.generation() == 0  # nothing written since the migration
        served = kept(store, load_config(None), Wording("en"), DEMO_NOW, replay=True)
        assert served is not None
        rows, total = served.contacts()
        assert [json.loads(row) for row in rows] == shown["contacts"]
        assert total == len(shown["contacts"])


def test_a_store_another_process_is_writing_to_keeps_nothing_and_is_answered(
    opened: Store, demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "_ANSWERS_WAIT_MS", 10)  # (two seconds otherwise)
    config, english = load_config(None), Wording("en")
    generation = opened.generation()
    insight = analyse_store(opened, config, DEMO_NOW)
    writer = sqlite3.connect(demo_store, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an ingest, say, in the middle of a batch
    try:
        assert not keep(opened, insight, config, english, generation)
        served = answered(opened, insight, config, english, generation)
        rows, total = served.contacts()
        assert total == len(insight.network.contacts) == len(list(rows))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert opened.kept_validity() is None
    assert keep(opened, insight, config, english, generation)  # the connection waits as before
    assert opened._db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000


@pytest.mark.parametrize("damaged", ["{not json", '{"generation": 0}', '["a list"]'])
def test_kept_answers_damaged_on_disk_are_analysed_again_and_kept_anew(
    demo_store: Path, capsys: pytest.CaptureFixture[str], damaged: str
) -> None:
    run = ["--db", str(demo_store), "--now", DEMO_NOW.isoformat()]
    first = _printed(capsys, *run, "contacts", "--json")
    with sqlite3.connect(demo_store) as con:
        generation = con.execute("SELECT n FROM generation").fetchone()[0]
        con.execute("UPDATE answers SET doc = ? WHERE key = ''",
                    (damaged.replace("0", str(generation)),))  # fmt: skip
    assert _printed(capsys, *run, "contacts", "--json") == first
    with Store.open(demo_store) as store:
        assert kept(store, load_config(None), Wording("en"), DEMO_NOW, replay=True) is not None


def test_while_the_store_as_it_is_is_analysed_the_answers_kept_before_serve(
    opened: Store,
) -> None:
    """The agent says it is analysing the store after its sync brought mail: readers meanwhile
    get the answers of the store as it was (as of their moment), for at most RENEWAL, and only
    while the store is still the one being analysed."""
    config, english = load_config(None), Wording("en")
    _analysed(opened, config, english, DEMO_NOW)
    before = kept(opened, config, english, DEMO_NOW)
    assert before is not None
    rows = list(before.contacts()[0])
    address = _some_contact(opened, config)
    later = DEMO_NOW + timedelta(minutes=5)
    _SEEN["new mail"](opened, address)
    assert kept(opened, config, english, later) is None and not renewing(opened, later)
    analysing(opened, opened.generation(), later)
    assert renewing(opened, later)
    served = kept(opened, config, english, later + timedelta(seconds=30))
    assert served is not None and served.as_of == DEMO_NOW  # what they are, said as it is
    assert list(served.contacts()[0]) == rows
    assert kept(opened, config, english, later + RENEWAL + timedelta(seconds=1)) is None
    assert kept(opened, config, english, later - timedelta(seconds=1)) is None  # before it began
    assert kept(opened, config, english, DEMO_NOW, replay=True) is None  # before it began too
    # The owner's own write meanwhile is not hidden behind the older answers.
    opened.mark_followup_done("k", "item:x", later)
    assert kept(opened, config, english, later) is None and not renewing(opened, later)
    # It ends when the answers of the store as it is are kept, or when it failed.
    analysing(opened, opened.generation(), later)
    _analysed(opened, config, english, later)
    assert opened.answers_renewal() is None
    _SEEN["a dismissal"](opened, address)
    analysing(opened, opened.generation(), later)
    analysing(opened, None, later)
    assert kept(opened, config, english, later) is None and opened.answers_renewal() is None


def test_a_renewal_mark_damaged_on_disk_is_no_renewal(opened: Store, demo_store: Path) -> None:
    config, english = load_config(None), Wording("en")
    _analysed(opened, config, english, DEMO_NOW)
    _SEEN["a dismissal"](opened, "")
    for mark in ("[]", '{"generation": "x"}', '{"since": "now"}', "{}"):
        with sqlite3.connect(demo_store) as con:
            con.execute("INSERT OR REPLACE INTO answers VALUES ('renewing', '', ?)", (mark,))
        assert not renewing(opened, DEMO_NOW)
        assert kept(opened, config, english, DEMO_NOW) is None
    assert opened.kept_answer("renewing") is None  # no answer of a contact's


def test_answers_are_read_from_one_moment_though_the_agent_keeps_newer_ones_meanwhile(
    opened: Store, demo_store: Path
) -> None:
    """A command that prints kept answers reads them, and what they are valid for, as one
    moment of the store: the agent (another connection) keeping newer answers meanwhile does
    not mix its rows into the listing being printed, nor does its follow-ups' count."""
    config, english = load_config(None), Wording("en")
    _analysed(opened, config, english, DEMO_NOW)
    served = kept(opened, config, english, DEMO_NOW)
    assert served is not None
    expected = fresh(analyse_store(opened, config, DEMO_NOW), opened, english)
    expected_rows, expected_followups = list(expected.contacts()[0]), expected.followups()
    later = DEMO_NOW + timedelta(days=40)  # everyone has cooled a little: other rows
    with Store.open(demo_store) as agent:
        agent.dismiss("item:x", later)
        _analysed(agent, config, english, later)
        newer = kept(agent, config, english, later)
        assert newer is not None
        newer_rows, newer_followups = list(newer.contacts()[0]), newer.followups()
    assert expected_rows != newer_rows and expected_followups != newer_followups
    assert list(served.contacts()[0]) == expected_rows and served.as_of == DEMO_NOW
    assert served.followups() == expected_followups
    opened.release()  # a new moment: the newer answers
    assert kept(opened, config, english, DEMO_NOW) is None


def test_a_replay_leaves_the_answers_that_hold_now_alone(
    opened: Store, demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`contacts --now <past>` while the agent's answers hold: the past is analysed and printed,
    and the current answers stay kept (replacing them would cost the next ordinary read a whole
    analysis, and the quiet agent would not keep new ones before the hour is out). Without
    current answers, a replay keeps its own (a second replay of that moment is served them)."""
    config, english = load_config(None), Wording("en")
    wall = datetime.now(UTC).replace(microsecond=0)
    _analysed(opened, config, english, wall)
    validity = opened.kept_validity()
    past = _printed(capsys, "--db", str(demo_store), "--now", DEMO_NOW.isoformat(), "contacts",
                    "--json")  # fmt: skip
    assert past["as_of"] == "2026-11-27T12:00:00Z"
    expected = fresh(analyse_store(opened, config, DEMO_NOW), opened, english)
    assert [json.dumps(r) for r in past["contacts"]] == [
        json.dumps(json.loads(t)) for t in expected.contacts()[0]
    ]
    assert opened.kept_validity() == validity
    assert kept(opened, config, english, wall) is not None
    opened.release()
    with sqlite3.connect(demo_store) as con:
        con.execute("DELETE FROM answers")
    assert main(["--db", str(demo_store), "--now", DEMO_NOW.isoformat(), "contacts", "--json"]) == 0
    capsys.readouterr()
    assert kept(opened, config, english, DEMO_NOW, replay=True) is not None


def test_an_analysis_is_followed_step_by_step_to_its_end(demo_store: Path) -> None:
    """What a bar shows: the interactions read (of all the store holds, counted without the
    product), the analysis, the contacts kept (of all found), and one end, after the answers."""
    with sqlite3.connect(demo_store) as connection:
        (stored,) = connection.execute("SELECT count(*) FROM interactions").fetchone()
    told: list[tuple[str, int, int | None]] = []
    with workspace_module.Workspace(
        demo_store, now=DEMO_NOW, progress=lambda *step: told.append(step)
    ) as workspace:
        rows, contacts = workspace.answers.contacts()
        assert workspace.answers.kept  # kept for the next question, served from there
        assert len(list(rows)) == contacts > 0
    steps = [step for step, _, _ in told]
    assert steps[0] == "read" and steps[-1] == "done" and steps.count("done") == 1
    reading = [(done, total) for step, done, total in told if step == "read"]
    assert reading[0] == (0, stored) and reading[-1] == (stored, stored)
    assert [done for done, _ in reading] == sorted(done for done, _ in reading)
    assert steps.index("analyse") > steps.index("read")
    keeping = [(done, total) for step, done, total in told if step == "keep"]
    assert keeping and all(total == contacts for _, total in keeping)
    assert steps.index("keep") > steps.index("analyse")


def test_an_analysis_that_fails_still_ends_its_bar(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[str] = []

    def broken(*_: object, **__: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr("outlook_networking.app.analysis.analyse", broken)
    workspace = workspace_module.Workspace(
        demo_store, now=DEMO_NOW, progress=lambda step, *_: told.append(step)
    )
    with workspace, pytest.raises(sqlite3.DatabaseError):
        workspace.network  # noqa: B018
    assert told[-1] == "done" and told.count("done") == 1 and "read" in told


def test_rebuild_analyses_whatever_is_kept(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with workspace_module.Workspace(demo_store, now=DEMO_NOW) as workspace:
        assert workspace.answers.contacts()[1] > 0  # analysed and kept
    calls: list[datetime] = []
    real = workspace_module.analyse_store

    def counted(store: Store, config: Config, now: datetime, **kwargs: Any) -> Any:
        calls.append(now)
        return real(store, config, now, **kwargs)

    monkeypatch.setattr(workspace_module, "analyse_store", counted)
    with workspace_module.Workspace(demo_store, now=DEMO_NOW) as workspace:
        workspace.answers.contacts()
        assert calls == []  # the kept answers hold
        rebuilt = workspace.rebuild()
        assert calls == [DEMO_NOW]
        assert rebuilt.kept and rebuilt.contacts == workspace.answers.contacts()[1]
        assert rebuilt.interactions == workspace.store.interaction_count() > 0
        assert rebuilt.followups == len(workspace.answers.followups())


# Every setting of app.answers._NOT_ANSWERED, changed far from its default.
UNREAD_SETTINGS = """
[graph]
max_participants = 2
exact_nodes = 3
max_edges = 5
[intro]
max_participants = 2
[time]
weekly_target_hours = 40
minutes_per_mail_written = 60
minutes_per_mail_read = 30
[targets]
organisations = ["Globex", "Initech"]
"""


@pytest.mark.parametrize("mailbox", ["demo", "lkml"])
def test_settings_no_answer_reads_leave_the_kept_answers_valid(
    mailbox: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Changing the key persons', the ties', the time's or the targets' settings does not end
    the kept answers, because no answer changes: a fresh analysis with them gives the very
    documents kept without them. A setting the answers read (a cadence) still ends them."""
    db: Path = request.getfixturevalue(f"{mailbox}_store")
    now = LKML_NOW if mailbox == "lkml" else DEMO_NOW
    plain, unread, cadence = (tmp_path / n for n in ("plain.toml", "unread.toml", "cad.toml"))
    plain.write_text("", encoding="utf-8")
    unread.write_text(UNREAD_SETTINGS, encoding="utf-8")
    cadence.write_text("[cadence]\na_days = 7\n", encoding="utf-8")
    assert load_config(unread).settings != load_config(plain).settings
    words = Wording("en")
    with Store.open(db) as store:
        changed = fresh(analyse_store(store, load_config(unread), now), store, words)
        rows = [json.loads(row) for row in changed.contacts()[0]]
        followups = [json.loads(listed.text) for listed in changed.followups()]
        cards = {row["address"]: _as_printed(changed.card(row["address"])) for row in rows}
    run = ["--db", str(db), "--now", now.isoformat()]
    capsys.readouterr()
    _printed(capsys, *run, "--config", str(plain), "contacts", "--json")  # analyses and keeps
    monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    again = [*run, "--config", str(unread)]
    assert _printed(capsys, *again, "contacts", "--json")["contacts"] == rows
    assert _printed(capsys, *again, "followups", "--json")["followups"] == followups
    for address, card in cards.items():
        shown = _printed(capsys, *again, "contact", address, "--json")
        assert {k: v for k, v in shown.items() if k not in ("schema", "as_of")} == card
    assert main([*run, "--config", str(cadence), "contacts", "--json"]) != 0
    assert "analysed again" in capsys.readouterr().err


@pytest.mark.parametrize(("mailbox", "language"), [("demo", "en"), ("demo", "de"), ("lkml", "en")])
def test_followups_marked_done_leave_the_kept_answers_exactly_a_fresh_analysis(
    mailbox: str,
    language: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`followups done` finds the follow-up in the kept answers and takes it out of them in the
    same write: neither it nor the reads after it analyse the store, and what they print is
    what a fresh analysis of the store with the decision prints, for every follow-up kind."""
    db: Path = request.getfixturevalue(f"{mailbox}_store")
    now = LKML_NOW if mailbox == "lkml" else DEMO_NOW
    config_path = tmp_path / "config.toml"
    config_path.write_text(f'language = "{language}"\n', encoding="utf-8")
    run = ["--db", str(db), "--config", str(config_path), "--now", now.isoformat()]
    capsys.readouterr()
    listed = _printed(capsys, *run, "followups", "--json")["followups"]  # analyses, keeps
    chosen: dict[str, dict[str, Any]] = {}
    for followup in listed:  # one of each kind, and the second of a contact's, if any
        chosen.setdefault(followup["kind"], followup)
    contacts = [f["contact"] for f in listed if f["contact"]]
    twice = next((c for c in contacts if contacts.count(c) > 1), None)
    if twice is not None:
        theirs = [f for f in listed if f["contact"] == twice]
        chosen.setdefault("second", theirs[1])
    assert len(chosen) >= (3 if mailbox == "demo" else 1), [f["kind"] for f in listed]
    monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    keys = [f["short_key"] for f in chosen.values()]
    assert main([*run, "followups", "done", *keys]) == 0, capsys.readouterr().err
    assert capsys.readouterr().err.count("\n") == len(keys)  # one line said for each
    served = {
        "followups": _printed(capsys, *run, "followups", "--json")["followups"],
        "contacts": _printed(capsys, *run, "contacts", "--json")["contacts"],
    }
    cards = {
        f["contact"]: _printed(capsys, *run, "contact", f["contact"], "--json")
        for f in chosen.values()
        if f["contact"]
    }
    monkeypatch.undo()
    with Store.open(db) as store:
        truth = fresh(analyse_store(store, load_config(config_path), now), store, Wording(language))
        assert [json.loads(listed.text) for listed in truth.followups()] == served["followups"]
        assert [json.loads(row) for row in truth.contacts()[0]] == served["contacts"]
        for contact, card in cards.items():
            shown = {k: v for k, v in card.items() if k not in ("schema", "as_of")}
            assert shown == _as_printed(truth.card(contact))
    gone = {f["key"] for f in chosen.values()}
    assert not gone & {f["key"] for f in served["followups"]}
    assert len(served["followups"]) == len(listed) - len(chosen)


def test_answers_edited_for_a_store_that_changed_meanwhile_are_not_written(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit of the kept answers `followups done` makes is written only if nothing wrote to
    the store between reading them and the decision; otherwise the answers end, as after any
    write, and the next read analyses."""
    from outlook_networking.app.answers import Open, done

    config, words = load_config(None), Wording("en")
    with Store.open(demo_store) as store, Store.open(demo_store) as other:
        answers = answered(store, analyse_store(store, config, DEMO_NOW), config, words,
                           store.generation())  # fmt: skip
        assert answers.kept
        first = Open.of(answers.followups()[0])
        reading = store.kept_entries

        def meanwhile(prefix: str) -> Any:
            other.dismiss("item:another-process-wrote", DEMO_NOW)  # while the edit is made
            return reading(prefix)

        monkeypatch.setattr(store, "kept_entries", meanwhile)
        assert not done(store, answers, first, DEMO_NOW)
        monkeypatch.undo()
        assert kept(store, config, words, DEMO_NOW) is None
        assert store.followup_decisions().done == {first.key: first.item}  # decided all the same
        again = answered(store, analyse_store(store, config, DEMO_NOW), config, words,
                         store.generation())  # fmt: skip
        second = Open.of(again.followups()[0])
        assert done(store, again, second, DEMO_NOW)
        served = kept(store, config, words, DEMO_NOW)
        assert served is not None
        assert all(Open.of(listed).key != second.key for listed in served.followups())


@pytest.mark.parametrize(("mailbox", "language"), [("demo", "en"), ("demo", "de")])
def test_followups_snoozed_leave_the_kept_answers_exactly_a_fresh_analysis(
    mailbox: str,
    language: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A snooze moves the follow-up in the kept answers (its due date, its place in the order,
    in its contact's row and card) where that is exact: a later snooze of one snoozed already
    too; one that ends sooner than the last snooze ends the answers instead."""
    db: Path = request.getfixturevalue(f"{mailbox}_store")
    now = DEMO_NOW
    config_path = tmp_path / "config.toml"
    config_path.write_text(f'language = "{language}"\n', encoding="utf-8")
    run = ["--db", str(db), "--config", str(config_path), "--now", now.isoformat()]
    capsys.readouterr()
    listed = _printed(capsys, *run, "followups", "--json")["followups"]
    first, middle = listed[0], listed[len(listed) // 2]
    contacts = [f["contact"] for f in listed if f["contact"]]
    twice = next(c for c in contacts if contacts.count(c) > 1)
    theirs = next(f for f in listed if f["contact"] == twice)

    def served() -> dict[str, Any]:
        return {
            "followups": _printed(capsys, *run, "followups", "--json")["followups"],
            "contacts": _printed(capsys, *run, "contacts", "--json")["contacts"],
            "cards": {
                f["contact"]: {
                    k: v
                    for k, v in _printed(capsys, *run, "contact", f["contact"], "--json").items()
                    if k not in ("schema", "as_of")
                }
                for f in (first, middle, theirs)
                if f["contact"]
            },
        }

    def truth() -> dict[str, Any]:
        with Store.open(db) as store:
            answers = fresh(
                analyse_store(store, load_config(config_path), now), store, Wording(language)
            )
            return {
                "followups": [json.loads(listed.text) for listed in answers.followups()],
                "contacts": [json.loads(row) for row in answers.contacts()[0]],
                "cards": {
                    f["contact"]: _as_printed(answers.card(f["contact"]))
                    for f in (first, middle, theirs)
                    if f["contact"]
                },
            }

    real = workspace_module.analyse_store
    monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    for followup, until in (
        (first, "2026-12-20T08:00:00Z"),  # the most pressing goes last, among the snoozed
        (middle, "2026-11-27T13:00:00Z"),  # ends within the hour: snoozed, first among them
        (theirs, "2027-01-05T00:00:00Z"),  # a contact with more: their own order changes
        (first, "2027-02-01T09:30:00Z"),  # snoozed again, later
    ):
        code = main([*run, "followups", "snooze", followup["short_key"], "--until", until])
        assert code == 0, capsys.readouterr().err
        shown = served()
        monkeypatch.setattr(workspace_module, "analyse_store", real)
        assert shown == truth(), until
        monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    moved = next(f for f in shown["followups"] if f["key"] == first["key"])
    assert moved["snoozed"] and moved["due"] == "2027-02-01T09:30:00Z"
    # Sooner than its last snooze: the date it was due before is not kept, so this one ends
    # the answers, and the next read analyses (refused here).
    code = main([*run, "followups", "snooze", first["short_key"], "--until", "2026-12-01"])
    assert code == 0
    assert main([*run, "followups", "--json"]) != 0
    assert "analysed again" in capsys.readouterr().err


def test_the_brief_is_a_lookup_in_the_kept_answers(
    demo_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`brief` reads its attendees' cards and the day's follow-ups from the kept answers (no
    analysis), and says what a fresh analysis's answers say: the planted day (a client, the
    mentor, a stranger), a day before and a day without meetings, in English and German."""
    from datetime import date

    from outlook_networking.app.brief import brief_doc

    zone = UTC
    days = [date(2026, 11, 27), date(2026, 11, 24), date(2026, 12, 25)]
    for language in ("en", "de"):
        config_path = demo_store.with_name(f"{language}.toml")
        config_path.write_text(
            f'language = "{language}"\n[brief]\ntime_zone = "UTC"\n', encoding="utf-8"
        )
        run = ["--db", str(demo_store), "--config", str(config_path), "--now", DEMO_NOW.isoformat()]
        capsys.readouterr()
        _printed(capsys, *run, "contacts", "--json")  # analyses, and keeps the answers
        monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
        served = {day: _printed(capsys, *run, "brief", "--date", day.isoformat(), "--json")
                  for day in days}  # fmt: skip
        monkeypatch.undo()
        with Store.open(demo_store) as store:
            insight = analyse_store(store, load_config(config_path), DEMO_NOW)
            answers = fresh(insight, store, Wording(language))
            for day in days:
                assert served[day] == _as_printed(brief_doc(answers, store, day, zone))
        planted = served[days[0]]
        people = [p for m in planted["meetings"] for p in m["people"]]
        assert any(not p["known"] for p in people) and any(p["known"] for p in people)
        assert served[days[2]]["meetings"] == []


_DECISIONS = st.lists(
    st.one_of(
        st.tuples(st.just("done"), st.integers(0, 400), st.integers(0, 0), st.booleans()),
        # a snooze: days after the due date listed (negative: sooner), at a whole second or not
        st.tuples(st.just("snooze"), st.integers(0, 400), st.integers(-40, 120), st.booleans()),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.hypothesis  # (its @given is inside: scripts/soak.py selects it by this mark)
def test_kept_answers_after_any_decisions_are_a_fresh_analysis(
    demo_store: Path, tmp_path: Path
) -> None:
    """Property: after any sequence of `followups done` and `snooze` (on any follow-up, a
    snooze ending before or after the due date listed, at a whole second or not), the answers
    kept, wherever a decision edited them rather than ending them, are exactly what a fresh
    analysis of the store with those decisions gives: every contact's row and card and every
    follow-up. Where a decision ended them, the next read analyses and keeps anew."""
    from hypothesis import HealthCheck, given, settings

    from outlook_networking.app.answers import Open, done, snooze

    config, words = load_config(None), Wording("en")
    copies = iter(range(10**6))

    def documents(answers: Any) -> tuple[Any, ...]:
        rows = [json.loads(row) for row in answers.contacts()[0]]
        return (
            rows,
            [json.loads(listed.text) for listed in answers.followups()],
            [_as_printed(answers.card(row["address"])) for row in rows],
        )

    compared: list[int] = []

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(decisions=_DECISIONS)
    def check(decisions: list[tuple[str, int, int, bool]]) -> None:
        db = tmp_path / f"copy-{next(copies)}.sqlite3"
        shutil.copyfile(demo_store, db)
        last_edited = False
        with Store.open(db) as store:
            for kind, pick, days, whole in decisions:
                answers = kept(store, config, words, DEMO_NOW)
                if answers is None:  # ended by the last decision: a read analyses, keeps
                    insight = analyse_store(store, config, DEMO_NOW)
                    answers = answered(store, insight, config, words, store.generation())
                listed = [Open.of(entry) for entry in answers.followups()]
                followup = listed[pick % len(listed)]
                if kind == "done":
                    last_edited = done(store, answers, followup, DEMO_NOW)
                    assert last_edited  # a done is always exact
                else:
                    until = max(followup.due + timedelta(days=days), DEMO_NOW + timedelta(hours=1))
                    until += timedelta(microseconds=0 if whole else 250_000)
                    last_edited = snooze(store, answers, followup, until, DEMO_NOW)
                    if not whole or until <= followup.due:  # not exact: the answers end
                        assert not last_edited
                store.release()
            served = kept(store, config, words, DEMO_NOW)
            assert (served is not None) == last_edited
            if served is not None:
                shown = documents(served)
                store.release()
                truth = fresh(analyse_store(store, config, DEMO_NOW), store, words)
                assert shown == documents(truth)
                compared.append(len(decisions))
        db.unlink()

    check()
    assert compared  # (a done always keeps them: twelve examples never all end with a snooze)


def test_notes_are_kept_listed_and_removed_without_an_analysis(
    demo_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`note` needs a person's addresses (a note about any of them is theirs): the kept answers
    have them, so writing, listing and removing a note analyses nothing (a minute at a million
    interactions), and a note never ends the kept answers (no analysis reads notes)."""
    run = ["--db", str(demo_store), "--now", DEMO_NOW.isoformat()]
    capsys.readouterr()
    rows = _printed(capsys, *run, "contacts", "--json")["contacts"]
    merged = next(row for row in rows if len(row["addresses"]) > 1)
    first, other = merged["addresses"][0], merged["addresses"][1]
    monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    assert main([*run, "note", other, "Met at the fair"]) == 0
    assert "Kept note" in capsys.readouterr().err
    assert main([*run, "note", "nobody@else.example", "A stranger"]) == 0
    assert "not a contact yet" in capsys.readouterr().err
    listed = _printed(capsys, *run, "note", first, "--list", "--json")["notes"]
    assert [n["text"] for n in listed] == ["Met at the fair"]  # about another of their addresses
    card = _printed(capsys, *run, "contact", first, "--json")
    assert [n["text"] for n in card["notes"]] == ["Met at the fair"]
    assert main([*run, "note", first, "--delete", str(listed[0]["id"])]) == 0
    assert _printed(capsys, *run, "note", other, "--list", "--json")["notes"] == []


def test_merge_and_split_find_the_people_in_the_kept_answers(
    demo_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`contacts merge` and `split` find who each address is in the kept answers (no analysis
    before the change); the change itself ends them (who is who is what every answer rests
    on), and the read after it analyses and shows it."""
    run = ["--db", str(demo_store), "--now", DEMO_NOW.isoformat()]
    capsys.readouterr()
    rows = _printed(capsys, *run, "contacts", "--json")["contacts"]
    alone = [row for row in rows if len(row["addresses"]) == 1]
    first, second = alone[0]["address"], alone[-1]["address"]
    monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    assert main([*run, "contacts", "merge", first, second]) == 0
    said = capsys.readouterr().err
    assert f"Merged: {second} (" in said and alone[0]["name"] in said
    assert main([*run, "contacts", "--json"]) != 0  # the merge ended the kept answers
    assert "analysed again" in capsys.readouterr().err
    monkeypatch.undo()
    merged = _printed(capsys, *run, "contact", second, "--json")
    assert merged["address"] == first and second in merged["addresses"]
    monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    assert main([*run, "contacts", "merge", "nobody@else.example", first]) == 2
    assert "is not a contact" in capsys.readouterr().err
    assert main([*run, "contacts", "split", second]) == 0
    assert f"Split: {second} is now a person of its own, apart from {first}." in (
        capsys.readouterr().err
    )


def test_an_analysis_is_frozen_out_of_the_collectors_sight_until_the_command_ends(
    demo_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an analysis leaves outlives it (answers, write-back) and a full collection would
    scan it all again (2.6 s at a million): it is frozen (gc.freeze) when the analysis ends, and
    the command line hands everything back to the collector when the command does."""
    import gc

    gc.unfreeze()  # (what an earlier test's analysis left)
    with Store.open(demo_store) as store:
        insight = analyse_store(store, load_config(None), DEMO_NOW)
        assert gc.get_freeze_count() > 0
        tracked = {id(o) for o in gc.get_objects()}  # what the collector still looks at
        assert id(insight.network.contacts) not in tracked
    seen: list[int] = []
    real = workspace_module.analyse_store

    def watched(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        seen.append(gc.get_freeze_count())
        return found

    monkeypatch.setattr(workspace_module, "analyse_store", watched)
    _printed(capsys, "--db", str(demo_store), "--now", DEMO_NOW.isoformat(), "ledger", "--json")
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0


def test_key_dates_entered_by_hand_leave_the_kept_answers_a_fresh_analysis(
    demo_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`contact ADDR --birthday D` puts the date and the birthday's follow-up (new, moved, gone,
    or kept done) into the kept answers in its own write, without an analysis (at a million
    interactions, one saved); each step's follow-ups, rows and card are a fresh analysis's. A
    date removed ends the answers (the address book's takes its place)."""
    run = ["--db", str(demo_store), "--now", DEMO_NOW.isoformat()]
    contacts = _printed(capsys, *run, "contacts", "--json")["contacts"]  # the answers, kept
    close = next(c["address"] for c in contacts if c["tier"] == "A")
    far = next(c["address"] for c in contacts if c["tier"] == "D")
    day = DEMO_NOW.date()

    def on(days: int, year: int = 1980) -> str:
        soon = day + timedelta(days=days)
        return f"{year}-{soon.month:02d}-{soon.day:02d}"

    steps = [
        (close, ["--birthday", on(2)], on(2), "birthday in two days: its follow-up appears"),
        (close, ["--birthday", on(200)], None, "moved away: it goes"),
        (close, ["--birthday", on(1, 1975), "--anniversary", on(40)], on(1), "back, and more"),
        (far, ["--birthday", on(1)], None, "tier D: the date, no follow-up"),
        (close, ["--birthday", "none"], ..., "removed: the answers end"),
    ]
    for address, dates, due, why in steps:
        edited = "none" not in dates
        if edited:
            monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
        card = _printed(capsys, *run, "contact", address, *dates, "--json")
        followups = _printed(capsys, *run, "followups", "--json")["followups"]
        rows = _printed(capsys, *run, "contacts", "--json")["contacts"]
        monkeypatch.undo()
        with Store.open(demo_store) as store:
            truth = _demo_truth(store)
            assert followups == [json.loads(listed.text) for listed in truth.followups()], why
            assert rows == [json.loads(row) for row in truth.contacts()[0]], why
            same = {**_as_printed(truth.card(address)), "as_of": None, "schema": None}
            assert {**card, "as_of": None, "schema": None} == same, why
        if due is not ...:
            mine = [f["due"][5:10] for f in followups
                    if (f["kind"], f["contact"]) == ("birthday", card["address"])]  # fmt: skip
            assert mine == ([due[5:]] if due else []), why


def test_a_birthday_marked_done_stays_done_when_its_date_is_entered_again(
    demo_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = ["--db", str(demo_store), "--now", DEMO_NOW.isoformat()]
    contacts = _printed(capsys, *run, "contacts", "--json")["contacts"]
    close = next(c["address"] for c in contacts if c["tier"] == "A")
    soon = DEMO_NOW.date() + timedelta(days=1)
    birthday = f"{soon.month:02d}-{soon.day:02d}"
    _printed(capsys, *run, "contact", close, "--birthday", birthday, "--json")
    key = next(f["short_key"] for f in _printed(capsys, *run, "followups", "--json")["followups"]
               if f["kind"] == "birthday" and f["contact"] == close)  # fmt: skip
    assert main([*run, "followups", "done", key]) == 0
    monkeypatch.setattr(workspace_module, "analyse_store", _refuse)
    card = _printed(capsys, *run, "contact", close, "--birthday", f"1990-{birthday}", "--json")
    followups = _printed(capsys, *run, "followups", "--json")["followups"]
    monkeypatch.undo()
    assert not any(f["kind"] == "birthday" and f["contact"] == close for f in followups)
    entered = [k["date"] for k in card["key_dates"] if k["kind"] == "birthday"]
    assert entered == [f"1990-{birthday}"]
    with Store.open(demo_store) as store:
        truth = _demo_truth(store)
        assert followups == [json.loads(listed.text) for listed in truth.followups()]
