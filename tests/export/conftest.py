"""The demo mailbox analysed once per session, for the writers' tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outlook_networking.core.network import Network, analyse
from outlook_networking.core.settings import Settings
from outlook_networking.demo import generate
from outlook_networking.model import ContactCard, Interaction
from outlook_networking.sources import FileSource

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.fixture(scope="session")
def network(tmp_path_factory: pytest.TempPathFactory) -> Network:
    directory = tmp_path_factory.mktemp("export-demo")
    truth = generate(directory, now=NOW, seed=7)
    items: list[Interaction] = []
    cards: list[ContactCard] = []
    for batch in FileSource([directory], now=NOW).read({}):
        items.extend(batch.interactions)
        cards.extend(batch.cards)
    return analyse(items, cards, owner=frozenset({truth.owner}), settings=Settings(), now=NOW)
