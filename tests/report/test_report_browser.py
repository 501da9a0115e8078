"""The report of the demo mailbox in a real headless Chromium, offline: what a person sees.

The page is opened from a file:// URL with every other request aborted and recorded; the test
fails if the page tried to load anything. A full-page screenshot lands in tests/artifacts/
(gitignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chromium import ARTIFACTS
from outlook_networking.i18n import Wording

from .conftest import Demo

pytestmark = pytest.mark.browser

WIDTH = 1280


class Opened:
    """One page showing the report, with what it requested and any script or console errors."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(
            viewport={"width": WIDTH, "height": 900}, locale="en-US", timezone_id="UTC"
        )
        self.context.set_default_timeout(10_000)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "console", lambda m: self.errors.append(m.text) if m.type == "error" else None
        )
        self.page.goto(path.as_uri())

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith("file://"):
            route.continue_()
        else:
            route.abort()


@pytest.fixture(scope="module")
def opened(browser: Any, demo: Demo, report_html: str, tmp_path_factory: Any) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(report_html, encoding="utf-8")
    view = Opened(browser, path)
    yield view
    view.context.close()


def test_nothing_outside_the_file_was_requested(opened: Opened) -> None:
    assert opened.requests, "the route saw not even the page itself"
    assert [u for u in opened.requests if not u.startswith("file://")] == []
    assert opened.errors == []


def test_tier_counts_are_visible(opened: Opened, demo: Demo) -> None:
    rows = opened.page.locator("#tiers .tier-counts li")
    assert rows.count() == 4
    for i, tier in enumerate("ABCD"):
        row = rows.nth(i)
        assert row.is_visible()
        text = row.inner_text()
        assert text.startswith(f"{tier}\n") or text.startswith(f"{tier} "), text
        assert f"{len(demo.network.tier(tier))}" in text
    bars = opened.page.locator("svg.tier-bars.wide rect")
    assert bars.count() == 4
    assert all(bars.nth(i).bounding_box()["width"] > 0 for i in range(4))  # type: ignore[index]


def test_an_owed_reply_is_visible_with_its_contact(opened: Opened, demo: Demo) -> None:
    owed = [f for f in demo.network.followups if f.kind == "owed_reply"]
    assert owed
    name = demo.network.identities.persons[owed[0].contact].name
    title = Wording("en").phrase(owed[0].subject)
    row = opened.page.locator("table.followups tr", has_text=title).first
    assert row.is_visible()
    assert name in row.inner_text()
    assert "Owed reply" in row.inner_text()


def test_the_graph_shows_key_persons_by_name(opened: Opened, demo: Demo) -> None:
    graph = opened.page.locator("svg.graph.wide")
    assert graph.is_visible()
    box = graph.bounding_box()
    assert box is not None and box["width"] > 800 and box["height"] > 400
    nodes = opened.page.locator("svg.graph.wide g.node")
    assert nodes.count() >= 10
    brokers = opened.page.locator("svg.graph.wide g.node.broker")
    assert brokers.count() == len(demo.network.key_persons)
    key = demo.network.identities.persons[demo.network.key_persons[0].person].name
    label = opened.page.locator("svg.graph.wide text.broker-label", has_text=key)
    assert label.count() == 1 and label.is_visible()
    # Every node lies inside the drawing.
    for i in range(nodes.count()):
        circle = nodes.nth(i).locator("circle").last.bounding_box()
        assert circle is not None
        assert box["x"] <= circle["x"] and circle["x"] + circle["width"] <= box["x"] + box["width"]


def test_readable_at_1280_without_sideways_scrolling(opened: Opened) -> None:
    width = opened.page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH
    size = opened.page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('td.who')).fontSize)"
    )
    assert size >= 13
    for section in ("tiers", "activity", "followups", "graph", "time", "ledger"):
        assert opened.page.locator(f"#{section}").is_visible(), section


def test_more_follow_ups_open_without_scripts(opened: Opened, demo: Demo) -> None:
    total = len(demo.network.followups) + len(demo.ledger.followups)
    rows = opened.page.locator("#followups table.followups tbody tr")
    assert rows.count() == total
    hidden = opened.page.locator("details.more tbody tr")
    if hidden.count():
        assert not hidden.first.is_visible()
        opened.page.locator("details.more summary").click()
        assert hidden.first.is_visible()
        opened.page.locator("details.more summary").click()


def test_screenshot_for_a_person_to_look_at(opened: Opened) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "report.png"
    opened.page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 50_000
    graph = ARTIFACTS / "report-graph.png"
    opened.page.locator("#graph").screenshot(path=str(graph))
    assert graph.stat().st_size > 10_000
