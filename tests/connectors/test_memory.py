"""The in-memory fake passes the shared contract: the reference the real connectors match."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from outlook_networking.connectors.memory import MemoryMailbox, MemorySink, MemorySource
from outlook_networking.model import ContactCard, Interaction, Kind, Mailbox
from outlook_networking.parsing.addresses import parse_mailboxes
from outlook_networking.ports import NOT_FLAGGED, MasterCategory

from .contract import (
    MailboxSourceContract,
    MarkWorld,
    MessageSinkContract,
    SinkContract,
    SinkWorld,
    SourceWorld,
)


@pytest.fixture()
def mailbox() -> MemoryMailbox:
    return MemoryMailbox()


def _add_message(mailbox: MemoryMailbox) -> Callable[..., str]:
    def add_message(
        folder: str, subject: str, sender: str, to: list[str], at: datetime, message_id: str
    ) -> str:
        item_id = mailbox.new_id("msg-")
        mailbox.put(
            folder,
            Interaction(
                source="memory",
                item_id=item_id,
                kind=Kind.EMAIL,
                at=at,
                sender=Mailbox(sender),
                to=parse_mailboxes(", ".join(to)),
                subject=subject,
                message_id=message_id.strip("<>"),
                folder=folder,
            ),
        )
        return item_id

    return add_message


@pytest.fixture()
def source_world(mailbox: MemoryMailbox) -> SourceWorld:
    def invalidate() -> None:
        mailbox.epoch += 1

    return SourceWorld(
        source=lambda: MemorySource(mailbox, page_size=100),
        add_message=_add_message(mailbox),
        delete=mailbox.delete,
        invalidate=invalidate,
    )


@pytest.fixture()
def sink_world(mailbox: MemoryMailbox) -> SinkWorld:
    def add_contact(name: str, addresses: tuple[str, ...], categories: tuple[str, ...]) -> str:
        item_id = mailbox.new_id("contact-")
        mailbox.put_card(ContactCard("memory", item_id, name, addresses, categories=categories))
        return item_id

    def add_master_category(name: str, colour: int) -> None:
        mailbox.master.append(MasterCategory(name, colour))

    return SinkWorld(
        sink=MemorySink(mailbox),
        add_contact=add_contact,
        add_master_category=add_master_category,
        snapshot=mailbox.snapshot,
    )


@pytest.fixture()
def mark_world(mailbox: MemoryMailbox) -> MarkWorld:
    def find(mid: str) -> str:
        return next(i for i, m in mailbox.items.items() if m.message_id == mid)

    return MarkWorld(
        source=lambda: MemorySource(mailbox, page_size=100),
        sink=MemorySink(mailbox),
        add_message=_add_message(mailbox),
        set_categories=lambda mid, cats: mailbox.mark(find(mid), categories=cats),
        clear_flag=lambda mid: mailbox.mark(find(mid), flag=NOT_FLAGGED),
        move=lambda mid: _ignore(mailbox.move(find(mid))),
        seen=lambda: {
            m.message_id: (m.categories, mailbox.flags.get(i, NOT_FLAGGED).status)
            for i, m in mailbox.items.items()
        },
    )


def _ignore(_: object) -> None:
    return None


class TestMemoryMessageSink(MessageSinkContract):
    pass


class TestMemorySource(MailboxSourceContract):
    pass


class TestMemorySink(SinkContract):
    pass


def test_a_message_filed_elsewhere_leaves_its_folder_as_ews_reports_a_move(
    mailbox: MemoryMailbox,
) -> None:
    # EWS SyncFolderItems reports a message moved out of a folder as a Delete there.
    item = _add_message(mailbox)(
        "inbox", "Hi", "ann@partner.example", ["me@example.com"],
        datetime(2026, 3, 1, tzinfo=UTC), "<hi@partner.example>",
    )  # fmt: skip
    source = MemorySource(mailbox)
    cursors = {b.folder: b.cursor for b in source.read({}) if b.cursor}
    moved = mailbox.move(item)
    assert [i for b in source.read(cursors) for i in b.deleted] == [item]
    assert moved != item and mailbox.items[moved].message_id == "hi@partner.example"


def test_a_deleted_message_can_no_longer_be_read_or_marked(mailbox: MemoryMailbox) -> None:
    item = _add_message(mailbox)(
        "inbox", "Hi", "ann@partner.example", ["me@example.com"],
        datetime(2026, 3, 1, tzinfo=UTC), "<hi@partner.example>",
    )  # fmt: skip
    mailbox.delete("inbox", item)
    assert MemorySink(mailbox).read_messages([(item, "hi@partner.example")]) == {}
