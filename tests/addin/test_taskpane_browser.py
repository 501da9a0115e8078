"""The task pane in a real headless Chromium, served by the card server, with a stand-in Office.js.

Outlook is not available in tests, so Playwright answers the page's request for Office.js from
Microsoft's CDN with a small stub that provides ``Office.onReady`` and
``Office.context.mailbox`` (item.from, userProfile, addHandlerAsync). Everything else the page
loads comes from the real server over HTTPS; any other request is aborted, so the test never
leaves 127.0.0.1. Screenshots land in tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chromium import ARTIFACTS
from outlook_networking.addin import AddinServer, serve

from .conftest import ADA, ADA_CARD, OWNER, SPARSE, STRANGER, FakeCards

OFFICE_JS = "https://appsforoffice.microsoft.com/"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.browser

STUB = Path(__file__).with_name("office_stub.js")


def office_stub(
    sender: str | None, name: str = "", *, owner: str = OWNER, defer: bool = False
) -> str:
    """JavaScript standing in for Office.js in an Outlook read form (see office_stub.js)."""
    config = json.dumps({"sender": sender, "name": name, "owner": owner, "defer": defer})
    return STUB.read_text(encoding="utf-8").replace("__CONFIG__", config)


class Pane:
    """One browser page showing the task pane, with what it requested and any script errors."""

    def __init__(
        self, browser: Any, server: AddinServer, stub: str | None, width: int = 350
    ) -> None:
        self.server = server
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(
            viewport={"width": width, "height": 640},
            locale="en-US",
            timezone_id="UTC",
            ignore_https_errors=True,  # the card server's certificate is the test's own
        )
        self.context.set_default_timeout(10_000)
        self.context.route("**/*", self._route(stub))
        self.page = self.context.new_page()
        self.page.clock.set_fixed_time(NOW)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # A 404 or an unreachable server is logged by Chromium itself; the pane handles those.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _route(self, stub: str | None) -> Callable[[Any], None]:
        def handle(route: Any) -> None:
            url = route.request.url
            self.requests.append(url)
            if url.startswith(OFFICE_JS):
                if stub is None:
                    route.abort()
                else:
                    route.fulfill(status=200, content_type="text/javascript", body=stub)
            elif url.startswith(self.server.origin):
                route.continue_()
            else:
                route.abort()

        return handle

    def open(self) -> Any:
        self.page.goto(self.server.url + "taskpane.html")
        return self.page

    def api_calls(self) -> list[str]:
        return [url for url in self.requests if "/api/card" in url]

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def open_pane(browser: Any, server: AddinServer) -> Iterator[Callable[..., Pane]]:
    panes: list[Pane] = []

    def make(stub: str | None, on: AddinServer | None = None, width: int = 350) -> Pane:
        pane = Pane(browser, on or server, stub, width)
        panes.append(pane)
        return pane

    yield make
    for pane in panes:
        pane.close()


def test_the_card_of_a_seeded_contact_renders(open_pane: Callable[..., Pane]) -> None:
    pane = open_pane(office_stub(ADA, "Ada Lovelace"))
    page = pane.open()
    page.wait_for_selector(".tier-letter")
    app = page.locator("#app")
    assert page.locator(".name").inner_text() == "Ada Lovelace"
    assert page.locator(".address").inner_text() == ADA
    assert page.locator(".org").inner_text() == "Analytical Engines Ltd"
    assert page.locator(".tier-letter").inner_text() == "B"
    # The score as everywhere else: the JSON's 71.5 rounded half up.
    assert page.locator(".tier-score").inner_text() == "score 72"
    assert page.locator(".tier-name").inner_text().upper() == "TIER B · CLOSE"
    text = app.inner_text()
    assert "Two-way mail every month since March" in text
    assert "2 weeks ago · Nov 13, 2026" in text
    assert "42 sent · 37 received" in text
    assert "you 18 · they 21" in text
    assert "you 1.5 hr · they 35 min" in text  # Intl's short units (CLDR)
    assert "given 4 · received 2" in text
    assert page.locator(".followups .count").inner_text() == "2"
    overdue = page.locator(".followups li.overdue")
    assert overdue.count() == 1
    assert "You owe a reply" in overdue.inner_text()
    assert "overdue since Nov 20, 2026" in overdue.inner_text()
    assert "She asked for the Q4 figures on 18 Nov" in overdue.inner_text()
    assert "due Jan 15, 2099" in text
    assert "one more meeting makes her tier A" in page.locator(".next").inner_text()
    # The hostile reason is shown as text and never became an element.
    assert '<img src=x onerror="document.title=\'pwned\'">' in text
    assert app.locator("img").count() == 0
    assert page.title() == "Relationship card"
    assert pane.errors == []
    shot = pane.screenshot("addin-card.png")
    assert shot.stat().st_size > 5_000


def test_a_sparse_card_still_reads_well(open_pane: Callable[..., Pane]) -> None:
    pane = open_pane(office_stub(SPARSE, ""))
    page = pane.open()
    page.wait_for_selector(".tier-letter")
    assert page.locator(".name").inner_text() == SPARSE  # no name: the address stands in
    assert page.locator(".tier-letter").inner_text() == "D"
    text = page.locator("#app").inner_text()
    assert "never" in text
    assert "Mail" not in text and "Reply time" not in text  # nothing known, nothing shown
    assert "Nothing open with this person." in text
    assert "undefined" not in text and "null" not in text and "NaN" not in text
    assert page.locator(".next").count() == 0
    assert pane.errors == []
    pane.screenshot("addin-sparse.png")


def test_an_unknown_sender_gets_a_clear_message(open_pane: Callable[..., Pane]) -> None:
    pane = open_pane(office_stub("stranger@example.org", "A Stranger"))
    page = pane.open()
    notice = page.wait_for_selector('[data-state="unknown"]')
    assert "Not in your network yet" in notice.inner_text()
    assert "stranger@example.org" in notice.inner_text()
    assert len(pane.api_calls()) == 1
    pane.screenshot("addin-unknown.png")
    assert pane.errors == [], pane.errors


def test_a_stranger_known_through_someone_shows_the_path(open_pane: Callable[..., Pane]) -> None:
    pane = open_pane(office_stub(STRANGER, "Tess Target"))
    page = pane.open()
    notice = page.wait_for_selector('[data-state="stranger"]')
    assert "Not in your network yet. You may know them through:" in notice.inner_text()
    chain = page.locator(".intro-chain li")
    assert chain.count() == 2
    assert chain.nth(0).inner_text() == "Ada Lovelace · tier B · score 72"  # 71.5, rounded
    assert chain.nth(1).inner_text() == "carl@hooli.example · not in your network"
    text = page.locator("#app").inner_text()
    assert "Two steps: a weaker path." in text
    assert "Ada and carl@hooli.example: in 2 meetings together; last seen together 9 days" in text
    assert (
        "carl@hooli.example and Tess: Tess wrote to carl@hooli.example 3 times; named together"
        " on 4 messages" in text
    )
    assert "last seen together today" in text
    assert "undefined" not in text and "null" not in text
    assert pane.errors == [], pane.errors
    pane.screenshot("addin-stranger.png")


def test_the_owners_own_mail_needs_no_lookup(
    open_pane: Callable[..., Pane], cards: FakeCards
) -> None:
    asked = len(cards.asked)
    pane = open_pane(office_stub(OWNER.upper(), "Me"))
    page = pane.open()
    notice = page.wait_for_selector('[data-state="owner"]')
    assert "This is your own message" in notice.inner_text()
    assert pane.api_calls() == []
    assert len(cards.asked) == asked
    pane.screenshot("addin-owner.png")


def test_a_stopped_agent_is_explained_with_a_retry(
    open_pane: Callable[..., Pane], cert_dir: Path, cards: FakeCards
) -> None:
    short_lived = serve(cards, data_dir=cert_dir, port=0)
    try:
        pane = open_pane(office_stub(ADA, "Ada Lovelace", defer=True), on=short_lived)
        page = pane.open()
        page.wait_for_function("typeof window.__officeReady === 'function'")
    finally:
        short_lived.shutdown()  # the agent goes away after the pane loaded
    page.evaluate("window.__officeReady()")
    notice = page.wait_for_selector('[data-state="offline"]')
    assert "outlook-networking is not running" in notice.inner_text()
    assert "outlook-networking addin serve" in notice.inner_text()
    assert page.locator("button.retry").is_visible()
    pane.screenshot("addin-offline.png")


def test_a_pinned_pane_follows_the_selected_message(open_pane: Callable[..., Pane]) -> None:
    pane = open_pane(office_stub(ADA, "Ada Lovelace"))
    page = pane.open()
    page.wait_for_selector(".tier-letter")
    page.evaluate("window.__selectItem('someone.else@example.org', 'Someone Else')")
    notice = page.wait_for_selector('[data-state="unknown"]')
    assert "someone.else@example.org" in notice.inner_text()
    assert page.locator(".tier-letter").count() == 0
    page.evaluate(f"window.__selectItem('{ADA}', 'Ada Lovelace')")
    page.wait_for_selector(".tier-letter")
    assert page.locator(".name").inner_text() == "Ada Lovelace"


def test_outside_outlook_the_pane_says_where_it_belongs(open_pane: Callable[..., Pane]) -> None:
    pane = open_pane(None)  # Office.js cannot be loaded
    page = pane.open()
    notice = page.wait_for_selector('[data-state="no-office"]')
    assert "Open this pane from Outlook" in notice.inner_text()
    assert pane.api_calls() == []


# A card that pushes every width: long words, a snoozed follow-up, many reasons.
LONG = "maximiliane.oberbuergermeisterin-stellvertretung@stadtverwaltung-musterhausen.example"
LONG_CARD: dict[str, Any] = {
    **ADA_CARD,
    "address": LONG,
    "name": "Maximiliane Oberbürgermeisterin-Stellvertretung von Musterhausen-Großdorf",
    "organisation": "Stadtverwaltung Musterhausen, Referat für Bürgerbeteiligung",
    "score": 76.5,
    "reasons": [*ADA_CARD["reasons"][:2], "reciprocity 0.2 (15 sent, 3 received)"],
    "followups": [
        *ADA_CARD["followups"],
        {
            "key": "touch:" + LONG + ":2026-05-01",
            "short_key": "3f9a2c1",
            "kind": "keep_in_touch",
            "due": "2026-12-15T00:00:00Z",
            "snoozed": True,
            "reason": "C: last two-way contact 210 days ago; the C cadence is 180 days "
            + "(Haushaltsplanungsausschusssitzungsprotokoll)",
        },
    ],
}


@pytest.mark.parametrize("width", [390, 1280])
def test_the_pane_fits_a_phone_and_a_desktop(
    open_pane: Callable[..., Pane], cards: FakeCards, width: int
) -> None:
    cards.cards[LONG] = LONG_CARD
    pane = open_pane(office_stub(LONG, "Maximiliane"), width=width)
    page = pane.open()
    page.wait_for_selector(".tier-letter")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator(".tier-score").inner_text() == "score 77"  # 76.5, rounded half up
    snoozed = page.locator(".followups li.snoozed")
    assert snoozed.count() == 1 and "snoozed until Dec 15, 2026" in snoozed.inner_text()
    assert page.locator(".followups li.overdue").count() == 1  # the snoozed one is not overdue
    assert pane.errors == []
    shot = pane.screenshot(f"pane-{width}.png")
    assert shot.stat().st_size > 5_000


def test_screenshots_are_never_committed() -> None:
    repo = ARTIFACTS.parent.parent
    if shutil.which("git") is None or not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    probe = subprocess.run(
        ["git", "check-ignore", "-q", str(ARTIFACTS / "addin-card.png")], cwd=repo, check=False
    )
    assert probe.returncode == 0, "tests/artifacts/ must be in .gitignore"
