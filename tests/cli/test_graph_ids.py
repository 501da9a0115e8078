"""A store written before the Graph connector asked for immutable ids keeps working after it does.

Earlier versions stored Graph's regular ids, which change when an item moves; now every request
asks for immutable ids (``Prefer: IdType="ImmutableId"``). The first command that connects
converts what is stored, in the store and in the write-back journal, with
``translateExchangeIds``; after that ``undo`` still finds the contacts it tagged and ``sync``
stores each item once, under its immutable id.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.store import Store
from servers.graph import GraphServer

NOW = datetime.now(UTC).replace(microsecond=0)
ME = "me@example.com"
ANN = "ann@partner.example"
TOKEN = "ids-token"
SOURCE = "graph:work"


def _run(tmp_path: Path, *args: str) -> int:
    return main(
        ["--db", str(tmp_path / "network.sqlite3"), "--config", str(tmp_path / "config.toml"),
         "--now", NOW.isoformat(), *args]
    )  # fmt: skip


def _as_before_immutable_ids(db: Path, server: GraphServer) -> None:
    """Turn the store into what an earlier version left: regular ids, no conversion done."""
    with Store.open(db) as store:
        ids = {*store.item_ids(SOURCE), *store.journal_item_ids(SOURCE)}
        regular = {i: server.rest_id(i) for i in ids}
        store.rename_items(SOURCE, regular)
        store.rename_journal_items(SOURCE, regular)
        store.put_doc(f"graph-ids:{SOURCE}", None)


def test_ids_stored_before_are_converted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    with GraphServer(token=TOKEN, upn=ME) as server:
        (tmp_path / "config.toml").write_text(
            f'[[accounts]]\nname = "work"\naddress = "{ME}"\nauth = "token"\n'
            f'connector = "graph"\ngraph_url = "{server.url}"\n',
            encoding="utf-8",
        )
        for week in range(8):
            at = NOW - timedelta(days=7 * week + 3)
            server.add_message("inbox", subject=f"Topic {week}", sender=ANN, to=[ME], sent=at)
            server.add_message(
                "sentitems", subject=f"Re: Topic {week}", sender=ME, to=[ANN],
                sent=at + timedelta(hours=1),
            )  # fmt: skip
        ann = server.add_contact(display_name="Ann Partner", emails=[ANN], categories=["Mine"])
        assert _run(tmp_path, "sync") == 0
        assert _run(tmp_path, "apply") == 0
        tagged = server.snapshot()["contacts"][ann]["categories"]
        assert tagged[0] == "Mine" and tagged[1].startswith("Network ")
        db = tmp_path / "network.sqlite3"
        _as_before_immutable_ids(db, server)
        with Store.open(db) as store:
            assert ann not in store.item_ids(SOURCE)  # as an earlier version stored it

        server.reset_log()
        assert _run(tmp_path, "undo") == 0  # finds the contact it tagged under its old id
        assert server.snapshot()["contacts"][ann]["categories"] == ["Mine"]
        assert server.count(path="/translateExchangeIds") == 1

        assert _run(tmp_path, "sync") == 0
        assert server.count(path="/translateExchangeIds") == 1  # once, not on every connect
        with Store.open(db) as store:
            stored = sorted(store.item_ids(SOURCE))
        snap = server.snapshot()
        expected = [*snap["contacts"], *(i for f in snap["messages"].values() for i in f)]
        assert stored == sorted(expected)  # each item once, under its immutable id
