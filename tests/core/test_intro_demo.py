"""On the demo mailbox, the planted organisation comes out reachable through a close colleague,
then a less close one, then (two steps, weaker) a partner: in that order, with reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outlook_networking.core.intro import Introductions, find_paths, intro_json
from outlook_networking.core.ledger import build_ledger
from outlook_networking.core.network import Network, analyse
from outlook_networking.core.review import targets_without_ab
from outlook_networking.core.settings import Settings
from outlook_networking.demo import DemoTruth, generate
from outlook_networking.model import ContactCard, Interaction
from outlook_networking.sources import FileSource

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoTruth, Network, Introductions]:
    directory = tmp_path_factory.mktemp("demo")
    truth = generate(directory, now=NOW, seed=7)
    items: list[Interaction] = []
    cards: list[ContactCard] = []
    for batch in FileSource([directory], now=NOW).read({}):
        items.extend(batch.interactions)
        cards.extend(batch.cards)
    settings = Settings(target_organisations=(truth.reach_organisation,))
    network = analyse(items, cards, owner=frozenset({truth.owner}), settings=settings, now=NOW)
    ledger = build_ledger(
        items, network.owner, now=NOW, people=network.identities.person_of, threads=network.threads
    )
    return truth, network, find_paths(network, ledger.items, truth.reach_organisation)


def test_the_planted_paths_rank_in_order(
    demo: tuple[DemoTruth, Network, Introductions],
) -> None:
    truth, _, result = demo
    assert [(*p.via, p.target) for p in result.paths] == list(truth.reach_paths)
    strong, weak, two_steps = result.paths
    assert strong.owner_score > weak.owner_score
    assert strong.score > weak.score
    assert (strong.steps, weak.steps, two_steps.steps) == (1, 1, 2)


def test_each_path_comes_with_its_reasons(
    demo: tuple[DemoTruth, Network, Introductions],
) -> None:
    _truth, network, result = demo
    doc = intro_json(network, result)
    strong, weak, two_steps = doc["paths"]
    for path in (strong, weak):
        reasons = {r["code"]: r["count"] for r in path["hops"][0]["reasons"]}
        # Each outsider wrote to the colleague and answered them, the owner copied throughout.
        assert reasons["together"] == 3 and reasons["far_wrote"] == 2
        assert reasons["far_replied"] == 1 and reasons["near_replied"] == 1
        assert 60 <= reasons["days_since"] <= 80
        assert path["weaker"] is False and path["via"][0]["tier"] in ("A", "B", "C")
    assert strong["via"][0]["tier"] == "A"
    assert two_steps["weaker"] is True and len(two_steps["hops"]) == 2
    assert two_steps["via"][1]["tier"] is None  # someone the owner does not know
    for hop in two_steps["hops"]:
        reasons = {r["code"]: r["count"] for r in hop["reasons"]}
        assert reasons["together"] == 2 and reasons["far_wrote"] == 1
    assert doc["kind"] == "organisation" and len(doc["targets"]) == 3


def test_nobody_there_is_a_contact_and_the_review_lists_the_organisation(
    demo: tuple[DemoTruth, Network, Introductions],
) -> None:
    truth, network, result = demo
    *_, (_, middle, _) = truth.reach_paths
    for person in (*result.target.people, middle):
        assert network.find(person) is None, person
    assert result.known == ()
    assert targets_without_ab(network.contacts, network.settings) == (truth.reach_organisation,)


def test_the_organisation_by_its_name(demo: tuple[DemoTruth, Network, Introductions]) -> None:
    _truth, network, result = demo
    by_name = find_paths(network, (), "Relecloud")
    assert [p.via for p in by_name.paths] == [p.via for p in result.paths]
