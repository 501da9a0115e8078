"""Mailing lists on a corpus nothing was tuned on: 210 real messages from kernel lists
(``notmuch-lkml-210.mbox.gz``), read as the mailbox of joe@perches.com.

The expectations are worked out here with the standard library's ``mailbox`` and ``email``, from
the headers alone, and hold under both list rules the product has had (a list message counts
nowhere; or, since issue 14, a list message that names the owner in To/Cc is direct): a list is
never a person, and a message that reached the owner only through a list is no interaction.
"""

from __future__ import annotations

import gzip
import mailbox
import shutil
from collections import Counter
from datetime import timedelta
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from pathlib import Path

import pytest

from outlook_networking.core.network import Network, analyse
from outlook_networking.core.settings import Settings
from outlook_networking.sources import FileSource

OWNER = "joe@perches.com"


@pytest.fixture(scope="module")
def lkml(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("lkml") / "lkml.mbox"
    with (
        gzip.open(shared_dir / "corpora" / "notmuch-lkml-210.mbox.gz", "rb") as src,
        target.open("wb") as dst,
    ):
        shutil.copyfileobj(src, dst)
    return target


class Headers:
    """What the corpus says, by the standard library."""

    def __init__(self, path: Path) -> None:
        box = mailbox.mbox(path, create=False)
        self.list_addresses: set[str] = set()
        self.recipients: set[str] = set()
        self.direct_from: Counter[str] = Counter()  # messages naming the owner in To/Cc
        self.senders: set[str] = set()
        self.written_to: set[str] = set()  # everyone the owner wrote to
        dates = []
        for message in box:
            sender = parseaddr(message.get("From", ""))[1].lower()
            named = {
                a.lower()
                for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))
            }
            self.recipients |= named
            dates.append(parsedate_to_datetime(message["Date"]))
            list_id = " ".join(message.get("List-Id", "").split())
            if "<" in list_id:
                # RFC 2919: <list-label.domain> names the list; its posting address is label@domain.
                label, _, domain = list_id[list_id.rfind("<") + 1 : list_id.rfind(">")].partition(
                    "."
                )
                self.list_addresses.add(f"{label}@{domain}".lower())
            if sender == OWNER:
                bcc = {a.lower() for _, a in getaddresses(message.get_all("Bcc", []))}
                self.written_to |= named | bcc
                continue
            self.senders.add(sender)
            if OWNER in named:
                self.direct_from[sender] += 1
        box.close()
        self.now = max(dates) + timedelta(days=1)
        # Wrote only to lists the owner reads, never to the owner, and never written to.
        self.only_through_lists = self.senders - set(self.direct_from) - self.written_to


@pytest.fixture(scope="module")
def headers(lkml: Path) -> Headers:
    return Headers(lkml)


@pytest.fixture(scope="module")
def network(lkml: Path, headers: Headers) -> Network:
    interactions = [i for batch in FileSource([lkml]).read({}) for i in batch.interactions]
    return analyse(interactions, [], owner=frozenset({OWNER}), settings=Settings(), now=headers.now)


def test_a_list_is_never_a_contact(network: Network, headers: Headers) -> None:
    posted_to = headers.list_addresses & headers.recipients
    assert len(posted_to) >= 4  # the check means something: lists sit in To/Cc of the corpus
    # Under the old rule nobody here is a contact (every message but two came through a list);
    # under issue 14's rule the owner's direct correspondents are, and still no list.
    contacts = {a for view in network.contacts for a in view.addresses}
    assert not posted_to & contacts


def test_mail_that_came_only_through_a_list_counts_nowhere(
    network: Network, headers: Headers
) -> None:
    assert len(headers.only_through_lists) >= 20
    for address in headers.only_through_lists:
        assert network.find(address) is None, address
    for view in network.contacts:
        named_owner = sum(headers.direct_from[a] for a in view.addresses)
        assert view.history.received <= named_owner, view.address
