"""The write-back journal: every action recorded before it runs and completed after, for undo.

An entry is written (``done = 0``) in its own transaction before the sink is asked to act, and
marked done with the item the sink touched afterwards. A crash between the two leaves a begun
entry, which undo treats as possibly applied; together with the product's marker on tasks and
contacts that makes undo complete after any crash.

Exports: ``Journal``, ``action_to_json``, ``action_from_json``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..connectors import base
from ..connectors.base import Action
from ..store import Store
from .plan import JournalEntry

__all__ = ["Journal", "action_from_json", "action_to_json"]

_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        base.AddCategory,
        base.RemoveCategory,
        base.SetCategories,
        base.CreateTask,
        base.UpdateTask,
        base.CompleteTask,
        base.DeleteTask,
        base.CreateContact,
        base.DeleteContact,
    )
}


# The actions whose ids name Outlook items (contacts and messages), not To Do tasks.
_OUTLOOK_ITEMS = (base.SetCategories, base.CreateContact, base.DeleteContact)


def action_to_json(action: Action) -> str:
    doc: dict[str, Any] = {"type": type(action).__name__}
    for f in dataclasses.fields(action):
        value = getattr(action, f.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        doc[f.name] = value
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


def action_from_json(text: str) -> Action:
    doc = json.loads(text)
    cls = _TYPES[doc.pop("type")]
    for name, value in list(doc.items()):
        if name == "due" and value is not None:
            doc[name] = datetime.fromisoformat(value)
        elif isinstance(value, list):
            doc[name] = tuple(value)
    action: Action = cls(**doc)
    return action


class Journal:
    """The store's journal table, seen per account."""

    def __init__(self, store: Store, account: str) -> None:
        self._store = store
        self.account = account

    def begin(self, run_id: str, action: Action) -> int:
        with self._store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO journal (run_id, account, at, action, item_id) "
                "VALUES (?, ?, ?, ?, '')",
                (run_id, self.account, int(datetime.now(UTC).timestamp()), action_to_json(action)),
            )
            return int(cursor.lastrowid or 0)

    def finish(self, entry_id: int, item_id: str) -> None:
        with self._store.transaction() as db:
            db.execute("UPDATE journal SET done = 1, item_id = ? WHERE id = ?", (item_id, entry_id))

    def entries(self) -> list[JournalEntry]:
        """Every entry not yet undone, oldest first."""
        rows = self._store.connection.execute(
            "SELECT action, item_id, done FROM journal WHERE account = ? AND undone = 0 "
            "ORDER BY id",
            (self.account,),
        )
        return [JournalEntry(action_from_json(r[0]), r[1], bool(r[2])) for r in rows]

    def mark_undone(self) -> int:
        with self._store.transaction() as db:
            return db.execute(
                "UPDATE journal SET undone = 1 WHERE account = ? AND undone = 0", (self.account,)
            ).rowcount

    def outlook_item_ids(self) -> list[str]:
        """The ids of the Outlook items (contacts, messages) the journal names; To Do tasks
        have ids of their own kind."""
        ids: set[str] = set()
        for action, item_id in self._outlook_entries():
            ids.update(i for i in (item_id, getattr(action, "item_id", "")) if i)
        return sorted(ids)

    def rename_items(self, renamed: Mapping[str, str]) -> int:
        """Follow Outlook items to their new ids (see ``Store.rename_items``), undone entries
        too."""
        count = 0
        with self._store.transaction() as db:
            rows = db.execute(
                "SELECT id, action, item_id FROM journal WHERE account = ?", (self.account,)
            ).fetchall()
            for entry_id, text, item_id in rows:
                action = action_from_json(text)
                if not isinstance(action, _OUTLOOK_ITEMS):
                    continue
                if isinstance(action, (base.SetCategories, base.DeleteContact)):
                    action = dataclasses.replace(
                        action, item_id=renamed.get(action.item_id, action.item_id)
                    )
                new_text, new_id = action_to_json(action), renamed.get(item_id, item_id)
                if (new_text, new_id) != (text, item_id):
                    db.execute(
                        "UPDATE journal SET action = ?, item_id = ? WHERE id = ?",
                        (new_text, new_id, entry_id),
                    )
                    count += 1
        return count

    def _outlook_entries(self) -> list[tuple[Action, str]]:
        rows = self._store.connection.execute(
            "SELECT action, item_id FROM journal WHERE account = ?", (self.account,)
        )
        return [
            (action, r[1])
            for r in rows
            for action in (action_from_json(r[0]),)
            if isinstance(action, _OUTLOOK_ITEMS)
        ]

    def counts(self) -> dict[str, int]:
        row = self._store.connection.execute(
            "SELECT count(*), coalesce(sum(done), 0) FROM journal WHERE account = ? AND undone = 0",
            (self.account,),
        ).fetchone()
        return {"entries": row[0], "done": row[1]}
