"""Graph: a shared or delegated mailbox through /users/{id} with the *.Shared permissions, and
private items that keep participants and time but never their subject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from outlook_networking.auth.scopes import GRAPH_SHARED_SCOPES
from outlook_networking.config import config_from_mapping
from outlook_networking.connectors.graph import (
    GraphClient,
    GraphConnection,
    GraphSource,
    connect_graph,
)
from outlook_networking.errors import ConnectorError
from outlook_networking.model import Kind
from servers.graph import GraphServer

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TEAM = "team@example.com"


def test_a_private_message_and_event_keep_only_people_and_time(
    server: GraphServer, client: GraphClient
) -> None:
    server.add_message(
        "inbox", subject="Divorce lawyer", sender="ann@partner.example", to=[server.upn],
        sent=NOW - timedelta(days=1),
        # Graph has no sensitivity on messages; the header Exchange writes from it
        # ([MS-OXCMAIL] PidTagSensitivity) comes with internetMessageHeaders.
        headers=[{"name": "Received", "value": "from mx"},
                 {"name": "Sensitivity", "value": "Private"}],
    )  # fmt: skip
    event = server.add_event(
        subject="Job interview", start=NOW + timedelta(days=1), organizer="boss@rival.example",
        attendees=[(server.upn, "accepted")],
    )  # fmt: skip
    server.update_event(event, sensitivity="private")  # the event resource's own property

    source = GraphSource(client, name="graph:work", now=lambda: NOW)
    items = [i for b in source.read({}) for i in b.interactions]

    (mail,) = [i for i in items if i.kind is Kind.EMAIL]
    assert mail.subject == "" and mail.sender is not None
    assert mail.sender.address == "ann@partner.example" and mail.at == NOW - timedelta(days=1)
    (meeting,) = [i for i in items if i.kind is Kind.MEETING]
    assert meeting.subject == "" and meeting.at == NOW + timedelta(days=1)
    assert [a.mailbox.address for a in meeting.attendees] == [server.upn]


def test_a_private_message_without_headers_is_known_by_its_sensitivity_property(
    server: GraphServer, client: GraphClient
) -> None:
    # Graph often gives Sent Items no internetMessageHeaders (the seeding leaves them out there),
    # so only PidTagSensitivity tells a private message; Personal and Confidential keep theirs.
    for subject, sensitivity in [
        ("Divorce lawyer", 2),
        ("Budget", 0),
        ("Birthday party", 1),
        ("Merger", 3),
    ]:
        server.add_message(
            "sentitems", subject=subject, sender=server.upn, to=["ann@partner.example"],
            sent=NOW - timedelta(days=1), sensitivity=sensitivity,
        )  # fmt: skip
    source = GraphSource(client, name="graph:work", folders=("sent",), now=lambda: NOW)
    subjects = sorted(i.subject for b in source.read({}) for i in b.interactions)
    assert subjects == ["", "Birthday party", "Budget", "Merger"]


def test_a_mail_cursor_saved_before_the_sensitivity_was_asked_for_reads_the_folder_again(
    server: GraphServer, client: GraphClient
) -> None:
    server.add_message(
        "sentitems", subject="Divorce lawyer", sender=server.upn, to=["ann@partner.example"],
        sent=NOW - timedelta(days=1), sensitivity=2,
    )  # fmt: skip
    # What an earlier version saved: the deltaLink of a round asked without $expand, whose token
    # keeps that query (Graph encodes the first request's parameters in its links).
    with httpx.Client(base_url=server.url, headers=server.auth_headers()) as raw:
        body = raw.get("/me/mailFolders/sentitems/messages/delta").json()
    old_link = body["@odata.deltaLink"]
    server.update_message(
        server.add_message("sentitems", subject="Lunch", sender=server.upn, sent=NOW),
        subject="Lunch, Thursday",
    )
    source = GraphSource(client, name="graph:work", folders=("sent",), now=lambda: NOW)
    batches = list(source.read({"sent": old_link}))
    assert batches[0].reset  # read from its start, so what was stored is swept and rewritten
    subjects = sorted(i.subject for b in batches for i in b.interactions)
    assert subjects == ["", "Lunch, Thursday"]
    assert batches[-1].cursor is not None and batches[-1].cursor.startswith("q2|http")


def _team(server: GraphServer) -> None:
    server.add_mailbox(TEAM, "Team")
    server.add_message(
        "inbox", subject="For the team", sender="ann@partner.example", to=[TEAM],
        sent=NOW - timedelta(days=2), mailbox=TEAM,
    )  # fmt: skip
    server.add_token("delegated", server.upn, scopes=GRAPH_SHARED_SCOPES)


def _connect(server: GraphServer) -> GraphConnection:
    document = {"accounts": [{"name": "team", "address": server.upn, "mailbox": TEAM,
                              "connector": "graph", "graph_url": server.url,
                              "auth": "token"}]}  # fmt: skip
    account = config_from_mapping(document).account()
    return connect_graph(account, lambda: "delegated", now=lambda: NOW)


def test_a_shared_mailbox_is_read_through_users_with_shared_permissions(
    server: GraphServer,
) -> None:
    _team(server)
    server.shared_with[TEAM] = {server.upn}  # the owner gave the user access
    connection = _connect(server)
    try:
        batches = list(connection.source.read({}))
    finally:
        connection.close()

    assert [i.subject for b in batches if b.folder == "inbox" for i in b.interactions] == [
        "For the team"
    ]
    paths = [r.path for r in server.requests if r.path != "/$batch"]
    assert paths and all(p.startswith(f"/users/{TEAM}/") for p in paths)


def test_without_the_owners_grant_graph_refuses(server: GraphServer) -> None:
    _team(server)
    connection = _connect(server)
    try:
        with pytest.raises(ConnectorError):
            list(connection.source.read({}))
    finally:
        connection.close()
    assert server.count(status=403) >= 1
