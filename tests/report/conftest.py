"""The demo mailbox in a store, analysed once per session, and the report rendered from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.core.keypersons import MailGraph
from outlook_networking.core.ledger import Ledger, build_ledger
from outlook_networking.core.network import Network, analyse
from outlook_networking.core.settings import Settings
from outlook_networking.demo import DemoTruth, generate
from outlook_networking.report import render_report
from outlook_networking.store import Store

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
NOW_ISO = "2026-11-27T12:00:00Z"


@dataclass(frozen=True)
class Demo:
    truth: DemoTruth
    db: Path
    network: Network
    ledger: Ledger
    edges: dict[tuple[str, str], int]

    def argv(self, *command: str) -> list[str]:
        """A command line against the demo store, at the demo's ``now``, with an empty
        configuration (so no configuration of the machine running the tests leaks in)."""
        config = self.db.with_name("empty.toml")
        config.touch()
        return ["--db", str(self.db), "--config", str(config), "--now", NOW_ISO, *command]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("report-demo")
    files = root / "files"
    truth = generate(files, now=NOW, seed=7)
    db = root / "demo.sqlite3"
    paths = [str(files / n) for n in ("mailbox.mbox", "calendar.ics", "contacts.vcf")]
    config = root / "empty.toml"
    config.touch()
    argv = ["--db", str(db), "--config", str(config), "--now", NOW_ISO]
    assert main([*argv, "ingest", *paths, "--me", truth.owner]) == 0
    with Store.open(db) as store:
        owner, _ = store.owner()
        items = list(store.interactions())
        network = analyse(
            items, store.cards(), owner=frozenset(owner), settings=Settings(), now=NOW
        )
        ledger = build_ledger(
            items,
            network.owner,
            now=NOW,
            people=network.identities.person_of,
            threads=network.threads,
            dismissed=store.dismissed(),
        )
    graph = MailGraph()
    for item in items:
        if item.at <= NOW:
            graph.add(
                item,
                network.identities.person_of,
                network.owner,
                network.settings.graph_max_participants,
            )
    return Demo(truth, db, network, ledger, dict(graph.edges))


@pytest.fixture(scope="session")
def report_html(demo: Demo) -> str:
    return render_report(demo.network, demo.ledger, NOW, graph=demo.edges)
