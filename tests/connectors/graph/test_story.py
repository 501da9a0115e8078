"""The whole story over Graph: sync, apply, apply again changes nothing, a reply resolves the
follow-up, and undo gives the mailbox back as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from outlook_networking.app.pipeline import apply_plan, desired_state, sync_source, undo
from outlook_networking.config import AccountConfig
from outlook_networking.connectors.graph import GraphClient, GraphSink, GraphSource
from outlook_networking.core.network import Network, analyse
from outlook_networking.core.settings import Settings
from outlook_networking.i18n import Wording
from outlook_networking.ports import CompleteTask
from outlook_networking.store import Store
from outlook_networking.writeback.plan import (
    CategoryScheme,
    plan,
)
from servers.graph import GraphServer

from .test_contract import user_view

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ANN = "ann@partner.example"


def _network(store: Store, owner: str) -> Network:
    return analyse(
        store.interactions(),
        store.cards(),
        owner=frozenset({owner}),
        settings=Settings(),
        now=NOW,
    )


def test_sync_apply_reply_undo(
    server: GraphServer, make_client: Callable[..., GraphClient], store: Store
) -> None:
    me = server.upn
    account = AccountConfig(name="work", address=me, connector="graph", graph_url=server.url)
    scheme = CategoryScheme()
    # A working relationship: mail both ways for months, a meeting, Ann's card with the
    # user's own category, and finally a question from Ann that is still unanswered.
    for week in range(20):
        at = NOW - timedelta(days=7 * week + 10)
        server.add_message(
            "inbox", subject=f"Topic {week}", sender=(ANN, "Ann Partner"), to=[me], sent=at,
            internet_message_id=f"<ann{week}@partner.example>",
        )  # fmt: skip
        server.add_message(
            "sentitems", subject=f"Re: Topic {week}", sender=me, to=[ANN],
            sent=at + timedelta(hours=3), in_reply_to=f"<ann{week}@partner.example>",
            internet_message_id=f"<me{week}@example.com>",
        )  # fmt: skip
    server.add_event(
        subject="Review", start=NOW - timedelta(days=20), organizer=me,
        attendees=[(ANN, "accepted")],
    )  # fmt: skip
    ann_card = server.add_contact(display_name="Ann Partner", emails=[ANN], categories=["Customer"])
    server.add_category("Customer", "preset7")
    question = "<q@partner.example>"
    server.add_message(
        "inbox", subject="Can you send the budget?", sender=(ANN, "Ann Partner"), to=[me],
        sent=NOW - timedelta(days=3), internet_message_id=question, conversation_id="CONV-B",
    )  # fmt: skip
    before = user_view(server)

    source = GraphSource(make_client(), name="graph:work", now=lambda: NOW)
    sink = GraphSink(make_client(), name="graph:work")
    store.set_owner([me], "given")
    sync_source(store, source)
    desired = desired_state(_network(store, me), account, Wording("en"))
    owed = [t for t in desired.tasks if "budget" in t.subject.lower() or ANN in t.body]
    assert owed, desired.tasks
    report = apply_plan(store, sink, plan(desired, sink.read_state(), scheme), run_id="1")
    assert report.complete, report.error
    state = sink.read_state()
    assert any(t.key == owed[0].key and not t.complete for t in state.tasks)
    ann = next(c for c in state.contacts if c.item_id == ann_card)
    assert ann.categories[0] == "Customer" and len(ann.categories) == 2
    assert plan(desired, sink.read_state(), scheme).actions == ()

    # The owner answers. Sent Items carry no In-Reply-To over Graph: the shared conversationId
    # ties the answer to the question, and the follow-up is completed.
    answer = server.add_message(
        "sentitems", subject="Re: Can you send the budget?", sender=me, to=[ANN],
        sent=NOW - timedelta(hours=1), in_reply_to=question, conversation_id="CONV-B",
    )  # fmt: skip
    sync_source(store, source)
    desired = desired_state(_network(store, me), account, Wording("en"))
    actions = plan(desired, sink.read_state(), scheme).actions
    assert CompleteTask(owed[0].key, next(
        t.item_id for t in sink.read_state().tasks if t.key == owed[0].key
    )) in actions  # fmt: skip
    assert apply_plan(store, sink, plan(desired, sink.read_state(), scheme), run_id="2").complete
    assert all(t.complete for t in sink.read_state().tasks if t.key == owed[0].key)

    result = undo(store, sink, scheme)
    assert result.complete, result.error
    after = user_view(server)
    del after["messages"]["sentitems"][answer]  # the one thing the user did meanwhile
    assert after == before
