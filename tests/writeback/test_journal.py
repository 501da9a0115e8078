"""The store's journal keeps each action as it was begun, whether it finished and on which item,
until undo marks it undone."""

from __future__ import annotations

from datetime import UTC, datetime

from outlook_networking.ports import Applied, CreateTask, SetCategories
from outlook_networking.store import Store
from outlook_networking.writeback.plan import JournalEntry

AT = datetime(2026, 11, 1, 9, tzinfo=UTC)


def test_entries_come_back_as_begun_with_their_outcome(store: Store) -> None:
    task = CreateTask("owed:1", "Reply to Ann", datetime(2026, 11, 3, 9, tzinfo=UTC), "Ann wrote")
    undated = CreateTask("touch:ben", "Get in touch with Ben", None, "")
    tag = SetCategories("contact", "c1", ("Golf",), ("Golf", "Network A"))
    done, _ = store.journal_begin("ews:work", "run1", [task, undated], AT)
    store.journal_finish("ews:work", [(done, Applied(task, "task-7"))])  # undated: died first
    (tagged,) = store.journal_begin("ews:work", "run2", [tag], AT)
    store.journal_finish("ews:work", [(tagged, Applied(tag, "c1"))])
    store.journal_begin("graph:home", "run1", [tag], AT)  # another account's journal
    assert store.journal("ews:work") == [
        JournalEntry(task, "task-7", True),
        JournalEntry(undated, "", False),
        JournalEntry(tag, "c1", True),
    ]
    assert store.journal_undone("ews:work") == 3
    assert store.journal("ews:work") == []
    assert len(store.journal("graph:home")) == 1
