"""A folder far bigger than the window costs ids, not items.

SyncFolderItems cannot skip a folder's history: a first sync names every item. The source asks
for the ``IdOnly`` shape plus ``item:DateTimeReceived`` (SyncFolderItems' ItemShape takes
AdditionalProperties), skips what is older than the window and fetches full items with GetItem
only inside it. The counts come from the test server's request log: ids named in requests,
items answered, bytes answered.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta

import pytest
from exchangelib import close_connections

from outlook_networking.config import AccountConfig
from outlook_networking.connectors.ews import EwsSource, open_account
from servers.ews import SERVER_BUILD, EWSServer

from .conftest import NOW

OLD, NEW = 1500, 25


@pytest.fixture
def big_folder() -> Iterator[EWSServer]:
    # Requests are still checked against the schema; answers are not (4 ms an item in
    # xmlschema), the other tests cover their shape.
    with EWSServer(validate_responses=False) as server:
        box = server.mailbox
        for i in range(OLD):
            box.add_message(
                "inbox",
                subject=f"Long ago {i}",
                sender="old@partner.example",
                to=["me@example.com"],
                cc=["team@example.com"],
                sent=NOW - timedelta(days=700 + i % 3000),
                headers=[("Received", "from mx.partner.example"), ("X-Mailer", "Outlook")],
            )
        for i in range(NEW):
            box.add_message(
                "inbox",
                subject=f"Recent {i}",
                sender="ann@partner.example",
                to=["me@example.com"],
                sent=NOW - timedelta(days=1 + i),
                headers=[("Received", "from mx.partner.example")],
            )
        yield server
        assert server.schema_errors == []
    close_connections()


def test_a_first_sync_fetches_only_the_window(big_folder: EWSServer) -> None:
    config = AccountConfig(
        name="big", address="me@example.com", endpoint=big_folder.url, auth="basic"
    )
    account = open_account(config, password="secret", build=SERVER_BUILD)
    source = EwsSource(account, "ews:big", folders=("inbox",), now=lambda: NOW)

    stored = [i.subject for b in source.read({}) for i in b.interactions]

    assert sorted(stored) == sorted(f"Recent {i}" for i in range(NEW))
    log = big_folder.requests
    sync = [r for r in log if r.operation == "SyncFolderItems"]
    get = [r for r in log if r.operation == "GetItem"]
    assert len(sync) == math.ceil((OLD + NEW) / 512)  # pages of ids, as few as the schema allows
    assert sum(r.items for r in sync) == OLD + NEW
    assert sum(r.asked for r in get) == NEW  # full items for the window only
    sync_bytes_per_item = sum(r.bytes for r in sync) / (OLD + NEW)
    get_bytes_per_item = sum(r.bytes for r in get) / NEW
    # An id, a change key and a date: ~200 bytes, where a full item is several times that.
    assert sync_bytes_per_item < 250
    assert sync_bytes_per_item * 3 < get_bytes_per_item
