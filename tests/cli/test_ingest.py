"""`ingest`, `contacts` and `contact` as a newcomer uses them: real files, one-line errors."""

from __future__ import annotations

import json
import mailbox
from email.utils import getaddresses
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.parsing.addresses import normalise
from outlook_networking.store import Store

HAM = 2500  # the corpus: 2,500 messages of one 2002 inbox, then 1,396 spam


def _run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def test_the_corpus_makes_no_contact_of_spam_or_lists(
    corpus_mbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "network.sqlite3"
    assert _run(db, "ingest", str(corpus_mbox)) == 0
    err = capsys.readouterr().err
    assert "Read 3,894 items" in err
    # 31 of the owner's list posts and list replies that name him count as direct since list
    # mail is judged by its recipients (docs/sources.md); the rest stays bulk, list or automated.
    assert "3,894 messages (143 direct with the owner, 3,133 bulk, list or automated)" in err
    assert "2 part(s) could not be read" in err
    assert "Mailbox owner: yyyy@spamassassin.taint.org" in err

    assert _run(db, "--now", "2026-11-27T12:00:00Z", "contacts", "--json") == 0
    contacts = {c["address"] for c in json.loads(capsys.readouterr().out)["contacts"]}
    ham_senders: set[str] = set()
    spam_senders: set[str] = set()
    lists: set[str] = set()
    box = mailbox.mbox(corpus_mbox, create=False)
    for index, message in enumerate(box):
        senders = {normalise(a) for _, a in getaddresses([str(message.get("From", ""))])}
        (ham_senders if index < HAM else spam_senders).update(senders)
        for field in ("List-Post", "List-Id"):
            for _, address in getaddresses([str(message.get(field, ""))]):
                lists.add(normalise(address.removeprefix("mailto:")))
    box.close()
    assert contacts, "the owner's real correspondents are contacts"
    assert not contacts & (spam_senders - ham_senders)
    assert not contacts & lists
    assert {"quinlan@pathname.com", "craig@deersoft.com"} <= contacts


def test_ingesting_the_same_files_twice_changes_nothing(
    shared_dir: Path, corpus_mbox: Path, tmp_path: Path
) -> None:
    fixtures = sorted((shared_dir / "fixtures" / "outlook").glob("*.[iv]c[sf]"))
    paths = [str(corpus_mbox), *map(str, fixtures)]
    db = tmp_path / "network.sqlite3"
    assert _run(db, "ingest", *paths, "--me", "yyyy@spamassassin.taint.org") == 0
    with Store.open(db) as store:
        first = store.digest()
        counts = store.counts()
    assert counts["meetings"] > 0 and counts["cards"] > 0
    assert _run(db, "ingest", *paths) == 0
    with Store.open(db) as store:
        assert store.digest() == first
        assert store.owner() == (("yyyy@spamassassin.taint.org",), "given")


def test_a_file_that_cannot_be_read_is_one_line_and_writes_nothing(
    corpus_mbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "network.sqlite3"
    binary = tmp_path / "photo.ics"
    binary.write_bytes(bytes(range(256)) * 40)
    assert _run(db, "ingest", str(corpus_mbox), str(binary)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(binary) in err[0] and err[0].startswith("outlook-networking: ")
    with Store.open(db) as store:
        assert store.counts()["emails"] == 0
    assert _run(db, "ingest", str(tmp_path / "missing.mbox")) == 1
    assert "missing.mbox" in capsys.readouterr().err


def test_broken_parts_are_counted_and_listed_with_debug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mbox = tmp_path / "mail.mbox"
    mbox.write_text(
        "From a@x Mon Jan  1 00:00:00 2026\n"
        "From: Ann <ann@partner.example>\nTo: me@example.com\nSubject: fine\n"
        "Date: Mon, 05 Oct 2026 10:00:00 +0000\nMessage-ID: <ok@x>\n\nbody\n\n"
        "From b@x Mon Jan  1 00:00:00 2026\n"
        "From: Bob <bob@client.example>\nTo: me@example.com\nSubject: mangled\n"
        "Date: the day after tomorrow\nMessage-ID: <bad@x>\n\nbody\n",
        encoding="utf-8",
    )
    db = tmp_path / "network.sqlite3"
    assert _run(db, "ingest", str(mbox), "--me", "me@example.com") == 0
    err = capsys.readouterr().err
    assert "1 part(s) could not be read" in err and "--debug lists them" in err
    assert _run(db, "--debug", "ingest", str(mbox)) == 0  # unchanged: nothing re-read
    with Store.open(db) as store:
        assert [i.subject for i in store.interactions()] == ["fine"]
    mbox.write_text(mbox.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    capsys.readouterr()
    assert _run(db, "--debug", "ingest", str(mbox)) == 0
    assert "Date" in capsys.readouterr().err  # the broken message, named with its reason


def test_contact_json_has_the_documented_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.sqlite3"
    now = "2026-11-27T12:00:00Z"
    assert _run(db, "--now", now, "demo", "--limit", "5") == 0
    capsys.readouterr()
    assert _run(db, "--now", now, "contacts", "--tier", "A", "--json") == 0
    top = json.loads(capsys.readouterr().out)["contacts"][0]
    assert _run(db, "--now", now, "contact", top["address"].upper(), "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    for key in ("address", "name", "first_contact", "last_contact", "tier", "next_step"):
        assert key in doc
    assert doc["address"] == top["address"] and top["address"] in doc["addresses"]
    for key in ("sent", "received", "meetings", "replies_sent", "replies_received",
                "started_by_me", "started_by_them"):  # fmt: skip
        assert isinstance(doc[key], int) and doc[key] >= 0
    assert doc["sent"] > 0 and doc["received"] > 0 and doc["meetings"] > 0
    assert doc["first_contact"].endswith("Z") and doc["first_contact"] < doc["last_contact"]
    assert isinstance(doc["reasons"], list) and doc["reasons"]
    assert 0 <= doc["score"] <= 100 and doc["tier"] == "A"
    assert isinstance(doc["median_reply_latency_s"], int)
    assert isinstance(doc["their_median_reply_latency_s"], int)
    assert set(doc["balance"]) >= {"given", "received"}


def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "network.sqlite3"
    assert _run(db, "contact", "nobody@nowhere.example") == 1  # no store there: nothing made
    assert not db.exists()
    assert _run(db, "ingest", "x.mbox", "--me", "not an address") in (1, 2)
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert all(line.startswith("outlook-networking: ") for line in lines)
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(db), "contact", "not-an-address"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "outlook-networking contact: error: argument ADDR: not an e-mail address: "
        "'not-an-address'"
    )
    with pytest.raises(SystemExit) as exc:
        main(["contacts", "--tier", "Z"])
    assert exc.value.code == 2
