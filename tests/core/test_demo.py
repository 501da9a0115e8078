"""On the demo mailbox, the persona's planted patterns come out as they should."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outlook_networking.core.network import Network, analyse
from outlook_networking.core.settings import Settings
from outlook_networking.demo import DemoTruth, generate
from outlook_networking.model import ContactCard, Interaction
from outlook_networking.sources import FileSource

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoTruth, Network]:
    directory = tmp_path_factory.mktemp("demo")
    truth = generate(directory, now=NOW, seed=7)
    items: list[Interaction] = []
    cards: list[ContactCard] = []
    for batch in FileSource([directory], now=NOW).read({}):
        items.extend(batch.interactions)
        cards.extend(batch.cards)
    network = analyse(items, cards, owner=frozenset({truth.owner}), settings=Settings(), now=NOW)
    return truth, network


def kinds(network: Network, address: str) -> set[str]:
    view = network.find(address)
    assert view is not None, f"{address} is no contact"
    return {f.kind for f in view.followups}


def test_mentor_and_close_colleagues_rank_a_or_b(demo: tuple[DemoTruth, Network]) -> None:
    truth, network = demo
    for address in (*truth.mentor, *truth.close):
        view = network.find(address)
        assert view is not None and view.tier.tier in ("A", "B"), (address, view)
    assert network.find(truth.mentor[0]).tier.tier == "A"  # type: ignore[union-attr]


def test_fading_contact_is_cooling(demo: tuple[DemoTruth, Network]) -> None:
    truth, network = demo
    (fading,) = truth.fading
    assert "cooling" in kinds(network, fading)


def test_non_answerer_is_unreciprocated(demo: tuple[DemoTruth, Network]) -> None:
    truth, network = demo
    (silent,) = truth.non_answerer
    assert "unreciprocated" in kinds(network, silent)
    assert network.find(silent).tier.tier == "D"  # type: ignore[union-attr]
    unreciprocated = {f.contact for f in network.followups if f.kind == "unreciprocated"}
    assert unreciprocated == {silent}


def test_owed_replies_are_listed_and_nothing_else_is_owed(
    demo: tuple[DemoTruth, Network],
) -> None:
    truth, network = demo
    owed = {f.contact for f in network.followups if f.kind == "owed_reply"}
    assert owed == {network.identities.person_of[a] for a in truth.owed_reply}
    for address in truth.not_yet_owed:
        assert "owed_reply" not in kinds(network, address)


def test_awaiting_answer_is_the_planted_one(demo: tuple[DemoTruth, Network]) -> None:
    truth, network = demo
    awaiting = {f.contact for f in network.followups if f.kind == "awaiting_answer"}
    assert awaiting == set(truth.awaiting_answer)


def test_identities_on_the_demo(demo: tuple[DemoTruth, Network]) -> None:
    truth, network = demo
    work, private = truth.two_addresses
    assert network.identities.person_of[work] == network.identities.person_of[private]
    first, second = truth.alias_addresses
    assert network.identities.person_of[first] == network.identities.person_of[second]
    one, other = truth.namesakes
    assert network.identities.person_of[one] != network.identities.person_of[other]
    for address in (*truth.bulk_senders, *truth.list_addresses, *truth.list_posters):
        assert network.find(address) is None, address
    assert network.find(truth.owner) is None


def test_the_giver_answers_but_never_starts(demo: tuple[DemoTruth, Network]) -> None:
    truth, network = demo
    (giver,) = truth.one_sided_giver
    history = network.find(giver).history  # type: ignore[union-attr]
    assert history.started_by_them == 0
    assert history.replies_received >= 8
