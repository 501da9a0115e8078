"""The contract every Source and Sink passes: the in-memory fake, EWS, Graph and the files alike.

Subclass :class:`SourceContract` (every source: exported files too), :class:`MailboxSourceContract`
(a mailbox's source, which also follows deletions and outlives a lost sync state),
:class:`SinkContract` or :class:`MessageSinkContract` (a sink that marks messages) in a
backend's test module and provide the ``source_world`` / ``sink_world`` / ``mark_world``
fixture; every test here then runs against that backend. The
tests speak only through the protocols and a small seeding interface, and assert what a user
would notice: which mail is stored, what categories and tasks the mailbox shows, that nothing is
duplicated, and that undo gives the mailbox back as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from outlook_networking.app.pipeline import apply_plan, undo
from outlook_networking.ports import (
    CreateTask,
    DeleteTask,
    MessageSink,
    Sink,
    Source,
    is_message_action,
)
from outlook_networking.store import Store
from outlook_networking.writeback.messages import DesiredMessages, WantedFlag, plan_messages
from outlook_networking.writeback.plan import (
    CategoryScheme,
    Desired,
    DesiredContact,
    DesiredTask,
    WritebackPlan,
    plan,
)

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@dataclass
class SourceWorld:
    """A backend's mailbox as the source contract needs to drive it."""

    source: Callable[[], Source]  # a new client each call, as a restarted process would have
    add_message: Callable[..., str]  # (folder, subject, sender, to, at, message_id) -> item id
    delete: Callable[[str, str], None]  # (folder, item id)
    invalidate: Callable[[], None]  # the server forgets every sync state


@dataclass
class SinkWorld:
    """A backend's mailbox as the sink contract needs to drive it."""

    sink: Sink
    add_contact: Callable[[str, tuple[str, ...], tuple[str, ...]], str]
    add_master_category: Callable[[str, int], None]
    snapshot: Callable[[], Any]  # everything a user sees, comparable with ==


def _sync(store: Store, source: Source) -> int:
    written = 0
    for batch in source.read(store.cursors(source.name)):
        written += store.apply_batch(source.name, batch).written
    return written


def _subjects(store: Store, *, located: bool = False) -> list[str]:
    return sorted(i.subject for i in store.interactions(located=located))


class SourceContract:
    """Reading: full, then incremental, and a round cut short that the next one finishes."""

    def test_full_read_then_nothing_new(self, source_world: SourceWorld, store: Store) -> None:
        w = source_world
        for n in range(3):
            w.add_message(
                "inbox",
                f"Question {n}",
                "ann@partner.example",
                ["me@example.com"],
                T0 + timedelta(hours=n),
                f"<q{n}@partner.example>",
            )
        w.add_message(
            "sent",
            "Answer",
            "me@example.com",
            ["ann@partner.example"],
            T0 + timedelta(hours=5),
            "<a1@example.com>",
        )
        assert _sync(store, w.source()) == 4
        stored = {i.message_id: i for i in store.interactions()}
        assert set(stored) == {
            "q0@partner.example",
            "q1@partner.example",
            "q2@partner.example",
            "a1@example.com",
        }
        answer = stored["a1@example.com"]
        assert answer.sender is not None and answer.sender.address == "me@example.com"
        assert [m.address for m in answer.to] == ["ann@partner.example"]
        assert answer.at == T0 + timedelta(hours=5)
        digest = store.digest()
        assert _sync(store, w.source()) == 0
        assert store.digest() == digest

    def test_new_mail_arrives_incrementally(self, source_world: SourceWorld, store: Store) -> None:
        w = source_world
        w.add_message("inbox", "First", "bob@client.example", ["me@example.com"], T0, "<f@c>")
        _sync(store, w.source())
        w.add_message(
            "inbox",
            "Second",
            "bob@client.example",
            ["me@example.com"],
            T0 + timedelta(days=1),
            "<s@c>",
        )
        assert _sync(store, w.source()) == 1
        assert _subjects(store) == ["First", "Second"]

    def test_interrupted_round_resumes(self, source_world: SourceWorld, store: Store) -> None:
        w = source_world
        for n in range(250):
            w.add_message(
                "inbox",
                f"Bulk {n:03}",
                "bob@client.example",
                ["me@example.com"],
                T0 + timedelta(minutes=n),
                f"<b{n}@c>",
            )
        source = w.source()
        batches = source.read(store.cursors(source.name))
        first = next(batches)  # the process dies after the first stored batch
        store.apply_batch(source.name, first)
        batches.close()  # type: ignore[attr-defined]
        _sync(store, w.source())
        subjects = _subjects(store)
        assert len(subjects) == 250 and len(set(subjects)) == 250


class MailboxSourceContract(SourceContract):
    """A mailbox's source also follows deletions and outlives a sync state the server lost.

    A deletion or a resync removes the copy (``located``), never the interaction (history).
    """

    def test_deletion_is_applied(self, source_world: SourceWorld, store: Store) -> None:
        w = source_world
        keep = w.add_message("inbox", "Keep", "bob@client.example", ["me@example.com"], T0, "<k@c>")
        gone = w.add_message("inbox", "Gone", "bob@client.example", ["me@example.com"], T0, "<g@c>")
        _sync(store, w.source())
        w.delete("inbox", gone)
        _sync(store, w.source())
        assert _subjects(store, located=True) == ["Keep"]  # the mailbox no longer holds it
        assert _subjects(store) == ["Gone", "Keep"]  # but it happened: history is kept
        assert keep

    def test_lost_sync_state_resyncs_without_duplicates(
        self, source_world: SourceWorld, store: Store
    ) -> None:
        w = source_world
        ids = [
            w.add_message(
                "inbox",
                f"M{n}",
                "bob@client.example",
                ["me@example.com"],
                T0 + timedelta(minutes=n),
                f"<m{n}@c>",
            )
            for n in range(5)
        ]
        _sync(store, w.source())
        w.invalidate()
        w.delete("inbox", ids[0])  # lost while the state was gone: the resync must notice
        w.add_message("inbox", "Late", "bob@client.example", ["me@example.com"], T0, "<late@c>")
        _sync(store, w.source())
        assert _subjects(store, located=True) == ["Late", "M1", "M2", "M3", "M4"]
        assert _subjects(store) == ["Late", "M0", "M1", "M2", "M3", "M4"]


def _desired(*tasks: DesiredTask, create: frozenset[str] = frozenset()) -> Desired:
    return Desired(
        contacts=(
            DesiredContact(("ann@partner.example",), "Ann Partner", "A"),
            DesiredContact(("carl@old.example", "carl@home.example"), "Carl Old", "C"),
            DesiredContact(("dora@new.example",), "Dora New", "B"),
        ),
        tasks=tasks,
        create_contacts_for=create,
    )


_TASK = DesiredTask("owed:test:1", "Reply to Ann: Budget", T0 + timedelta(days=2), "Ann wrote")
_TASK2 = DesiredTask("touch:carl", "Get in touch with Carl", T0 + timedelta(days=9), "180 d")
SCHEME = CategoryScheme()


def _apply(store: Store, sink: Sink, desired: Desired) -> int:
    actions = plan(desired, sink.read_state(), SCHEME)
    report = apply_plan(store, sink, actions, run_id="test")
    assert report.complete, report.error
    return len(report.applied)


class SinkContract:
    """Writing back: idempotent, only what the product owns, and a complete undo."""

    def test_apply_twice_changes_nothing(self, sink_world: SinkWorld, store: Store) -> None:
        w = sink_world
        w.add_contact("Ann Partner", ("ann@partner.example",), ("Customer",))
        assert _apply(store, w.sink, _desired(_TASK, _TASK2)) > 0
        after = w.snapshot()
        assert plan(_desired(_TASK, _TASK2), w.sink.read_state(), SCHEME).actions == ()
        assert w.snapshot() == after

    def test_users_categories_are_kept_in_order(self, sink_world: SinkWorld, store: Store) -> None:
        w = sink_world
        ann = w.add_contact("Ann Partner", ("ann@partner.example",), ("Customer", "Important"))
        carl = w.add_contact("Carl Old", ("carl@home.example",), ())
        w.add_master_category("Customer", 7)
        _apply(store, w.sink, _desired())
        state = w.sink.read_state()
        by_id = {c.item_id: c.categories for c in state.contacts}
        assert by_id[ann] == ("Customer", "Important", "Network A")
        assert by_id[carl] == ("Network C",)
        master = {c.name: c.color for c in state.master_categories}
        assert master["Customer"] == 7
        assert {"Network A", "Network C"} <= set(master)

    def test_tier_change_swaps_only_our_category(self, sink_world: SinkWorld, store: Store) -> None:
        w = sink_world
        ann = w.add_contact("Ann Partner", ("ann@partner.example",), ("Customer",))
        _apply(store, w.sink, _desired())
        moved = Desired(
            contacts=(DesiredContact(("ann@partner.example",), "Ann Partner", "B"),), tasks=()
        )
        _apply(store, w.sink, moved)
        by_id = {c.item_id: c.categories for c in w.sink.read_state().contacts}
        assert by_id[ann] == ("Customer", "Network B")

    def test_tasks_created_once_updated_and_completed(
        self, sink_world: SinkWorld, store: Store
    ) -> None:
        w = sink_world
        _apply(store, w.sink, _desired(_TASK, _TASK2))
        _apply(store, w.sink, _desired(_TASK, _TASK2))
        tasks = {t.key: t for t in w.sink.read_state().tasks}
        assert set(tasks) == {_TASK.key, _TASK2.key}
        changed = DesiredTask(_TASK.key, _TASK.subject, _TASK.due, "Ann wrote twice")
        _apply(store, w.sink, _desired(changed))  # _TASK2 resolved meanwhile
        tasks = {t.key: t for t in w.sink.read_state().tasks}
        assert tasks[_TASK.key].body.startswith("Ann wrote twice")
        assert not tasks[_TASK.key].complete
        assert tasks[_TASK2.key].complete
        assert len(tasks) == 2

    def test_tasks_are_read_all_or_by_id_and_a_gone_one_is_left_out(
        self, sink_world: SinkWorld, store: Store
    ) -> None:
        # What app.pipeline reads for a plan: every task, or only those the plan needs.
        w = sink_world
        _apply(store, w.sink, _desired(_TASK, _TASK2))
        every = w.sink.read_tasks(None)
        assert sorted(t.key for t in every) == sorted((_TASK.key, _TASK2.key))
        assert every == w.sink.read_state().tasks
        assert w.sink.read_state(tasks=False).tasks == ()
        ann, carl = sorted(every, key=lambda t: t.key != _TASK.key)
        assert w.sink.read_tasks([ann.item_id]) == (ann,)
        assert w.sink.read_tasks([]) == ()
        w.sink.apply(DeleteTask(ann.key, ann.item_id))
        assert w.sink.read_tasks([ann.item_id, carl.item_id]) == (carl,)

    def test_undo_restores_the_mailbox(self, sink_world: SinkWorld, store: Store) -> None:
        w = sink_world
        w.add_contact("Ann Partner", ("ann@partner.example",), ("Customer",))
        w.add_contact("Carl Old", ("carl@old.example",), ("Network C", "Family"))
        w.add_master_category("Customer", 7)
        before = w.snapshot()
        _apply(store, w.sink, _desired(_TASK, _TASK2, create=frozenset({"B"})))
        assert w.snapshot() != before
        report = undo(store, w.sink, SCHEME)
        assert report.complete, report.error
        assert w.snapshot() == before
        assert undo(store, w.sink, SCHEME).planned == 0

    def test_undo_after_a_crash_mid_apply(self, sink_world: SinkWorld, store: Store) -> None:
        w = sink_world
        before = w.snapshot()
        action = CreateTask(_TASK.key, _TASK.subject, _TASK.due, _TASK.body)
        store.journal_begin(w.sink.name, "crashed", [action], T0)
        w.sink.apply(action)  # applied, but the process died before the journal said so
        again = plan(_desired(_TASK), w.sink.read_state(), SCHEME)
        assert not any(isinstance(a, CreateTask) for a in again.actions)  # found by its key
        undo(store, w.sink, SCHEME)
        assert w.snapshot() == before

    def test_created_contacts_carry_our_category_and_undo_removes_them(
        self, sink_world: SinkWorld, store: Store
    ) -> None:
        w = sink_world
        _apply(store, w.sink, _desired(create=frozenset({"B"})))
        made = [c for c in w.sink.read_state().contacts if "dora@new.example" in c.addresses]
        assert len(made) == 1 and made[0].categories == ("Network B",)
        assert plan(_desired(create=frozenset({"B"})), w.sink.read_state(), SCHEME).actions == ()
        undo(store, w.sink, SCHEME)
        assert not [c for c in w.sink.read_state().contacts if "dora@new.example" in c.addresses]


@dataclass
class MarkWorld:
    """A backend's mailbox as the message-marking contract needs to drive it (messages named by
    their Internet Message-ID, as a user would find them whatever their id or folder)."""

    source: Callable[[], Source]
    sink: MessageSink
    add_message: Callable[..., None]  # (folder, subject, sender, to, at, message_id)
    set_categories: Callable[[str, tuple[str, ...]], None]  # the user, by Message-ID
    clear_flag: Callable[[str], None]  # the user, by Message-ID
    move: Callable[[str], None]  # the user files it in another folder, by Message-ID
    seen: Callable[[], dict[str, tuple[tuple[str, ...], str]]]  # Message-ID -> categories, flag


ANN = "ann@partner.example"


def _mark_plan(store: Store, w: MarkWorld, flags: dict[str, str] | None = None) -> Any:
    """Tag Ann's messages (tier B) and flag the messages named in ``flags`` (Message-ID ->
    follow-up key), as the pipeline plans them."""
    messages = store.account_messages(w.sink.name, since=T0 - timedelta(days=30))
    by_mid = {m.state.message_id: m for m in messages}
    wanted = {
        by_mid[mid].interaction: WantedFlag(
            by_mid[mid].interaction, key, ANN, T0 + timedelta(days=2)
        )
        for mid, key in (flags or {}).items()
    }
    journal = [e for e in store.journal(w.sink.name) if is_message_action(e.action)]
    desired = DesiredMessages(
        owner=frozenset({"me@example.com"}), person_of={ANN: ANN}, tier={ANN: "B"},
        tag_tiers=frozenset({"B"}), since=T0 - timedelta(days=30), flags=wanted,
    )  # fmt: skip
    marked = plan_messages(desired, messages, journal, store.declined_marks(w.sink.name),
                           SCHEME, T0 + timedelta(days=3))  # fmt: skip
    return WritebackPlan(marked.actions, declined=marked.declined)


def _mark(store: Store, w: MarkWorld, flags: dict[str, str] | None = None) -> int:
    report = apply_plan(store, w.sink, _mark_plan(store, w, flags), run_id="test")
    assert report.complete, report.error
    return len(report.applied)


class MessageSinkContract:
    """Marking messages: many at a time, the user's changes kept, undo complete."""

    def _seed(self, w: MarkWorld, n: int) -> list[str]:
        mids = [f"q{k}@partner.example" for k in range(n)]
        for k, mid in enumerate(mids):
            w.add_message("inbox", f"Question {k}", ANN, ["me@example.com"],
                          T0 + timedelta(minutes=k), f"<{mid}>")  # fmt: skip
        return mids

    def test_many_messages_marked_once_and_undone(
        self, mark_world: MarkWorld, store: Store
    ) -> None:
        w = mark_world
        mids = self._seed(w, 2 * w.sink.batch_size + 3)
        before = w.seen()
        _sync(store, w.source())
        assert _mark(store, w, {mids[0]: "owed:q0"}) == len(mids) + 1
        seen = w.seen()
        assert all(seen[mid][0] == ("Network B",) for mid in mids)
        assert seen[mids[0]][1] == "flagged"
        assert _mark_plan(store, w, {mids[0]: "owed:q0"}).actions == ()  # nothing twice
        _sync(store, w.source())
        assert _mark_plan(store, w, {mids[0]: "owed:q0"}).actions == ()
        assert undo(store, w.sink, SCHEME).complete
        assert w.seen() == before

    def test_the_store_holds_what_a_run_wrote_and_the_next_plan_mistakes_nothing(
        self, mark_world: MarkWorld, store: Store
    ) -> None:
        # The next plan starts from the marks the store holds, not from a new sync: a message
        # recorded without the tag we just put on it would read as the user taking it off
        # (declined for good), a flag recorded unset as one to set again.
        w = mark_world
        mids = self._seed(w, 3)
        _sync(store, w.source())
        _mark(store, w, {mids[0]: "owed:q0"})
        stored = {
            m.state.message_id.strip("<>"): (m.state.categories, m.state.flag.status)
            for m in store.account_messages(w.sink.name, since=T0 - timedelta(days=30))
        }
        assert stored == w.seen()
        assert stored[mids[0]] == (("Network B",), "flagged")
        assert stored[mids[1]] == (("Network B",), "notFlagged")
        again = _mark_plan(store, w, {mids[0]: "owed:q0"})
        assert again.actions == () and again.declined == frozenset()

    def test_a_change_since_the_sync_is_read_again_and_kept(
        self, mark_world: MarkWorld, store: Store
    ) -> None:
        w = mark_world
        mids = self._seed(w, 3)
        _sync(store, w.source())
        w.set_categories(mids[1], ("Mine",))  # after the sync: the store has an older version
        _mark(store, w)
        assert w.seen()[mids[1]][0] == ("Mine", "Network B")
        assert undo(store, w.sink, SCHEME).complete
        assert w.seen()[mids[1]][0] == ("Mine",)

    def test_the_user_wins_over_our_marks(self, mark_world: MarkWorld, store: Store) -> None:
        w = mark_world
        mids = self._seed(w, 3)
        _sync(store, w.source())
        _mark(store, w, {mids[0]: "owed:q0"})
        w.set_categories(mids[1], ())
        w.clear_flag(mids[0])
        _sync(store, w.source())
        _mark(store, w, {mids[0]: "owed:q0"})
        _sync(store, w.source())
        assert _mark_plan(store, w, {mids[0]: "owed:q0"}).actions == ()
        seen = w.seen()
        assert seen[mids[1]] == ((), "notFlagged") and seen[mids[0]][1] == "notFlagged"
        assert seen[mids[2]][0] == ("Network B",)

    def _crash_after_writing(
        self, w: MarkWorld, store: Store, flags: dict[str, str] | None = None
    ) -> tuple[list[str], dict[str, tuple[tuple[str, ...], str]]]:
        """Three messages marked by a run whose process died after the sink wrote and before
        the journal knew; the messages' Message-IDs and how the user saw them before."""
        mids = self._seed(w, 3)
        before = w.seen()
        _sync(store, w.source())
        actions = list(_mark_plan(store, w, flags).actions)
        store.journal_begin(w.sink.name, "crashed", actions, T0)
        w.sink.apply_batch(actions)
        return mids, before

    def test_a_batch_cut_short_by_a_crash_is_not_written_twice(
        self, mark_world: MarkWorld, store: Store
    ) -> None:
        w = mark_world
        mids, before = self._crash_after_writing(w, store)
        _mark(store, w)  # planned again from the store, which has not seen it
        assert all(w.seen()[mid][0] == ("Network B",) for mid in mids)
        assert undo(store, w.sink, SCHEME).complete
        assert w.seen() == before

    def test_a_crashed_batch_seen_by_a_sync_is_still_ours_to_undo(
        self, mark_world: MarkWorld, store: Store
    ) -> None:
        # The sink wrote, the process died before the journal knew, and a sync then read our
        # marks from the mailbox: what the messages show of the begun entries is ours, so the
        # next run neither writes it again nor takes it for the user's, and undo takes it off.
        w = mark_world
        flags = {"q0@partner.example": "owed:q0"}
        _, before = self._crash_after_writing(w, store, flags)
        _sync(store, w.source())
        again = _mark_plan(store, w, flags)
        assert again.actions == () and again.declined == frozenset()
        assert undo(store, w.sink, SCHEME).complete
        assert w.seen() == before

    def test_a_flag_shows_its_days_and_a_completed_one_when_it_was_done(
        self, mark_world: MarkWorld, store: Store
    ) -> None:
        # What Outlook shows on an owed reply: flagged from the message's day, due the day the
        # follow-up is due (T0 + 2 days); once the reply is sent, complete, on the day it was.
        w = mark_world
        (mid,) = self._seed(w, 1)
        _sync(store, w.source())
        _mark(store, w, {mid: "owed:q0"})
        (message,) = store.account_messages(w.sink.name, since=T0 - timedelta(days=30))
        ref = (message.state.item_id, mid)
        read = w.sink.read_messages([ref])[ref[0]]
        # What finds it again should its id change, in the form the source stored it.
        assert read.message_id == message.state.message_id == mid
        flag = read.flag
        assert flag.status == "flagged" and flag.start is not None and flag.due is not None
        assert (flag.start.date(), flag.due.date()) == (date(2026, 10, 1), date(2026, 10, 3))
        _sync(store, w.source())
        _mark(store, w)  # the follow-up is over: planned at T0 + 3 days
        flag = w.sink.read_messages([ref])[ref[0]].flag
        assert flag.status == "complete" and flag.completed is not None
        assert flag.completed.date() == date(2026, 10, 4)

    def test_undo_finds_a_message_filed_elsewhere(
        self, mark_world: MarkWorld, store: Store
    ) -> None:
        w = mark_world
        mids = self._seed(w, 2)
        before = w.seen()
        _sync(store, w.source())
        _mark(store, w)
        w.move(mids[0])
        assert undo(store, w.sink, SCHEME).complete
        assert w.seen() == before
