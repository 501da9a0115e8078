"""The journal keeps each action as it was begun, whether it finished and on which item, until
undo marks it undone."""

from __future__ import annotations

from datetime import UTC, datetime

from outlook_networking.connectors.base import CreateTask, SetCategories
from outlook_networking.store import Store
from outlook_networking.writeback.journal import Journal
from outlook_networking.writeback.plan import JournalEntry


def test_entries_come_back_as_begun_with_their_outcome(store: Store) -> None:
    journal = Journal(store, "ews:work")
    task = CreateTask("owed:1", "Reply to Ann", datetime(2026, 11, 3, 9, tzinfo=UTC), "Ann wrote")
    undated = CreateTask("touch:ben", "Get in touch with Ben", None, "")
    tag = SetCategories("contact", "c1", ("Golf",), ("Golf", "Network A"))
    done = journal.begin("run1", task)
    journal.begin("run1", undated)  # the process died before the sink answered
    journal.finish(done, "task-7")
    tagged = journal.begin("run2", tag)
    journal.finish(tagged, "c1")
    Journal(store, "graph:home").begin("run1", tag)  # another account's journal
    assert journal.entries() == [
        JournalEntry(task, "task-7", True),
        JournalEntry(undated, "", False),
        JournalEntry(tag, "c1", True),
    ]
    assert journal.counts() == {"entries": 3, "done": 2}
    assert journal.mark_undone() == 3
    assert journal.entries() == []
    assert journal.counts() == {"entries": 0, "done": 0}
    assert len(Journal(store, "graph:home").entries()) == 1
