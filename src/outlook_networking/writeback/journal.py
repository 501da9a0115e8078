"""The write-back journal: every action recorded before it runs and completed after, for undo.

An entry is written (``done = 0``) in its own transaction before the sink is asked to act, and
marked done with the item the sink touched afterwards. A crash between the two leaves a begun
entry, which undo treats as possibly applied; together with the product's marker on tasks and
contacts that makes undo complete after any crash. Message actions go to the sink many at a
time: all of a batch's entries are begun in one transaction before it is sent, and finished in
one after, together with what the messages now show (``Store.record_marks``).

Exports: ``Journal``, ``action_to_json``, ``action_from_json``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..connectors import base
from ..connectors.base import Action, Applied, FollowUpFlag
from ..store import Store
from .plan import JournalEntry

__all__ = ["Journal", "action_from_json", "action_to_json"]

_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        base.AddCategory,
        base.RemoveCategory,
        base.SetCategories,
        base.SetFlag,
        base.CreateTask,
        base.UpdateTask,
        base.CompleteTask,
        base.DeleteTask,
        base.CreateContact,
        base.DeleteContact,
    )
}


# The actions whose ids name Outlook items (contacts and messages), not To Do tasks.
_OUTLOOK_ITEMS = (base.SetCategories, base.SetFlag, base.CreateContact, base.DeleteContact)
_DATES = ("due", "start", "completed")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, FollowUpFlag):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def action_to_json(action: Action) -> str:
    doc: dict[str, Any] = {"type": type(action).__name__}
    for f in dataclasses.fields(action):
        doc[f.name] = _plain(getattr(action, f.name))
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


def _flag(doc: dict[str, Any]) -> FollowUpFlag:
    return FollowUpFlag(
        str(doc.get("status") or "notFlagged"),
        **{k: datetime.fromisoformat(doc[k]) for k in _DATES if doc.get(k)},
    )


def action_from_json(text: str) -> Action:
    doc = json.loads(text)
    cls = _TYPES[doc.pop("type")]
    for name, value in list(doc.items()):
        if name in _DATES and value is not None:
            doc[name] = datetime.fromisoformat(value)
        elif isinstance(value, list):
            doc[name] = tuple(value)
        elif isinstance(value, dict):
            doc[name] = _flag(value)
    action: Action = cls(**doc)
    return action


class Journal:
    """The store's journal table, seen per account."""

    def __init__(self, store: Store, account: str) -> None:
        self._store = store
        self.account = account

    def begin(self, run_id: str, action: Action) -> int:
        """Begin one action's entry (see :meth:`begin_many`)."""
        return self.begin_many(run_id, [action])[0]

    def begin_many(self, run_id: str, actions: list[Action]) -> list[int]:
        """Begin the entries of a batch of actions in one transaction, before it is sent."""
        at = int(datetime.now(UTC).timestamp())
        with self._store.transaction() as db:
            return [
                int(
                    db.execute(
                        "INSERT INTO journal (run_id, account, at, action, item_id) "
                        "VALUES (?, ?, ?, ?, '')",
                        (run_id, self.account, at, action_to_json(action)),
                    ).lastrowid
                    or 0
                )
                for action in actions
            ]

    def finish_many(self, done: list[tuple[int, Applied]]) -> None:
        """Finish a batch's entries, and keep what the messages show now, in one transaction:
        a crash leaves both as they were (begun), never the journal ahead of the store."""
        with self._store.transaction() as db:
            db.executemany(
                "UPDATE journal SET done = 1, item_id = ? WHERE id = ?",
                ((applied.item_id, entry_id) for entry_id, applied in done),
            )
            self._store.record_marks(
                self.account,
                (applied.marks for _, applied in done if applied.marks is not None),
                db=db,
            )

    def message_entries(self) -> list[JournalEntry]:
        """The entries (not undone) of actions on messages, oldest first."""
        return [e for e in self.entries() if base.is_message_action(e.action)]

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
                if isinstance(action, (base.SetCategories, base.SetFlag, base.DeleteContact)):
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
