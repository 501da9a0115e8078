"""The demo mailbox's planted give-and-take comes out of ``ledger --json`` right.

The demo plants an introduction that took and one that did not, an introduction of the owner,
forwards both ways (and an automated forward that must not count) and a one-sided giver; the
ledger runs on what the file source reads back, wired as the CLI wires it (identities and
thread pairing from the network analysis).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from outlook_networking.core.ledger import build_ledger, ledger_json
from outlook_networking.core.network import analyse
from outlook_networking.core.settings import Settings
from outlook_networking.demo import DemoTruth, generate
from outlook_networking.demo.traffic import AUTO_FORWARDER
from outlook_networking.i18n import Wording
from outlook_networking.model import ContactCard, Interaction
from outlook_networking.sources import FileSource

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoTruth, dict[str, Any]]:
    directory: Path = tmp_path_factory.mktemp("demo")
    # A small mailbox: the planted patterns do not scale with the message count.
    truth = generate(directory, now=NOW, seed=7, messages=1500)
    interactions: list[Interaction] = []
    cards: list[ContactCard] = []
    for batch in FileSource([directory], now=NOW).read({}):
        interactions.extend(batch.interactions)
        cards.extend(batch.cards)
    # The automated forward is really there to be ignored.
    assert any(
        i.sender is not None
        and i.sender.address == AUTO_FORWARDER[1].lower()
        and i.subject.startswith("Fwd:")
        for i in interactions
    )
    network = analyse(
        interactions, cards, owner=frozenset({truth.owner}), settings=Settings(), now=NOW
    )
    ledger = build_ledger(
        interactions,
        network.owner,
        now=NOW,
        people=network.identities.person_of,
        threads=network.threads,
        excluded=network.settings.is_excluded,
    )
    return truth, json.loads(json.dumps(ledger_json(ledger, Wording("en"))))


def _items(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [i for i in doc["items"] if i["kind"] == kind]


def test_the_introduction_that_took_and_the_one_that_did_not(
    demo: tuple[DemoTruth, dict[str, Any]],
) -> None:
    truth, doc = demo
    made = {i["contact"]: i for i in _items(doc, "introduction_made")}
    assert set(made) == {*truth.intro_took, *truth.intro_failed}
    a, b = truth.intro_took
    assert made[a]["others"] == [b] and made[b]["others"] == [a]
    assert made[a]["outcome"] in ("answered", "meeting")
    assert made[b]["outcome"] == made[a]["outcome"]
    c, d = truth.intro_failed
    assert made[c]["outcome"] == made[d]["outcome"] == "none"


def test_the_introduction_of_the_owner(demo: tuple[DemoTruth, dict[str, Any]]) -> None:
    truth, doc = demo
    introducer, new = truth.introduced_to_owner
    (received,) = _items(doc, "introduction_received")
    assert received["contact"] == introducer and received["others"] == [new]
    assert received["outcome"] in ("answered", "meeting")


def test_forwards_both_ways_and_not_the_automated_one(
    demo: tuple[DemoTruth, dict[str, Any]],
) -> None:
    truth, doc = demo
    assert {i["contact"] for i in _items(doc, "forward_sent")} == set(truth.forwarded_by_owner_to)
    assert {i["contact"] for i in _items(doc, "forward_received")} == set(
        truth.forwarded_to_owner_by
    )
    assert AUTO_FORWARDER[1].lower() not in {i["address"] for i in doc["items"]}
    assert not {i["address"] for i in doc["items"]} & set(truth.bulk_senders)


def test_the_one_sided_giver_is_listed_and_owed_thanks(
    demo: tuple[DemoTruth, dict[str, Any]],
) -> None:
    truth, doc = demo
    (giver,) = truth.one_sided_giver
    gives = [g["contact"] for g in doc["gives_without_return"]]
    assert gives[0] == giver
    balance = next(c for c in doc["contacts"] if c["contact"] == giver)
    assert balance["given"] == 0 and balance["received_by_kind"]["answer_received"] >= 5
    thanks = [f for f in doc["followups"] if f["contact"] == giver]
    assert [f["kind"] for f in thanks] == ["thank_or_return"]
    assert giver not in [g["contact"] for g in doc["invests_without_return"]]
