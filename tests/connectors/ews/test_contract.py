"""The EWS source and sink pass the shared connector contract, against the test server."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from outlook_networking.connectors.ews import EwsSink, EwsSource
from servers.ews import EWSServer

from ..contract import (
    MailboxSourceContract,
    MarkWorld,
    MessageSinkContract,
    SinkContract,
    SinkWorld,
    SourceWorld,
)
from .conftest import NOW, AccountFactory

FOLDERS = {"inbox": "inbox", "sent": "sentitems", "calendar": "calendar", "contacts": "contacts"}
USER_LIST = (
    b'<?xml version="1.0"?><categories default="Red category" lastSavedSession="3" '
    b'lastSavedTime="2026-01-05T10:00:00.000" xmlns="CategoryList.xsd"></categories>'
)


@pytest.fixture
def source_world(ews_server: EWSServer, make_account: AccountFactory) -> SourceWorld:
    box = ews_server.mailbox

    def add_message(
        folder: str, subject: str, sender: str, to: list[str], at: datetime, message_id: str
    ) -> str:
        return box.add_message(
            FOLDERS[folder], subject=subject, sender=sender, to=to, sent=at, message_id=message_id
        )

    def invalidate() -> None:
        for folder in FOLDERS.values():
            box.invalidate_sync_states(folder)

    return SourceWorld(
        source=lambda: EwsSource(make_account(), "ews:test", page_size=100, now=lambda: NOW),
        add_message=add_message,
        delete=lambda folder, item_id: box.delete(item_id),
        invalidate=invalidate,
    )


@pytest.fixture
def sink_world(ews_server: EWSServer, make_account: AccountFactory) -> SinkWorld:
    box = ews_server.mailbox

    def add_contact(name: str, addresses: tuple[str, ...], categories: tuple[str, ...]) -> str:
        return box.add_contact(display_name=name, emails=addresses, categories=categories)

    def add_master_category(name: str, colour: int) -> None:
        current = box.category_list() or USER_LIST
        entry = (
            f'<category name="{name}" color="{colour}" keyboardShortcut="0" usageCount="9" '
            f'lastTimeUsedNotes="1601-01-01T00:00:00.000" '
            f'guid="{{11111111-2222-3333-4444-{len(current):012d}}}"/>'
        ).encode()
        box.set_category_list(current.replace(b"</categories>", entry + b"</categories>"))

    def snapshot() -> Any:
        return {"items": box.snapshot(), "categories": box.category_list()}

    return SinkWorld(
        sink=EwsSink(make_account(), "ews:test"),
        add_contact=add_contact,
        add_master_category=add_master_category,
        snapshot=snapshot,
    )


STATUS = {"NotFlagged": "notFlagged", "Flagged": "flagged", "Complete": "complete"}
T = "{http://schemas.microsoft.com/exchange/services/2006/types}"


@pytest.fixture
def mark_world(ews_server: EWSServer, make_account: AccountFactory) -> MarkWorld:
    box = ews_server.mailbox
    archive = box.add_folder("Archive", parent="msgfolderroot")

    def find(mid: str) -> str:
        return next(i for i, m in box.items.items() if m.text("InternetMessageId") == f"<{mid}>")

    def add_message(
        folder: str, subject: str, sender: str, to: list[str], at: datetime, message_id: str
    ) -> None:
        box.add_message(
            FOLDERS[folder], subject=subject, sender=sender, to=to, sent=at, message_id=message_id
        )

    def seen() -> dict[str, tuple[tuple[str, ...], str]]:
        out = {}
        for item in box.items.values():
            if item.kind == "Message":
                flag = item.fields.get("Flag")
                status = "NotFlagged" if flag is None else flag.findtext(f"{T}FlagStatus")
                mid = (item.text("InternetMessageId") or "").strip("<>")
                out[mid] = (tuple(item.value("Categories") or ()), STATUS[status or ""])
        return out

    return MarkWorld(
        source=lambda: EwsSource(make_account(), "ews:test", page_size=100, now=lambda: NOW),
        sink=EwsSink(make_account(), "ews:test"),
        add_message=add_message,
        set_categories=lambda mid, cats: box.set_fields(find(mid), Categories=list(cats) or None),
        clear_flag=lambda mid: box.flag(find(mid), "NotFlagged"),
        move=lambda mid: _ignore(box.move(find(mid), archive)),
        seen=seen,
    )


def _ignore(_: object) -> None:
    return None


class TestEwsMessageSink(MessageSinkContract):
    pass


class TestEwsSource(MailboxSourceContract):
    pass


class TestEwsSink(SinkContract):
    pass
