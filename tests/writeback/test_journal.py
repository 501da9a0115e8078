"""The journal keeps message actions whole: flags with their dates, ids, Message-IDs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outlook_networking.connectors.base import (
    NOT_FLAGGED,
    Applied,
    Batch,
    FollowUpFlag,
    MessageMarks,
    SetCategories,
    SetFlag,
)
from outlook_networking.model import Interaction, Kind, Mailbox
from outlook_networking.store import Store
from outlook_networking.writeback.journal import Journal, action_from_json, action_to_json

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def test_message_actions_survive_the_journal() -> None:
    flag = SetFlag("id1", NOT_FLAGGED, FollowUpFlag("flagged", start=T0, due=T0 + timedelta(1)),
                   message_id="m1@x", version="ck", key="owed:ews:work:id1", contact="ann@x")
    tag = SetCategories("message", "id1", ("Mine",), ("Mine", "Network B"), "m1@x", "ck", "ann@x")
    for action in (flag, tag):
        assert action_from_json(action_to_json(action)) == action


def test_a_finished_batch_records_what_the_messages_show(store: Store) -> None:
    mail = Interaction("ews:work", "id1", Kind.EMAIL, T0, Mailbox("ann@x"), (Mailbox("me@x"),),
                       message_id="m1@x")  # fmt: skip
    store.apply_batch("ews:work", Batch("inbox", (mail,), marks=(MessageMarks("id1", (), None,
                                                                              "ck1"),)))
    journal = Journal(store, "ews:work")
    tag = SetCategories("message", "id1", (), ("Network B",), "m1@x", "ck1")
    (entry,) = journal.begin_many("run", [tag])
    assert [e.done for e in journal.message_entries()] == [False]
    left = MessageMarks("id1", ("Network B",), NOT_FLAGGED, "ck2")
    journal.finish_many([(entry, Applied(tag, "id1", left))])
    assert [(e.done, e.item_id) for e in journal.message_entries()] == [(True, "id1")]
    # Until the next sync, the store knows what the write left: the next plan builds on it.
    (stored,) = store.account_messages("ews:work", since=T0)
    assert (stored.state.categories, stored.state.version) == (("Network B",), "ck2")
