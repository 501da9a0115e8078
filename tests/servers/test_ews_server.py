"""The EWS test server, exercised with exchangelib 5.6 exactly as a connector would use it.

Every test runs against a fresh server on loopback; the fixture fails the test if any request or
response violated Microsoft's schema.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from exchangelib import (
    BASIC,
    DELEGATE,
    IMPERSONATION,
    OAUTH2,
    Account,
    Build,
    Configuration,
    Credentials,
    ExtendedProperty,
    FaultTolerance,
    OAuth2AuthorizationCodeCredentials,
    Version,
    close_connections,
)
from exchangelib import UTC as EWS_UTC
from exchangelib.errors import (
    ErrorInvalidSyncStateData,
    ErrorIrresolvableConflict,
    ErrorItemNotFound,
    ErrorTimeoutExpired,
    RateLimitError,
)
from exchangelib.items import ID_ONLY, Contact, Message, Task
from exchangelib.properties import ItemId
from exchangelib.services import SyncFolderItems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from oauthlib.oauth2 import OAuth2Token

from servers.ews import SERVER_BUILD, EWSServer, Fault, Mailbox

UTC = dt.UTC
PRODUCT_SET_ID = "c11ff724-aa03-4555-9952-8fa248a11c3e"


class ProductKey(ExtendedProperty):
    property_set_id = PRODUCT_SET_ID
    property_name = "OutlookNetworkingKey"
    property_type = "String"


@pytest.fixture
def server() -> Iterator[EWSServer]:
    with EWSServer() as srv:
        yield srv
        errors = list(srv.schema_errors)
        unsupported = list(srv.unsupported)
    close_connections()
    assert errors == [], "schema violations: " + "\n".join(errors)
    assert unsupported == [], f"operations the server does not implement: {unsupported}"


def make_account(
    server: EWSServer,
    *,
    max_wait: float = 5,
    pin: bool = True,
    credentials: object | None = None,
    auth_type: str = BASIC,
) -> Account:
    config = Configuration(
        service_endpoint=server.url,
        credentials=credentials or Credentials("me@example.com", "secret"),
        auth_type=auth_type,
        version=Version(build=Build(*SERVER_BUILD)) if pin else None,
        retry_policy=FaultTolerance(max_wait=max_wait),
    )
    return Account(
        "me@example.com",
        config=config,
        autodiscover=False,
        access_type=DELEGATE,
        default_timezone=None,
    )


@pytest.fixture
def account(server: EWSServer) -> Account:
    return make_account(server)


@pytest.fixture
def product_key() -> Iterator[None]:
    Task.register("product_key", ProductKey)
    try:
        yield
    finally:
        Task.deregister("product_key")


def seed_inbox(server: EWSServer, n: int) -> list[str]:
    base = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    return [
        server.mailbox.add_message(
            "inbox",
            subject=f"Message {i}",
            sender=("Ann Example", "ann@example.org"),
            to=["me@example.com", ("Bob", "bob@example.org")],
            cc=["carol@example.org"],
            sent=base + dt.timedelta(minutes=i),
            message_id=f"<m{i}@example.org>",
            in_reply_to=f"<m{i - 1}@example.org>" if i else None,
            conversation_id=f"conv{i % 3}",
        )
        for i in range(n)
    ]


def sync_page(
    account: Account, folder_name: str, state: str | None, size: int
) -> tuple[list[tuple[str, object]], str, bool]:
    folder = getattr(account, folder_name)
    svc = SyncFolderItems(account=account)
    fields = {f for f in folder.normalize_fields(["subject", "is_read"])}
    changes = list(
        svc.call(
            folder=folder,
            shape=ID_ONLY,
            additional_fields=fields,
            sync_state=state,
            ignore=None,
            max_changes_returned=size,
            sync_scope=None,
        )
    )
    return changes, svc.sync_state, svc.includes_last_item_in_range


# sync ---------------------------------------------------------------------------------------
def test_sync_pages_by_max_changes_and_resumes_from_each_page(
    server: EWSServer, account: Account
) -> None:
    ids = seed_inbox(server, 25)

    seen: list[str] = []
    state = None
    lasts = []
    while True:
        changes, state, last = sync_page(account, "inbox", state, 10)
        lasts.append(last)
        seen.extend(item.id for kind, item in changes if kind == "create")
        if last:
            break
    assert lasts == [False, False, True]
    assert seen == ids

    # Nothing new: the same state comes back with no changes.
    changes, again, last = sync_page(account, "inbox", state, 10)
    assert (changes, last) == ([], True)

    box = server.mailbox
    box.set_fields(ids[0], Subject="edited")
    box.set_fields(ids[1], IsRead=True)
    box.delete(ids[2])
    new_id = box.add_message("inbox", subject="late arrival", sender="dan@example.org")
    created_then_deleted = box.add_message("inbox", subject="gone before sync")
    box.delete(created_then_deleted)

    changes, _, last = sync_page(account, "inbox", again, 100)
    summary = {(kind, getattr(item, "id", None) or item[0].id) for kind, item in changes}
    assert summary == {
        ("update", ids[0]),
        ("read_flag_change", ids[1]),
        ("delete", ids[2]),
        ("create", new_id),
    }
    updated = next(item for kind, item in changes if kind == "update")
    assert updated.subject == "edited"
    flag = next(item for kind, item in changes if kind == "read_flag_change")
    assert flag[1] is True
    assert last is True


def test_folder_sync_items_sets_state_only_when_drained(
    server: EWSServer, account: Account
) -> None:
    seed_inbox(server, 7)
    inbox = account.inbox
    got = list(inbox.sync_items(only_fields=["subject"], max_changes_returned=3))
    assert [kind for kind, _ in got] == ["create"] * 7
    assert inbox.item_sync_state
    assert server.counts["SyncFolderItems"] == 3

    server.mailbox.add_message("inbox", subject="one more")
    more = list(inbox.sync_items(only_fields=["subject"], max_changes_returned=3))
    assert [item.subject for _, item in more] == ["one more"]


def test_invalid_or_expired_sync_state_is_rejected(server: EWSServer, account: Account) -> None:
    seed_inbox(server, 3)
    with pytest.raises(ErrorInvalidSyncStateData):
        sync_page(account, "inbox", "bm90IGEgc3RhdGU=", 10)

    _, state, _ = sync_page(account, "inbox", None, 10)
    server.mailbox.invalidate_sync_states("inbox")
    with pytest.raises(ErrorInvalidSyncStateData):
        sync_page(account, "inbox", state, 10)

    # A state issued for another folder is not accepted either.
    _, sent_state, _ = sync_page(account, "sent", None, 10)
    with pytest.raises(ErrorInvalidSyncStateData):
        sync_page(account, "inbox", sent_state, 10)

    # Injected: the next SyncFolderItems answers as if the state had expired.
    server.faults.push(Fault.invalid_sync_state())
    with pytest.raises(ErrorInvalidSyncStateData):
        sync_page(account, "inbox", state, 10)
    # The cure is a full sync from scratch, which sees every item once.
    changes, _, last = sync_page(account, "inbox", None, 10)
    assert (len(changes), last) == (3, True)


def test_moving_to_trash_syncs_as_delete_in_inbox_and_create_in_trash(
    server: EWSServer, account: Account
) -> None:
    ids = seed_inbox(server, 2)
    _, state, _ = sync_page(account, "inbox", None, 10)
    message = account.inbox.get(id=ids[0])
    message.move_to_trash()

    changes, _, _ = sync_page(account, "inbox", state, 10)
    assert [(kind, item.id) for kind, item in changes] == [("delete", ids[0])]
    # A move is a copy under a new id and a delete (EWS Identifiers in Exchange).
    snapshot = server.mailbox.snapshot()
    assert ids[0] not in snapshot
    assert [i["fields"]["Subject"] for i in snapshot.values() if i["folder"] == "deleteditems"] \
        == ["Message 0"]
    hard = account.inbox.get(id=ids[1])
    hard.delete()
    assert ids[1] not in server.mailbox.snapshot()


# reading ------------------------------------------------------------------------------------
def test_getitem_batches_return_recipients_and_threading_headers(
    server: EWSServer, account: Account
) -> None:
    ids = seed_inbox(server, 150)
    server.reset_log()
    items = list(
        account.fetch(
            ids=[ItemId(i) for i in ids],
            only_fields=[
                "sender",
                "author",
                "to_recipients",
                "cc_recipients",
                "message_id",
                "in_reply_to",
                "datetime_sent",
                "conversation_id",
                "subject",
            ],
        )
    )
    assert server.counts["GetItem"] == 2  # exchangelib's chunk of 100
    assert len(items) == 150
    second = items[1]
    assert isinstance(second, Message)
    assert second.sender.email_address == "ann@example.org"
    assert second.author.name == "Ann Example"
    assert [r.email_address for r in second.to_recipients] == ["me@example.com", "bob@example.org"]
    assert [r.email_address for r in second.cc_recipients] == ["carol@example.org"]
    assert second.message_id == "<m1@example.org>"
    assert second.in_reply_to == "<m0@example.org>"
    assert second.conversation_id.id == "conv1"
    assert second.datetime_sent == dt.datetime(2026, 3, 1, 9, 1, tzinfo=UTC)

    missing = list(account.fetch(ids=[ItemId(ids[0][:-4] + "AAAA")], only_fields=["subject"]))
    assert isinstance(missing[0], ErrorItemNotFound)


def test_find_item_pages_through_a_large_folder(server: EWSServer, account: Account) -> None:
    for n in range(230):
        server.mailbox.add_contact(display_name=f"Person {n:03}", emails=[f"p{n}@example.org"])
    names = [c.display_name for c in account.contacts.all().only("display_name")]
    assert sorted(names) == [f"Person {n:03}" for n in range(230)]
    assert server.counts["FindItem"] == 3  # exchangelib's pages of 100

    ordered = account.contacts.all().order_by("-display_name").only("display_name")[:3]
    assert [c.display_name for c in ordered] == ["Person 229", "Person 228", "Person 227"]
    few = account.contacts.filter(display_name__startswith="Person 00").only("display_name")
    assert sorted(c.display_name for c in few) == [f"Person 00{n}" for n in range(10)]
    assert list(account.contacts.filter(display_name__startswith="erson 00")) == []
    inside = account.contacts.filter(display_name__icontains="ERSON 22").only("display_name")
    assert len(list(inside)) == 10


def test_folder_hierarchy_is_found_with_find_folder(server: EWSServer, account: Account) -> None:
    projects = server.mailbox.add_folder("Projects")
    server.mailbox.add_folder("Old", parent=projects)
    names = sorted(f.name for f in account.inbox.walk())
    assert names == ["Old", "Projects"]
    assert "Inbox" in {f.name for f in account.msg_folder_root.children}
    assert server.counts["FindFolder"] >= 1


def test_calendar_view_expands_occurrences_within_the_window(
    server: EWSServer, account: Account
) -> None:
    box = server.mailbox
    day = dt.datetime(2026, 4, 6, 10, 0, tzinfo=UTC)
    weekly = [
        (day + dt.timedelta(weeks=w), day + dt.timedelta(weeks=w, hours=1)) for w in range(10)
    ]
    box.add_calendar_item(
        subject="Weekly sync",
        start=weekly[0][0],
        end=weekly[-1][1],
        organizer="boss@example.org",
        occurrences=weekly,
        required=[("me@example.com", "Accept"), ("ann@example.org", "Decline")],
    )
    box.add_calendar_item(
        subject="One-off",
        start=day + dt.timedelta(days=2),
        end=day + dt.timedelta(days=2, hours=1),
        organizer="ann@example.org",
        optional=[("zed@example.org", "Tentative")],
        is_cancelled=True,
    )
    box.add_calendar_item(
        subject="Outside",
        start=day + dt.timedelta(days=200),
        end=day + dt.timedelta(days=200, hours=1),
    )

    window = account.calendar.view(
        start=day - dt.timedelta(days=1), end=day + dt.timedelta(weeks=3)
    )
    got = [(i.subject, i.start, i.type) for i in window]
    assert got == [
        ("Weekly sync", weekly[0][0], "Occurrence"),
        ("One-off", day + dt.timedelta(days=2), "Single"),
        ("Weekly sync", weekly[1][0], "Occurrence"),
        ("Weekly sync", weekly[2][0], "Occurrence"),
    ]
    detailed = list(
        account.calendar.view(
            start=day + dt.timedelta(days=1), end=day + dt.timedelta(days=3)
        ).only("subject", "organizer", "optional_attendees", "is_cancelled", "uid")
    )
    assert len(detailed) == 1
    meeting = detailed[0]
    assert meeting.organizer.email_address == "ann@example.org"
    assert [(a.mailbox.email_address, a.response_type) for a in meeting.optional_attendees] == [
        ("zed@example.org", "Tentative")
    ]
    assert meeting.is_cancelled is True


def test_contacts_sync_with_email_addresses(server: EWSServer, account: Account) -> None:
    server.mailbox.add_contact(
        display_name="Ann Example",
        given_name="Ann",
        surname="Example",
        company="Example Org",
        emails=["ann@example.org", "ann@home.org"],
        categories=["Friends"],
    )
    got = list(
        account.contacts.sync_items(
            only_fields=[
                "display_name",
                "given_name",
                "surname",
                "company_name",
                "email_addresses",
                "categories",
            ]
        )
    )
    ((kind, contact),) = got
    assert kind == "create"
    assert isinstance(contact, Contact)
    assert (contact.display_name, contact.given_name, contact.surname, contact.company_name) == (
        "Ann Example",
        "Ann",
        "Example",
        "Example Org",
    )
    assert sorted(e.email for e in contact.email_addresses) == ["ann@example.org", "ann@home.org"]
    assert contact.categories == ["Friends"]


# writing ------------------------------------------------------------------------------------
def test_task_with_extended_property_is_created_found_updated_and_completed(
    server: EWSServer, account: Account, product_key: None
) -> None:
    before = server.mailbox.snapshot()
    task = Task(
        folder=account.tasks,
        subject="Reply to Ann",
        product_key="followup:ann:1",
        categories=["Network A"],
        due_date=dt.date(2026, 5, 1),
        body="Ann asked about the offer",
    )
    task.save()
    assert task.id

    found = list(account.tasks.filter(product_key="followup:ann:1"))
    assert [t.subject for t in found] == ["Reply to Ann"]
    assert found[0].product_key == "followup:ann:1"
    assert list(account.tasks.filter(product_key="followup:nobody")) == []

    task = found[0]
    old_key = task.changekey
    task.subject = "Reply to Ann (second nudge)"
    task.save(update_fields=["subject"])
    assert task.changekey != old_key

    task.status = Task.COMPLETED
    task.percent_complete = Decimal(100)
    task.save(update_fields=["status", "percent_complete"])

    after = server.mailbox.snapshot()
    (new_id,) = after.keys() - before.keys()
    stored = after[new_id]
    assert stored["folder"] == "tasks"
    assert stored["type"] == "Task"
    assert stored["categories"] == ["Network A"]
    assert stored["fields"]["Subject"] == "Reply to Ann (second nudge)"
    assert stored["fields"]["Status"] == "Completed"
    assert stored["fields"]["PercentComplete"] == "100"
    assert stored["extended"] == {
        (PRODUCT_SET_ID, "OutlookNetworkingKey", "String"): "followup:ann:1"
    }

    task.product_key = None  # DeleteItemField on the extended property
    task.save(update_fields=["product_key"])
    assert server.mailbox.snapshot()[new_id]["extended"] == {}

    task.delete()
    assert server.mailbox.snapshot() == before


class MessageFlags(ExtendedProperty):
    property_tag = 0x0E07  # PidTagMessageFlags
    property_type = "Integer"


def test_a_message_saved_in_a_folder_is_a_draft_unless_its_flags_say_otherwise(
    server: EWSServer, account: Account
) -> None:
    """CreateItem SaveOnly into the Inbox: a draft, unless PidTagMessageFlags is given at
    creation without mfUnsent ([MS-OXCMSG] 2.2.1.6; exchangelib#716)."""
    Message.register("message_flags", MessageFlags)
    try:
        Message(folder=account.inbox, subject="Plain save", body="x").save()
        Message(folder=account.inbox, subject="Flagged save", body="x", message_flags=1).save()
        Message(folder=account.inbox, subject="New save", body="x", message_flags=0).save()
    finally:
        Message.deregister("message_flags")
    stored = {
        item["fields"]["Subject"]: item
        for item in server.mailbox.snapshot().values()
        if item["folder"] == "inbox"
    }
    assert stored["Plain save"]["fields"]["IsDraft"] == "true"
    assert stored["Flagged save"]["fields"]["IsDraft"] == "false"
    assert stored["Flagged save"]["fields"]["IsRead"] == "true"  # mfRead
    assert stored["New save"]["fields"]["IsDraft"] == "false"  # neither mfUnsent nor mfRead
    assert stored["New save"]["fields"]["IsRead"] == "false"
    assert "ToRecipients" not in stored["Flagged save"]["fields"]  # saved, sent to nobody
    assert "DateTimeSent" not in stored["Flagged save"]["fields"]


def test_categories_update_keeps_order_and_stale_change_keys_conflict(
    server: EWSServer, account: Account
) -> None:
    contact_id = server.mailbox.add_contact(
        display_name="Ann", emails=["ann@example.org"], categories=["Family", "Golf"]
    )
    contact = account.contacts.get(id=contact_id)
    contact.categories = [*contact.categories, "Network B"]
    contact.save(update_fields=["categories"])
    assert server.mailbox.snapshot()[contact_id]["categories"] == ["Family", "Golf", "Network B"]

    # The user edits the categories meanwhile: our change key is stale for that field.
    stale = account.contacts.get(id=contact_id)
    server.mailbox.set_fields(contact_id, Categories=["Family"])
    stale.categories = ["Family", "Network C"]
    with pytest.raises(ErrorIrresolvableConflict):
        stale.save(update_fields=["categories"])

    # A stale key for a field nobody else touched resolves automatically (AutoResolve).
    stale = account.contacts.get(id=contact_id)
    server.mailbox.set_fields(contact_id, Subject="Ann (renamed)")
    stale.categories = ["Family", "Network C"]
    stale.save(update_fields=["categories"])
    assert server.mailbox.snapshot()[contact_id]["categories"] == ["Family", "Network C"]

    # NeverOverwrite refuses any stale change key, even for an untouched field.
    stale = account.contacts.get(id=contact_id)
    server.mailbox.set_fields(contact_id, Subject="Ann (again)")
    stale.categories = ["Family", "Network D"]
    with pytest.raises(ErrorIrresolvableConflict):
        stale.save(update_fields=["categories"], conflict_resolution="NeverOverwrite")

    bulk = account.contacts.get(id=contact_id)
    bulk.categories = ["Family"]
    results = account.bulk_update([(bulk, ["categories"])])
    assert len(results) == 1
    assert server.mailbox.snapshot()[contact_id]["categories"] == ["Family"]


CATEGORY_LIST = (
    b'<?xml version="1.0"?><categories default="Red category" lastSavedSession="2" '
    b'xmlns="CategoryList.xsd"><category name="Family" color="7" keyboardShortcut="0" '
    b'usageCount="4" guid="{E5A0E0BA-7B1D-4C6B-8F3B-2D9A1C1F1E01}" renameOnFirstUse="0"/>'
    b"</categories>"
)


def test_category_list_user_configuration_round_trip(server: EWSServer, account: Account) -> None:
    calendar = account.calendar
    with pytest.raises(ErrorItemNotFound):
        calendar.get_user_configuration(name="CategoryList", properties="XmlData")

    calendar.create_user_configuration(name="CategoryList", xml_data=CATEGORY_LIST)
    config = calendar.get_user_configuration(name="CategoryList", properties="XmlData")
    assert config.xml_data == CATEGORY_LIST

    extended = CATEGORY_LIST.replace(
        b"</categories>",
        b'<category name="Network A" color="4" keyboardShortcut="0" '
        b'guid="{00000000-0000-0000-0000-0000000000AA}"/></categories>',
    )
    calendar.update_user_configuration(name="CategoryList", xml_data=extended)
    assert server.mailbox.category_list() == extended
    assert (
        calendar.get_user_configuration(name="CategoryList", properties="All").xml_data == extended
    )

    calendar.delete_user_configuration(name="CategoryList")
    assert server.mailbox.category_list() is None


# faults and auth ----------------------------------------------------------------------------
def test_server_busy_is_retried_after_the_back_off(server: EWSServer, account: Account) -> None:
    seed_inbox(server, 3)
    inbox = account.inbox
    server.faults.push(Fault.server_busy(back_off_ms=50), times=2)
    got = list(inbox.sync_items(only_fields=["subject"]))
    assert len(got) == 3
    assert server.faults.injected == [("SyncFolderItems", "server_busy")] * 2
    assert [r.status for r in server.requests if r.operation == "SyncFolderItems"] == [
        500,
        500,
        200,
    ]


@pytest.mark.parametrize(
    "fault", [Fault.http_503(retry_after=1), Fault.http_500(retry_after=1)], ids=["503", "500"]
)
def test_http_errors_with_retry_after_are_retried(
    server: EWSServer, account: Account, fault: Fault
) -> None:
    seed_inbox(server, 2)
    inbox = account.inbox
    server.faults.push(fault)
    assert len(list(inbox.sync_items(only_fields=["subject"]))) == 2
    assert len(server.faults.injected) == 1


def test_dropped_connection_surfaces_as_timeout_expired(
    server: EWSServer, account: Account
) -> None:
    inbox = account.inbox
    server.faults.push(Fault.dropped_connection())
    with pytest.raises(ErrorTimeoutExpired):
        list(inbox.sync_items(only_fields=["subject"]))
    # The next call works again on a fresh connection.
    assert list(inbox.sync_items(only_fields=["subject"])) == []


def test_a_dropped_answer_still_carries_out_the_write(server: EWSServer, account: Account) -> None:
    tasks = account.tasks
    server.faults.push(Fault.dropped_answer(operation="CreateItem"))
    with pytest.raises(ErrorTimeoutExpired):
        Task(folder=tasks, subject="made, but nobody heard").save()
    assert [i.value("Subject") for i in server.mailbox.items_in("tasks")] == [
        "made, but nobody heard"
    ]


def test_unauthorized_is_bounded_by_max_wait(server: EWSServer) -> None:
    account = make_account(server, max_wait=1)
    inbox = account.inbox
    server.faults.push(Fault.unauthorized())
    with pytest.raises(RateLimitError):
        list(inbox.sync_items(only_fields=["subject"]))

    wrong = make_account(server, max_wait=1, credentials=Credentials("me@example.com", "nope"))
    with pytest.raises(RateLimitError):
        _ = wrong.inbox
    assert 401 in {r.status for r in server.requests}


def test_bearer_token_is_accepted_and_checked(
    server: EWSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests-oauthlib refuses plain http unless told; the server is on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    token = OAuth2Token({"access_token": "test-token", "token_type": "Bearer"})
    creds = OAuth2AuthorizationCodeCredentials(access_token=token)
    account = make_account(server, credentials=creds, auth_type=OAUTH2)
    assert account.inbox.total_count == 0

    bad = OAuth2AuthorizationCodeCredentials(
        access_token=OAuth2Token({"access_token": "revoked", "token_type": "Bearer"})
    )
    with pytest.raises(RateLimitError):
        _ = make_account(server, credentials=bad, auth_type=OAUTH2, max_wait=1).inbox


def test_random_faults_do_not_lose_or_duplicate_items(server: EWSServer) -> None:
    ids = seed_inbox(server, 60)
    account = make_account(server, max_wait=10)
    inbox = account.inbox
    server.faults.random_rate(0.3, kinds=("server_busy",), seed=4)
    got = [item.id for _, item in inbox.sync_items(only_fields=["subject"], max_changes_returned=7)]
    server.faults.random_rate(0)
    assert got == ids
    assert server.faults.injected  # the soak did hit faults


# protocol details ---------------------------------------------------------------------------
def test_version_probe_with_convert_id_reports_the_build(server: EWSServer) -> None:
    account = make_account(server, pin=False)
    assert account.version.build == Build(*SERVER_BUILD)
    assert account.inbox.name == "Inbox"
    assert "ConvertId" in server.operations()


def test_impersonation_header_is_validated_and_accepted(server: EWSServer) -> None:
    config = Configuration(
        service_endpoint=server.url,
        credentials=Credentials("me@example.com", "secret"),
        auth_type=BASIC,
        version=Version(build=Build(*SERVER_BUILD)),
        retry_policy=FaultTolerance(max_wait=5),
    )
    account = Account(
        "me@example.com", config=config, autodiscover=False, access_type=IMPERSONATION
    )
    assert account.inbox.name == "Inbox"
    assert server.schema_errors == []


def test_schema_violating_request_gets_a_fault_and_is_recorded(server: EWSServer) -> None:
    body = (
        '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" '
        'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Header>'
        '<t:RequestServerVersion Version="Exchange2015_SP1"/></s:Header><s:Body><m:GetItem>'
        "<m:ItemIds/></m:GetItem></s:Body></s:Envelope>"
    )
    auth = "Basic " + base64.b64encode(b"me@example.com:secret").decode()
    reply = requests.post(
        server.url,
        data=body.encode(),
        timeout=10,
        headers={"Authorization": auth, "Content-Type": "text/xml"},
    )
    assert reply.status_code == 500
    assert b"ErrorSchemaValidation" in reply.content
    assert len(server.schema_errors) >= 2  # the version attribute and the missing ItemShape
    server.schema_errors.clear()  # expected here; the fixture checks the rest stays clean


def test_response_validation_catches_what_exchange_would_never_send() -> None:
    from servers.ews.operations import get_folder
    from servers.ews.replies import response, response_message
    from servers.ews.schema import validation_errors

    box = Mailbox()
    root, messages = response("GetItem")
    message = response_message(messages, "GetItem")
    assert validation_errors(root)  # an error-free reply without <m:Items/> is invalid too
    etree.SubElement(message, "{http://schemas.microsoft.com/exchange/services/2006/messages}Items")
    assert validation_errors(root) == []
    message.attrib.pop("ResponseClass")  # required by the schema
    assert validation_errors(root)

    request = etree.fromstring(
        b'<m:GetFolder xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" '
        b'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:FolderShape>'
        b"<t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds>"
        b'<t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>'
    )
    answer = get_folder(box, request)
    assert validation_errors(answer) == []
    folder = answer.find(".//{http://schemas.microsoft.com/exchange/services/2006/types}Folder")
    folder.append(folder[0])  # FolderId again, after DisplayName: out of schema order
    assert validation_errors(answer)


def test_snapshot_ignores_server_bookkeeping(server: EWSServer) -> None:
    task_id = server.mailbox.add_task(
        subject="t", extended={(PRODUCT_SET_ID, "OutlookNetworkingKey", "String"): "k"}
    )
    before = server.mailbox.snapshot()
    server.mailbox.set_fields(task_id, Subject="changed")
    server.mailbox.set_fields(task_id, Subject="t")
    assert server.mailbox.snapshot() == before
    assert before[task_id]["extended"] == {(PRODUCT_SET_ID, "OutlookNetworkingKey", "String"): "k"}
    assert uuid.UUID(PRODUCT_SET_ID)


# the change log, as a property ----------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["add", "edit", "read", "delete", "move", "sync"]),
            st.integers(0, 30),
            st.integers(1, 6),
        ),
        max_size=60,
    )
)
def test_any_interleaving_of_changes_and_paged_syncs_converges(
    steps: list[tuple[str, int, int]],
) -> None:
    """A client applying every page (create/update upsert, delete remove) ends with exactly the
    folder's items and their current subjects, however changes and page sizes interleave."""
    box = Mailbox()
    inbox = box.folder("inbox")
    replica: dict[str, str] = {}
    state: str | None = None
    counter = 0

    def sync_page(size: int) -> bool:
        nonlocal state
        position = box.sync_position(inbox, state)
        changes, new_position, last = box.changes(inbox, position, size)
        for change, item_id in changes:
            if change == "Delete":
                replica.pop(item_id, None)
            else:
                assert change == "Create" or item_id in replica, (change, item_id)
                replica[item_id] = box.items[item_id].value("Subject")
        state = box.sync_state(inbox, new_position)
        return last

    for op, pick, size in steps:
        present = list(inbox.item_ids)
        target = present[pick % len(present)] if present else None
        if op == "add" or target is None:
            counter += 1
            box.add_message("inbox", subject=f"s{counter}")
        elif op == "edit":
            counter += 1
            box.set_fields(target, Subject=f"s{counter}")
        elif op == "read":
            box.set_fields(target, IsRead=True)
        elif op == "delete":
            box.delete(target)
        elif op == "move":
            box.move(target, "deleteditems")
        else:
            sync_page(size)
    while not sync_page(3):
        pass
    assert replica == {i: box.items[i].value("Subject") for i in inbox.item_ids}


# follow-up flags ------------------------------------------------------------------------------
def _flag(status: str, **dates: dt.datetime) -> Any:
    from exchangelib import EWSDateTime

    from outlook_networking.connectors.ews.properties import FollowUpFlagElement

    return FollowUpFlagElement(
        flag_status=status,
        **{k: EWSDateTime.fromtimestamp(v.timestamp(), tz=EWS_UTC) for k, v in dates.items()},
    )


def test_a_message_flag_round_trips_in_schema_and_reads_not_flagged_when_cleared(
    server: EWSServer, account: Account
) -> None:
    """Flag (Exchange 2013 and later): FlagStatus, StartDate, DueDate, CompleteDate; dates come
    back in UTC; a cleared flag leaves the item as it was before it was flagged."""
    from outlook_networking.connectors.ews.properties import FLAG_FIELD, ensure_registered

    ensure_registered()
    (item_id,) = seed_inbox(server, 1)
    before = server.mailbox.snapshot()[item_id]
    message = account.inbox.get(id=item_id)
    assert getattr(message, FLAG_FIELD).flag_status == "NotFlagged"
    start = dt.datetime(2026, 3, 1, tzinfo=UTC)
    setattr(message, FLAG_FIELD, _flag("Flagged", start_date=start,
                                       due_date=start + dt.timedelta(days=2)))  # fmt: skip
    message.save(update_fields=[FLAG_FIELD])
    flag = getattr(account.inbox.get(id=item_id), FLAG_FIELD)
    assert (flag.flag_status, flag.due_date) == ("Flagged", start + dt.timedelta(days=2))
    setattr(message, FLAG_FIELD, _flag("NotFlagged"))
    message.save(update_fields=[FLAG_FIELD])
    assert server.mailbox.snapshot()[item_id] == before


@pytest.mark.parametrize(
    ("status", "dates"),
    [
        ("Flagged", {"due_date"}),  # StartDate and DueDate go in pairs
        ("Flagged", {"start_date", "due_date", "complete_date"}),
        ("Complete", {"start_date", "due_date"}),
        ("NotFlagged", {"complete_date"}),
    ],
)
def test_a_flag_with_dates_its_status_forbids_is_invalid(
    server: EWSServer, account: Account, status: str, dates: set[str]
) -> None:
    """[MS-OXWSCORE] 2.2.4.23 FlagType: Flagged takes no CompleteDate and StartDate/DueDate in a
    pair; Complete takes neither StartDate nor DueDate; NotFlagged takes no date. Otherwise
    ErrorInvalidArgument."""
    from exchangelib.errors import ErrorInvalidArgument

    from outlook_networking.connectors.ews.properties import FLAG_FIELD, ensure_registered

    ensure_registered()
    (item_id,) = seed_inbox(server, 1)
    message = account.inbox.get(id=item_id)
    moment = dt.datetime(2026, 3, 1, tzinfo=UTC)
    setattr(message, FLAG_FIELD, _flag(status, **dict.fromkeys(dates, moment)))
    with pytest.raises(ErrorInvalidArgument):
        message.save(update_fields=[FLAG_FIELD])
    assert "Flag" not in server.mailbox.get(item_id).fields


def test_a_user_flagging_a_message_makes_an_older_change_key_stale_for_the_flag_only(
    server: EWSServer, account: Account
) -> None:
    """AutoResolve: a stale change key fails only if a field the update sets changed since."""
    from outlook_networking.connectors.ews.properties import FLAG_FIELD, ensure_registered

    ensure_registered()
    (item_id,) = seed_inbox(server, 1)
    message = account.inbox.get(id=item_id)
    server.mailbox.flag(item_id, "Complete")  # the user, in Outlook
    message.categories = ["Mine"]
    message.save(update_fields=["categories"])  # another field: goes through
    message = account.inbox.get(id=item_id)
    server.mailbox.flag(item_id, "NotFlagged")
    setattr(message, FLAG_FIELD, _flag("Complete"))
    with pytest.raises(ErrorIrresolvableConflict):
        message.save(update_fields=[FLAG_FIELD])
