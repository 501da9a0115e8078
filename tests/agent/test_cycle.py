"""run_once: sync → analyse → write-back over every account, with in-memory connections."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from outlook_networking.agent import cycle, run_once
from outlook_networking.agent.cycle import DEFAULT_RECHECK_S, Settled
from outlook_networking.app.analysis import analyse_store
from outlook_networking.app.answers import kept
from outlook_networking.config import Config
from outlook_networking.connectors.memory import MemoryMailbox
from outlook_networking.errors import ConnectionFailed, LoginRequired, Throttled
from outlook_networking.i18n import wording_for
from outlook_networking.model import Interaction, Kind, Mailbox
from outlook_networking.ports import Batch, BatchApplied
from outlook_networking.store import Store

from .conftest import MemoryConnection, make_config, memory_connection
from .world import NOW, build_world, load_memory


def _fresh() -> MemoryMailbox:
    box = MemoryMailbox()
    load_memory(box, build_world())
    return box


def _clean_run(tmp_path: Path) -> tuple[str, dict[str, object]]:
    box = _fresh()
    with Store.open(tmp_path / "clean.sqlite3") as store:
        report = run_once(store, make_config("work"), {"work": memory_connection(box)}, now=NOW)
        assert report.result == "ok"
        return store.digest(), box.snapshot()


def test_one_cycle_syncs_analyses_and_writes_back(store: Store, world_box: MemoryMailbox) -> None:
    report = run_once(store, make_config("work"), {"work": memory_connection(world_box)}, now=NOW)
    assert report.result == "ok"
    (account,) = report.accounts
    assert account.items == len(world_box.items) + len(world_box.cards)
    assert account.apply == "applied" and account.applied == account.planned > 0
    tasks = list(world_box.tasks.values())
    # Owed replies flag the message they are about (followups_as' default), the rest are tasks.
    assert not any(t.key.startswith("owed:") for t in tasks) and tasks
    flagged = [i for i, f in world_box.flags.items() if f.flagged]
    assert flagged and all(world_box.items[i].folder == "inbox" for i in flagged)
    tagged = [c for c in world_box.contact_categories.values() if any("Network" in n for n in c)]
    assert tagged, "contacts got their tier category"
    assert any(c.name.startswith("Network ") for c in world_box.master)


def test_a_second_cycle_with_no_change_reads_one_page_per_folder_and_writes_nothing(
    store: Store, world_box: MemoryMailbox
) -> None:
    config = make_config("work")
    connections = {"work": memory_connection(world_box)}
    run_once(store, config, connections, now=NOW)
    before = world_box.snapshot()
    again = run_once(store, config, connections, now=NOW)
    assert again.result == "ok"
    assert again.accounts[0].written == 0 and again.accounts[0].applied == 0
    assert again.accounts[0].apply == "unchanged"
    assert world_box.snapshot() == before


def test_the_plan_is_rechecked_after_recheck_s(store: Store, world_box: MemoryMailbox) -> None:
    config = make_config("work")
    connections = {"work": memory_connection(world_box)}
    run_once(store, config, connections, now=NOW)
    # One of our category names goes from the master list by hand, where the sync does not read
    # (the product's tasks would not do: what the user does to one stands, writeback/plan.py).
    ours = next(c for c in world_box.master if c.name.startswith("Network "))
    world_box.master.remove(ours)
    skipped = run_once(store, config, connections, now=NOW)
    assert skipped.accounts[0].apply == "unchanged"
    rechecked = run_once(store, config, connections, now=NOW, recheck_s=0)
    assert rechecked.accounts[0].apply == "applied" and rechecked.accounts[0].applied == 1
    assert ours in world_box.master


def test_new_mail_changes_the_plan_in_the_next_cycle(store: Store) -> None:
    box = _fresh()
    config = make_config("work")
    connections = {"work": memory_connection(box)}
    run_once(store, config, connections, now=NOW)
    owed = [i for i, f in box.flags.items() if f.flagged]
    assert owed
    # Answer every question the owner owed: those flags complete in the next cycle.
    for item in list(box.items.values()):
        if item.subject.startswith("Question") and item.sender is not None:
            box.put("sent", Interaction(
                source="memory", item_id=box.new_id("msg-"), kind=Kind.EMAIL,
                at=item.at.replace(hour=23), sender=Mailbox("me@example.com"),
                to=(item.sender,), subject="Re: " + item.subject,
                message_id=f"answer-{item.item_id}", in_reply_to=item.message_id, folder="sent",
            ))
    report = run_once(store, config, connections, now=NOW)
    assert report.result == "ok" and report.accounts[0].applied > 0
    questions = [i for i in owed if box.items[i].subject.startswith("Question")]
    assert questions and all(box.flags[i].status == "complete" for i in questions)


def test_one_failing_account_does_not_stop_the_others(store: Store) -> None:
    good = _fresh()

    class Lazy(Mapping[str, MemoryConnection]):
        def __getitem__(self, name: str) -> MemoryConnection:
            if name == "broken":
                raise LoginRequired("broken", "the refresh token has expired")
            return memory_connection(good)

        def __iter__(self) -> Iterator[str]:
            return iter(("broken", "work"))

        def __len__(self) -> int:
            return 2

    report = run_once(store, make_config("broken", "work"), Lazy(), now=NOW)
    assert report.result == "partial"
    broken, work = report.accounts
    assert broken.error is not None and "login" in broken.error and broken.apply == "skipped"
    assert broken.error_kind == "LoginRequired"
    assert work.ok and work.applied > 0 and good.tasks


def test_a_server_failing_mid_sync_keeps_what_was_read_and_reports_throttling(
    store: Store, tmp_path: Path
) -> None:
    box = _fresh()
    connection = memory_connection(box)
    real = connection.source

    class Flaky:
        name = real.name
        fail = True

        def read(self, cursors: Mapping[str, str]) -> Iterator[Batch]:
            for n, batch in enumerate(real.read(cursors)):
                if self.fail and n == 2:
                    raise Throttled("work", "server busy", retry_after_s=120)
                yield batch

    flaky = Flaky()
    connection.source = flaky
    config = make_config("work")
    first = run_once(store, config, {"work": connection}, now=NOW)
    assert first.result == "failed" and first.retry_after_s == 120
    assert first.accounts[0].items > 0  # two batches are kept
    assert first.accounts[0].apply == "skipped" and not box.tasks
    flaky.fail = False
    second = run_once(store, config, {"work": connection}, now=NOW)
    assert second.result == "ok"
    digest, snapshot = _clean_run(tmp_path)
    assert store.digest() == digest
    assert box.snapshot() == snapshot


def test_a_sink_failing_mid_apply_is_finished_by_the_next_cycle(
    store: Store, tmp_path: Path
) -> None:
    box = _fresh()
    connection = memory_connection(box)
    real_sink = connection.sink

    class FlakySink:
        name = real_sink.name
        batch_size = real_sink.batch_size
        budget = 3

        def read_state(self, *, tasks=True):  # type: ignore[no-untyped-def]
            return real_sink.read_state(tasks=tasks)

        def read_tasks(self, item_ids=None):  # type: ignore[no-untyped-def]
            return real_sink.read_tasks(item_ids)

        def read_messages(self, refs):  # type: ignore[no-untyped-def]
            return real_sink.read_messages(refs)

        def apply(self, action):  # type: ignore[no-untyped-def]
            if self.budget == 0:
                raise ConnectionFailed("work", "connection dropped")
            self.budget -= 1
            return real_sink.apply(action)

        def apply_batch(self, actions):  # type: ignore[no-untyped-def]
            done = []
            for action in actions:
                try:
                    done.append(self.apply(action))
                except ConnectionFailed as exc:
                    return BatchApplied(tuple(done), exc)
            return BatchApplied(tuple(done))

    flaky = FlakySink()
    connection.sink = flaky
    config = make_config("work")
    first = run_once(store, config, {"work": connection}, now=NOW)
    assert first.result == "failed" and first.accounts[0].applied == 3
    assert first.accounts[0].apply == "failed"
    flaky.budget = 10_000
    second = run_once(store, config, {"work": connection}, now=NOW)
    assert second.result == "ok" and second.accounts[0].apply == "applied"
    digest, snapshot = _clean_run(tmp_path)
    assert store.digest() == digest
    assert box.snapshot() == snapshot


def test_stopping_between_batches_and_resuming_converges(store: Store, tmp_path: Path) -> None:
    box = _fresh()
    config = make_config("work")
    connections = {"work": memory_connection(box, page=25)}
    calls = iter(range(1_000))
    stopped = run_once(store, config, connections, now=NOW, should_stop=lambda: next(calls) >= 3)
    assert stopped.result == "stopped" and stopped.stopped
    assert not box.tasks  # stopped before the write-back
    resumed = run_once(store, config, connections, now=NOW)
    assert resumed.result == "ok"
    digest, snapshot = _clean_run(tmp_path)
    assert store.digest() == digest
    assert box.snapshot() == snapshot


def test_no_apply_writes_nothing(store: Store, world_box: MemoryMailbox) -> None:
    before = world_box.snapshot()
    report = run_once(
        store, make_config("work"), {"work": memory_connection(world_box)}, now=NOW, apply=False
    )
    assert report.result == "ok" and report.items_synced > 0
    assert report.accounts[0].apply == "disabled"
    assert world_box.snapshot() == before


def test_an_account_with_writeback_off_is_only_read(store: Store, world_box: MemoryMailbox) -> None:
    before = world_box.snapshot()
    config = make_config("work", writeback=False)
    report = run_once(store, config, {"work": memory_connection(world_box)}, now=NOW)
    assert report.result == "ok" and report.accounts[0].apply == "disabled"
    assert world_box.snapshot() == before


def test_configured_addresses_become_the_owner(store: Store, world_box: MemoryMailbox) -> None:
    run_once(store, make_config("work"), {"work": memory_connection(world_box)}, now=NOW)
    assert store.owner() == (("me@example.com",), "given")


def test_awaiting_an_answer_can_flag_the_owners_own_message(store: Store) -> None:
    box = _fresh()
    config = make_config("work", followups_as={"awaiting_answer": "flag"})
    run_once(store, config, {"work": memory_connection(box)}, now=NOW)
    flagged = {box.items[i].folder for i, f in box.flags.items() if f.flagged}
    assert flagged == {"inbox", "sent"}  # owed replies, and the owner's unanswered message
    assert not [t for t in box.tasks.values() if t.key.startswith("await:")]


def _count_analyses(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The moments the cycle analyses the store at, from now on."""
    calls: list[object] = []

    def counted(store: Store, config: object, now: object) -> object:
        calls.append(now)
        return analyse_store(store, config, now)  # type: ignore[arg-type]

    monkeypatch.setattr(cycle, "analyse_store", counted)
    return calls


def test_a_quiet_cycle_neither_analyses_nor_writes_back(
    store: Store, world_box: MemoryMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing an analysis reads changed since the last complete cycle, an hour has not passed:
    the cycle syncs and stops there (a minute of CPU saved per cycle at a million items)."""
    config = make_config("work")
    connections = {"work": memory_connection(world_box)}
    first = run_once(store, config, connections, now=NOW)
    assert first.analysed and first.settled is not None
    assert first.settled.generation == store.generation() and first.settled.now == NOW
    generation, before = store.generation(), world_box.snapshot()
    analyses = _count_analyses(monkeypatch)
    later = NOW + timedelta(minutes=59)
    quiet = run_once(store, config, connections, now=later, settled=first.settled)
    assert quiet.result == "ok" and not quiet.analysed and analyses == []
    assert quiet.accounts[0].apply == "unchanged" and quiet.accounts[0].applied == 0
    assert quiet.settled == first.settled  # still the analysis of NOW: the hour counts from it
    assert world_box.snapshot() == before and store.generation() == generation
    # Without what the last cycle settled (a new agent process) the cycle analyses.
    fresh = run_once(store, config, connections, now=later)
    assert fresh.analysed and analyses == [later]


def test_an_hour_after_the_last_analysis_a_quiet_cycle_analyses_again(
    store: Store, world_box: MemoryMailbox
) -> None:
    config = make_config("work")
    connections = {"work": memory_connection(world_box)}
    first = run_once(store, config, connections, now=NOW)
    hour = NOW + timedelta(seconds=DEFAULT_RECHECK_S)
    again = run_once(store, config, connections, now=hour, settled=first.settled)
    assert again.analysed and again.settled == Settled(store.generation(), hour,
                                                       frozenset({"work"}))
    # A clock set back (a replay with --now, a wrong clock) is no reason to trust it either.
    back = run_once(store, config, connections, now=NOW - timedelta(minutes=1),
                    settled=again.settled)
    assert back.analysed


def test_new_mail_or_a_decision_of_the_owner_ends_the_quiet(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever moves the store's generation (here a new message synced, then a follow-up the
    owner marked done by hand between two cycles) is analysed and written back at once."""
    box = _fresh()
    config = make_config("work")
    connections = {"work": memory_connection(box)}
    settled = run_once(store, config, connections, now=NOW).settled
    question = next(i for i in box.items.values()
                    if i.subject.startswith("Question") and i.sender is not None)
    box.put("sent", Interaction(
        source="memory", item_id=box.new_id("msg-"), kind=Kind.EMAIL,
        at=question.at.replace(hour=23), sender=Mailbox("me@example.com"),
        to=(question.sender,), subject="Re: " + question.subject,
        message_id="answer-late", in_reply_to=question.message_id, folder="sent",
    ))  # fmt: skip
    mail = run_once(store, config, connections, now=NOW + timedelta(minutes=5), settled=settled)
    assert mail.analysed and mail.accounts[0].written == 1 and mail.accounts[0].applied > 0
    assert mail.settled is not None and mail.settled != settled
    quiet = run_once(store, config, connections, now=NOW + timedelta(minutes=10),
                     settled=mail.settled)
    assert not quiet.analysed
    followup = analyse_store(store, config, NOW).network.followups[0]
    store.mark_followup_done(followup.key, followup.item, NOW)
    decided = run_once(store, config, connections, now=NOW + timedelta(minutes=15),
                       settled=quiet.settled)
    assert decided.analysed and decided.accounts[0].written == 0


def test_an_account_not_written_back_is_tried_again_by_the_next_cycle(
    store: Store, world_box: MemoryMailbox
) -> None:
    """A settled cycle names the accounts it wrote back; one that failed (or was deferred) is
    not among them, so the next cycle analyses and writes it back even if nothing changed."""
    config = make_config("work", "home")
    connections = {"work": memory_connection(world_box), "home": memory_connection(_fresh())}
    first = run_once(store, config, connections, now=NOW, defer={"home"})
    assert first.settled is not None and first.settled.accounts == {"work"}
    second = run_once(store, config, connections, now=NOW + timedelta(minutes=5),
                      settled=first.settled)
    assert second.analysed and {a.apply for a in second.accounts} <= {"applied", "unchanged"}
    assert second.settled is not None and second.settled.accounts == {"work", "home"}
    third = run_once(store, config, connections, now=NOW + timedelta(minutes=10),
                     settled=second.settled)
    assert not third.analysed


def test_a_cycle_whose_write_back_failed_settles_nothing(
    store: Store, world_box: MemoryMailbox
) -> None:
    connection = memory_connection(world_box)
    real_apply = connection.sink.apply_batch

    def failing(actions):  # type: ignore[no-untyped-def]
        return BatchApplied((), ConnectionFailed("work", "connection dropped"))

    connection.sink.apply_batch = failing  # type: ignore[method-assign]
    config = make_config("work")
    first = run_once(store, config, {"work": connection}, now=NOW)
    assert first.accounts[0].apply == "failed" and first.settled is None
    connection.sink.apply_batch = real_apply  # type: ignore[method-assign]
    second = run_once(store, config, {"work": connection}, now=NOW, settled=first.settled)
    assert second.analysed and second.accounts[0].apply == "applied"


def _news(box: MemoryMailbox) -> None:
    box.put("inbox", Interaction(
        source="memory", item_id=box.new_id("msg-"), kind=Kind.EMAIL,
        at=NOW - timedelta(minutes=1), sender=Mailbox("person01.last@corp1.example"),
        to=(Mailbox("me@example.com"),), subject="News", message_id="<news@corp1.example>",
        folder="inbox",
    ))  # fmt: skip


def test_while_the_cycle_analyses_new_mail_readers_get_the_answers_kept_before(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a million interactions the analysis after a sync takes a minute; a `contacts` typed
    meanwhile is answered from the last cycle's answers (as of its moment) instead of
    analysing the store a second time; once the cycle has kept its own, those are served."""
    box = _fresh()
    config = make_config("work")
    connections = {"work": memory_connection(box)}
    words = wording_for(config)
    run_once(store, config, connections, now=NOW)
    earlier = kept(store, config, words, NOW)
    assert earlier is not None
    rows = list(earlier.contacts()[0])
    _news(box)
    later = NOW + timedelta(minutes=5)
    meanwhile: list[object] = []

    def analysed_while_read(store: Store, config: Config, now: datetime) -> object:
        served = kept(store, config, words, now + timedelta(seconds=20))
        meanwhile.append(served and (served.as_of, list(served.contacts()[0])))
        return analyse_store(store, config, now)

    monkeypatch.setattr(cycle, "analyse_store", analysed_while_read)
    report = run_once(store, config, connections, now=later)
    assert report.analysed and report.accounts[0].written == 1
    assert meanwhile == [(NOW, rows)]
    after = kept(store, config, words, later)
    assert after is not None and after.as_of == later and store.answers_renewal() is None


def _heard_after_each_batch(
    monkeypatch: pytest.MonkeyPatch, then: Callable[[Store], None]
) -> None:
    """``then`` runs after each batch the cycle's sync stores, once the cycle has heard of it
    (a reader's command, typed while the agent syncs)."""
    real = cycle.sync_source

    def syncing(store: Store, source: object, *, on_batch: Any, should_stop: Any) -> Any:
        def heard(batch: Batch) -> None:
            on_batch(batch)
            then(store)

        return real(store, source, on_batch=heard, should_stop=should_stop)  # type: ignore[arg-type]

    monkeypatch.setattr(cycle, "sync_source", syncing)


def test_while_the_cycle_syncs_new_mail_readers_get_the_answers_kept_before(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store a sync is changing is about to be analysed: a read meanwhile is served the
    last cycle's answers, not left to analyse a store half synced beside the agent."""
    box = _fresh()
    config = make_config("work")
    connections = {"work": memory_connection(box)}
    words = wording_for(config)
    run_once(store, config, connections, now=NOW)
    earlier = kept(store, config, words, NOW)
    assert earlier is not None
    rows = list(earlier.contacts()[0])
    store.release()
    _news(box)
    before = store.generation()
    meanwhile: list[object] = []

    later = NOW + timedelta(minutes=5)

    def read(store: Store) -> None:
        served = kept(store, config, words, later + timedelta(seconds=20))
        meanwhile.append(served and (served.as_of, list(served.contacts()[0])))
        store.release()

    _heard_after_each_batch(monkeypatch, read)
    report = run_once(store, config, connections, now=later)
    assert report.analysed and report.accounts[0].written == 1 and store.generation() > before
    assert meanwhile and all(answer == (NOW, rows) for answer in meanwhile)
    assert store.answers_renewal() is None  # ended by the answers the cycle kept


def test_a_write_of_the_owners_during_the_sync_is_not_hidden(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = _fresh()
    config = make_config("work")
    connections = {"work": memory_connection(box)}
    words = wording_for(config)
    run_once(store, config, connections, now=NOW)
    _news(box)
    followup = analyse_store(store, config, NOW).network.followups[0]
    meanwhile: list[object] = []

    def done_then_read(store: Store) -> None:
        if not meanwhile:
            store.mark_followup_done(followup.key, followup.item, NOW)
        meanwhile.append(kept(store, config, words, NOW + timedelta(minutes=5, seconds=20)))
        store.release()

    _heard_after_each_batch(monkeypatch, done_then_read)
    run_once(store, config, connections, now=NOW + timedelta(minutes=5))
    assert meanwhile and meanwhile[0] is None  # analysed afresh: the follow-up is done


def test_a_sync_that_no_analysis_follows_leaves_no_mark(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = _fresh()
    config = make_config("work")
    connections = {"work": memory_connection(box)}
    run_once(store, config, connections, now=NOW)
    _news(box)
    marks: list[object] = []
    _heard_after_each_batch(monkeypatch, lambda store: marks.append(store.answers_renewal()))
    report = run_once(store, config, connections, now=NOW + timedelta(minutes=5),
                      should_stop=lambda: bool(marks))  # fmt: skip
    assert report.stopped and not report.analysed
    assert marks[0] is not None  # the sync's change was marked ...
    assert store.answers_renewal() is None  # ... and, no analysis following, unmarked
    assert kept(store, config, wording_for(config), NOW + timedelta(minutes=5)) is None


def test_a_failed_analysis_ends_what_it_renewed(
    store: Store, world_box: MemoryMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = make_config("work")
    connections = {"work": memory_connection(world_box)}
    run_once(store, config, connections, now=NOW)
    store.dismiss("item:x", NOW)  # something to analyse again

    def broken(*_args: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(cycle, "analyse_store", broken)
    report = run_once(store, config, connections, now=NOW)
    assert report.result == "failed" and store.answers_renewal() is None
    assert kept(store, config, wording_for(config), NOW) is None


def test_the_analysis_that_ends_an_hour_of_quiet_is_the_hourly_recheck_too(
    store: Store, world_box: MemoryMailbox
) -> None:
    """The last apply ended after the settled cycle's ``now`` began, so by the apply's own
    clock the hour has not quite passed when the quiet ends; without this the mailbox would be
    re-read only every other hour. Here nothing but the hour has changed: the desired state is
    the same, and one of our category names went from the master list by hand."""
    config = make_config("work")
    connections = {"work": memory_connection(world_box)}
    run_once(store, config, connections, now=NOW)
    ours = next(c for c in world_box.master if c.name.startswith("Network "))
    world_box.master.remove(ours)
    hour_ago = Settled(store.generation(), NOW - timedelta(seconds=DEFAULT_RECHECK_S),
                       frozenset({"work"}))  # fmt: skip
    again = run_once(store, config, connections, now=NOW, settled=hour_ago)
    assert again.analysed and again.accounts[0].apply == "applied"
    assert again.accounts[0].applied == 1 and ours in world_box.master


def test_the_cycle_hands_its_analysis_back_to_the_collector(
    store: Store, world_box: MemoryMailbox
) -> None:
    """The analysis is frozen out of the cyclic collector's sight while the cycle writes it back
    (app.analysis: each full collection would scan it all again), and the agent, which lives on,
    hands it back as the cycle ends: nothing of a cycle stays out of the collector's reach."""
    import gc

    frozen_while_used: list[int] = []
    run_once(store, make_config("work"), {"work": memory_connection(world_box)}, now=NOW,
             on_insight=lambda *_: frozen_while_used.append(gc.get_freeze_count()))  # fmt: skip
    assert frozen_while_used and frozen_while_used[0] > 0
    assert gc.get_freeze_count() == 0
