"""Reading a mailbox over Graph: mapping, round boundaries, resyncs, calendar window, soak."""

from __future__ import annotations

import mailbox
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from outlook_networking.connectors.graph import GraphClient, GraphSource
from outlook_networking.model import Flag, KeyDate, Kind, Response
from outlook_networking.ports import Batch
from outlook_networking.store import Store
from servers.graph import APP_PRINCIPAL, GraphServer

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _source(client: GraphClient, **kwargs: object) -> GraphSource:
    kwargs.setdefault("now", lambda: NOW)
    return GraphSource(client, name="graph:work", **kwargs)  # type: ignore[arg-type]


def _sync(store: Store, source: GraphSource) -> list[Batch]:
    batches = []
    for batch in source.read(store.cursors(source.name)):
        store.apply_batch(source.name, batch)
        batches.append(batch)
    return batches


def test_messages_map_to_interactions(server: GraphServer, client: GraphClient) -> None:
    server.add_message(
        "inbox",
        subject="Re: Budget",
        sender=("Ann.Partner@Partner.Example", "Ann Partner"),
        to=[server.upn],
        cc=[("carl@old.example", "Carl")],
        sent=T0,
        internet_message_id="<r1@partner.example>",
        in_reply_to="<q1@example.com>",
        references=["<q0@example.com>", "<q1@example.com>"],
        conversation_id="CONV1",
        categories=["Customer"],
    )
    server.add_message(
        "inbox",
        subject="Weekly digest",
        sender="news@lists.example",
        to=[server.upn],
        sent=T0,
        headers=[{"name": "List-Id", "value": "<digest.lists.example>"}],
    )
    server.add_message(
        "sentitems",
        subject="Budget",
        sender=server.upn,
        to=["ann@partner.example"],
        sent=T0 - timedelta(hours=1),
        internet_message_id="<q1@example.com>",
        conversation_id="CONV1",
    )
    batches = list(_source(client, folders=("inbox", "sent")).read({}))
    by_subject = {i.subject: i for b in batches for i in b.interactions}
    reply = by_subject["Re: Budget"]
    assert reply.kind is Kind.EMAIL and reply.folder == "inbox"
    assert reply.sender is not None
    assert (reply.sender.address, reply.sender.name) == (
        "ann.partner@partner.example",
        "Ann Partner",
    )
    assert [m.address for m in reply.cc] == ["carl@old.example"]
    assert reply.message_id == "r1@partner.example"
    assert reply.in_reply_to == "q1@example.com"
    assert reply.references == ("q0@example.com", "q1@example.com")
    assert reply.conversation_id == "CONV1" and reply.categories == ("Customer",)
    assert reply.at == T0 and reply.delivered and not reply.flags
    assert Flag.LIST in by_subject["Weekly digest"].flags
    sent = by_subject["Budget"]
    # Sent Items carry no headers: no delivery trace, threads by conversationId.
    assert sent.folder == "sent" and not sent.delivered and sent.in_reply_to == ""
    assert sent.conversation_id == "CONV1"
    assert not sent.flags  # no headers is not a sign of spam: subject and recipients are known
    request = next(r for r in server.requests if "/messages/delta" in r.path)
    assert "internetMessageHeaders" in request.query["$select"]
    assert request.headers["prefer"] == 'IdType="ImmutableId", odata.maxpagesize=1000'


def test_delta_link_is_saved_only_when_the_round_completes(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    for n in range(25):
        server.add_message("inbox", subject=f"m{n}", sender="bob@client.example", sent=T0)
    batches = _sync(store, _source(client, folders=("inbox",), page_size=10))
    assert [b.cursor is not None for b in batches] == [False, False, True]
    assert [b.complete for b in batches] == [False, False, True]
    assert batches[0].reset and not batches[1].reset
    assert "$deltatoken=" in store.cursors("graph:work")["inbox"]
    server.add_message("inbox", subject="late", sender="bob@client.example", sent=T0)
    again = _sync(store, _source(client, folders=("inbox",), page_size=10))
    assert [len(b.interactions) for b in again] == [1] and not again[0].reset


def test_stale_token_mid_round_restarts_cleanly(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    ids = [
        server.add_message("inbox", subject=f"m{n:02}", sender="bob@client.example", sent=T0)
        for n in range(30)
    ]
    _sync(store, _source(client, folders=("inbox",)))
    server.delete_message(ids[0])
    for item_id in ids[1:26]:  # enough change for an incremental round of several pages
        server.update_message(item_id, categories=["Seen"])
    server.add_message("inbox", subject="new", sender="bob@client.example", sent=T0)
    source = _source(client, folders=("inbox",), page_size=10)
    batches = source.read(store.cursors("graph:work"))
    store.apply_batch("graph:work", next(batches))
    server.expire_delta_tokens()  # the server forgets its state in the middle of the round
    rest = list(batches)
    for batch in rest:
        store.apply_batch("graph:work", batch)
    assert rest[0].reset
    subjects = sorted(i.subject for i in store.interactions(located=True))
    assert subjects == sorted([f"m{n:02}" for n in range(1, 30)] + ["new"])


def test_resync_required_is_a_clean_reset(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    for n in range(3):
        server.add_message("inbox", subject=f"m{n}", sender="bob@client.example", sent=T0)
    _sync(store, _source(client, folders=("inbox",)))
    server.inject_resync(path="/mailFolders/inbox/messages/delta$")
    batches = _sync(store, _source(client, folders=("inbox",)))
    assert batches[0].reset and batches[-1].complete
    assert sorted(i.subject for i in store.interactions(located=True)) == ["m0", "m1", "m2"]


def test_calendar_window_events_and_leavers(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    meeting = server.add_event(
        subject="1:1 Ann",
        start=T0,
        end=T0 + timedelta(minutes=45),
        organizer=("ann@partner.example", "Ann"),
        attendees=[
            (server.upn, "accepted"),
            ("bob@client.example", "tentativelyAccepted", "optional"),
            ("carl@old.example", "declined"),
            # A booked room is an attendee of type "resource" (attendeeBase): nobody to meet.
            ("room.spree@partner.example", "accepted", "resource"),
        ],
    )
    master = server.add_event(subject="Weekly", start=T0, event_type="seriesMaster")
    server.add_event(
        subject="Weekly", start=T0 + timedelta(days=7), event_type="exception",
        series_master_id=master, is_cancelled=True,
    )  # fmt: skip
    server.add_event(subject="Ancient", start=NOW - timedelta(days=900))
    source = _source(client, folders=("calendar",), calendar_past=timedelta(days=365))
    batches = _sync(store, source)
    by_subject = {i.subject: i for b in batches for i in b.interactions}
    assert set(by_subject) == {"1:1 Ann", "Weekly"}
    one = by_subject["1:1 Ann"]
    assert one.kind is Kind.MEETING and one.at == T0 and one.duration_s == 45 * 60
    assert one.sender is not None and one.sender.address == "ann@partner.example"
    responses = {a.mailbox.address: (a.response, a.optional) for a in one.attendees}
    assert set(responses) == {server.upn, "bob@client.example", "carl@old.example"}
    assert responses["bob@client.example"] == (Response.TENTATIVE, True)
    assert responses["carl@old.example"] == (Response.DECLINED, False)
    assert by_subject["Weekly"].cancelled
    cursor = store.cursors("graph:work")["calendar"]
    assert cursor.startswith("2025-11-27T00:00:00Z|2027-02-25T00:00:00Z|http")
    delta = next(r for r in server.requests if r.path.endswith("/calendarView/delta"))
    assert 'outlook.timezone="UTC"' in delta.headers["prefer"]

    server.update_event(meeting, start=NOW + timedelta(days=400), end=NOW + timedelta(days=400))
    _sync(store, _source(client, folders=("calendar",), calendar_past=timedelta(days=365)))
    assert sorted(i.subject for i in store.interactions(located=True)) == ["Weekly"]


def test_calendar_window_moves_on(server: GraphServer, client: GraphClient, store: Store) -> None:
    server.add_event(subject="x", start=T0)
    _sync(store, _source(client, folders=("calendar",)))
    later = _source(client, folders=("calendar",), now=lambda: NOW + timedelta(days=30))
    batches = _sync(store, later)
    assert batches[0].reset  # a new window is a new token: a fresh round
    same_day = _source(client, folders=("calendar",), now=lambda: NOW + timedelta(days=30))
    assert not _sync(store, same_day)[0].reset


def test_contacts_become_cards(server: GraphServer, client: GraphClient, store: Store) -> None:
    keep = server.add_contact(
        display_name="Ann Partner",
        emails=[("Ann@Partner.Example", "Ann"), ("ann@home.example", "Ann")],
        given_name="Ann",
        surname="Partner",
        company="Partner AG",
        categories=["Customer"],
    )
    gone = server.add_contact(display_name="Old", emails=["old@example.com"])
    batches = _sync(store, _source(client, folders=("contacts",)))
    cards = {c.item_id: c for b in batches for c in b.cards}
    assert cards[keep].addresses == ("ann@partner.example", "ann@home.example")
    assert cards[keep].organisation == "Partner AG" and cards[keep].categories == ("Customer",)
    server.delete_contact(gone)
    again = _sync(store, _source(client, folders=("contacts",)))
    assert again[0].deleted == (gone,)


def test_contacts_birthdays_are_the_days_entered(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    """Graph's birthday is a UTC instant (contact resource type); Outlook west and east of
    Greenwich stores local midnight, or 11:59: each names the day entered."""
    entered = {
        "east@partner.example": datetime(1974, 9, 17, 22, 0, tzinfo=UTC),  # Berlin, 18 Sep
        "west@partner.example": datetime(1974, 9, 18, 4, 0, tzinfo=UTC),  # Chicago, 18 Sep
        "noon@partner.example": datetime(1974, 9, 18, 11, 59, tzinfo=UTC),
    }
    for address, birthday in entered.items():
        server.add_contact(display_name=address, emails=[address], birthday=birthday)
    server.add_contact(display_name="None", emails=["none@partner.example"])
    batches = _sync(store, _source(client, folders=("contacts",)))
    dates = {c.addresses[0]: c.key_dates for b in batches for c in b.cards}
    born = (KeyDate("birthday", 9, 18, 1974),)
    assert dates == {**dict.fromkeys(entered, born), "none@partner.example": ()}
    stored = {c.addresses[0]: c.key_dates for c in store.cards()}
    assert stored == dates


def test_app_only_reads_a_named_mailbox(server: GraphServer) -> None:
    server.add_token("app-token", APP_PRINCIPAL)
    server.add_message("inbox", subject="hello", sender="bob@client.example", sent=T0)
    with GraphClient(server.url, lambda: "app-token", account="org") as app:
        source = GraphSource(app, name="graph:org", user=server.upn, folders=("inbox",))
        batches = list(source.read({}))
    assert [i.subject for b in batches for i in b.interactions] == ["hello"]
    assert all(r.path.startswith(f"/users/{server.upn}/") for r in server.requests)


def test_foreign_cursor_is_never_followed(server: GraphServer, client: GraphClient) -> None:
    server.add_message("inbox", subject="hello", sender="bob@client.example", sent=T0)
    cursor = "q2|https://evil.example/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=x"
    batches = list(_source(client, folders=("inbox",)).read({"inbox": cursor}))
    assert batches[0].reset and [i.subject for i in batches[0].interactions] == ["hello"]


def test_soak_with_random_faults_loses_and_duplicates_nothing(
    server: GraphServer, make_client: Callable[..., GraphClient], store: Store
) -> None:
    ids = [
        server.add_message("inbox", subject=f"m{n:03}", sender="bob@client.example", sent=T0)
        for n in range(600)
    ]
    server.chaos(seed=20261127, rate=0.2, retry_after=1)
    client = make_client()
    for round_no in range(4):
        _sync(store, _source(client, folders=("inbox", "sent"), page_size=20))
        # The mailbox keeps changing between rounds (and the server keeps failing).
        for item_id in ids[round_no * 10 : round_no * 10 + 5]:
            server.delete_message(item_id)
        for item_id in ids[300 + round_no * 30 : 330 + round_no * 30]:
            server.update_message(item_id, categories=[f"round {round_no}"])
        for n in range(5):
            server.add_message("inbox", subject=f"r{round_no}-{n}", sender="dan@x.example", sent=T0)
    server.faults.clear()
    _sync(store, _source(client, folders=("inbox", "sent"), page_size=20))
    stored = sorted((i.subject, i.categories) for i in store.interactions(located=True))
    mailbox = server.messages("inbox")
    assert stored == sorted((m["subject"], tuple(m["categories"])) for m in mailbox)
    assert len(stored) == len(set(stored)) == 600 - 20 + 20
    kinds = {status for _, _, status in server.faults.fired}
    assert {429, 503, 500} <= kinds and len(server.faults.fired) > 10


def test_more_than_five_thousand_messages_in_the_window_all_arrive(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    since = NOW - timedelta(days=60)
    for n in range(5200):
        at = NOW - timedelta(days=1, minutes=n)
        server.add_message("inbox", subject=f"m{n}", sender="bob@client.example", sent=at)
    old = server.add_message("inbox", subject="old", sender="bob@client.example", sent=since - DAY)
    _sync(store, _source(client, folders=("inbox",), since=since))
    stored = {i.item_id for i in store.interactions()}
    assert len(stored) == 5200 and old not in stored  # the window is kept, and all of it


def test_a_read_toggle_or_new_categories_keep_what_is_stored(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    read = server.add_message(
        "inbox", subject="Budget", sender=("ann@partner.example", "Ann"), to=[server.upn],
        cc=["carl@old.example"], sent=T0, is_read=False,
    )  # fmt: skip
    tagged = server.add_message(
        "inbox", subject="Offer", sender=("bob@client.example", "Bob"), to=[server.upn], sent=T0
    )
    _sync(store, _source(client, folders=("inbox",)))
    before = {i.item_id: i for i in store.interactions()}
    server.update_message(read, isRead=True)
    server.update_message(tagged, categories=["Customer"], flag={"flagStatus": "flagged"})
    # Graph reports these updates by id and the changed properties only (microsoft-graph-docs
    # #7776): they are merged into what is stored, not taken for messages without a sender.
    batches = _sync(store, _source(client, folders=("inbox",)))
    assert [p for b in batches for p in b.problems] == []
    after = {i.item_id: i for i in store.interactions()}
    assert after[read] == before[read]
    assert after[tagged] == replace(before[tagged], categories=("Customer",))
    # A change to a property the $select leaves out would not be reported at all.
    selected = next(r for r in server.requests if "$select" in r.query).query["$select"]
    assert {"categories", "flag", "isRead"} <= set(selected.split(","))


def test_occurrences_take_subject_organizer_and_attendees_from_their_series(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    ann = ("ann@partner.example", "Ann")
    team = [(server.upn, "accepted"), ("bob@client.example", "tentativelyAccepted")]
    series = {"organizer": ann, "attendees": team}
    weekly = server.add_event(subject="Weekly", start=T0, event_type="seriesMaster", **series)
    occurrences = [
        server.add_event(subject="Weekly", start=T0 + timedelta(days=7 * k),
                         event_type="occurrence", series_master_id=weekly, **series)
        for k in range(3)
    ]  # fmt: skip
    moved = server.add_event(
        subject="Weekly, moved", start=T0 + timedelta(days=21, hours=2), event_type="exception",
        series_master_id=weekly, organizer=ann,
        attendees=[(server.upn, "accepted"), ("dora@new.example", "accepted")],
    )  # fmt: skip
    monthly = server.add_event(
        subject="Monthly", start=T0, event_type="seriesMaster", organizer=server.upn,
        attendees=[("carl@old.example", "accepted")],
    )  # fmt: skip
    review = server.add_event(
        subject="Monthly", start=T0 + timedelta(days=28), event_type="occurrence",
        series_master_id=monthly, organizer=server.upn,
        attendees=[("carl@old.example", "accepted")],
    )  # fmt: skip
    _sync(store, _source(client, folders=("calendar",)))
    by_id = {i.item_id: i for i in store.interactions()}
    for occurrence in occurrences:
        meeting = by_id[occurrence]
        assert meeting.subject == "Weekly" and meeting.sender is not None
        assert meeting.sender.address == "ann@partner.example"
        assert {a.mailbox.address for a in meeting.attendees} == {server.upn, "bob@client.example"}
    assert by_id[moved].subject == "Weekly, moved"  # the exception's own attendees win
    assert {a.mailbox.address for a in by_id[moved].attendees} == {server.upn, "dora@new.example"}
    assert [a.mailbox.address for a in by_id[review].attendees] == ["carl@old.example"]
    # Each series master fetched once, both in one $batch.
    assert server.count(path="/$batch") == 1
    assert sorted(r.path for r in server.requests if r.in_batch) == sorted(
        f"/me/events/{m}" for m in (weekly, monthly)
    )


def test_a_moved_message_keeps_its_id(
    server: GraphServer, client: GraphClient, store: Store
) -> None:
    server.add_message("inbox", subject="Budget", sender="ann@partner.example", sent=T0)
    _sync(store, _source(client, folders=("inbox", "sent")))
    (before,) = store.interactions()
    (message,) = server.messages("inbox")
    server.move_message(message["id"], "sentitems")  # Exchange gives it a new regular id
    _sync(store, _source(client, folders=("inbox", "sent")))
    (after,) = store.interactions()
    assert after.item_id == before.item_id and after.folder == "sent"


def test_a_page_that_times_out_is_asked_again_at_half_the_size(
    server: GraphServer, client: GraphClient, store: Store, corpus_mbox: Path
) -> None:
    # Real internet headers (the SpamAssassin corpus): 1,000 messages with them in one page
    # are more than the gateway answers in time (504, List messages).
    corpus = mailbox.mbox(corpus_mbox, create=False)
    for n, message in zip(range(1500), corpus, strict=False):
        headers = [{"name": k, "value": str(v)} for k, v in message.items()]
        server.add_message(
            "inbox", subject=f"m{n}", sender="bob@client.example", sent=T0, headers=headers
        )
    corpus.close()
    _sync(store, _source(client, folders=("inbox",)))
    assert len(list(store.interactions())) == 1500
    pages = [
        (r.status, r.headers["prefer"].rsplit("=", 1)[-1])
        for r in server.requests
        if r.path.endswith("/delta")
    ]
    assert pages == [(504, "1000"), (200, "500"), (200, "500"), (200, "500")]


def test_twenty_thousand_messages(server: GraphServer, client: GraphClient, store: Store) -> None:
    for n in range(20_000):
        server.add_message(
            "inbox", subject=f"m{n}", sender=("bob@client.example", "Bob"), to=[server.upn], sent=T0
        )
    started = time.perf_counter()
    batches = _sync(store, _source(client, folders=("inbox",), page_size=1000))
    elapsed = time.perf_counter() - started
    assert sum(len(b.interactions) for b in batches) == 20_000
    assert len(list(store.interactions())) == 20_000
    print(f"graph delta sync of 20k messages into the store: {elapsed:.2f}s, {len(batches)} pages")
