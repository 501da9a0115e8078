"""Filing, archiving, copying and deleting mail leaves every count as it was.

The in-memory mailbox moves items as EWS and Graph do (the copy leaves its folder, arrives in the
new one under a new id) between syncs; the counts users see (``contacts --json``) are compared
before and after.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from outlook_networking.app.pipeline import sync_source
from outlook_networking.cli import main
from outlook_networking.connectors.memory import MemoryMailbox, MemorySource
from outlook_networking.model import Interaction, Kind, Mailbox
from outlook_networking.store import Store

ME = "me@example.com"
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=20)
SYNCED = ("inbox", "sent", "archive", "projects", "projects/client-a")  # Junk is not read
PEOPLE = ("ann@partner.example", "bob@client.example", "carl@supplier.example")


def _mail(box: MemoryMailbox, folder: str, n: int, sender: str, to: str) -> str:
    item_id = box.new_id("msg-")
    box.put(
        folder,
        Interaction(
            source="memory",
            item_id=item_id,
            kind=Kind.EMAIL,
            at=T0 + timedelta(hours=n),
            sender=Mailbox(sender),
            to=(Mailbox(to),),
            subject=f"Topic {n}",
            message_id=f"m{n}@{sender.partition('@')[2]}",
            folder="sent" if sender == ME else "inbox",
        ),
    )
    return item_id


def _counts(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, tuple[int, int]]:
    assert main(["--db", str(db), "--now", NOW.isoformat(), "contacts", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["contacts"]
    return {c["address"]: (c["sent"], c["received"]) for c in rows}


def _sync(db: Path, box: MemoryMailbox) -> None:
    with Store.open(db) as store:
        sync_source(store, MemorySource(box, folders=SYNCED, page_size=3))


def test_moves_copies_and_deletions_change_no_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = MemoryMailbox()
    inbox = [_mail(box, "inbox", n, PEOPLE[n % 3], ME) for n in range(9)]
    sent = [_mail(box, "sent", 10 + n, ME, PEOPLE[n % 3]) for n in range(6)]
    db = tmp_path / "network.sqlite3"
    with Store.open(db) as store:
        store.set_owner([ME], "given")
    _sync(db, box)
    before = _counts(db, capsys)
    assert before == {p: (2, 3) for p in PEOPLE}

    # Filed and archived between syncs: Inbox -> Archive -> a user folder two levels down.
    archived = box.move(inbox[0], "archive")
    _sync(db, box)
    box.move(archived, "projects/client-a")
    box.move(inbox[1], "projects")
    box.move(sent[0], "archive", keep_id=True)  # Graph with immutable ids: the same id
    box.copy(inbox[2], "projects")  # one message in two folders
    box.delete("inbox", inbox[3])  # deleted by the user: it still happened
    box.move(inbox[4], "junk")  # moved out of every synced folder: it still happened
    _sync(db, box)
    assert _counts(db, capsys) == before

    # A full resync (lost sync state) sweeps copies, never history.
    box.epoch += 1
    _sync(db, box)
    assert _counts(db, capsys) == before


def test_a_message_from_an_unsynced_folder_counts_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = MemoryMailbox()
    junk = _mail(box, "junk", 1, "ann@partner.example", ME)  # misfiled as junk: not read
    _mail(box, "sent", 2, ME, "ann@partner.example")
    db = tmp_path / "network.sqlite3"
    with Store.open(db) as store:
        store.set_owner([ME], "given")
    _sync(db, box)
    assert _counts(db, capsys) == {"ann@partner.example": (1, 0)}
    rescued = box.move(junk, "inbox")
    _sync(db, box)
    assert _counts(db, capsys) == {"ann@partner.example": (1, 1)}
    box.copy(rescued, "archive")
    box.move(rescued, "projects")
    _sync(db, box)
    assert _counts(db, capsys) == {"ann@partner.example": (1, 1)}
