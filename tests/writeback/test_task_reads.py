"""The product's tasks a plan needs to see: what the user does to a task stands, so the few the
journal cannot vouch for are all the write-back reads (``writeback.plan.tasks_to_read``).

The promise checked here: for any history of the product's writes (some begun and never known
to be done), any change the user made since (edits, completions, a task opened again, deleted)
and any new wish, the plan made from only the tasks :func:`tasks_to_read` names is the plan made
from every task. The one thing it cannot see, a task of the product's the journal does not name,
is left to the daily read of every task (``app.pipeline``; tests/app/test_task_reads.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from outlook_networking.ports import (
    CompleteTask,
    CreateTask,
    MailboxState,
    TaskState,
    UpdateTask,
)
from outlook_networking.writeback.plan import (
    CategoryScheme,
    Desired,
    DesiredTask,
    JournalEntry,
    plan,
    tasks_to_read,
)

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SCHEME = CategoryScheme()
ASK = DesiredTask("owed:ann", "Reply to Ann", T0 + timedelta(days=2), "Ann wrote")


def _made(task: DesiredTask, item_id: str = "t1") -> JournalEntry:
    return JournalEntry(CreateTask(task.key, task.subject, task.due, task.body), item_id, True)


def _open(task: DesiredTask, item_id: str = "t1", **changes: object) -> TaskState:
    state = TaskState(item_id, task.key, task.subject, task.due, task.body, False)
    return replace(state, **changes)  # type: ignore[arg-type]


def test_a_task_the_user_edited_keeps_the_edit_until_the_products_wish_changes() -> None:
    edited = MailboxState(tasks=(_open(ASK, subject="Ann: budget", due=T0 + timedelta(days=5)),))
    journal = [_made(ASK)]
    assert plan(Desired((), (ASK,)), edited, SCHEME, journal).actions == ()
    assert tasks_to_read(Desired((), (ASK,)), journal) == frozenset()
    # A new wish is a new judgement: the product writes it.
    later = replace(ASK, due=T0 + timedelta(days=9))
    assert tasks_to_read(Desired((), (later,)), journal) == {"t1"}
    assert plan(Desired((), (later,)), edited, SCHEME, journal).actions == (
        UpdateTask(ASK.key, "t1", later.subject, later.due, later.body),
    )
    # Without a journal (a store that lost it) the mailbox is all there is to go by.
    assert plan(Desired((), (later,)), edited, SCHEME).actions == (
        UpdateTask(ASK.key, "t1", later.subject, later.due, later.body),
    )


def test_a_task_the_product_completed_and_the_user_opened_again_stays_open() -> None:
    journal = [_made(ASK), JournalEntry(CompleteTask(ASK.key, "t1"), "t1", True)]
    opened = MailboxState(tasks=(_open(ASK),))
    assert plan(Desired((), ()), opened, SCHEME, journal).actions == ()
    assert tasks_to_read(Desired((), ()), journal) == frozenset()
    # Wanted again, it is read: the user may have opened it, and then it is brought up to date.
    again = replace(ASK, body="Ann wrote again")
    assert tasks_to_read(Desired((), (again,)), journal) == {"t1"}
    assert plan(Desired((), (again,)), opened, SCHEME, journal).actions == (
        UpdateTask(ASK.key, "t1", again.subject, again.due, again.body),
    )


def test_only_what_the_journal_cannot_vouch_for_is_read() -> None:
    call = DesiredTask("touch:bob", "Get in touch with Bob", None, "")
    gone = DesiredTask("cooling:eve", "Eve went quiet", None, "")
    journal = [_made(ASK, "t1"), _made(call, "t2"), _made(gone, "t3")]
    # Ann's wish as written, Bob's changed, Eve's gone (to be completed), Dora's new.
    new = DesiredTask("owed:dora", "Reply to Dora", None, "")
    desired = Desired((), (ASK, replace(call, due=T0), new))
    assert tasks_to_read(desired, journal) == {"t2", "t3"}
    # Begun and not known to be done (a crash): what is there decides, so every task is read.
    crashed = [*journal, JournalEntry(CreateTask(new.key, new.subject, None, ""), "", False)]
    assert tasks_to_read(desired, crashed) is None
    # The same once a later write is known done: the begun entry is history.
    assert tasks_to_read(desired, [*crashed, _made(new, "t4")]) == {"t2", "t3"}


def test_a_write_cut_short_by_a_crash_vouches_for_nothing() -> None:
    # Made as wished, then an update begun and never known done: the mailbox shows the update.
    later = replace(ASK, body="Ann wrote again")
    begun = JournalEntry(UpdateTask(ASK.key, "t1", later.subject, later.due, later.body), "", False)
    journal = [_made(ASK), begun]
    shows = MailboxState(tasks=(_open(later),))
    assert tasks_to_read(Desired((), (ASK,)), journal) is None  # every task is read
    # The wish is the first write again; what the mailbox shows may be the product's own
    # half-done update, not the user's edit: it is brought back to the wish.
    assert plan(Desired((), (ASK,)), shows, SCHEME, journal).actions == (
        UpdateTask(ASK.key, "t1", ASK.subject, ASK.due, ASK.body),
    )


_SUBJECTS = ("Reply", "Call")
_DUES = (None, T0, T0 + timedelta(days=1), T0 + timedelta(hours=30))
_BODIES = ("", "wrote")
_KEYS = ("k0", "k1", "k2", "k3")
_wish = st.tuples(st.sampled_from(_SUBJECTS), st.sampled_from(_DUES), st.sampled_from(_BODIES))


@st.composite
def _worlds(draw: st.DrawFn) -> tuple[Desired, MailboxState, list[JournalEntry]]:
    """The product's writes to each task (a creation, then updates and completions, the last
    perhaps begun and never known done), the mailbox after the user's doings, a new wish."""
    journal: list[JournalEntry] = []
    tasks: list[TaskState] = []
    desired: list[DesiredTask] = []
    for key in _KEYS:
        item_id = f"id-{key}"
        writes = draw(st.integers(0, 3))
        complete = False
        wrote: tuple[str, datetime | None, str] | None = None
        for n in range(writes):
            done = n < writes - 1 or draw(st.integers(0, 7)) > 0  # a crash now and then
            if n and draw(st.booleans()):
                action: object = CompleteTask(key, item_id)
                complete = complete or done
            else:
                wrote = draw(_wish)
                action = CreateTask(key, *wrote) if not n else UpdateTask(key, item_id, *wrote)
                complete = complete and not done
            journal.append(JournalEntry(action, item_id if done else "", done))  # type: ignore[arg-type]
        if wrote is not None:
            # The user: leaves it, edits it, completes or opens it again, or deletes it.
            seen = draw(st.one_of(st.just(wrote), _wish))
            done_now = draw(st.sampled_from((complete, not complete)))
            if draw(st.integers(0, 4)):
                tasks.append(TaskState(item_id, key, *seen, done_now))
        if draw(st.booleans()):
            wish = draw(st.one_of(_wish, st.just(wrote) if wrote else _wish))
            desired.append(DesiredTask(key, *wish))
    return Desired((), tuple(desired)), MailboxState(tasks=tuple(tasks)), journal


@settings(max_examples=400, deadline=None)
@given(_worlds())
def test_the_plan_from_the_tasks_named_is_the_plan_from_every_task(
    world: tuple[Desired, MailboxState, list[JournalEntry]],
) -> None:
    desired, state, journal = world
    ids = tasks_to_read(desired, journal)
    if ids is None:
        return  # every task is read: the same plan by definition
    named = replace(state, tasks=tuple(t for t in state.tasks if t.item_id in ids))
    assert plan(desired, named, SCHEME, journal) == plan(desired, state, SCHEME, journal)
