"""The Graph connector passes the shared Source and Sink contract against the Graph test server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from outlook_networking.connectors.graph import GraphClient, GraphSink, GraphSource
from servers.graph import GraphServer

from ..contract import (
    MailboxSourceContract,
    MarkWorld,
    MessageSinkContract,
    SinkContract,
    SinkWorld,
    SourceWorld,
)

_FOLDERS = {"inbox": "inbox", "sent": "sentitems"}


@pytest.fixture()
def source_world(server: GraphServer, make_client: Callable[..., GraphClient]) -> SourceWorld:
    def add_message(
        folder: str, subject: str, sender: str, to: list[str], at: datetime, message_id: str
    ) -> str:
        return server.add_message(
            _FOLDERS[folder],
            subject=subject,
            sender=sender,
            to=to,
            sent=at,
            internet_message_id=message_id,
        )

    return SourceWorld(
        source=lambda: GraphSource(make_client(), name="graph:work", page_size=100),
        add_message=add_message,
        delete=lambda folder, item_id: server.delete_message(item_id),
        invalidate=server.expire_delta_tokens,
    )


def user_view(server: GraphServer) -> dict[str, Any]:
    """What a user sees in Outlook and To Do (no change keys or modification times)."""
    snap = server.snapshot()
    return {
        "master": sorted((c["displayName"], c["color"]) for c in snap["masterCategories"]),
        "contacts": {
            i: (
                c["displayName"],
                [e["address"] for e in c["emailAddresses"]],
                c["categories"],
            )
            for i, c in snap["contacts"].items()
        },
        "todo": sorted(
            (
                entry["list"]["displayName"],
                sorted(
                    (
                        t["title"],
                        t["status"],
                        str(t.get("dueDateTime")),
                        t["body"]["content"],
                        str(
                            [(r["applicationName"], r["externalId"]) for r in t["linkedResources"]]
                        ),
                    )
                    for t in entry["tasks"].values()
                ),
            )
            for entry in snap["todo"].values()
        ),
        "messages": {
            f: {i: m["categories"] for i, m in items.items()}
            for f, items in snap["messages"].items()
        },
    }


@pytest.fixture()
def sink_world(server: GraphServer, client: GraphClient) -> SinkWorld:
    def add_contact(name: str, addresses: tuple[str, ...], categories: tuple[str, ...]) -> str:
        return server.add_contact(display_name=name, emails=list(addresses), categories=categories)

    def add_master_category(name: str, colour: int) -> None:
        server.add_category(name, f"preset{colour}")

    return SinkWorld(
        sink=GraphSink(client, name="graph:work"),
        add_contact=add_contact,
        add_master_category=add_master_category,
        snapshot=lambda: user_view(server),
    )


@pytest.fixture()
def mark_world(
    server: GraphServer, client: GraphClient, make_client: Callable[..., GraphClient]
) -> MarkWorld:
    def find(mid: str) -> str:
        return next(
            i
            for items in server.snapshot()["messages"].values()
            for i, m in items.items()
            if m["internetMessageId"] == f"<{mid}>"
        )

    def add_message(
        folder: str, subject: str, sender: str, to: list[str], at: datetime, message_id: str
    ) -> None:
        server.add_message(_FOLDERS[folder], subject=subject, sender=sender, to=to, sent=at,
                           internet_message_id=message_id)  # fmt: skip

    return MarkWorld(
        source=lambda: GraphSource(make_client(), name="graph:work", page_size=100),
        sink=GraphSink(client, name="graph:work"),
        add_message=add_message,
        set_categories=lambda mid, cats: server.update_message(find(mid), categories=list(cats)),
        clear_flag=lambda mid: server.update_message(find(mid), flag={"flagStatus": "notFlagged"}),
        move=lambda mid: _ignore(server.move_message(find(mid), "archive")),
        seen=lambda: {
            m["internetMessageId"].strip("<>"): (tuple(m["categories"]), m["flag"]["flagStatus"])
            for items in server.snapshot()["messages"].values()
            for m in items.values()
        },
    )


def _ignore(_: object) -> None:
    return None


class TestGraphMessageSink(MessageSinkContract):
    pass


class TestGraphSource(MailboxSourceContract):
    pass


class TestGraphSink(SinkContract):
    pass
