"""The EWS sink beyond the contract: the master list byte for byte, category deltas against a
moving mailbox, change-key conflicts, and refusing to delete what is not the product's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from exchangelib import close_connections

from outlook_networking.config import AccountConfig
from outlook_networking.connectors.ews import PRODUCT_PROPERTY_SET, EwsSink, open_account
from outlook_networking.errors import Conflict, ServerFault
from outlook_networking.ports import (
    NOT_FLAGGED,
    AddCategory,
    CompleteTask,
    CreateContact,
    CreateInboxMessage,
    CreateTask,
    DeleteContact,
    DeleteTask,
    FollowUpFlag,
    RemoveCategory,
    ReplaceInboxMessage,
    SetCategories,
    SetFlag,
    UpdateTask,
)
from servers.ews import EWSServer, Fault
from servers.ews.mailbox import StoredItem

from .conftest import AccountFactory

# A list as Outlook writes it: a BOM, attributes we do not know, odd spacing. It must survive.
OUTLOOK_LIST = (
    b'\xef\xbb\xbf<?xml version="1.0"?>\r\n<categories default="Red category" '
    b'lastSavedSession="7" lastSavedTime="2026-02-01T08:00:00.000" xmlns="CategoryList.xsd">'
    b'<category name="Red category" color="0" keyboardShortcut="0" usageCount="12" '
    b'lastTimeUsedNotes="1601-01-01T00:00:00.000" lastTimeUsed="2026-01-30T10:00:00.000" '
    b'lastSessionUsed="6" guid="{AF2D5B1E-4E86-4C4A-9B1E-123456789ABC}" '
    b'renameOnFirstUse="1"/>\r\n  <category  name="Familie &amp; Freunde" color="7" '
    b'keyboardShortcut="0" guid="{0B5D2C11-1111-2222-3333-444455556666}"/></categories>'
)


@pytest.fixture
def sink(make_account: AccountFactory) -> EwsSink:
    return EwsSink(make_account(), "ews:work")


def test_master_list_keeps_every_byte_of_the_users_entries(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    box = ews_server.mailbox
    box.set_category_list(OUTLOOK_LIST)
    sink.apply(AddCategory("Network A", 4))
    sink.apply(AddCategory("Network A", 4))  # idempotent
    written = box.category_list()
    assert written is not None
    assert written.startswith(OUTLOOK_LIST[: OUTLOOK_LIST.index(b"</categories>")])
    assert written.count(b'name="Network A"') == 1
    names = [(c.name, c.color) for c in sink.read_state().master_categories]
    assert names == [("Red category", 0), ("Familie & Freunde", 7), ("Network A", 4)]

    sink.apply(RemoveCategory("Network A"))
    assert box.category_list() == OUTLOOK_LIST


def test_a_list_the_product_created_is_removed_again(ews_server: EWSServer, sink: EwsSink) -> None:
    sink.apply(AddCategory("Network B", 7))
    assert [c.name for c in sink.read_state().master_categories] == ["Network B"]
    sink.apply(RemoveCategory("Network B"))
    assert ews_server.mailbox.category_list() is None


def test_category_delta_is_applied_to_the_item_as_it_is_now(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    box = ews_server.mailbox
    ann = box.add_contact(
        display_name="Ann", emails=["ann@partner.example"], categories=["Family", "Network C"]
    )
    # The user adds "Golf" after the plan saw ("Family", "Network C").
    box.set_fields(ann, Categories=["Golf", "Family", "Network C"])
    sink.apply(SetCategories("contact", ann, ("Family", "Network C"), ("Family", "Network A")))
    assert box.snapshot()[ann]["categories"] == ["Golf", "Family", "Network A"]


def test_a_stale_change_key_is_retried_once_then_reported(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    box = ews_server.mailbox
    ann = box.add_contact(display_name="Ann", emails=["ann@partner.example"], categories=["Family"])
    meddled: list[str] = []

    def user_edits_between_read_and_write(operation: str) -> None:
        if operation == "UpdateItem" and len(meddled) < 1:
            meddled.append(operation)
            box.set_fields(ann, Categories=["Family", "Golf"])

    ews_server.before_operation = user_edits_between_read_and_write
    sink.apply(SetCategories("contact", ann, ("Family",), ("Family", "Network A")))
    assert box.snapshot()[ann]["categories"] == ["Family", "Golf", "Network A"]
    assert ews_server.counts["UpdateItem"] == 2

    def user_keeps_editing(operation: str) -> None:
        if operation == "UpdateItem":
            current = box.snapshot()[ann]["categories"]
            box.set_fields(ann, Categories=[*current, f"Edit {len(current)}"])

    ews_server.before_operation = user_keeps_editing
    with pytest.raises(Conflict) as caught:
        sink.apply(SetCategories("contact", ann, (), ("Network B",)))
    assert caught.value.item_id == ann


def test_tasks_are_keyed_and_keep_what_we_wrote(ews_server: EWSServer, sink: EwsSink) -> None:
    due = datetime(2026, 11, 5, 17, 30, tzinfo=UTC)
    first = sink.apply(CreateTask("owed:ann:1", "Reply to Ann", due, "Ann asked"))
    again = sink.apply(CreateTask("owed:ann:1", "Reply to Ann", due, "Ann asked"))
    assert again.item_id == first.item_id
    (task,) = sink.read_state().tasks
    # Exchange keeps only the due date; the state reports what the plan asked for.
    assert (task.key, task.subject, task.due, task.body, task.complete) == (
        "owed:ann:1",
        "Reply to Ann",
        due,
        "Ann asked",
        False,
    )
    stored = ews_server.mailbox.snapshot()[first.item_id]
    assert stored["folder"] == "tasks"
    assert stored["extended"][(PRODUCT_PROPERTY_SET, "FollowUpKey", "String")] == "owed:ann:1"

    sink.apply(UpdateTask("owed:ann:1", first.item_id, "Reply to Ann (2)", None, "twice"))
    (task,) = sink.read_state().tasks
    assert (task.subject, task.due, task.body) == ("Reply to Ann (2)", None, "twice")


def test_a_create_whose_answer_was_lost_is_not_duplicated(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    ews_server.faults.push(Fault.dropped_answer(operation="CreateItem"), times=2)
    task = sink.apply(CreateTask("owed:bob:1", "Reply to Bob", None, "Bob asked"))
    contact = sink.apply(CreateContact("Dora New", ("dora@new.example",), ("Network B",)))
    tasks = ews_server.mailbox.items_in("tasks")
    contacts = ews_server.mailbox.items_in("contacts")
    assert [t.id for t in tasks] == [task.item_id]
    assert [c.id for c in contacts] == [contact.item_id]
    assert [kind for _, kind in ews_server.faults.injected] == ["drop_answer"] * 2


def test_deletes_only_what_the_product_made(ews_server: EWSServer, sink: EwsSink) -> None:
    box = ews_server.mailbox
    users_contact = box.add_contact(display_name="Ann", emails=["ann@partner.example"])
    users_task = box.add_task(subject="my own task")
    before = box.snapshot()
    sink.apply(DeleteContact(users_contact))
    sink.apply(DeleteTask("owed:x", users_task))
    assert box.snapshot() == before


def test_writes_to_a_vanished_item_are_no_ops(ews_server: EWSServer, sink: EwsSink) -> None:
    box = ews_server.mailbox
    gone = box.add_contact(display_name="Gone", emails=["gone@example.org"])
    box.delete(gone)
    applied = sink.apply(SetCategories("contact", gone, (), ("Network A",)))
    assert applied.item_id == gone
    sink.apply(CompleteTask("owed:gone", "not-an-item-id"))
    assert box.snapshot() == {}


def test_messages_are_marked_a_hundred_to_an_update_item(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    box = ews_server.mailbox
    ids = [box.add_message("inbox", subject=f"m{n}", sender="ann@x.example") for n in range(201)]
    actions: list[SetCategories | SetFlag] = [
        SetCategories("message", i, (), ("Network B",), version=box.get(i).changekey) for i in ids
    ]
    start = datetime(2026, 3, 2, tzinfo=UTC)
    flag = FollowUpFlag("flagged", start=start, due=start + timedelta(days=2))
    actions.insert(1, SetFlag(ids[0], NOT_FLAGGED, flag, version=box.get(ids[0]).changekey))
    ews_server.counts.clear()
    outcome = sink.apply_batch(actions)
    assert outcome.error is None and len(outcome.applied) == 202
    assert dict(ews_server.counts) == {"UpdateItem": 3}  # 100 messages, 100, then 1
    first = box.snapshot()[ids[0]]
    assert first["categories"] == ["Network B"]
    assert "<t:FlagStatus>Flagged</t:FlagStatus>" in first["fields"]["Flag"]
    marks = outcome.applied[0].marks
    assert marks is not None and marks.version == box.get(ids[0]).changekey


def test_one_stale_message_does_not_lose_the_others_answers(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    """exchangelib raises ErrorIrresolvableConflict for a whole UpdateItem; the sink asks for
    it per item, so the other messages' new change keys are kept and the stale one re-read."""
    box = ews_server.mailbox
    ids = [box.add_message("inbox", subject=f"m{n}", sender="ann@x.example") for n in range(3)]
    seen = {i: box.get(i).changekey for i in ids}
    box.set_fields(ids[1], Categories=["Mine"])  # the user, after the plan was made
    outcome = sink.apply_batch(
        [SetCategories("message", i, (), ("Network B",), version=seen[i]) for i in ids]
    )
    assert outcome.error is None and len(outcome.applied) == 3
    assert [box.snapshot()[i]["categories"] for i in ids] == [
        ["Network B"], ["Mine", "Network B"], ["Network B"]
    ]
    assert [a.marks.version for a in outcome.applied if a.marks] == [
        box.get(i).changekey for i in ids
    ]


def test_a_marked_message_filed_in_a_folder_without_a_class_is_found_again(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    # FolderClass is optional on a folder ([MS-OXWSCORE] t:BaseFolderType, minOccurs 0); a
    # folder a client made without one holds mail like any other. A move gives the message a
    # new id, so undo looks for it by its Internet Message-ID in every mail folder.
    box = ews_server.mailbox
    item = box.add_message("inbox", subject="m", sender="ann@x.example", message_id="<m1@x.ex>")
    tag = SetCategories("message", item, (), ("Network B",), version=box.get(item).changekey)
    assert sink.apply_batch([tag]).error is None
    box.move(item, box.add_folder("Kept", parent="msgfolderroot", folder_class=""))
    found = sink.read_messages([(item, "m1@x.ex")])
    assert list(found) == [item] and found[item].categories == ("Network B",)
    assert found[item].item_id != item  # the moved message, by its new id


def test_each_copy_of_a_message_is_read_again_as_itself(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    # A message filed in two folders is two items with one Internet Message-ID, each with its
    # own categories: only a copy no longer found by its id is looked for by Message-ID.
    box = ews_server.mailbox
    inbox = box.add_message("inbox", subject="m", sender="ann@x.example", message_id="<c@x.ex>")
    kept = box.add_folder("Kept", parent="msgfolderroot")
    copy = box.add_message(kept, subject="m", sender="ann@x.example", message_id="<c@x.ex>",
                           categories=["Mine"])  # fmt: skip
    found = sink.read_messages([(inbox, "c@x.ex"), (copy, "c@x.ex")])
    assert found[inbox].categories == () and found[copy].categories == ("Mine",)


KEY = (PRODUCT_PROPERTY_SET, "FollowUpKey", "String")
RECORD = (PRODUCT_PROPERTY_SET, "WrittenRecord", "String")


def _brief(item: StoredItem) -> tuple[str | None, str | None]:
    return item.text("Subject"), item.text("Body")


def test_a_replacement_whose_answer_was_lost_leaves_one_brief(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    # The CreateItem of the new brief is carried out and its answer lost: the retry finds it
    # under the key (not the old one, and with the wanted content) instead of making a second.
    box = ews_server.mailbox
    old = sink.apply(CreateInboxMessage("brief:1", "1 meeting", "09:00 Ann")).item_id
    ews_server.faults.push(Fault.dropped_answer(operation="CreateItem"))
    new = sink.apply(ReplaceInboxMessage("brief:1", old, "2 meetings", "09:00 Ann\n10:00 Bo"))
    assert [kind for _, kind in ews_server.faults.injected] == ["drop_answer"]
    assert [i.id for i in box.items_in("inbox")] == [new.item_id] != [old]
    assert _brief(box.get(new.item_id)) == ("2 meetings", "09:00 Ann\n10:00 Bo")


def test_a_replacement_never_adopts_a_brief_with_other_content(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    # A replacement cut short after its create (before the old one was deleted) left a second
    # brief under the key with content no longer wanted: the next replacement makes its own.
    box = ews_server.mailbox
    old = sink.apply(CreateInboxMessage("brief:1", "1 meeting", "09:00 Ann")).item_id
    stale = json.dumps({"body": "x", "due": None, "subject": "3 meetings"}, sort_keys=True)
    leftover = box.add_message("inbox", subject="3 meetings", body="x",
                               extended={KEY: "brief:1", RECORD: stale})  # fmt: skip
    new = sink.apply(ReplaceInboxMessage("brief:1", old, "2 meetings", "09:00 Ann\n10:00 Bo"))
    assert new.item_id not in (old, leftover)
    assert _brief(box.get(new.item_id)) == ("2 meetings", "09:00 Ann\n10:00 Bo")
    assert old not in box.items


def test_a_contact_is_made_with_its_names_and_never_taken_for_another(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    # A lost answer to the CreateItem: the retry finds the contact it made, though Exchange
    # keeps only three of its four addresses (EmailAddress1..3, t:EmailAddressKeyType). A
    # second person is a contact of their own, not the first one found among ours.
    box = ews_server.mailbox
    addresses = ("dora@new.example", "dora@home.example", "d@new.example", "dn@old.example")
    ews_server.faults.push(Fault.dropped_answer(operation="CreateItem"))
    dora = sink.apply(CreateContact("Dora New", addresses, ("Network B",))).item_id
    eve = sink.apply(CreateContact("Eve Other", ("eve@other.example",), ())).item_id
    assert [c.id for c in box.items_in("contacts")] == [dora, eve] and dora != eve
    stored = box.get(dora)
    assert (stored.text("GivenName"), stored.text("Surname")) == ("Dora", "New")
    assert box.get(eve).text("DisplayName") == "Eve Other"


def test_one_message_action_alone_answers_for_itself(ews_server: EWSServer, sink: EwsSink) -> None:
    # ``apply`` takes a message action too (the Sink protocol allows it): its answer is the
    # one message's marks, and a failed write is raised, not returned as applied.
    box = ews_server.mailbox
    item = box.add_message("inbox", subject="m", sender="ann@x.example")
    applied = sink.apply(SetCategories("message", item, (), ("Network B",)))
    assert applied.item_id == item and applied.marks is not None
    assert applied.marks.categories == ("Network B",) and box.snapshot()[item]["categories"] == [
        "Network B"
    ]
    box.get(item).corrupt = True
    with pytest.raises(ServerFault) as caught:
        sink.apply(SetCategories("message", item, ("Network B",), ()))
    assert caught.value.code == "ErrorItemCorrupt"


def test_a_message_the_server_cannot_write_is_an_error_and_the_others_are_written(
    ews_server: EWSServer, sink: EwsSink
) -> None:
    # UpdateItem answers per message: one corrupt item is that message's error, not silence.
    box = ews_server.mailbox
    ids = [box.add_message("inbox", subject=f"m{n}", sender="ann@x.example") for n in range(3)]
    box.get(ids[1]).corrupt = True
    outcome = sink.apply_batch([SetCategories("message", i, (), ("Network B",)) for i in ids])
    assert isinstance(outcome.error, ServerFault) and outcome.error.code == "ErrorItemCorrupt"
    assert [box.snapshot()[i]["categories"] for i in ids] == [["Network B"], [], ["Network B"]]


EXCHANGE_2010_SP3 = (14, 3, 123, 4)


@pytest.fixture
def old_server() -> Iterator[EWSServer]:
    """A server that states Exchange 2010 SP3, which has no ``t:Flag`` (Exchange 2013 on)."""
    with EWSServer(version=(EXCHANGE_2010_SP3, "Exchange2010_SP2")) as server:
        yield server
        errors = list(server.schema_errors)
    close_connections()
    assert errors == []


def test_exchange_2010_gets_categories_and_no_flag(old_server: EWSServer) -> None:
    config = AccountConfig(name="old", address="me@example.com", endpoint=old_server.url,
                           auth="basic")  # fmt: skip
    sink = EwsSink(open_account(config, password="secret", build=EXCHANGE_2010_SP3), "ews:old")
    box = old_server.mailbox
    item = box.add_message("inbox", subject="m", sender="ann@x.example", categories=["Mine"],
                           message_id="<m@x.ex>")  # fmt: skip
    other = box.add_message("inbox", subject="n", sender="bo@x.example")
    found = sink.read_messages([(item, "m@x.ex")])
    assert found[item].categories == ("Mine",)  # read without asking for the flag

    start = datetime(2026, 3, 2, tzinfo=UTC)
    flag = FollowUpFlag("flagged", start=start, due=start + timedelta(days=2))
    before = box.snapshot()
    old_server.counts.clear()
    outcome = sink.apply_batch(
        [SetCategories("message", other, (), ("Network B",)), SetFlag(item, NOT_FLAGGED, flag)]
    )
    assert isinstance(outcome.error, ServerFault) and outcome.error.code == "NoFlags"
    assert outcome.applied == () and box.snapshot() == before
    assert "UpdateItem" not in old_server.counts

    tagged = sink.apply_batch([SetCategories("message", other, (), ("Network B",))])
    assert tagged.error is None and box.snapshot()[other]["categories"] == ["Network B"]
