"""The EWS source beyond the contract: pages as checkpoints, what a message and a meeting become,
the calendar window, contacts, and the faults the connector must ride out or report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from outlook_networking.connectors.ews import EwsSource
from outlook_networking.errors import AuthError, ConnectionFailed, LoginRequired, Throttled
from outlook_networking.model import Flag, KeyDate, Kind, Mailbox, Response
from outlook_networking.ports import Batch
from outlook_networking.store import Store
from servers.ews import EWSServer, Fault

from .conftest import NOW, AccountFactory


def read_all(source: EwsSource, cursors: dict[str, str] | None = None) -> list[Batch]:
    return list(source.read(cursors or {}))


def cursors_after(batches: list[Batch]) -> dict[str, str]:
    saved: dict[str, str] = {}
    for batch in batches:
        if batch.cursor is not None:
            saved[batch.folder] = batch.cursor
    return saved


def seed(server: EWSServer, n: int, folder: str = "inbox") -> list[str]:
    return [
        server.mailbox.add_message(
            folder,
            subject=f"Subject {i}",
            sender=("Ann Partner", "Ann@Partner.Example"),
            to=["me@example.com"],
            cc=[("Bob", "bob@client.example")],
            sent=NOW - timedelta(days=10, minutes=i),
            message_id=f"<m{i}@partner.example>",
            in_reply_to=f"<m{i + 1}@partner.example>",
            references=f"<root@partner.example> <m{i + 1}@partner.example>",
            conversation_id="conv-1",
            categories=["Customer"],
        )
        for i in range(n)
    ]


def test_each_sync_page_is_one_batch_with_its_own_cursor(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    ids = seed(ews_server, 25)
    source = EwsSource(
        make_account(), "ews:work", folders=("inbox",), page_size=10, now=lambda: NOW
    )
    batches = read_all(source)
    assert [len(b.interactions) for b in batches] == [10, 10, 5]
    assert [b.reset for b in batches] == [True, False, False]
    assert [b.complete for b in batches] == [False, False, True]
    assert len({b.cursor for b in batches}) == 3
    assert [i.item_id for b in batches for i in b.interactions] == ids
    # One GetItem per page, not per message.
    assert ews_server.counts["GetItem"] == 3

    first = batches[0].interactions[0]
    assert first.kind is Kind.EMAIL
    assert first.sender == Mailbox("ann@partner.example", "Ann Partner")
    assert first.to == (Mailbox("me@example.com"),)
    assert first.cc == (Mailbox("bob@client.example", "Bob"),)
    assert first.message_id == "m0@partner.example"
    assert first.in_reply_to == "m1@partner.example"
    assert first.references == ("root@partner.example", "m1@partner.example")
    assert first.conversation_id == "conv-1"
    assert first.categories == ("Customer",)
    assert first.folder == "inbox"
    assert first.at == NOW - timedelta(days=10)

    # Resuming from the middle page's cursor reads only what follows it.
    resumed = read_all(
        EwsSource(make_account(), "ews:work", folders=("inbox",), page_size=10, now=lambda: NOW),
        {"inbox": batches[0].cursor or ""},
    )
    assert [i.item_id for b in resumed for i in b.interactions] == ids[10:]
    assert not resumed[0].reset


def test_changes_deletions_and_the_since_window(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    box = ews_server.mailbox
    ids = seed(ews_server, 3)
    box.add_message(
        "inbox", subject="ancient", sender="old@example.org", sent=NOW - timedelta(days=800)
    )

    def source() -> EwsSource:
        return EwsSource(make_account(), "ews:work", folders=("inbox",), now=lambda: NOW)

    first = read_all(source())
    assert sorted(i.subject for b in first for i in b.interactions) == [
        "Subject 0",
        "Subject 1",
        "Subject 2",
    ]

    box.delete(ids[0])
    box.set_fields(ids[1], Subject="renamed")
    second = read_all(source(), cursors_after(first))
    assert [b.deleted for b in second] == [(ids[0],)]
    assert [i.subject for b in second for i in b.interactions] == ["renamed"]


def test_headers_give_noise_flags_and_delivery(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    box = ews_server.mailbox
    box.add_message(
        "inbox",
        subject="Digest",
        sender="list@lists.example",
        to=["me@example.com"],
        sent=NOW - timedelta(days=1),
        headers=[("List-Id", "<team.lists.example>"), ("Received", "from mx")],
    )
    box.add_message(
        "inbox",
        subject="Personal",
        sender="ann@partner.example",
        to=["me@example.com"],
        sent=NOW - timedelta(days=1),
        headers=[("Received", "from mx")],
    )
    batches = read_all(EwsSource(make_account(), "ews:work", folders=("inbox",), now=lambda: NOW))
    by_subject = {i.subject: i for b in batches for i in b.interactions}
    assert Flag.LIST in by_subject["Digest"].flags
    assert by_subject["Digest"].list_id
    assert by_subject["Personal"].flags == frozenset()
    assert by_subject["Personal"].delivered


def test_calendar_window_expands_occurrences_and_rereads_only_on_change(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    box = ews_server.mailbox
    start = NOW - timedelta(days=30)
    weekly = [(start + timedelta(weeks=w), start + timedelta(weeks=w, hours=1)) for w in range(4)]
    box.add_calendar_item(
        subject="Weekly",
        start=weekly[0][0],
        end=weekly[-1][1],
        organizer=("Boss", "boss@example.org"),
        occurrences=weekly,
        required=[("me@example.com", "Accept"), ("ann@example.org", "Decline")],
        optional=[("zed@example.org", "Tentative")],
    )
    box.add_calendar_item(
        subject="Long ago",
        start=NOW - timedelta(days=900),
        end=NOW - timedelta(days=900, hours=-1),
        organizer="x@example.org",
    )

    def source() -> EwsSource:
        return EwsSource(make_account(), "ews:work", folders=("calendar",), now=lambda: NOW)

    (batch,) = read_all(source())
    assert batch.reset and batch.complete
    assert [m.at for m in batch.interactions] == [s for s, _ in weekly]
    meeting = batch.interactions[0]
    assert meeting.kind is Kind.MEETING
    assert meeting.sender == Mailbox("boss@example.org", "Boss")
    assert meeting.duration_s == 3600
    assert [(a.mailbox.address, a.response, a.optional) for a in meeting.attendees] == [
        ("me@example.com", Response.ACCEPTED, False),
        ("ann@example.org", Response.DECLINED, False),
        ("zed@example.org", Response.TENTATIVE, True),
    ]

    ews_server.reset_log()
    (quiet,) = read_all(source(), cursors_after([batch]))
    assert quiet.interactions == () and not quiet.reset
    assert "FindItem" not in ews_server.counts  # nothing changed: no window read

    box.add_calendar_item(
        subject="New",
        start=NOW + timedelta(days=1),
        end=NOW + timedelta(days=1, hours=1),
        organizer="ann@example.org",
    )
    (changed,) = read_all(source(), cursors_after([quiet]))
    assert changed.reset
    assert sorted({m.subject for m in changed.interactions}) == ["New", "Weekly"]


def test_contacts_become_cards(ews_server: EWSServer, make_account: AccountFactory) -> None:
    ews_server.mailbox.add_contact(
        display_name="Ann Partner",
        given_name="Ann",
        surname="Partner",
        company="Partner AG",
        emails=["Ann@Partner.Example", "ann@home.example"],
        categories=["Customer"],
    )
    (batch,) = read_all(
        EwsSource(make_account(), "ews:work", folders=("contacts",), now=lambda: NOW)
    )
    (card,) = batch.cards
    assert card.full_name == "Ann Partner"
    assert card.addresses == ("ann@partner.example", "ann@home.example")
    assert card.organisation == "Partner AG"
    assert card.categories == ("Customer",)


def test_contacts_key_dates_are_the_days_the_owner_entered(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    """Outlook in Berlin stores 22 March as local midnight: 21 March 23:00 UTC. The day is the
    one whose midnight is nearest, not the UTC date (which exchangelib's own Birthday gives)."""
    ews_server.mailbox.add_contact(
        display_name="Ann Partner",
        emails=["ann@partner.example"],
        birthday=datetime(1980, 3, 21, 23, 0, tzinfo=UTC),
        wedding_anniversary=datetime(2011, 1, 13, 11, 59, tzinfo=UTC),  # Outlook's 11:59 habit
    )
    ews_server.mailbox.add_contact(display_name="No Dates", emails=["none@partner.example"])
    (batch,) = read_all(
        EwsSource(make_account(), "ews:work", folders=("contacts",), now=lambda: NOW)
    )
    dates = {c.addresses[0]: c.key_dates for c in batch.cards}
    assert dates == {
        "ann@partner.example": (
            KeyDate("birthday", 3, 22, 1980),
            KeyDate("anniversary", 1, 13, 2011),
        ),
        "none@partner.example": (),
    }
    naive = make_account().contacts.all().only("birthday")
    assert {c.birthday.isoformat() for c in naive if c.birthday} == {"1980-03-21"}


def test_a_garbled_cursor_starts_the_folder_over(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    seed(ews_server, 2)
    batches = read_all(
        EwsSource(make_account(), "ews:work", folders=("inbox",), now=lambda: NOW),
        {"inbox": "Z2FyYmFnZQ=="},
    )
    assert batches[0].reset
    assert sum(len(b.interactions) for b in batches) == 2


# faults -------------------------------------------------------------------------------------
def test_busy_server_and_dropped_connections_are_ridden_out(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    ids = seed(ews_server, 12)
    source = EwsSource(make_account(), "ews:work", folders=("inbox",), page_size=5, now=lambda: NOW)
    ews_server.faults.push(Fault.server_busy(back_off_ms=20, operation="SyncFolderItems"))
    ews_server.faults.push(Fault.dropped_connection(operation="GetItem"))
    ews_server.faults.push(Fault.http_503(retry_after=1, operation="SyncFolderItems"))
    got = [i.item_id for b in read_all(source) for i in b.interactions]
    assert got == ids
    assert sorted(kind for _, kind in ews_server.faults.injected) == [
        "drop",
        "http_503",
        "server_busy",
    ]


def test_a_connection_that_keeps_dropping_is_reported(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    seed(ews_server, 1)
    source = EwsSource(make_account(), "ews:work", folders=("inbox",), now=lambda: NOW)
    source._edge.pause_s = 0.01  # keep the test fast; the policy is what is under test
    ews_server.faults.push(Fault.dropped_connection(operation="SyncFolderItems"), times=3)
    with pytest.raises(ConnectionFailed):
        read_all(source)


def test_throttling_beyond_the_allowed_wait_is_reported(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    seed(ews_server, 1)
    source = EwsSource(make_account(max_wait_s=1), "ews:work", folders=("inbox",), now=lambda: NOW)
    ews_server.faults.push(Fault.server_busy(back_off_ms=5000, operation="SyncFolderItems"))
    with pytest.raises(Throttled) as caught:
        read_all(source)
    assert caught.value.retry_after_s == pytest.approx(5.0)


class Provider:
    """A token provider like auth.DelegatedTokenProvider: ``()`` and ``token(force_refresh=)``."""

    def __init__(self, tokens: Callable[[bool], str]) -> None:
        self.tokens = tokens
        self.calls: list[bool] = []

    def __call__(self) -> str:
        return self.token()

    def token(self, *, force_refresh: bool = False) -> str:
        self.calls.append(force_refresh)
        return self.tokens(force_refresh)


def test_a_refused_token_is_refreshed_once(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    seed(ews_server, 1)
    provider = Provider(lambda forced: "fresh-token" if forced else "test-token")
    source = EwsSource(
        make_account(auth="oauth", token=provider, max_wait_s=600),
        "ews:work",
        folders=("inbox",),
        now=lambda: NOW,
    )
    ews_server.expected_token = "fresh-token"  # the server no longer takes the old one
    assert sum(len(b.interactions) for b in read_all(source)) == 1
    assert provider.calls == [False, True]


def test_a_revoked_token_asks_for_login_without_waiting_out_max_wait(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    provider = Provider(lambda forced: "revoked")
    # A long max_wait: with exchangelib's own policy a 401 would be retried for minutes.
    source = EwsSource(
        make_account(auth="oauth", token=provider, max_wait_s=600),
        "ews:work",
        folders=("inbox",),
        now=lambda: NOW,
    )
    with pytest.raises(LoginRequired):
        read_all(source)
    assert provider.calls == [False, True]
    assert [r.status for r in ews_server.requests] == [401, 401]


def test_a_wrong_password_is_an_auth_error(
    ews_server: EWSServer, make_account: AccountFactory
) -> None:
    source = EwsSource(
        make_account(password="wrong", max_wait_s=600),
        "ews:work",
        folders=("inbox",),
        now=lambda: NOW,
    )
    with pytest.raises(AuthError):
        read_all(source)
    assert [r.status for r in ews_server.requests] == [401]


def test_a_soak_under_random_faults_stores_every_message_once(
    ews_server: EWSServer, make_account: AccountFactory, store: Store
) -> None:
    ids = seed(ews_server, 120)
    source = EwsSource(
        make_account(max_wait_s=5),
        "ews:work",
        folders=("inbox",),
        page_size=9,
        now=lambda: NOW,
        get_batch=25,
    )
    source._edge.pause_s = 0.01
    source._edge.attempts = 6
    ews_server.faults.random_rate(0.25, kinds=("server_busy", "drop", "drop_answer"), seed=11)
    for batch in source.read(store.cursors(source.name)):
        store.apply_batch(source.name, batch)
    ews_server.faults.random_rate(0)
    assert len(ews_server.faults.injected) >= 5
    stored = sorted(i.item_id for i in store.interactions(located=True))
    assert stored == sorted(ids)


def test_a_calendar_too_big_for_one_view_is_read_month_by_month(
    ews_server: EWSServer, make_account: AccountFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outlook_networking.connectors.ews import source as source_module

    monkeypatch.setattr(source_module, "VIEW_LIMIT", 5)  # stands in for Exchange's 1000
    start = NOW - timedelta(days=200)
    series = [(start + timedelta(weeks=w), start + timedelta(weeks=w, hours=1)) for w in range(8)]
    ews_server.mailbox.add_calendar_item(
        subject="Weekly", start=series[0][0], end=series[-1][1], occurrences=series
    )
    (batch,) = read_all(
        EwsSource(make_account(), "ews:work", folders=("calendar",), now=lambda: NOW)
    )
    assert [m.at for m in batch.interactions] == [s for s, _ in series]
    assert ews_server.counts["FindItem"] > 2  # the capped view, then the months
