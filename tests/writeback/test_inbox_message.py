"""The morning brief as one message in the owner's own Inbox, on every backend: the in-memory
mailbox and both test servers through the real clients (exchangelib, httpx) over loopback HTTP.

Applied, it is one message in the Inbox, saved and never sent (no recipients), not a draft,
unread;
applied again the same day with new content it is still one, replaced; the next day's takes
yesterday's place; deleted by the user it is not put back that day; ``undo`` removes it and
leaves the user's own mail alone. The planner, journal and undo are the pipeline's own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from outlook_networking.app.pipeline import apply_plan, undo
from outlook_networking.connectors.ews import EwsSource, open_account
from outlook_networking.connectors.graph import GraphClient, GraphSource
from outlook_networking.ports import DeleteInboxMessage, Sink
from outlook_networking.store import Store
from outlook_networking.writeback.inbox import DesiredInboxMessage, plan_inbox
from outlook_networking.writeback.plan import CategoryScheme, WritebackPlan
from servers.ews import SERVER_BUILD

from .worlds import EwsWorld, GraphWorld, World

BRIEF = DesiredInboxMessage(
    "brief:2026-11-27",
    "Today's meetings (27 Nov): 1 meeting",
    "14:00–14:45 Budget 2027\n  Ann Partner (A, organizer), Bo Berg (B)",
)
LATER = DesiredInboxMessage(
    BRIEF.key,
    "Today's meetings (27 Nov): 2 meetings",
    BRIEF.body + "\n18:00–18:30 Nachzügler\n  Bo Berg (B)",
)
NEXT_DAY = DesiredInboxMessage("brief:2026-11-28", "Today's meetings (28 Nov): 1 meeting", "x")


def _apply(store: Store, sink: Sink, *wanted: DesiredInboxMessage) -> list[str]:
    state = sink.read_state()
    actions = plan_inbox(wanted, state.inbox, store.journal(sink.name))
    report = apply_plan(store, sink, WritebackPlan(actions), f"run-{len(store.journal(sink.name))}")
    assert report.complete, report.error
    return [type(a).__name__ for a in actions]


def _ours(world: World) -> list[tuple[str, str]]:
    """The product's messages in the Inbox as the user sees them: (subject, body)."""
    return sorted((m.subject, m.body) for m in world.inbox().values() if m.subject != "Mine")


def test_one_message_in_the_inbox_updated_not_duplicated_and_undone(
    world: World, tmp_path: Path
) -> None:
    mine = world.add_message("Mine")  # the user's own mail, which nothing may touch
    with Store.open(tmp_path / "network.sqlite3") as store:
        sink = world.sink()
        assert _apply(store, sink, BRIEF) == ["CreateInboxMessage"]
        assert _ours(world) == [(BRIEF.subject, BRIEF.body)]
        (made,) = [m for i, m in world.inbox().items() if i != mine]
        assert not made.draft and made.recipients == 0  # a message, never sent to anyone
        assert not made.read  # new mail: it counts among the Inbox's unread

        assert _apply(store, world.sink(), BRIEF) == []  # the same again: nothing to do
        assert _apply(store, world.sink(), LATER) == ["ReplaceInboxMessage"]
        assert _ours(world) == [(LATER.subject, LATER.body)]  # still one, up to date

        assert _apply(store, world.sink(), NEXT_DAY) == ["CreateInboxMessage", "DeleteInboxMessage"]
        assert _ours(world) == [(NEXT_DAY.subject, NEXT_DAY.body)]  # yesterday's gone

        report = undo(store, world.sink(), CategoryScheme())
        assert report.error is None
        assert _ours(world) == [] and list(world.inbox()) == [mine]


def test_a_brief_the_user_deleted_is_not_put_back_that_day(world: World, tmp_path: Path) -> None:
    with Store.open(tmp_path / "network.sqlite3") as store:
        _apply(store, world.sink(), BRIEF)
        (item_id,) = world.inbox()
        world.delete_message(item_id)
        assert _apply(store, world.sink(), LATER) == []  # the user wins, for that day
        assert _ours(world) == []
        assert _apply(store, world.sink(), NEXT_DAY) == ["CreateInboxMessage"]
        assert _ours(world) == [(NEXT_DAY.subject, NEXT_DAY.body)]


@pytest.mark.parametrize("kind", ["ews", "graph"])
def test_a_sync_does_not_read_the_brief_back_as_mail(kind: str, tmp_path: Path) -> None:
    # The brief sits in the Inbox every sync reads: it is the product's, not correspondence, so
    # it becomes no interaction and no problem, while the user's own message still does.
    world: EwsWorld | GraphWorld = EwsWorld() if kind == "ews" else GraphWorld()
    try:
        world.add_message("Mine")
        with Store.open(tmp_path / "network.sqlite3") as store:
            _apply(store, world.sink(), BRIEF)
        assert len(world.inbox()) == 2
        if isinstance(world, EwsWorld):
            account = open_account(world._config, password="secret", build=SERVER_BUILD)
            batches = list(EwsSource(account, "ews:test", folders=("inbox",)).read({}))
        else:
            token = world.server.token
            with GraphClient(world.server.url, lambda: token, account="work") as client:
                batches = list(GraphSource(client, name="graph:work", folders=("inbox",)).read({}))
        assert [i.subject for b in batches for i in b.interactions] == ["Mine"]
        assert [p for b in batches for p in b.problems] == []
    finally:
        world.close()


@pytest.mark.parametrize("kind", ["ews", "graph"])
def test_a_brief_the_user_filed_in_a_folder_of_their_own_is_theirs(
    kind: str, tmp_path: Path
) -> None:
    # Moved out of the Inbox into a folder the user made, it is theirs: not replaced that day,
    # and kept by undo, which deletes only the product's messages in the Inbox. (A search by the
    # product's mark over every mail folder would find it; undo does not look there on purpose:
    # deleting it would undo the user's filing.)
    world: EwsWorld | GraphWorld = EwsWorld() if kind == "ews" else GraphWorld()
    try:
        mine = world.add_message("Mine")
        with Store.open(tmp_path / "network.sqlite3") as store:
            _apply(store, world.sink(), BRIEF)
            (brief,) = [i for i in world.inbox() if i != mine]
            folder = world.file_message(brief, "Meetings")
            assert _apply(store, world.sink(), LATER) == []  # not put back, not replaced
            report = undo(store, world.sink(), CategoryScheme())
            assert report.complete and report.planned == 0
            assert store.journal(world.sink().name) == []  # undone: nothing left to undo
        assert world.folder_subjects(folder) == [BRIEF.subject]
        assert list(world.inbox()) == [mine]
    finally:
        world.close()


def test_a_delete_naming_the_users_own_message_deletes_nothing(world: World) -> None:
    # The sink's own guard, below the planner: whatever id a delete names (a stale journal, a
    # message id reused), only a message carrying the product's mark is ever deleted.
    mine = world.add_message("Mine")
    world.sink().apply(DeleteInboxMessage(BRIEF.key, mine))
    assert list(world.inbox()) == [mine]
