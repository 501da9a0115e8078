"""A throwaway certificate and a running card server with one seeded contact; and a card server
over the demo mailbox (the real card service, the store the command line uses)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from outlook_networking.addin import AddinServer, create_certificate, serve
from outlook_networking.addin.commands import CardService
from outlook_networking.app.pipeline import ingest_files, settle_owner
from outlook_networking.config import config_from_mapping
from outlook_networking.demo import DemoTruth, generate
from outlook_networking.store import Store

OWNER = "me@example.org"
ADA = "ada@analytical.example"

ADA_CARD: dict[str, Any] = {
    "address": ADA,
    "name": "Ada Lovelace",
    "organisation": "Analytical Engines Ltd",
    "tier": "B",
    "score": 71.5,
    "reasons": [
        "Two-way mail every month since March",
        "3 meetings in the last 90 days",
        # Must show up as text, never become markup.
        '<img src=x onerror="document.title=\'pwned\'">',
    ],
    "last_contact": "2026-11-13T09:30:00+00:00",
    "sent": 42,
    "received": 37,
    "meetings": 3,
    "replies_sent": 18,
    "replies_received": 21,
    "median_reply_latency_s": 5400,
    "their_median_reply_latency_s": 2100,
    "followups": [
        {
            "key": "owed:ada:1",
            "kind": "owed_reply",
            "due": "2026-11-20T09:00:00+00:00",
            "reason": "She asked for the Q4 figures on 18 Nov",
        },
        {
            "key": "kit:ada",
            "kind": "keep_in_touch",
            "due": "2099-01-15T09:00:00+00:00",
            "reason": "Tier B: every 6 weeks",
        },
    ],
    "next_step": "Answer her question about the Q4 figures; one more meeting makes her tier A.",
    "balance": {"given": 4, "received": 2},
    "is_owner": False,
}

OWNER_CARD: dict[str, Any] = {**ADA_CARD, "address": OWNER, "name": "Me", "is_owner": True}

# What a barely known contact looks like: most fields absent or empty.
SPARSE = "newsletter.person@example.net"
SPARSE_CARD: dict[str, Any] = {"address": SPARSE, "tier": "D", "score": 0.4, "followups": []}


# Someone who is no contact yet, whom the owner may know through two people (core.intro).
STRANGER = "tess@globex.example"
STRANGER_CARD: dict[str, Any] = {
    "address": STRANGER,
    "name": "Tess Target",
    "is_owner": False,
    "known": False,
    "intro": {
        "rank": 1,
        "score": 12.5,
        "steps": 2,
        "weaker": True,
        "target": {"address": STRANGER, "name": "Tess Target", "tier": None, "score": None},
        "via": [
            {"address": ADA, "name": "Ada Lovelace", "tier": "B", "score": 71.5},
            {"address": "carl@hooli.example", "name": None, "tier": None, "score": None},
        ],
        "hops": [
            {
                "from": ADA,
                "to": "carl@hooli.example",
                "reasons": [{"code": "meetings", "count": 2}, {"code": "days_since", "count": 9}],
            },
            {
                "from": "carl@hooli.example",
                "to": STRANGER,
                "reasons": [
                    {"code": "far_wrote", "count": 3},
                    {"code": "together", "count": 4},
                    {"code": "days_since", "count": 0},
                ],
            },
        ],
    },
}


class FakeCards:
    """Stands in for the store: a dict lookup that remembers what it was asked."""

    def __init__(self, cards: Mapping[str, Mapping[str, Any]]) -> None:
        self.cards = dict(cards)
        self.asked: list[str] = []
        self.languages: list[str] = []

    def __call__(self, address: str, language: str) -> Mapping[str, Any] | None:
        self.asked.append(address)
        self.languages.append(language)
        if address == "boom@example.org":
            raise RuntimeError("the store is broken")
        if address == "odd@example.org":
            return {"address": address, "tier": object()}  # not JSON
        return self.cards.get(address.lower())


@pytest.fixture(scope="session")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("addin-data")
    create_certificate(directory)
    return directory


@pytest.fixture(scope="session")
def cards() -> FakeCards:
    return FakeCards(
        {ADA: ADA_CARD, OWNER: OWNER_CARD, SPARSE: SPARSE_CARD, STRANGER: STRANGER_CARD}
    )


@pytest.fixture(scope="session")
def server(cert_dir: Path, cards: FakeCards) -> Iterator[AddinServer]:
    running = serve(cards, data_dir=cert_dir, port=0)
    yield running
    running.shutdown()


@pytest.fixture(scope="session")
def secret(cert_dir: Path, server: AddinServer) -> str:
    return (cert_dir / "addin-secret").read_text(encoding="ascii").strip()


# --- the demo mailbox behind a real card service ------------------------------------------------

DEMO_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoTruth]:
    """A store holding the demo mailbox as of DEMO_NOW (today's meetings planted)."""
    directory = tmp_path_factory.mktemp("addin-demo")
    truth = generate(directory / "files", now=DEMO_NOW, seed=7)
    db = directory / "network.sqlite3"
    with Store.open(db) as store:
        ingest_files(store, sorted((directory / "files").iterdir()), now=DEMO_NOW)
        settle_owner(store, [truth.owner])
    return db, truth


@pytest.fixture(scope="session")
def demo_service(demo: tuple[Path, DemoTruth]) -> CardService:
    return CardService(demo[0], config_from_mapping({}), lambda: DEMO_NOW)


@pytest.fixture(scope="session")
def demo_server(cert_dir: Path, demo_service: CardService) -> Iterator[AddinServer]:
    running = serve(demo_service, add_note=demo_service.add_note, data_dir=cert_dir, port=0)
    yield running
    running.shutdown()


@pytest.fixture()
def demo_pane(browser: Any, demo_server: AddinServer) -> Iterator[Callable[[str, int], Any]]:
    """Opens task panes on the demo's card server: ``demo_pane(stub, width)`` gives a ``Pane``
    (test_taskpane_browser) at that width, at DEMO_NOW; all closed afterwards."""
    from .test_taskpane_browser import Pane

    panes: list[Pane] = []

    def make(stub: str, width: int) -> Pane:
        pane = Pane(browser, demo_server, stub)
        pane.page.set_viewport_size({"width": width, "height": 900})
        pane.page.clock.set_fixed_time(DEMO_NOW)
        panes.append(pane)
        return pane

    yield make
    for pane in panes:
        pane.close()
