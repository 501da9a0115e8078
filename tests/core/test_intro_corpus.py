"""On a real mailing-list corpus (210 LKML messages) with joe@perches.com as the owner: every
introduction path the product proposes is backed by a message in which both people of each hop
were named, seen by the owner, and none rests on list-only co-occurrence. The backing messages are
found here independently, with the standard library's ``mailbox`` and ``email.utils``."""

from __future__ import annotations

import gzip
import mailbox
import shutil
from email.utils import getaddresses
from pathlib import Path

import pytest

from outlook_networking.core.intro import Path as IntroPath
from outlook_networking.core.intro import find_paths
from outlook_networking.core.ledger import build_ledger
from outlook_networking.core.network import Network, analyse
from outlook_networking.core.settings import Settings
from outlook_networking.sources import FileSource

CORPUS = "notmuch-lkml-210.mbox.gz"
OWNER = "joe@perches.com"
MAX_PARTICIPANTS = Settings().intro_max_participants


def _addresses(message: mailbox.mboxMessage, *headers: str) -> set[str]:
    values = [str(v) for h in headers for v in message.get_all(h, [])]
    return {a.strip().lower() for _, a in getaddresses(values) if "@" in a}


class Corpus:
    """What the corpus says, read with the standard library alone."""

    def __init__(self, path: Path) -> None:
        self.messages: list[tuple[str, set[str], set[str]]] = []  # sender, To+Cc, everyone
        self.addresses: set[str] = set()
        self.lists: set[str] = set()
        box = mailbox.mbox(path, create=False)
        try:
            for message in box:
                sender = next(iter(_addresses(message, "From")), "")
                named = _addresses(message, "To", "Cc")
                everyone = named | _addresses(message, "From", "Bcc")
                self.messages.append((sender, named, everyone))
                self.addresses |= everyone
                list_id = str(message.get("List-Id", ""))
                if "<" in list_id:  # <linux-kernel.vger.kernel.org> names linux-kernel@vger...
                    local, _, host = list_id.split("<", 1)[1].rstrip("> ").partition(".")
                    self.lists.add(f"{local}@{host}".lower())
        finally:
            box.close()

    def is_list(self, address: str) -> bool:
        host = address.rpartition("@")[2]
        return address in self.lists or host == "vger.kernel.org" or host.startswith("lists.")

    def backing(self, near: set[str], far: set[str]) -> list[int]:
        """Messages the owner got from someone else, naming the owner in To/Cc, small enough,
        on which an address of each side is named (From, To or Cc)."""
        found = []
        for n, (sender, named, everyone) in enumerate(self.messages):
            if sender == OWNER or OWNER not in named or len(everyone) > MAX_PARTICIPANTS:
                continue
            on = named | {sender}
            if on & near and on & far:
                found.append(n)
        return found


@pytest.fixture(scope="module")
def corpus(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    plain = tmp_path_factory.mktemp("lkml") / "lkml.mbox"
    with gzip.open(shared_dir / "corpora" / CORPUS, "rb") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return Corpus(plain)


@pytest.fixture(scope="module")
def proposed(shared_dir: Path, corpus: Corpus) -> tuple[Network, list[IntroPath]]:
    items = [
        i for b in FileSource([shared_dir / "corpora" / CORPUS]).read({}) for i in b.interactions
    ]
    now = max(i.at for i in items)
    network = analyse(items, (), owner=frozenset({OWNER}), settings=Settings(), now=now)
    ledger = build_ledger(
        items, network.owner, now=now, people=network.identities.person_of, threads=network.threads
    )
    paths: list[IntroPath] = []
    for address in sorted(corpus.addresses - {OWNER}):
        paths.extend(find_paths(network, ledger.items, address, limit=0).paths)
    return network, paths


def test_the_owner_is_offered_paths(proposed: tuple[Network, list[IntroPath]]) -> None:
    _, paths = proposed
    assert len(paths) > 50


def test_every_proposed_path_is_backed_by_a_message_naming_both(
    corpus: Corpus, proposed: tuple[Network, list[IntroPath]]
) -> None:
    network, paths = proposed

    def addresses(node: str) -> set[str]:
        person = network.identities.persons.get(node)
        return set(person.addresses) if person is not None else {node}

    for path in paths:
        for hop in path.hops:
            assert corpus.backing(addresses(hop.near), addresses(hop.far)), (path.via, hop)


def test_no_path_runs_through_a_list(
    corpus: Corpus, proposed: tuple[Network, list[IntroPath]]
) -> None:
    _network, paths = proposed
    assert corpus.lists  # the corpus does carry list headers
    for path in paths:
        for node in (*path.via, path.target):
            assert not corpus.is_list(node), (node, path)
