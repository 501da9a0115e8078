"""The report's "Organisations you can reach" on the demo store: the ``[targets]`` organisations
without an A or B contact, each with the best paths into it, in the planted order."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.core.settings import Settings
from outlook_networking.report import render_report
from outlook_networking.store import Store

from .conftest import NOW, NOW_ISO, Demo


def section(page: str) -> str:
    found = re.search(r'<section class="card" id="reach">(.*?)</section>', page, re.S)
    assert found, "no reach section"
    return found.group(1)


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def name(demo: Demo, address: str) -> str:
    person = demo.network.identities.persons[address]
    return person.name


def test_the_planted_organisation_with_its_paths_in_order(demo: Demo) -> None:
    truth = demo.truth
    targets = (truth.reach_organisation, "nobody-we-know.example", "example.com")
    network = replace(demo.network, settings=Settings(target_organisations=targets))
    reach = section(render_report(network, demo.ledger, NOW))
    words = text(reach)
    assert "Organisations you can reach" in words
    # The owner's own firm has A contacts: not listed. The planted one is, and the unknown one.
    assert "<h3>example.com</h3>" not in reach
    assert f"<h3>{truth.reach_organisation}</h3>" in reach
    assert "<h3>nobody-we-know.example</h3>" in reach
    assert "No path yet" in words
    strong, weak, partner = (name(demo, path[0]) for path in truth.reach_paths)
    assert words.index(strong) < words.index(weak) < words.index(partner)
    assert "two steps: weaker" in words
    assert words.count("not in your network") == 1  # the one in between on the two-step path
    assert "named together on 3 messages" in words
    assert reach.count("<li>") == 3


def test_without_targets_the_section_says_how_to_set_them(report_html: str) -> None:
    assert "No target organisations configured" in text(section(report_html))
    assert 'href="#reach"' in report_html


def test_report_and_intro_through_the_command_line(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "targets.toml"
    config.write_text(
        f'[targets]\norganisations = ["{demo.truth.reach_organisation}"]\n', encoding="utf-8"
    )
    target = tmp_path / "report.html"
    db = tmp_path / "copy.sqlite3"  # intro writes to the store: not to the shared one
    shutil.copyfile(demo.db, db)
    argv = ["--db", str(db), "--config", str(config), "--now", NOW_ISO]
    assert main([*argv, "report", "--html", str(target)]) == 0
    words = text(section(target.read_text(encoding="utf-8")))
    assert name(demo, demo.truth.reach_paths[0][0]) in words
    capsys.readouterr()
    assert main([*argv, "intro", "Relecloud", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [
        (*(v["address"] for v in p["via"]), p["target"]["address"]) for p in doc["paths"]
    ] == list(demo.truth.reach_paths)
    # What intro proposed is remembered, so the introduction asked for is recognised later.
    with Store.open(db) as store:
        proposals = store.intro_proposals()
    assert proposals is not None
    asked = {(p["via"], p["target"]) for p in proposals["proposals"]}
    strong, first = demo.truth.reach_paths[0]
    partner, middle, third = demo.truth.reach_paths[2]
    assert {(strong, first), (partner, middle), (partner, third)} <= asked
    assert all(p["at"] == NOW_ISO for p in proposals["proposals"])
