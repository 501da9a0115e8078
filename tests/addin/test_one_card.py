"""One path: ``contact ADDR --json`` and the add-in's card agree on people who are no contact.

Someone the owner may know through a colleague, someone only the owner's notes are about, and
someone nobody knows: the command line and the pane's card service ask one function
(``app.cards.stranger_card``), so their answers must match field for field. Who introduces whom
is the demo generator's truth (``reach_paths``), not the product's.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from outlook_networking.addin.commands import CardService
from outlook_networking.cli import main
from outlook_networking.config import config_from_mapping
from outlook_networking.demo import DemoTruth

from .conftest import DEMO_NOW


@pytest.fixture()
def copy(demo: tuple[Path, DemoTruth], tmp_path: Path) -> Path:
    """The demo store copied, so the notes written here leave the session's store alone."""
    target = tmp_path / "network.sqlite3"
    with sqlite3.connect(demo[0]) as source, sqlite3.connect(target) as copied:
        source.backup(copied)
    return target


def cli(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    config = db.parent / "empty.toml"
    config.touch()
    capsys.readouterr()
    code = main(["--db", str(db), "--config", str(config), "--now", DEMO_NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return code, out, err


def same(cli_doc: dict[str, Any], pane: dict[str, Any]) -> bool:
    """The two documents agree field for field but for their envelopes, which name each its own
    schema (``contact`` and ``card``) at the same ``as_of``."""
    assert cli_doc["schema"] == "outlook-networking/contact/1"
    assert pane["schema"] == "outlook-networking/card/1"
    assert cli_doc["as_of"] == pane["as_of"]
    body = {"schema", "as_of"}
    return {k: v for k, v in cli_doc.items() if k not in body} == {
        k: v for k, v in pane.items() if k not in body
    }


def test_a_stranger_known_through_someone_is_one_card_in_the_pane_and_the_terminal(
    copy: Path, demo: tuple[Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    truth = demo[1]
    intermediary, target = truth.reach_paths[0]
    assert cli(copy, capsys, "note", target, "Met", "at", "the", "fair")[0] == 0
    service = CardService(copy, config_from_mapping({}), lambda: DEMO_NOW)
    pane = dict(service(target.upper()) or {})
    code, out, err = cli(copy, capsys, "contact", target.upper(), "--json")
    assert code == 0, err
    assert same(json.loads(out), pane)
    assert pane["is_owner"] is False
    assert (pane["address"], pane["known"], pane["external"]) == (target, False, True)
    assert [v["address"] for v in pane["intro"]["via"]] == [intermediary]
    assert [n["text"] for n in pane["notes"]] == ["Met at the fair"]
    code, out, _ = cli(copy, capsys, "contact", target)
    assert code == 0
    assert "is not in your network yet." in out and intermediary in out
    assert "Your notes:" in out and "Met at the fair" in out


def test_someone_only_a_note_is_about_and_someone_nobody_knows(
    copy: Path, demo: tuple[Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    # At a new client, like today's stranger, but no other test writes notes about this one.
    stranger = "jan.roth@" + demo[1].today_stranger.partition("@")[2]
    service = CardService(copy, config_from_mapping({}), lambda: DEMO_NOW)
    assert service(stranger) is None
    code, _, err = cli(copy, capsys, "contact", stranger, "--json")
    assert code == 2 and f"{stranger} is not a contact" in err
    assert cli(copy, capsys, "note", stranger, "New at Newclient")[0] == 0
    pane = dict(service(stranger) or {})
    code, out, err = cli(copy, capsys, "contact", stranger, "--json")
    assert code == 0, err
    assert same(json.loads(out), pane)
    assert "intro" not in pane and (pane["known"], pane["is_owner"]) == (False, False)
    assert pane["external"] is True
    assert [n["text"] for n in pane["notes"]] == ["New at Newclient"]
    code, out, _ = cli(copy, capsys, "contact", stranger)
    assert out.splitlines()[0] == f"{stranger} is not in your network yet."
    assert "New at Newclient" in out


def test_the_owner_is_no_card_in_either(
    copy: Path, demo: tuple[Path, DemoTruth], capsys: pytest.CaptureFixture[str]
) -> None:
    owner = demo[1].owner
    service = CardService(copy, config_from_mapping({}), lambda: DEMO_NOW)
    card = dict(service(owner) or {})
    assert card["schema"] == "outlook-networking/card/1"
    assert {k: v for k, v in card.items() if k not in ("schema", "as_of")} == {
        "address": owner,
        "is_owner": True,
    }
    code, _, err = cli(copy, capsys, "contact", owner)
    assert code == 2 and f"{owner} is you, the mailbox's owner" in err
