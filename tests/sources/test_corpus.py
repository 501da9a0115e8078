"""The SpamAssassin corpus (2,500 ham of a 2002 inbox, then 1,396 spam) through the file source."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from outlook_networking.model import Flag, Interaction
from outlook_networking.sources import FileSource
from outlook_networking.store import Store


def _read(path: Path) -> tuple[list[Interaction], list[str]]:
    interactions: list[Interaction] = []
    problems: list[str] = []
    for batch in FileSource([path]).read({}):
        interactions.extend(batch.interactions)
        problems.extend(p.where for p in batch.problems)
    return interactions, problems


def test_every_message_is_read_or_reported(corpus_mbox: Path) -> None:
    interactions, problems = _read(corpus_mbox)
    assert len(interactions) + len(problems) == 3896
    # Two spams with 'From: "" <>' carry no sender at all.
    assert problems == ["spamassassin.mbox #2530", "spamassassin.mbox #2614"]
    assert len({i.item_id for i in interactions}) == len(interactions)


def test_threading_headers_survive(corpus_mbox: Path) -> None:
    interactions, _ = _read(corpus_mbox)
    ham = interactions[:2500]
    # 1,019 ham messages have In-Reply-To; 15 of them name no id ("X's message of <date>").
    assert sum(1 for i in ham if i.in_reply_to) == 1004
    first = ham[0]
    assert first.message_id == "13258.1030015585@munnari.OZ.AU"
    assert first.in_reply_to == "1029945287.4797.TMDA@deepeddy.vircio.com"
    assert len(first.references) == 5
    assert first.sender is not None and first.sender.address == "kre@munnari.oz.au"
    assert first.sender.name == "Robert Elz"
    assert first.flags == frozenset({Flag.LIST})
    assert first.list_id == "exmh-workers.spamassassin.taint.org"
    assert first.delivered


def test_ingest_into_store_twice_changes_nothing(corpus_mbox: Path, store: Store) -> None:
    source = FileSource([corpus_mbox])
    for batch in source.read(store.cursors("file")):
        store.apply_batch(source.name, batch)
    digest = store.digest()
    assert store.counts()["emails"] == 3894
    again = list(source.read(store.cursors("file")))
    assert again == []
    for batch in FileSource([corpus_mbox]).read({}):
        store.apply_batch(source.name, batch)
    assert store.digest() == digest


def test_noise_counts(corpus_mbox: Path) -> None:
    interactions, _ = _read(corpus_mbox)
    ham, spam = interactions[:2500], interactions[2500:]
    assert len(spam) == 1394

    def count(items: list[Interaction]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for item in items:
            counts.update(flag.value for flag in item.flags)
            counts["noise"] += item.is_noise
        return counts

    # The ham is mostly mailing lists plus an RSS-to-mail robot (rssfeeds@, 623 messages).
    assert count(ham) == {"list": 1694, "bulk": 680, "automated": 3, "noise": 2318}
    # Spam carries no filter verdict in this corpus: what is flagged comes from lists it was
    # posted to, mass-mailer headers and header-only spam signs: 846 of 1,394 (61 %).
    assert count(spam) == {"list": 260, "bulk": 611, "automated": 2, "noise": 846}
    assert len({i.list_id for i in interactions if i.list_id}) == 29


def test_no_personal_ham_is_flagged_as_spam(corpus_mbox: Path) -> None:
    interactions, _ = _read(corpus_mbox)
    # Ham from people (not lists, not robots) stays personal: the spam signs hit none of it.
    people = [
        i
        for i in interactions[:2500]
        if Flag.LIST not in i.flags
        and i.sender is not None
        and not i.sender.address.startswith("rssfeeds@")
    ]
    assert len(people) == 183
    flagged = {i.sender.address: i.flags for i in people if i.flags and i.sender is not None}
    # The only one is a newsletter that says so (List-Unsubscribe without a list).
    assert flagged == {"webster@ryanairmail.com": frozenset({Flag.BULK})}
