"""The Graph test server speaks Graph v1.0's documented shapes, checked with plain httpx."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from servers.graph import APP_PRINCIPAL, GraphServer

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[GraphServer]:
    with GraphServer() as srv:
        yield srv


@pytest.fixture
def client(server: GraphServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=server.auth_headers(), timeout=10) as c:
        yield c


def _drain(
    client: httpx.Client, url: str, page: int | None = None, **params: str
) -> tuple[list[dict[str, Any]], str, int]:
    """Follow nextLinks to the deltaLink: (all values, deltaLink, pages)."""
    headers = {"Prefer": f"odata.maxpagesize={page}"} if page else {}
    resp = client.get(url, params=params or None, headers=headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    values = list(body["value"])
    pages = 1
    while "@odata.nextLink" in body:
        assert "@odata.deltaLink" not in body
        resp = client.get(body["@odata.nextLink"], headers=headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        values += body["value"]
        pages += 1
    return values, body["@odata.deltaLink"], pages


def _seed_inbox(server: GraphServer, n: int) -> list[str]:
    return [
        server.add_message(
            "inbox",
            subject=f"Hello {i}",
            sender=("ann@example.com", "Ann"),
            to=[server.upn],
            sent=T0 + timedelta(minutes=i),
        )
        for i in range(n)
    ]


# ------------------------------------------------------------------------------------ mail delta


def test_message_delta_pages_by_maxpagesize_and_keeps_select(
    server: GraphServer, client: httpx.Client
) -> None:
    ids = _seed_inbox(server, 25)
    resp = client.get(
        "/me/mailFolders/inbox/messages/delta",
        params={"$select": "subject,from,receivedDateTime"},
        headers={"Prefer": "odata.maxpagesize=10"},
    )
    assert resp.headers["Preference-Applied"] == "odata.maxpagesize=10"
    body = resp.json()
    assert len(body["value"]) == 10
    assert "$select=subject,from,receivedDateTime" in body["@odata.nextLink"]
    first = body["value"][0]
    assert set(first) == {
        "@odata.type",
        "@odata.etag",
        "id",
        "subject",
        "from",
        "receivedDateTime",
    }
    assert first["from"] == {"emailAddress": {"name": "Ann", "address": "ann@example.com"}}
    values, delta_link, pages = _drain(
        client, "/me/mailFolders/inbox/messages/delta", 10, **{"$select": "subject"}
    )
    assert pages == 3
    # Without Prefer: IdType="ImmutableId" Graph shows regular ids (the seeding helpers give the
    # immutable ones).
    assert sorted(v["id"] for v in values) == sorted(server.rest_id(i) for i in ids)
    assert "$deltatoken=" in delta_link and "$select=subject" in delta_link


def test_message_delta_default_page_is_ten_without_preference(
    server: GraphServer, client: httpx.Client
) -> None:
    _seed_inbox(server, 12)
    resp = client.get("/me/mailFolders/inbox/messages/delta")
    assert "Preference-Applied" not in resp.headers
    assert len(resp.json()["value"]) == 10


def test_message_full_shape_and_headers_only_when_selected(
    server: GraphServer, client: httpx.Client
) -> None:
    server.add_message(
        "inbox",
        subject="Re: plan",
        sender="bob@example.com",
        to=[server.upn],
        cc=["carol@example.com"],
        internet_message_id="<b1@example.com>",
        in_reply_to="<a1@example.com>",
        categories=["Mine"],
    )
    server.add_message("sentitems", subject="plan", sender=server.upn, to=["bob@example.com"])
    full = client.get("/me/mailFolders/inbox/messages/delta").json()["value"][0]
    for key in (
        "id", "changeKey", "subject", "from", "sender", "toRecipients", "ccRecipients",
        "bccRecipients", "sentDateTime", "receivedDateTime", "internetMessageId",
        "conversationId", "categories", "parentFolderId",
    ):  # fmt: skip
        assert key in full, key
    assert "internetMessageHeaders" not in full
    assert full["@odata.etag"] == f'W/"{full["changeKey"]}"'
    assert full["ccRecipients"][0]["emailAddress"]["address"] == "carol@example.com"
    assert full["categories"] == ["Mine"]
    selected = client.get(
        "/me/mailFolders/inbox/messages/delta",
        params={"$select": "internetMessageHeaders,internetMessageId"},
    ).json()["value"][0]
    headers = {h["name"]: h["value"] for h in selected["internetMessageHeaders"]}
    assert headers["In-Reply-To"] == "<a1@example.com>"
    assert headers["Message-ID"] == "<b1@example.com>"
    sent = client.get(
        "/me/mailFolders/sentitems/messages/delta",
        params={"$select": "internetMessageHeaders,conversationId"},
    ).json()["value"][0]
    assert "internetMessageHeaders" not in sent
    assert sent["conversationId"]


def test_select_is_case_insensitive_and_unknown_property_is_400(
    server: GraphServer, client: httpx.Client
) -> None:
    _seed_inbox(server, 1)
    ok = client.get("/me/mailFolders/inbox/messages/delta", params={"$select": "SUBJECT"})
    assert ok.json()["value"][0]["subject"] == "Hello 0"
    bad = client.get("/me/mailFolders/inbox/messages/delta", params={"$select": "subjekt"})
    assert bad.status_code == 400
    assert "subjekt" in bad.json()["error"]["message"]


def test_later_rounds_return_only_changes_and_removals(
    server: GraphServer, client: httpx.Client
) -> None:
    ids = _seed_inbox(server, 5)
    server.delete_message(ids[4])  # deleted before the first round: never reported
    values, link, _ = _drain(client, "/me/mailFolders/inbox/messages/delta")
    assert len(values) == 4 and not any("@removed" in v for v in values)

    quiet = client.get(link).json()
    assert quiet["value"] == [] and "@odata.deltaLink" in quiet

    server.update_message(ids[0], categories=["Tier A"])
    server.delete_message(ids[1])
    new_id = server.add_message("inbox", subject="new", sender="dan@example.com")
    values, link2, _ = _drain(client, quiet["@odata.deltaLink"])
    by_id = {v["id"]: v for v in values}
    ids = [server.rest_id(i) for i in ids]
    assert set(by_id) == {ids[0], ids[1], server.rest_id(new_id)}
    assert by_id[ids[1]]["@removed"] == {"reason": "deleted"}
    # An update comes with the properties it changed, not the whole message (#7776).
    assert by_id[ids[0]]["categories"] == ["Tier A"] and "subject" not in by_id[ids[0]]
    # The old link still works (Graph keeps older tokens while they are cached).
    again, _, _ = _drain(client, link)
    assert {v["id"] for v in again} == set(by_id)
    assert client.get(link2).json()["value"] == []


def test_change_key_changes_on_every_update(server: GraphServer, client: httpx.Client) -> None:
    (mid,) = _seed_inbox(server, 1)
    before = client.get(f"/me/messages/{mid}").json()["changeKey"]
    patched = client.patch(f"/me/messages/{mid}", json={"categories": ["X"]})
    assert patched.status_code == 200
    assert patched.json()["changeKey"] != before
    assert client.get(f"/me/messages/{mid}").json()["categories"] == ["X"]


def test_patch_message_rejects_read_only_fields_and_stale_etag(
    server: GraphServer, client: httpx.Client
) -> None:
    (mid,) = _seed_inbox(server, 1)
    resp = client.patch(f"/me/messages/{mid}", json={"subject": "new"})
    assert resp.status_code == 400
    resp = client.patch(f"/me/messages/{mid}", json={"categories": "A"})
    assert resp.status_code == 400
    etag = client.get(f"/me/messages/{mid}").json()["@odata.etag"]
    server.update_message(mid, isRead=False)
    stale = client.patch(
        f"/me/messages/{mid}", json={"categories": ["B"]}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert client.get(f"/me/messages/{mid}").json()["categories"] == []
    missing = client.patch("/me/messages/AAMknope=", json={"categories": []})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ErrorItemNotFound"


def test_followup_flag_is_checked_and_kept_in_utc(
    server: GraphServer, client: httpx.Client
) -> None:
    """followupFlag resource type: flagStatus notFlagged/flagged/complete; a due date needs a
    start date (400 otherwise; microsoft-graph-docs-contrib#6473: ErrorInvalidArgument);
    dateTimeTimeZone values with their own offset beside a timeZone are refused
    (littlebearapps/outlook-assistant#81); the flag is replaced whole; dates come back in UTC."""
    (mid,) = _seed_inbox(server, 1)
    url = f"/me/messages/{mid}"
    assert client.get(url).json()["flag"] == {"flagStatus": "notFlagged"}
    berlin = "W. Europe Standard Time"
    for bad in (
        {"flagStatus": "urgent"},
        {"flagStatus": "flagged", "dueDateTime": {"dateTime": "2026-11-05T00:00:00",
                                                   "timeZone": berlin}},
        {"flagStatus": "flagged",
         "startDateTime": {"dateTime": "2026-11-03T00:00:00Z", "timeZone": berlin},
         "dueDateTime": {"dateTime": "2026-11-05T00:00:00Z", "timeZone": berlin}},
        {"flagStatus": "flagged", "startDateTime": "2026-11-03"},
    ):  # fmt: skip
        resp = client.patch(url, json={"categories": ["X"], "flag": bad})
        assert resp.status_code == 400, bad
        assert resp.json()["error"]["code"] in ("ErrorInvalidArgument", "RequestBroker--ParseUri")
    assert client.get(url).json()["categories"] == []  # all or nothing
    flag = {
        "flagStatus": "flagged",
        "startDateTime": {"dateTime": "2026-11-03T00:00:00", "timeZone": berlin},
        "dueDateTime": {"dateTime": "2026-11-05T00:00:00", "timeZone": berlin},
    }
    assert client.patch(url, json={"flag": flag}).status_code == 200
    assert client.get(url).json()["flag"] == {
        "flagStatus": "flagged",
        "startDateTime": {"dateTime": "2026-11-02T23:00:00.0000000", "timeZone": "UTC"},
        "dueDateTime": {"dateTime": "2026-11-04T23:00:00.0000000", "timeZone": "UTC"},
    }
    done = {"flagStatus": "complete",
            "completedDateTime": {"dateTime": "2026-11-04T10:00:00", "timeZone": "UTC"}}
    assert client.patch(url, json={"flag": done}).status_code == 200
    assert client.get(url).json()["flag"] == {
        "flagStatus": "complete",
        "completedDateTime": {"dateTime": "2026-11-04T10:00:00.0000000", "timeZone": "UTC"},
    }
    assert client.patch(url, json={"flag": {"flagStatus": "notFlagged"}}).status_code == 200
    assert client.get(url).json()["flag"] == {"flagStatus": "notFlagged"}


def test_a_flag_change_is_a_partial_update_with_a_new_change_key(
    server: GraphServer, client: httpx.Client
) -> None:
    (mid,) = _seed_inbox(server, 1)
    _, link, _ = _drain(client, "/me/mailFolders/inbox/messages/delta",
                        **{"$select": "subject,categories,flag,changeKey"})  # fmt: skip
    etag = client.get(f"/me/messages/{mid}").json()["@odata.etag"]
    server.update_message(mid, flag={"flagStatus": "complete"})  # the user, in Outlook
    changes, _, _ = _drain(client, link)
    assert [set(c) - {"@odata.type", "@odata.etag"} for c in changes] == [
        {"id", "flag", "changeKey"}
    ]
    stale = client.patch(f"/me/messages/{mid}", json={"flag": {"flagStatus": "notFlagged"}},
                         headers={"If-Match": etag})  # fmt: skip
    assert stale.status_code == 412


def test_received_filter_on_initial_delta(server: GraphServer, client: httpx.Client) -> None:
    _seed_inbox(server, 10)
    cutoff = (T0 + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    values, _, _ = _drain(
        client,
        "/me/mailFolders/inbox/messages/delta",
        **{"$filter": f"receivedDateTime ge {cutoff}"},
    )
    assert sorted(v["subject"] for v in values) == [f"Hello {i}" for i in range(5, 10)]


def test_filter_caps_the_initial_round_at_five_thousand(server: GraphServer) -> None:
    mb = server.mailbox()
    with mb.lock:  # 5,003 messages, faster than one add_message each
        for n in range(5003):
            server.add_message("inbox", subject=f"m{n}", sent=T0 + timedelta(seconds=n))
    with httpx.Client(base_url=server.url, headers=server.auth_headers(), timeout=30) as c:
        cutoff = (T0 - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        filtered, _, _ = _drain(
            c, "/me/mailFolders/inbox/messages/delta", 1000,
            **{"$filter": f"receivedDateTime ge {cutoff}", "$select": "subject"},
        )  # fmt: skip
        whole, _, _ = _drain(c, "/me/mailFolders/inbox/messages/delta", 1000, **{"$select": "id"})
    # "Applying $filter in a delta query returns only up to 5,000 messages", and says nothing.
    assert (len(filtered), len(whole)) == (5000, 5003)


def test_updates_name_only_what_changed_and_only_if_selected(
    server: GraphServer, client: httpx.Client
) -> None:
    read, tagged = _seed_inbox(server, 2)
    _, link, _ = _drain(client, "/me/mailFolders/inbox/messages/delta", **{"$select": "subject"})
    _, wide, _ = _drain(
        client, "/me/mailFolders/inbox/messages/delta",
        **{"$select": "subject,isRead,categories,parentFolderId"},
    )  # fmt: skip
    server.update_message(read, isRead=True)
    server.update_message(tagged, categories=["Tier A"])
    narrow, _, _ = _drain(client, link)
    assert narrow == []  # neither change touched a selected property
    values, _, _ = _drain(client, wide)
    by_id = {v["id"]: {k for k in v if not k.startswith("@")} for v in values}
    assert by_id == {
        server.rest_id(read): {"id", "isRead", "parentFolderId"},
        server.rest_id(tagged): {"id", "categories", "parentFolderId"},
    }


def test_a_big_page_with_headers_times_out(server: GraphServer, client: httpx.Client) -> None:
    server.gateway_page_bytes = 8_000
    for n in range(40):
        server.add_message("inbox", subject=f"m{n}", sender="ann@example.com")
    params = {"$select": "subject,internetMessageHeaders"}
    big = client.get("/me/mailFolders/inbox/messages/delta", params=params,
                     headers={"Prefer": "odata.maxpagesize=40"})  # fmt: skip
    assert big.status_code == 504
    small = client.get("/me/mailFolders/inbox/messages/delta", params=params,
                       headers={"Prefer": "odata.maxpagesize=10"})  # fmt: skip
    assert small.status_code == 200 and len(small.json()["value"]) == 10


def test_ids_change_on_move_unless_immutable_ids_are_asked_for(
    server: GraphServer, client: httpx.Client
) -> None:
    (mid,) = _seed_inbox(server, 1)
    immutable = {"Prefer": 'IdType="ImmutableId"'}
    regular = client.get("/me/mailFolders/inbox/messages").json()["value"][0]["id"]
    assert regular != mid
    assert client.get("/me/mailFolders/inbox/messages", headers=immutable).json()["value"][0][
        "id"
    ] == mid
    server.move_message(mid, "archive")
    moved = client.get("/me/mailFolders/archive/messages").json()["value"][0]["id"]
    assert moved != regular and client.get(f"/me/messages/{regular}").status_code == 404
    assert client.get(f"/me/messages/{mid}", headers=immutable).json()["id"] == mid
    translated = client.post(
        "/me/translateExchangeIds",
        json={"inputIds": [moved, regular], "sourceIdType": "restId",
              "targetIdType": "restImmutableEntryId"},
    ).json()["value"]  # fmt: skip
    assert translated[0] == {"sourceId": moved, "targetId": mid}
    assert "targetId" not in translated[1] and translated[1]["errorDetails"]["code"]
    too_many = {"inputIds": ["x"] * 1001, "sourceIdType": "restId",
                "targetIdType": "restImmutableEntryId"}  # fmt: skip
    assert client.post("/me/translateExchangeIds", json=too_many).status_code == 400


# ------------------------------------------------------------------------------ 410 and resync


def test_garbled_and_expired_tokens_answer_410_sync_state_not_found(
    server: GraphServer, client: httpx.Client
) -> None:
    _seed_inbox(server, 3)
    _, link, _ = _drain(client, "/me/mailFolders/inbox/messages/delta")
    garbled = link.replace("$deltatoken=", "$deltatoken=x")
    resp = client.get(garbled)
    assert resp.status_code == 410
    assert resp.json()["error"]["code"] == "SyncStateNotFound"
    # A token for one folder is no good for another.
    token = link.split("$deltatoken=")[1]
    other = client.get("/me/mailFolders/sentitems/messages/delta", params={"$deltatoken": token})
    assert other.status_code == 410
    assert client.get(link).status_code == 200
    server.expire_delta_tokens()
    resp = client.get(link)
    assert resp.status_code == 410
    assert resp.json()["error"]["code"] == "SyncStateNotFound"
    # A fresh round works and returns everything again.
    values, _, _ = _drain(client, "/me/mailFolders/inbox/messages/delta")
    assert len(values) == 3


def test_resync_required_points_to_a_fresh_round(server: GraphServer, client: httpx.Client) -> None:
    _seed_inbox(server, 3)
    _, link, _ = _drain(client, "/me/mailFolders/inbox/messages/delta", **{"$select": "subject"})
    server.inject_resync()
    resp = client.get(link)
    assert resp.status_code == 410
    assert resp.json()["error"]["code"] == "resyncRequired"
    location = resp.headers["Location"]
    assert "$deltatoken" not in location and "$select=subject" in location
    values, _, _ = _drain(client, location)
    assert len(values) == 3 and set(values[0]) == {"@odata.type", "@odata.etag", "id", "subject"}


# ------------------------------------------------------------------------------------- calendar


def test_calendar_view_delta_serves_the_window_and_reports_leavers(
    server: GraphServer, client: httpx.Client
) -> None:
    inside = server.add_event(
        subject="1:1",
        start=T0,
        organizer=("ann@example.com", "Ann"),
        attendees=[(server.upn, "accepted"), ("bob@example.com", "declined", "optional")],
    )
    server.add_event(subject="old", start=T0 - timedelta(days=60))
    master = server.add_event(subject="weekly", start=T0, event_type="seriesMaster")
    occurrence = server.add_event(
        subject="weekly", start=T0 + timedelta(days=7), event_type="occurrence",
        series_master_id=master,
    )  # fmt: skip
    window = {
        "startDateTime": (T0 - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S"),
        "endDateTime": (T0 + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert client.get("/me/calendarView/delta").status_code == 400
    assert (
        client.get("/me/calendarView/delta", params={**window, "$select": "subject"}).status_code
        == 400
    )
    values, link, _ = _drain(client, "/me/calendarView/delta", **window)
    by_id = {v["id"]: v for v in values}
    inside, occurrence, master = (server.rest_id(i) for i in (inside, occurrence, master))
    assert set(by_id) == {inside, occurrence}
    event = by_id[inside]
    assert event["start"] == {"dateTime": "2026-11-02T09:00:00.0000000", "timeZone": "UTC"}
    assert event["end"]["dateTime"] == "2026-11-02T10:00:00.0000000"
    assert event["organizer"]["emailAddress"]["address"] == "ann@example.com"
    assert [a["status"]["response"] for a in event["attendees"]] == ["accepted", "declined"]
    assert event["attendees"][1]["type"] == "optional"
    assert event["isCancelled"] is False and event["type"] == "singleInstance"
    assert event["iCalUId"]
    # An occurrence comes bare: no subject, organizer or attendees (docs #22197, #5602).
    assert set(by_id[occurrence]) == {
        "@odata.type", "@odata.etag", "id", "seriesMasterId", "type", "start", "end",
    }  # fmt: skip
    assert by_id[occurrence]["seriesMasterId"] == master
    series = client.get(f"/me/events/{master}", params={"$select": "subject,attendees"}).json()
    assert series["subject"] == "weekly" and set(series) >= {"id", "attendees"}

    # The window is part of the token: no parameters needed on the delta link.
    server.update_event(inside, start=T0 + timedelta(days=90), end=T0 + timedelta(days=90, hours=1))
    server.update_event(occurrence, isCancelled=True)
    values, _, _ = _drain(client, link)
    by_id = {v["id"]: v for v in values}
    assert by_id[inside]["@removed"] == {"reason": "deleted"}
    # A changed occurrence is an exception, and comes whole.
    assert by_id[occurrence]["isCancelled"] is True and by_id[occurrence]["type"] == "exception"


def test_calendar_time_zone_preference(server: GraphServer, client: httpx.Client) -> None:
    server.add_event(subject="x", start=T0)
    resp = client.get(
        "/me/calendarView/delta",
        params={"startDateTime": "2026-11-01T00:00:00Z", "endDateTime": "2026-11-03T00:00:00Z"},
        headers={"Prefer": 'outlook.timezone="Europe/Berlin", odata.maxpagesize=5'},
    )
    assert resp.headers["Preference-Applied"] == (
        'odata.maxpagesize=5, outlook.timezone="Europe/Berlin"'
    )
    start = resp.json()["value"][0]["start"]
    assert start == {"dateTime": "2026-11-02T10:00:00.0000000", "timeZone": "Europe/Berlin"}


# ------------------------------------------------------------------------------------- contacts


def test_contacts_delta_and_patch_categories(server: GraphServer, client: httpx.Client) -> None:
    cid = server.add_contact(
        display_name="Ann Example",
        emails=[("ann@example.com", "Ann Example")],
        categories=["Family"],
    )
    values, link, _ = _drain(client, "/me/contacts/delta")
    assert values[0]["emailAddresses"] == [{"name": "Ann Example", "address": "ann@example.com"}]
    assert values[0]["categories"] == ["Family"]
    resp = client.patch(f"/me/contacts/{cid}", json={"categories": ["Family", "Tier A"]})
    assert resp.status_code == 200
    assert resp.json()["categories"] == ["Family", "Tier A"]
    values, _, _ = _drain(client, link)
    assert [v["categories"] for v in values] == [["Family", "Tier A"]]
    folder_values, _, _ = _drain(client, "/me/contactFolders/contacts/contacts/delta")
    assert [v["id"] for v in folder_values] == [server.rest_id(cid)]
    bad = client.patch(f"/me/contacts/{cid}", json={"categoriez": []})
    assert bad.status_code == 400


# ----------------------------------------------------------------------------------- categories


def test_master_categories_unique_names_and_colours(
    server: GraphServer, client: httpx.Client
) -> None:
    server.add_category("Family", "preset3")
    listed = client.get("/me/outlook/masterCategories").json()["value"]
    assert [(c["displayName"], c["color"]) for c in listed] == [("Family", "preset3")]
    created = client.post(
        "/me/outlook/masterCategories", json={"displayName": "Tier A", "color": "preset24"}
    )
    assert created.status_code == 201
    cat = created.json()
    assert cat["displayName"] == "Tier A" and cat["id"]
    dup = client.post(
        "/me/outlook/masterCategories", json={"displayName": "tier a", "color": "preset1"}
    )
    assert dup.status_code == 409
    bad = client.post(
        "/me/outlook/masterCategories", json={"displayName": "B", "color": "preset25"}
    )
    assert bad.status_code == 400
    assert client.delete(f"/me/outlook/masterCategories/{cat['id']}").status_code == 204
    names = [c["displayName"] for c in client.get("/me/outlook/masterCategories").json()["value"]]
    assert names == ["Family"]


# ---------------------------------------------------------------------------------------- To Do


def test_todo_linked_resources_round_trip(server: GraphServer, client: httpx.Client) -> None:
    lists = client.get("/me/todo/lists").json()["value"]
    assert [entry["wellknownListName"] for entry in lists] == ["defaultList"]
    created = client.post("/me/todo/lists", json={"displayName": "Networking"})
    assert created.status_code == 201
    list_id = created.json()["id"]
    link = {
        "applicationName": "outlook-networking",
        "externalId": "owed-reply:ann@example.com:<a1@example.com>",
        "displayName": "Reply to Ann",
    }
    task = client.post(
        f"/me/todo/lists/{list_id}/tasks",
        json={
            "title": "Reply to Ann",
            "dueDateTime": {"dateTime": "2026-11-04T00:00:00.0000000", "timeZone": "UTC"},
            "body": {"content": "She asked about the plan.", "contentType": "text"},
            "linkedResources": [link],
        },
    )
    assert task.status_code == 201
    body = task.json()
    assert body["status"] == "notStarted" and body["@odata.etag"].startswith('W/"')
    assert body["linkedResources"][0]["externalId"] == link["externalId"]
    task_id = body["id"]

    plain = client.get(f"/me/todo/lists/{list_id}/tasks").json()["value"][0]
    assert "linkedResources" not in plain
    expanded = client.get(
        f"/me/todo/lists/{list_id}/tasks", params={"$expand": "linkedResources"}
    ).json()["value"][0]
    assert expanded["linkedResources"][0]["applicationName"] == "outlook-networking"
    assert expanded["dueDateTime"]["dateTime"] == "2026-11-04T00:00:00.0000000"

    done = client.patch(
        f"/me/todo/lists/{list_id}/tasks/{task_id}", json={"status": "completed"}
    ).json()
    assert done["status"] == "completed" and "completedDateTime" in done
    assert done["@odata.etag"] != body["@odata.etag"]
    open_tasks = client.get(
        f"/me/todo/lists/{list_id}/tasks", params={"$filter": "status ne 'completed'"}
    ).json()["value"]
    assert open_tasks == []
    assert (
        client.patch(
            f"/me/todo/lists/{list_id}/tasks/{task_id}", json={"status": "finished"}
        ).status_code
        == 400
    )

    links_url = f"/me/todo/lists/{list_id}/tasks/{task_id}/linkedResources"
    second = client.post(links_url, json={"applicationName": "other", "externalId": "x"})
    assert second.status_code == 201
    assert len(client.get(links_url).json()["value"]) == 2
    assert client.delete(f"{links_url}/{second.json()['id']}").status_code == 204
    assert [v["applicationName"] for v in client.get(links_url).json()["value"]] == [
        "outlook-networking"
    ]
    assert client.delete(f"/me/todo/lists/{list_id}/tasks/{task_id}").status_code == 204
    assert client.get(f"/me/todo/lists/{list_id}/tasks/{task_id}").status_code == 404
    assert client.delete(f"/me/todo/lists/{list_id}").status_code == 204
    assert len(client.get("/me/todo/lists").json()["value"]) == 1


def test_todo_tasks_page_with_next_links(server: GraphServer, client: httpx.Client) -> None:
    list_id = client.post("/me/todo/lists", json={"displayName": "Networking"}).json()["id"]
    for i in range(23):
        client.post(f"/me/todo/lists/{list_id}/tasks", json={"title": f"t{i}"})
    body = client.get(f"/me/todo/lists/{list_id}/tasks").json()
    titles = [t["title"] for t in body["value"]]
    while "@odata.nextLink" in body:
        body = client.get(body["@odata.nextLink"]).json()
        titles += [t["title"] for t in body["value"]]
    assert sorted(titles) == sorted(f"t{i}" for i in range(23))


def test_todo_rejects_unknown_task_fields(server: GraphServer, client: httpx.Client) -> None:
    list_id = client.post("/me/todo/lists", json={"displayName": "N"}).json()["id"]
    resp = client.post(f"/me/todo/lists/{list_id}/tasks", json={"title": "x", "due": "tomorrow"})
    assert resp.status_code == 400
    resp = client.post(
        f"/me/todo/lists/{list_id}/tasks", json={"title": "x", "dueDateTime": "2026-11-04"}
    )
    assert resp.status_code == 400


# ---------------------------------------------------------------------------------------- batch


def _batch_get(i: int, url: str = "/me/outlook/masterCategories") -> dict[str, Any]:
    return {"id": str(i), "method": "GET", "url": url}


def test_batch_limits_and_statuses(server: GraphServer, client: httpx.Client) -> None:
    too_many = client.post("/$batch", json={"requests": [_batch_get(i) for i in range(21)]})
    assert too_many.status_code == 400
    (mid,) = _seed_inbox(server, 1)
    resp = client.post(
        "/$batch",
        json={
            "requests": [
                {
                    "id": "1",
                    "method": "PATCH",
                    "url": f"/me/messages/{mid}",
                    "body": {"categories": ["A"]},
                    "headers": {"Content-Type": "application/json"},
                },
                _batch_get(2, "/me/messages/AAMknope="),
                {**_batch_get(3, f"/me/messages/{mid}?$select=categories"), "dependsOn": ["1"]},
                {**_batch_get(4), "dependsOn": ["2"]},
            ]
        },
    )
    assert resp.status_code == 200
    by_id = {r["id"]: r for r in resp.json()["responses"]}
    assert by_id["1"]["status"] == 200
    assert by_id["2"]["status"] == 404
    assert by_id["3"]["status"] == 200 and by_id["3"]["body"]["categories"] == ["A"]
    assert by_id["4"]["status"] == 424
    assert server.count(in_batch=True) == 4
    no_type = client.post(
        "/$batch",
        json={"requests": [{"id": "1", "method": "PATCH", "url": f"/me/messages/{mid}",
                            "body": {"categories": []}}]},
    )  # fmt: skip
    assert no_type.status_code == 400
    forward = client.post(
        "/$batch", json={"requests": [{**_batch_get(1), "dependsOn": ["2"]}, _batch_get(2)]}
    )
    assert forward.status_code == 400


def test_throttled_sub_requests_answer_429_inside_the_batch(
    server: GraphServer, client: httpx.Client
) -> None:
    server.inject(429, path="/outlook/masterCategories", in_batch=True, times=2, retry_after=3)
    resp = client.post("/$batch", json={"requests": [_batch_get(i) for i in range(5)]})
    assert resp.status_code == 200
    statuses = sorted(r["status"] for r in resp.json()["responses"])
    assert statuses == [200, 200, 200, 429, 429]
    throttled = [r for r in resp.json()["responses"] if r["status"] == 429]
    assert throttled[0]["headers"]["Retry-After"] == "3"
    assert throttled[0]["body"]["error"]["code"] == "TooManyRequests"


# ----------------------------------------------------------------------------- faults and auth


def test_injected_throttling_carries_retry_after(server: GraphServer, client: httpx.Client) -> None:
    server.inject(429, path="/messages/delta", retry_after=2)
    server.inject(503, path="/messages/delta", retry_after=1)
    first = client.get("/me/mailFolders/inbox/messages/delta")
    assert first.status_code == 429 and first.headers["Retry-After"] == "2"
    second = client.get("/me/mailFolders/inbox/messages/delta")
    assert second.status_code == 503 and second.headers["Retry-After"] == "1"
    assert client.get("/me/mailFolders/inbox/messages/delta").status_code == 200
    server.inject(500, skip=1)
    assert client.get("/me").status_code == 200
    assert client.get("/me").status_code == 500
    assert server.count(status=429) == 1 and server.count(status=503) == 1


def test_bearer_tokens(server: GraphServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as anon:
        assert anon.get("/me").status_code == 401
        assert anon.get("/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
        server.expire_token()
        expired = anon.get("/me", headers=server.auth_headers())
        assert expired.status_code == 401
        assert expired.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert "expired" in expired.json()["error"]["message"]
        server.add_token("fresh")
        assert anon.get("/me", headers=server.auth_headers("fresh")).status_code == 200
        server.add_mailbox("other@example.com")
        forbidden = anon.get(
            "/users/other@example.com/messages/x", headers=server.auth_headers("fresh")
        )
        assert forbidden.status_code == 403
        server.add_token("app", APP_PRINCIPAL)
        app = server.auth_headers("app")
        assert anon.get("/me", headers=app).status_code == 400
        resp = anon.get("/users/OTHER@example.com/mailFolders/inbox/messages/delta", headers=app)
        assert resp.status_code == 200
        assert resp.json()["@odata.deltaLink"].startswith(
            f"{server.url}/users/OTHER@example.com/mailFolders/inbox/messages/delta?"
        )


def test_mailbox_concurrency_limit_answers_429(server: GraphServer) -> None:
    results: list[int] = []
    with server.paused():
        threads = []
        clients = [
            httpx.Client(base_url=server.url, headers=server.auth_headers(), timeout=10)
            for _ in range(5)
        ]
        for c in clients[:4]:
            t = threading.Thread(target=lambda c=c: results.append(c.get("/me").status_code))
            t.start()
            threads.append(t)
        deadline = time.monotonic() + 10
        while server.in_flight[server.upn] < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        fifth = clients[4].get("/me")
        assert fifth.status_code == 429
        assert fifth.json()["error"]["code"] == "ApplicationThrottled"
        assert "MailboxConcurrency" in fifth.json()["error"]["message"]
        assert fifth.headers["Retry-After"] == "1"
    for t in threads:
        t.join(10)
    for c in clients:
        c.close()
    assert results == [200, 200, 200, 200]
    assert server.peak_in_flight[server.upn] == 4


def test_dropped_connections_before_and_after_the_write(
    server: GraphServer, client: httpx.Client
) -> None:
    (mid,) = _seed_inbox(server, 1)
    server.inject_drop(path="/messages/", method="PATCH")
    with pytest.raises(httpx.RemoteProtocolError):
        client.patch(f"/me/messages/{mid}", json={"categories": ["A"]})
    assert client.get(f"/me/messages/{mid}").json()["categories"] == []
    server.inject_drop(after=True, path="/messages/", method="PATCH")
    with pytest.raises(httpx.RemoteProtocolError):
        client.patch(f"/me/messages/{mid}", json={"categories": ["B"]})
    assert client.get(f"/me/messages/{mid}").json()["categories"] == ["B"]


def test_chaos_is_reproducible_by_seed() -> None:
    def run() -> list[int | str]:
        outcomes: list[int | str] = []
        with (
            GraphServer() as srv,
            httpx.Client(base_url=srv.url, headers=srv.auth_headers(), timeout=10) as c,
        ):
            srv.chaos(seed=7, rate=0.3, kinds=(429, 503, 500))
            for _ in range(40):
                outcomes.append(c.get("/me").status_code)
        return outcomes

    first, second = run(), run()
    assert first == second
    assert {429, 503, 500} & set(first) and 200 in first


# ------------------------------------------------------------------------------ introspection


def test_request_log_counters_and_snapshot(server: GraphServer, client: httpx.Client) -> None:
    (mid,) = _seed_inbox(server, 1)
    before = server.snapshot()
    client.patch(f"/me/messages/{mid}", json={"categories": ["A"]}, headers={"X-Test": "1"})
    after = server.snapshot()
    assert before["messages"]["inbox"][mid]["categories"] == []
    assert after["messages"]["inbox"][mid]["categories"] == ["A"]
    record = server.requests[-1]
    assert (record.method, record.path, record.status) == ("PATCH", f"/me/messages/{mid}", 200)
    assert record.headers["x-test"] == "1" and "authorization" not in record.headers
    assert server.counters["requests"] == 1 and server.counters["status:200"] == 1


def test_seeds_and_syncs_twenty_thousand_messages(server: GraphServer) -> None:
    started = time.perf_counter()
    sender = ("ann@example.com", "Ann")
    for i in range(20_000):
        server.add_message("inbox", subject=f"m{i}", sender=sender, to=[server.upn], sent=T0)
    seeded = time.perf_counter()
    with httpx.Client(base_url=server.url, headers=server.auth_headers(), timeout=30) as c:
        values, _, pages = _drain(
            c,
            "/me/mailFolders/inbox/messages/delta",
            1000,
            **{"$select": "subject,from,toRecipients,internetMessageId,conversationId"},
        )
    synced = time.perf_counter()
    assert len({v["id"] for v in values}) == 20_000 and pages == 20
    print(f"seed 20k: {seeded - started:.2f}s, delta-sync 20k: {synced - seeded:.2f}s")


def test_contacts_created_with_extended_properties_and_deleted(
    server: GraphServer, client: httpx.Client
) -> None:
    marker = "String {5f0c8e6a-2b7d-4c1e-9a3f-6d8b1e2c4a70} Name product"
    created = client.post(
        "/me/contacts",
        json={
            "displayName": "Dora New",
            "emailAddresses": [{"address": "dora@new.example", "name": "Dora New"}],
            "categories": ["Network B"],
            "singleValueExtendedProperties": [{"id": marker, "value": "yes"}],
        },
    )
    assert created.status_code == 201
    cid = created.json()["id"]
    assert "singleValueExtendedProperties" not in created.json()
    expand = f"singleValueExtendedProperties($filter=id eq '{marker}')"
    one = client.get(f"/me/contacts/{cid}", params={"$expand": expand}).json()
    assert one["singleValueExtendedProperties"] == [{"id": marker, "value": "yes"}]
    other = server.add_contact(display_name="Ann", emails=["ann@x.example"])
    listed = client.get("/me/contacts", params={"$expand": expand, "$select": "displayName"})
    props = {c["id"]: c["singleValueExtendedProperties"] for c in listed.json()["value"]}
    assert props == {cid: [{"id": marker, "value": "yes"}], server.rest_id(other): []}
    assert client.post("/me/contacts", json={"emailAddresses": "x"}).status_code == 400
    assert client.delete(f"/me/contacts/{cid}").status_code == 204
    assert client.get(f"/me/contacts/{cid}").status_code == 404


def test_page_size_is_capped_and_the_cap_is_echoed(server: GraphServer) -> None:
    small = GraphServer(max_page_size=5).start()
    try:
        for n in range(7):
            small.add_message("inbox", subject=f"m{n}")
        with httpx.Client(base_url=small.url, headers=small.auth_headers(), timeout=10) as c:
            resp = c.get(
                "/me/mailFolders/inbox/messages/delta", headers={"Prefer": "odata.maxpagesize=50"}
            )
        assert resp.headers["Preference-Applied"] == "odata.maxpagesize=5"
        assert len(resp.json()["value"]) == 5
    finally:
        small.stop()


def test_keep_alive_serves_many_requests_on_one_connection(
    server: GraphServer, client: httpx.Client
) -> None:
    for _ in range(30):
        assert client.get("/me").status_code == 200
    assert server.connections == 1


def test_mailbox_time_zone_and_a_task_moved_to_another_list(
    server: GraphServer, client: httpx.Client
) -> None:
    server.mailbox().time_zone = "W. Europe Standard Time"
    assert client.get("/me/mailboxSettings/timeZone").json()["value"] == "W. Europe Standard Time"
    list_id = client.post("/me/todo/lists", json={"displayName": "N"}).json()["id"]
    link = {"applicationName": "app", "externalId": "k1"}
    task = client.post(
        f"/me/todo/lists/{list_id}/tasks", json={"title": "x", "linkedResources": [link]}
    ).json()
    moved = server.move_task(task["id"], "Tasks")
    assert moved != task["id"]  # a task moved to another list gets a new id
    default = next(v for v in client.get("/me/todo/lists").json()["value"]
                   if v["displayName"] == "Tasks")  # fmt: skip
    tasks = client.get(
        f"/me/todo/lists/{default['id']}/tasks", params={"$expand": "linkedResources"}
    ).json()["value"]
    assert [(t["id"], t["linkedResources"][0]["externalId"]) for t in tasks] == [(moved, "k1")]


def test_todo_keeps_the_due_date_only(server: GraphServer, client: httpx.Client) -> None:
    list_id = client.post("/me/todo/lists", json={"displayName": "N"}).json()["id"]
    tasks = f"/me/todo/lists/{list_id}/tasks"
    due = {"dateTime": "2026-11-04T09:30:00", "timeZone": "Europe/Berlin"}
    task = client.post(tasks, json={"title": "x", "dueDateTime": due})
    # The time goes; the day's midnight in Berlin comes back in UTC.
    assert task.json()["dueDateTime"] == {
        "dateTime": "2026-11-03T23:00:00.0000000",
        "timeZone": "UTC",
    }
    windows = {"dateTime": "2026-11-04T00:00:00", "timeZone": "Hawaiian Standard Time"}
    task = client.post(tasks, json={"title": "y", "dueDateTime": windows})
    assert task.json()["dueDateTime"]["dateTime"] == "2026-11-04T10:00:00.0000000"
    nowhere = {"dateTime": "2026-11-04T00:00:00", "timeZone": "Mars/Olympus"}
    assert client.post(tasks, json={"title": "z", "dueDateTime": nowhere}).status_code == 400


def test_mail_folders_list_one_level_ten_at_a_time_without_hidden_ones(
    server: GraphServer, client: httpx.Client
) -> None:
    for n in range(12):
        server.add_folder(f"Project {n:02}")
    hidden = server.add_folder("Hidden", hidden=True)
    nested = server.add_folder("Nested", "inbox")
    first = client.get("/me/mailFolders").json()
    assert len(first["value"]) == 10 and "@odata.nextLink" in first  # Graph's default page
    listed, body = [], first
    while True:
        listed += [f["displayName"] for f in body["value"]]
        if "@odata.nextLink" not in body:
            break
        body = client.get(body["@odata.nextLink"]).json()
    assert not {"Hidden", "Nested", "Top of Information Store"} & set(listed)
    assert {"Inbox", "Archive", "Junk Email", "Project 11"} <= set(listed)
    params = {"includeHiddenFolders": "true", "$top": "100"}
    everything = client.get("/me/mailFolders", params=params).json()["value"]
    shown = {f["id"]: f["isHidden"] for f in everything}
    assert shown[hidden] is True
    inbox = client.get("/me/mailFolders/inbox").json()
    assert inbox["childFolderCount"] == 1
    children = client.get("/me/mailFolders/inbox/childFolders").json()["value"]
    assert [(c["id"], c["parentFolderId"]) for c in children] == [(nested, inbox["id"])]


def test_a_search_folder_and_the_folder_class_show_as_graph_renders_them(
    server: GraphServer, client: httpx.Client
) -> None:
    server.add_folder("Unread", search=True)
    server.add_folder("RSS Feeds", folder_class="IPF.Note.OutlookHomepage")
    params = {
        "$select": "displayName",
        "$expand": "singleValueExtendedProperties($filter=id eq 'String 0x3613')",
        "$top": "50",
    }
    answer = client.get("/me/mailFolders", params=params).json()
    listed = {f["displayName"]: f for f in answer["value"]}
    assert listed["Unread"]["@odata.type"] == "#microsoft.graph.mailSearchFolder"
    assert listed["RSS Feeds"]["singleValueExtendedProperties"] == [
        {"id": "String 0x3613", "value": "IPF.Note.OutlookHomepage"}
    ]
    assert set(listed["Inbox"]) == {"id", "displayName", "singleValueExtendedProperties"}


def test_a_message_made_in_a_folder_is_a_draft_unless_its_flags_say_otherwise(
    server: GraphServer, client: httpx.Client
) -> None:
    """mailfolder-post-messages makes a draft unless "Integer 0x0E07" (PidTagMessageFlags) comes
    with the POST without mfUnsent; subject and body of a non-draft cannot be PATCHed
    (message-update); a filter on a single-value extended property finds it; DELETE removes it."""
    marker = "String {5f0c8e6a-2b7d-4c1e-9a3f-6d8b1e2c4a70} Name outlook-networking"
    url = "/me/mailFolders/inbox/messages"
    text = {"contentType": "text", "content": "x"}
    plain = client.post(url, json={"subject": "Plain", "body": text})
    new = client.post(url, json={
        "subject": "New", "body": text,
        "singleValueExtendedProperties": [{"id": "Integer 0x0E07", "value": "0"}],
    })  # fmt: skip
    made = client.post(url, json={
        "subject": "Flagged", "body": text,
        "singleValueExtendedProperties": [
            {"id": "Integer 0x0E07", "value": "1"}, {"id": marker, "value": "outlook-networking"},
        ],
    })  # fmt: skip
    assert plain.status_code == made.status_code == 201
    assert plain.json()["isDraft"] is True
    assert new.json()["isDraft"] is False and new.json()["isRead"] is False  # neither flag
    assert made.json()["isDraft"] is False and made.json()["isRead"] is True
    assert made.json()["toRecipients"] == []
    patched = client.patch(f"/me/messages/{made.json()['id']}", json={"subject": "Changed"})
    assert patched.status_code == 400

    found = client.get(url, params={
        "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{marker}' "
        "and ep/value eq 'outlook-networking')",
        "$expand": f"singleValueExtendedProperties($filter=id eq '{marker}')",
    }).json()["value"]  # fmt: skip
    assert [m["subject"] for m in found] == ["Flagged"]
    assert found[0]["singleValueExtendedProperties"] == [
        {"id": marker, "value": "outlook-networking"}
    ]
    assert client.delete(f"/me/messages/{made.json()['id']}").status_code == 204
    assert client.get(f"/me/messages/{made.json()['id']}").status_code == 404
