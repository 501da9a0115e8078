"""The card the add-in shows, built from a real store, and the `addin` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xmlschema

from core.builders import ME, NOW, ago, mail, meeting, reply_to
from outlook_networking.addin import commands
from outlook_networking.addin.commands import CardService
from outlook_networking.cli import main
from outlook_networking.config import load_config
from outlook_networking.ports import Batch
from outlook_networking.store import Store


def _seed(path: Path) -> None:
    first = mail("ann@partner.example", ME, ago(days=20), subject="Budget")
    items = (
        first,
        reply_to(first, ago(days=19)),
        meeting(ME, ["ann@partner.example"], ago(days=10)),
        mail("ann@partner.example", ME, ago(days=5), subject="Next steps"),
    )
    with Store.open(path) as store:
        store.apply_batch("test", Batch("inbox", items))
        store.set_owner([ME], "given")


def test_card_for_a_known_contact_the_owner_and_a_stranger(tmp_path: Path) -> None:
    db = tmp_path / "network.sqlite3"
    _seed(db)
    cards = CardService(db, load_config(Path("/dev/null")), lambda: NOW)
    card = cards("Ann@Partner.example")
    assert card is not None and card["is_owner"] is False
    assert card["address"] == "ann@partner.example"
    assert card["meetings"] == 1 and card["received"] == 2 and card["sent"] == 1
    assert card["tier"] in {"A", "B", "C", "D"} and card["reasons"]
    assert set(card["balance"]) >= {"given", "received"}
    assert any(f["kind"] == "owed_reply" for f in card["followups"])
    assert card["schema"] == "outlook-networking/card/1" and card["as_of"] == "2026-11-27T12:00:00Z"
    assert cards(ME) == {
        "schema": "outlook-networking/card/1",
        "as_of": "2026-11-27T12:00:00Z",
        "address": ME,
        "is_owner": True,
    }
    assert cards("nobody@nowhere.example") is None
    assert cards("not an address") is None


def test_card_follows_the_store(tmp_path: Path) -> None:
    db = tmp_path / "network.sqlite3"
    _seed(db)
    cards = CardService(db, load_config(Path("/dev/null")), lambda: NOW)
    assert cards("bob@client.example") is None
    with Store.open(db) as store:
        store.apply_batch("test", Batch("inbox", (mail("bob@client.example", ME, ago(days=1)),)))
    card = cards("bob@client.example")
    assert card is not None and card["received"] == 1


def test_addin_cert_and_manifest_commands(tmp_path: Path, shared_dir: Path) -> None:
    db = tmp_path / "data" / "network.sqlite3"
    assert main(["--db", str(db), "addin", "cert"]) == 0
    assert (db.parent / "addin-cert.pem").exists()
    out = tmp_path / "manifest.xml"
    assert main(["--db", str(db), "addin", "manifest", "--port", "48999", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "https://127.0.0.1:48999/" in text
    schema = xmlschema.XMLSchema(
        shared_dir / "schemas" / "office-addin" / "OfficeAppManifestV1_1.xsd"
    )
    assert schema.is_valid(str(out))


def test_card_for_a_stranger_says_through_whom(tmp_path: Path) -> None:
    db = tmp_path / "network.sqlite3"
    _seed(db)
    tess = "tess@globex.example"
    with Store.open(db) as store:
        copied = mail("ann@partner.example", ME, ago(days=2), cc=[tess], subject="Re: Budget")
        store.apply_batch("test", Batch("inbox", (copied,)))
    cards = CardService(db, load_config(Path("/dev/null")), lambda: NOW)
    card = cards(tess)
    assert card is not None
    assert card["known"] is False and card["is_owner"] is False and card["address"] == tess
    (via,) = card["intro"]["via"]
    assert via["address"] == "ann@partner.example" and via["tier"] in {"A", "B", "C", "D"}
    assert {"code": "together", "count": 1} in card["intro"]["hops"][0]["reasons"]
    # A known contact's card is what it was: no intro, every field as before.
    assert "intro" not in cards("ann@partner.example")  # type: ignore[operator]
    assert cards("nobody@nowhere.example") is None


def test_without_an_analysis_of_its_own_the_card_server_serves_the_kept_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`addin serve` beside an agent that runs as its own process: the agent (or a command
    that read) kept the answers, so the first card after a sync is `contact ADDR --json`'s card
    (the balance without its items), not an analysis of the whole store; someone who is no
    contact still needs one."""
    db = tmp_path / "network.sqlite3"
    _seed(db)
    config = tmp_path / "empty.toml"
    config.touch()
    analysed = CardService(db, load_config(config), lambda: NOW)("ann@partner.example")
    assert analysed is not None
    assert main(["--db", str(db), "--config", str(config), "--now", NOW.isoformat(), "contact",
                 "ann@partner.example", "--json"]) == 0  # fmt: skip
    shown = json.loads(capsys.readouterr().out)
    assert shown["balance"]["items"] is not None  # the command line's card has them

    def refuse(*_args: object) -> None:
        raise AssertionError("analysed the store although its answers were kept")

    monkeypatch.setattr(commands, "analyse_store", refuse)
    cards = CardService(db, load_config(config), lambda: NOW)
    served = cards("ann@partner.example")
    assert served == analysed
    body = {k: v for k, v in shown.items() if k not in ("schema", "balance")}
    assert {k: v for k, v in served.items() if k in body} == body
    assert served["balance"] == {k: v for k, v in shown["balance"].items() if k != "items"}
    assert cards(ME) == {"schema": "outlook-networking/card/1", "as_of": "2026-11-27T12:00:00Z",
                         "address": ME, "is_owner": True}  # fmt: skip
    with pytest.raises(AssertionError, match="analysed the store"):
        cards("nobody@nowhere.example")
    # In another language than the kept answers', the card is analysed (and in that language).
    with pytest.raises(AssertionError, match="analysed the store"):
        cards("ann@partner.example", "de" if cards.words.language == "en" else "en")
