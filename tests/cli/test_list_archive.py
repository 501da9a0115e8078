"""A maintainer's list archive: every correspondent counted as the rules say, lists never people.

``notmuch-lkml-210.mbox.gz`` holds 210 real messages from kernel lists (gmane's archive), every
one of them a list copy. Taking ``joe@perches.com`` (53 of them) as the owner, the expected
counts per correspondent are computed here from the documented rules (README, docs/sources.md)
with the standard library alone, and compared with ``contact ADDR --json`` for each of them.
"""

from __future__ import annotations

import json
import mailbox
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from pathlib import Path

import pytest

from outlook_networking.app.pipeline import sync_source
from outlook_networking.cli import main
from outlook_networking.connectors.memory import MemoryMailbox, MemorySource
from outlook_networking.sources import FileSource
from outlook_networking.store import Store

OWNER = "joe@perches.com"
_ID = re.compile(r"<([^<>]+)>")
_ROBOT = re.compile(r"^(?:owner-(?P<a>.+)|(?P<b>.+)-(?:owner|bounces|request))$")
_DISCUSSION = ("list-post", "x-mailing-list", "mailing-list", "x-beenthere")
COUNTS = ("sent", "received", "replies_sent", "replies_received")


def _ids(value: object) -> list[str]:
    return ["".join(found.split()) for found in _ID.findall(str(value or ""))]


def _addresses(message: Message, *fields: str) -> list[str]:
    values = [str(v) for f in fields for v in message.get_all(f, [])]
    return [a.lower() for _, a in getaddresses(values) if "@" in a]


@dataclass
class Mail:
    message_id: str
    sender: str
    to_cc: list[str]
    bcc: list[str]
    at: datetime
    in_reply_to: str | None
    references: list[str]
    newsletter: bool


@dataclass
class Expected:
    mails: dict[str, Mail]
    lists: set[str]
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    contacts: set[str] = field(default_factory=set)
    now: datetime | None = None


def _list_addresses(box: mailbox.mbox) -> set[str]:
    """Lists by the evidence in the archive (docs/scoring.md, "Who is a contact")."""
    lists: set[str] = set()
    sender_hosts: set[str] = set()
    for message in box:
        sender_hosts.add(parseaddr(str(message["From"]))[1].lower().rpartition("@")[2])
        recipients = _addresses(message, "To", "Cc")
        for post in re.findall(r"mailto:([^>?,\s]+)", str(message.get("List-Post", ""))):
            lists.add(post.lower())
        for name in ("X-Mailing-List", "Mailing-List"):
            lists.update(a for a in _addresses(message, name))
        list_id = (_ids(message.get("List-Id")) or [""])[0].lower()
        if list_id:
            # The recipient the List-Id names: <dev.lists.example.org> is dev@lists.example.org.
            lists.update(
                r
                for r in recipients
                if list_id == r.replace("@", ".") or list_id.startswith(r.partition("@")[0] + ".")
            )
        robot = parseaddr(str(message.get("Sender", "")))[1].lower()
        local, _, host = robot.partition("@")
        found = _ROBOT.match(local)
        if found:
            name = found.group("a") or found.group("b")
            lists.update(r for r in recipients if r == f"{name}@{host}")
    per_host = Counter(a.rpartition("@")[2] for a in lists)
    hosts = {h for h, n in per_host.items() if n >= 2} - sender_hosts
    everyone = {a for m in box for a in _addresses(m, "From", "To", "Cc")}
    return lists | {
        a
        for a in everyone
        if a.rpartition("@")[2] in hosts or a.rpartition("@")[2].split(".")[0] in ("lists", "list")
    }


def expected_counts(path: Path) -> Expected:
    box = mailbox.mbox(path, create=False)
    try:
        lists = _list_addresses(box)
        mails: dict[str, Mail] = {}
        for message in box:
            (own,) = _ids(message["Message-ID"])[:1]
            if own in mails:
                continue  # one message, however many copies (its list copies from two lists)
            headers = {k.lower() for k in message}
            newsletter = (
                "list-unsubscribe-post" in headers
                or str(message.get("Precedence", "")).lower() == "junk"
                or str(message.get("Auto-Submitted", "no")).lower() != "no"
                or ("list-unsubscribe" in headers and not headers & set(_DISCUSSION))
            )
            mails[own] = Mail(
                message_id=own,
                sender=parseaddr(str(message["From"]))[1].lower(),
                to_cc=_addresses(message, "To", "Cc"),
                bcc=_addresses(message, "Bcc"),
                at=parsedate_to_datetime(str(message["Date"])),
                in_reply_to=(_ids(message.get("In-Reply-To")) or [None])[0],
                references=_ids(message.get("References")),
                newsletter=newsletter,
            )
    finally:
        box.close()

    def parent(mail: Mail) -> Mail | None:
        if mail.in_reply_to in mails and mail.in_reply_to != mail.message_id:
            return mails[mail.in_reply_to]
        for ref in reversed(mail.references):
            if ref in mails and ref != mail.message_id:
                return mails[ref]
        return None

    result = Expected(mails, lists)
    counts = result.counts
    reached: set[str] = set()
    wrote_to_owner: set[str] = set()
    for mail in mails.values():
        answered = parent(mail)
        if mail.sender == OWNER:
            # The owner's message is the owner's: its named recipients are people written to.
            people = {r for r in mail.to_cc + mail.bcc if r != OWNER and r not in lists}
            reached |= people
            for person in people:
                counts.setdefault(person, Counter())["sent"] += 1
            if answered is not None and answered.sender in people:
                counts[answered.sender]["replies_sent"] += 1
        elif OWNER in mail.to_cc and not mail.newsletter and mail.sender not in lists:
            # Someone else's list message that names the owner: a direct message to the owner.
            got = counts.setdefault(mail.sender, Counter())
            got["received"] += 1
            wrote_to_owner.add(mail.sender)
            if answered is not None and answered.sender == OWNER:
                got["replies_received"] += 1
    involved = [m.at for m in mails.values() if m.sender == OWNER or OWNER in m.to_cc]
    result.now = max(involved) + timedelta(days=1)  # everyone who wrote is within 60 days
    result.contacts = reached | wrote_to_owner
    return result


@pytest.fixture()
def archive(lkml_mbox: Path) -> Path:
    return lkml_mbox


def _run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def _contacts(
    db: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> dict[str, dict[str, object]]:
    assert _run(db, "--now", now.isoformat(), "contacts", "--json") == 0
    return {c["address"]: c for c in json.loads(capsys.readouterr().out)["contacts"]}


def _counts_of(
    db: Path, now: datetime, address: str, capsys: pytest.CaptureFixture[str]
) -> dict[str, object]:
    assert _run(db, "--now", now.isoformat(), "contact", address, "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    return {"addresses": doc["addresses"], **{k: doc[k] for k in COUNTS}}


def test_every_correspondent_is_counted_as_the_rules_say(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = expected_counts(archive)
    assert len([m for m in expected.mails.values() if m.sender == OWNER]) == 53
    assert {"linux-kernel@vger.kernel.org", "netdev@vger.kernel.org"} <= expected.lists
    assert expected.now is not None
    db = tmp_path / "network.sqlite3"
    assert _run(db, "ingest", str(archive), "--me", OWNER) == 0
    capsys.readouterr()

    contacts = _contacts(db, expected.now, capsys)
    assert set(contacts) == expected.contacts
    assert not set(contacts) & expected.lists
    assert len(contacts) > 80  # before list mail was judged by its recipients: none at all
    for address in sorted(expected.contacts):
        want = {"addresses": [address], **{k: expected.counts[address][k] for k in COUNTS}}
        assert _counts_of(db, expected.now, address, capsys) == want, address
    # The maintainer's busiest correspondent, by hand: 11 of Joe's messages named Mark Brown,
    # 13 of Mark's named Joe; 7 answers each way.
    mark = contacts["broonie@opensource.wolfsonmicro.com"]
    assert [mark[k] for k in COUNTS] == [11, 13, 7, 7]


def _as_exchange(archive: Path) -> Iterator[tuple[str, object]]:
    """The archive's messages as a mailbox server would hold them: new ids, Inbox or Sent."""
    for batch in FileSource([archive]).read({}):
        for n, item in enumerate(batch.interactions):
            sent = item.sender is not None and item.sender.address == OWNER
            folder = "sent" if sent else "inbox"
            yield (
                folder,
                replace(
                    item, source="memory", item_id=f"AAMk{n}-{item.item_id[-12:]}", folder=folder
                ),
            )


def test_the_same_messages_from_a_mailbox_and_the_export_count_once(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = expected_counts(archive)
    assert expected.now is not None
    db = tmp_path / "network.sqlite3"
    assert _run(db, "ingest", str(archive), "--me", OWNER) == 0
    capsys.readouterr()
    before = _contacts(db, expected.now, capsys)

    box = MemoryMailbox()
    for folder, item in _as_exchange(archive):
        box.put(folder, item)  # type: ignore[arg-type]
    with Store.open(db) as store:
        sync_source(store, MemorySource(box))
        messages = store.counts()["emails"]
    assert _contacts(db, expected.now, capsys) == before
    # The export again, from another place (an unchanged file at the same path is skipped).
    again = tmp_path / "copy" / "lkml.mbox"
    again.parent.mkdir()
    shutil.copyfile(archive, again)
    assert _run(db, "ingest", str(again)) == 0
    capsys.readouterr()
    assert _contacts(db, expected.now, capsys) == before
    with Store.open(db) as store:
        assert store.counts()["emails"] == messages == len(expected.mails)
