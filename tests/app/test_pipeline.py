"""Reading a source into the store, and whose mailbox it is: the configured accounts, as ``sync``
and the agent both record them."""

from __future__ import annotations

import mailbox
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from exchangelib import close_connections

from connectors.test_memory import _add_message
from outlook_networking.app.analysis import analyse_store
from outlook_networking.app.connect import Connection
from outlook_networking.app.pipeline import (
    apply_account,
    apply_plan,
    claim_owner,
    ingest_files,
    plan_account,
    settle_owner,
    sync_account,
    sync_source,
    undo_account,
    write_back,
)
from outlook_networking.app.workspace import Workspace
from outlook_networking.config import AccountConfig, Config
from outlook_networking.connectors.memory import MemoryMailbox, MemorySink, MemorySource
from outlook_networking.core.phrase import phrase
from outlook_networking.core.settings import Settings
from outlook_networking.errors import UsageError
from outlook_networking.model import ContactCard, Problem
from outlook_networking.ports import (
    NOT_FLAGGED,
    Action,
    AddCategory,
    Batch,
    BatchApplied,
    CreateTask,
    FollowUpFlag,
    SetCategories,
    SetFlag,
    Skipped,
    is_message_action,
)
from outlook_networking.store import Store
from outlook_networking.writeback.plan import WritebackPlan
from servers.ews import EWSServer
from servers.ews.server import wait_until

ME, ANN = "me@example.com", "ann@partner.example"


def test_a_detected_guess_gives_way_to_the_configured_mailbox(store: Store) -> None:
    store.set_owner(["guess@example.com"], "detected")
    claim_owner(store, ["Me@Example.com"])
    assert store.owner() == (("me@example.com",), "given")


def test_addresses_given_before_stay_beside_the_configured_ones(store: Store) -> None:
    store.set_owner(["alias@example.com"], "given")  # ingest --me
    claim_owner(store, ["me@example.com", "team@example.com"])
    assert store.owner() == (("alias@example.com", "me@example.com", "team@example.com"), "given")


def test_claiming_the_same_mailbox_again_changes_nothing(store: Store) -> None:
    claim_owner(store, ["me@example.com"])
    digest = store.digest()
    claim_owner(store, ["me@example.com"])
    assert store.digest() == digest and store.owner() == (("me@example.com",), "given")


def _mailbox(messages: int) -> MemoryMailbox:
    """Ann's ``messages`` notes to the owner in the inbox (ids in ``box.items`` order), her card."""
    box = MemoryMailbox()
    add = _add_message(box)
    for n in range(messages):
        at = datetime(2026, 3, 1 + n, 9, tzinfo=UTC)
        add("inbox", f"Note {n}", ANN, [ME], at, f"<note-{n}@partner.example>")
    box.put_card(ContactCard("memory", "c1", "Ann Partner", (ANN,)))
    return box


def test_a_sync_reports_what_it_read_and_the_next_one_only_what_changed(store: Store) -> None:
    box = _mailbox(5)
    m0, m1, *_ = box.items
    first = sync_source(store, MemorySource(box, page_size=2))
    assert (first.interactions, first.cards, first.items) == (5, 1, 6)
    assert first.written > 0 and first.deleted == 0
    assert not first.stopped and not first.problems and not first.skipped
    box.delete("inbox", m0)
    second = sync_source(store, MemorySource(box, page_size=2))
    assert (second.interactions, second.cards, second.items) == (0, 0, 0)
    assert (second.written, second.deleted) == (0, 1)
    assert len(list(store.interactions())) == 5  # history is append-only (store.py)
    # The mailbox forgot the cursors and lost m1 silently: a full round sweeps it.
    del box.items[m1]
    box.epoch += 1
    third = sync_source(store, MemorySource(box, page_size=2))
    assert (third.interactions, third.deleted) == (3, 1)


def test_a_sync_asked_to_stop_ends_after_the_batch_it_stored(store: Store) -> None:
    asked: list[int] = []
    report = sync_source(
        store, MemorySource(_mailbox(5), page_size=2), should_stop=lambda: not asked.append(1)
    )
    # Asked once, after the first batch (two messages), which is stored with its cursor.
    assert (report.batches, report.interactions, report.stopped, len(asked)) == (1, 2, True, 1)
    assert len(list(store.interactions())) == 2


class _Batches:
    """A source's batches as a reader that holds something open until closed (as EWS's does)."""

    def __init__(self, batches: list[Batch]) -> None:
        self._batches = iter(batches)
        self.closed = False

    def __iter__(self) -> _Batches:
        return self

    def __next__(self) -> Batch:
        return next(self._batches)

    def close(self) -> None:
        self.closed = True


class _Listed:
    name = "listed"

    def __init__(self, batches: list[Batch]) -> None:
        self.reader = _Batches(batches)

    def read(self, cursors: Mapping[str, str]) -> _Batches:
        return self.reader


def test_a_sync_adds_up_every_batchs_problems_and_skips_and_closes_the_reader(
    store: Store,
) -> None:
    broken = Problem("export.pst #12", "unreadable header")
    whole = Problem("old.ics", "not a calendar", whole=True)
    batches = [
        Batch("inbox", problems=(broken,), skipped=(Skipped("tasks", 3),), cursor="1"),
        Batch("calendar", problems=(whole,), skipped=(Skipped("tasks"), Skipped("notes", 2))),
    ]
    heard: list[Batch] = []
    source = _Listed(batches)
    report = sync_source(store, source, on_batch=heard.append)
    assert heard == batches and report.batches == 2
    assert report.problems == [broken, whole] and report.unreadable == [whole]
    assert report.skipped == {"tasks": 4, "notes": 2}
    assert source.reader.closed
    stopped = _Listed(batches)
    sync_source(store, stopped, should_stop=lambda: True)
    assert stopped.reader.closed  # also when it stops early


class _MemoryWorkspace(Workspace):
    """A workspace whose account is the in-memory mailbox instead of a server."""

    def __init__(self, db_path: Path, box: MemoryMailbox) -> None:
        super().__init__(db_path)
        self.box = box
        self.closed = 0

    def connect(self, account: AccountConfig, *, since_months: int | None = None) -> Connection:
        def close() -> None:
            self.closed += 1

        source = MemorySource(self.box, name=account.name, page_size=2)
        return Connection(source, MemorySink(self.box, name=account.name), close)


def test_sync_full_reads_the_mailbox_again_from_the_start(tmp_path: Path) -> None:
    account = AccountConfig(name="work", address="me@example.com")
    with _MemoryWorkspace(tmp_path / "network.sqlite3", _mailbox(5)) as workspace:
        assert sync_account(workspace, account).interactions == 5
        assert sync_account(workspace, account).interactions == 0  # only what changed
        assert sync_account(workspace, account, full=True).interactions == 5
        assert workspace.closed == 3
        assert workspace.store.owner() == (("me@example.com",), "given")
        assert len(list(workspace.store.interactions())) == 5


def _sent_mbox(path: Path, sender: str, count: int) -> Path:
    """``count`` messages ``sender`` wrote: no Received: trace, so the owner's (core/owner.py)."""
    box = mailbox.mbox(path)
    for n in range(count):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = f"p{n}@partner.example"
        message["Subject"] = f"Hello {n}"
        message["Date"] = format_datetime(datetime(2026, 3, 1 + n, 9, tzinfo=UTC))
        message["Message-ID"] = f"<hello-{n}-{path.stem}@example.com>"
        message.set_content("Hi")
        box.add(message)
    box.close()
    return path


def test_an_ingest_gathers_the_owner_evidence_as_it_reads(store: Store, tmp_path: Path) -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    ingest_files(store, [_sent_mbox(tmp_path / "old.mbox", "old@example.com", 5)], now=now)
    heard: list[Batch] = []
    mine = _sent_mbox(tmp_path / "mine.mbox", "Me <me@example.com>", 3)
    report, tally = ingest_files(store, [mine], now=now, on_batch=heard.append)
    assert report.interactions == 3 == sum(len(b.interactions) for b in heard)
    assert tally.guess().addresses == ("me@example.com",)
    # This ingest is conclusive; the whole store (5 from old@, 3 from me@) is not.
    assert settle_owner(store, [], tally) == (
        ("me@example.com",),
        phrase("owner_undelivered", count=3, of=3),
    )
    assert store.owner() == (("me@example.com",), "detected")
    store.set_owner(["boss@example.com"], "given")  # --me earlier: no guess replaces it
    assert settle_owner(store, [], tally) == (("boss@example.com",), phrase("owner_given"))


def test_addresses_given_with_me_replace_the_owner_and_a_non_address_is_refused(
    store: Store,
) -> None:
    store.set_owner(["guess@example.com"], "detected")
    given = settle_owner(store, ["Me@Example.com", "me@example.com", "Alias@Example.com"])
    assert given == (("me@example.com", "alias@example.com"), phrase("owner_given"))
    assert store.owner() == (("alias@example.com", "me@example.com"), "given")
    with pytest.raises(UsageError, match=r"not an e-mail address: Jane Doe$"):  # the wrong one only
        settle_owner(store, ["me@example.com", "Jane Doe"])
    assert store.owner() == (("alias@example.com", "me@example.com"), "given")


def test_an_owed_reply_shown_as_a_flag_is_no_task_and_one_shown_as_a_task_no_flag(
    store: Store,
) -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    box = MemoryMailbox()

    add = _add_message(box)

    def put(folder: str, sender: str, to: str, days_ago: int, subject: str) -> str:
        at = now - timedelta(days=days_ago)
        return add(folder, subject, sender, [to], at, f"<{days_ago}-{sender}>")

    for days_ago in (100, 90, 80):  # a contact: mail both ways, answered long ago
        put("sent", ME, ANN, days_ago, "Plans")
        put("inbox", ANN, ME, days_ago - 1, "Re: Plans")
    question = put("inbox", ANN, ME, 4, "Can you help?")
    sync_source(store, MemorySource(box))
    claim_owner(store, ["me@example.com"])
    config = Config(accounts=(), settings=Settings())
    network = analyse_store(store, config, now).network
    owed = [f.item for f in network.followups if f.kind == "owed_reply"]
    assert owed == [f"memory:{question}"]

    def planned(mode: str) -> tuple[list[str], list[str]]:
        account = AccountConfig(
            name="memory", address="me@example.com", followups_as=(("owed_reply", mode),)
        )
        actions = plan_account(store, network, config, account, MemorySink(box)).actions
        flags = [a.item_id for a in actions if isinstance(a, SetFlag)]
        tasks = [a.key for a in actions if isinstance(a, CreateTask) and a.key.startswith("owed:")]
        return flags, tasks

    assert planned("flag") == ([question], [])
    assert planned("task") == ([], [f"owed:memory:{question}"])
    assert planned("both") == ([question], [f"owed:memory:{question}"])


class _CountingSink(MemorySink):
    """The in-memory sink, counting the messages each batch it is asked to mark names."""

    def __init__(self, box: MemoryMailbox) -> None:
        super().__init__(box, name="memory", batch_size=2)
        self.batches: list[int] = []

    def apply_batch(self, actions: Sequence[Action]) -> BatchApplied:
        self.batches.append(len({a.item_id for a in actions if is_message_action(a)}))
        return super().apply_batch(actions)


def test_message_marks_go_to_the_sink_batch_size_messages_at_a_time(store: Store) -> None:
    box = _mailbox(5)
    sink = _CountingSink(box)
    marks = [SetCategories("message", item_id, (), ("Network A",)) for item_id in box.items]
    # Both marks of m0 stay in one batch; a contact's category goes alone, between batches.
    actions = [
        *marks[:2],
        SetFlag(marks[0].item_id, NOT_FLAGGED, FollowUpFlag("flagged")),
        AddCategory("Network A", 4),
        *marks[2:],
    ]
    report = apply_plan(store, sink, WritebackPlan(tuple(actions)), "run-1")
    assert report.complete
    assert sink.batches == [2, 2, 1]


def test_applying_a_plan_remembers_the_marks_the_user_took_off(store: Store) -> None:
    taken_off = (("note-0@partner.example", "Network A"),)
    plan = WritebackPlan((), declined=taken_off)
    assert apply_plan(store, MemorySink(_mailbox(1)), plan, "run-1").complete
    assert store.declined_marks("memory") == frozenset(taken_off)


def test_write_back_applies_unless_asked_for_a_dry_run(store: Store) -> None:
    # The agent's cycle writes back through here without naming dry_run.
    box = _mailbox(3)
    sync_source(store, MemorySource(box))
    claim_owner(store, [ME])
    config = Config(accounts=(), settings=Settings())
    network = analyse_store(store, config, datetime(2026, 3, 10, tzinfo=UTC)).network
    account = AccountConfig(name="memory", address=ME)
    planned, none = write_back(store, config, network, account, MemorySink(box), dry_run=True)
    assert planned and none is None and not box.master  # Ann's tier category, not yet written
    _, report = write_back(store, config, network, account, MemorySink(box))
    assert report is not None and report.complete and box.master


def test_a_guess_that_was_right_becomes_given(store: Store) -> None:
    store.set_owner([ME], "detected")
    claim_owner(store, [ME])
    assert store.owner() == ((ME,), "given")  # no later guess may replace it now


def test_an_apply_stopped_at_a_safe_point_is_not_complete(store: Store) -> None:
    plan = WritebackPlan((AddCategory("Network A", 4), AddCategory("Network B", 7)))
    asked: list[int] = []
    stop = lambda: len(asked.append(1) or asked) > 1  # noqa: E731 - after the first action
    report = apply_plan(store, MemorySink(_mailbox(0)), plan, "run-1", should_stop=stop)
    assert report.applied == [plan.actions[0]] and report.error is None
    assert not report.complete


def test_an_inconclusive_ingest_still_detects_the_owner_from_everything_stored(
    store: Store, tmp_path: Path
) -> None:
    # Two messages are too few for a guess (core/owner.py: at least three); two ingests of two
    # each are enough once the store is read as a whole.
    now = datetime(2026, 6, 1, tzinfo=UTC)
    _, first = ingest_files(store, [_sent_mbox(tmp_path / "a.mbox", ME, 2)], now=now)
    assert settle_owner(store, [], first) == ((), None)
    _, second = ingest_files(store, [_sent_mbox(tmp_path / "b.mbox", ME, 2)], now=now)
    assert second.guess().addresses == ()
    assert settle_owner(store, [], second) == (
        (ME,),
        phrase("owner_undelivered", count=4, of=4),
    )
    assert store.owner() == ((ME,), "detected")


def test_messages_are_tagged_only_within_the_configured_days(store: Store) -> None:
    box = _mailbox(9)  # Ann's notes of 1 to 9 March, 09:00
    sync_source(store, MemorySource(box))
    claim_owner(store, [ME])
    config = Config(accounts=(), settings=Settings())
    network = analyse_store(store, config, datetime(2026, 3, 10, 8, tzinfo=UTC)).network
    (ann,) = network.contacts
    account = AccountConfig(
        name="memory", address=ME, tag_messages=True,
        tag_message_tiers=(ann.tier.tier,), tag_message_days=5,
    )  # fmt: skip
    actions = plan_account(store, network, config, account, MemorySink(box)).actions
    tagged = {
        a.item_id for a in actions if isinstance(a, SetCategories) and a.item_kind != "contact"
    }
    assert tagged == set(list(box.items)[4:])  # 5 to 9 March: since 08:00 five days back


def test_apply_and_undo_hang_up_on_the_mail_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workspace's own connection (exchangelib against the EWS test server): each command
    # closes its sessions when done, so the server sees every connection closed.
    monkeypatch.setenv("OUTLOOK_NETWORKING_PASSWORD", "secret")
    with EWSServer() as server:
        config = tmp_path / "config.toml"
        config.write_text(
            '[[accounts]]\nname = "work"\naddress = "me@example.com"\nconnector = "ews"\n'
            f'endpoint = "{server.url}"\nauth = "basic"\n',
            encoding="utf-8",
        )
        with Workspace(tmp_path / "network.sqlite3", config) as workspace:
            (account,) = workspace.config.accounts
            _, report = apply_account(workspace, account, dry_run=False)
            assert report is not None and report.error is None
            assert server.counts["FindItem"] > 0  # it read the mailbox
            assert wait_until(lambda: server.open_connections == 0)
            server.reset_log()
            assert undo_account(workspace, account).error is None
            assert server.counts["FindItem"] > 0
            assert wait_until(lambda: server.open_connections == 0)
        errors = list(server.schema_errors)
    close_connections()
    assert errors == []
