"""The report on a phone (390 px) and a desktop (1280 px) in headless Chromium: nothing wider than
the screen, tables as stacked cards on the phone, chart labels that stay readable, the wording
slips gone; and `report --open` hands the page to the browser. Screenshots land in
tests/artifacts/ for a person to look at."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chromium import ARTIFACTS
from outlook_networking.report import graph

from .conftest import Demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_file(report_html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("phone") / "report.html"
    path.write_text(report_html, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=[390, 1280])
def opened(browser: Any, page_file: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    width = request.param
    context = browser.new_context(
        viewport={"width": width, "height": 844}, locale="en-US", timezone_id="UTC"
    )
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
    )
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.width = width  # type: ignore[attr-defined]
    yield page
    context.close()


def test_nothing_is_wider_than_the_screen(opened: Any) -> None:
    assert opened.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wider = opened.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter(e => !e.closest('details:not([open])'))
            .map(e => e.tagName + ' ' + (e.getAttribute('class') || ''))"""
    )
    assert wider == []
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{opened.width}.png"
    opened.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    for section in ("followups", "graph", "ledger"):  # the parts that used to be cut off
        part = ARTIFACTS / f"report-{opened.width}-{section}.png"
        opened.locator(f"#{section}").screenshot(path=str(part))
        assert part.stat().st_size > 10_000


def test_tables_become_cards_on_a_phone(opened: Any) -> None:
    first = opened.locator("table.followups tbody tr").first
    cells = first.locator("td")
    display = opened.evaluate("e => getComputedStyle(e).display", cells.first.element_handle())
    header = opened.locator("table.followups thead").first.bounding_box()
    row = first.bounding_box()
    if opened.width < 600:
        assert display == "inline-block"  # the date, with its kind beside it
        assert header is None or header["height"] <= 1  # the column names went into the cards
        giver = opened.locator("table.givers tbody tr").first.locator("td").first
        label = opened.evaluate(
            "e => getComputedStyle(e, '::before').content", giver.element_handle()
        )
        assert label == '"Contact"'
        # A card is as wide as the card it sits in, and its text wraps inside it.
        box = opened.locator("#followups").bounding_box()
        assert row["width"] <= box["width"] and row["x"] >= box["x"]
    else:
        assert display == "table-cell" and header["height"] > 10


def _rendered_font(opened: Any, selector: str) -> float:
    """The size a chart label is drawn at on screen: its font size times the SVG's scale."""
    return float(
        opened.evaluate(
            """s => { const t = [...document.querySelectorAll(s)]
                        .find(e => e.getBoundingClientRect().width > 0);
                      const svg = t.ownerSVGElement;
                      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                      return parseFloat(getComputedStyle(t).fontSize) * scale; }""",
            selector,
        )
    )


@pytest.mark.parametrize(
    "selector",
    ["svg.activity .axis-label", "svg.time .axis-label", "svg.tier-bars .axis-label",
     "svg.graph .broker-label"],
)  # fmt: skip
def test_chart_labels_stay_readable(opened: Any, selector: str) -> None:
    assert _rendered_font(opened, selector) >= 10.5, selector  # was ~4 px at 390 px


def test_graph_labels_stay_inside_the_graph(opened: Any, demo: Demo) -> None:
    """An SVG clips what falls outside it, so the page does not overflow: a name cut at the
    graph's edge ("Åsa Heinric") shows only by comparing each label with its drawing. The
    layout keeps a label inside when it knows how wide the label is drawn, so each label is
    measured against the room the layout gave it."""
    labels = opened.evaluate(
        """() => [...document.querySelectorAll('svg.graph')]
            .filter(svg => svg.getBoundingClientRect().width > 0)
            .flatMap(svg => { const box = svg.getBoundingClientRect();
                const scale = box.width / svg.viewBox.baseVal.width;
                return [...svg.querySelectorAll('text')].map(t => {
                    const r = t.getBoundingClientRect();
                    return {text: t.textContent, broker: t.classList.contains('broker-label'),
                            canvas: svg.classList.contains('narrow') ? 'narrow' : 'wide',
                            width: r.width / scale,
                            inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                                && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5};
                    }); })"""
    )
    named = sorted(label["text"] for label in labels if label["broker"])
    persons = demo.network.identities.persons
    assert named == sorted(persons[k.person].name for k in demo.network.key_persons)  # all, even
    # a key person in the thick of the network
    assert [label["text"] for label in labels if not label["inside"]] == []
    canvases = {"wide": graph.WIDE, "narrow": graph.NARROW}
    for label in labels:
        room = canvases[label["canvas"]].label_width(label["text"], label["broker"])
        assert label["width"] <= room, label  # else a name near the edge runs out of the graph


def test_the_wording_reads_right(opened: Any, demo: Demo) -> None:
    text = opened.locator("main").inner_text()
    assert "1 clusters" not in text and " 1 people" not in text
    clusters = len(demo.network.clusters)
    assert f"{clusters} cluster{'s' if clusters != 1 else ''}" in text
    average = demo.network.time.average_hours
    shown = f"{average:.1f}".removesuffix(".0")
    assert re.search(re.escape(shown) + r"\shrs", text)  # CLDR's short unit, one piece
    if round(average, 2) != round(average, 1):
        assert f"{average:g}" not in text  # "5.62" hours
    legend = opened.locator("#graph .legend").inner_text()
    assert ") (" not in legend  # "Example Consulting (2) (12)"


def _browser_script(tmp_path: Path) -> tuple[Path, Path]:
    seen = tmp_path / "opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{seen}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, seen


def test_report_open_hands_the_page_to_the_browser(demo: Demo, tmp_path: Path) -> None:
    script, seen = _browser_script(tmp_path)
    page = tmp_path / "network.html"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTLOOK_NETWORKING_")}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("outlook-networking")), *demo.argv(
            "report", "--html", str(page), "--open")],
        env={**env, "BROWSER": str(script)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert seen.read_text() == page.absolute().as_uri()
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    seen.unlink()
    without = subprocess.run(
        [str(Path(sys.executable).with_name("outlook-networking")), *demo.argv(
            "report", "--html", str(page))],
        env={**env, "BROWSER": str(script)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert without.returncode == 0
    assert not seen.exists()  # no --open, no browser
