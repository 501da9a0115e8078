"""The SpamAssassin corpus (2,500 ham of one 2002 inbox, then 1,396 spam) through the file source."""

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
    counts = Counter(f for i in interactions for f in i.flags)
    assert counts[Flag.LIST] > 1900
