"""The report in German and English (issue 20): every word on the page comes through the catalogs
(rendered under the pseudo-locale, nothing but the data is left outside the marks), the German
page says ``<html lang="de">`` and reads German, and on a phone (360 px) and a desktop (1280 px)
in headless Chromium nothing is wider than the screen, long German words included. Screenshots
land in tests/artifacts/report-<language>-<width>.png for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from chromium import ARTIFACTS
from i18n.pseudo import PseudoWording, unmarked
from outlook_networking.i18n import Wording
from outlook_networking.model import Note
from outlook_networking.report import render_report

from .conftest import NOW, Demo

WORDS_SHOWN = ("title", "data-label", "aria-label", "alt")  # attributes a person reads


class _Text(HTMLParser):
    """The text a person reads: text nodes (not the stylesheet) and the attributes shown."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"
        self.parts += [v for k, v in attrs if k in WORDS_SHOWN and v]

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def _text(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.parts


def _data(demo: Demo) -> list[str]:
    """What the page shows from the mailbox, not the product's wording: names, addresses,
    organisations, cluster names, notes, the subjects of follow-ups, the owner; longest first,
    so a name is taken out before a part of it."""
    network = demo.network
    found = {a for p in network.identities.persons.values() for a in (p.name, p.organisation)}
    found |= {p for p in network.identities.persons}
    found |= {c.address for c in network.contacts} | {c.name for c in network.clusters}
    found |= set(network.owner) | {NOTE}
    for path in demo.network.settings.target_organisations:
        found.add(path)
    return sorted((d for d in found if d), key=len, reverse=True)


NOTE = "Prefers calls before ten"


@pytest.fixture(scope="module")
def pseudo_page(demo: Demo) -> str:
    person = demo.network.contacts[0].person.key
    notes = {person: [Note(1, person, NOW, NOTE)]}
    return render_report(
        demo.network, demo.ledger, NOW, graph=demo.edges, notes=notes, words=PseudoWording()
    )


def _outside(demo: Demo, page: str) -> list[str]:
    """The words of ``page`` outside the pseudo-locale's marks, the data taken out. The text is
    read as a whole: a sentence's marks span the tags inside it (``<strong>``)."""
    text = unmarked(" ".join(_text(page)))
    for value in _data(demo):
        text = text.replace(value, " ")
    # Tier letters (A-D) are codes shown as chips; any other letters bypassed the catalogs.
    return re.findall(r".{0,30}[^\W\d_]{2,}.{0,30}", text)


def test_every_word_on_the_page_comes_through_the_catalogs(demo: Demo, pseudo_page: str) -> None:
    assert _outside(demo, pseudo_page) == []


def test_the_check_sees_english_on_the_page(demo: Demo) -> None:
    page = render_report(demo.network, demo.ledger, NOW, graph=demo.edges, words=Wording("en"))
    assert any("Open follow-ups" in line for line in _outside(demo, page))


@pytest.fixture(scope="module")
def pages(demo: Demo) -> dict[str, str]:
    return {
        language: render_report(
            demo.network, demo.ledger, NOW, graph=demo.edges, words=Wording(language)
        )
        for language in ("de", "en")
    }


def test_the_german_page_says_it_is_german_and_reads_german(pages: dict[str, str]) -> None:
    german, english = pages["de"], pages["en"]
    assert german.startswith('<!DOCTYPE html>\n<html lang="de">')
    assert english.startswith('<!DOCTYPE html>\n<html lang="en">')
    for words in ("Ihr Netzwerk", "Offene Nachverfolgungen", "Stufen", "Geben und Nehmen",
                  "Netzwerk A", "Stand: Freitag, 27. November 2026, 12:00 UTC"):  # fmt: skip
        assert words in german, words
    for words in ("Your network", "Open follow-ups", "Network A", "Friday, 27 November 2026"):
        assert words in english, words
        assert words not in german, words
    # Dates and numbers in the German way (CLDR): "27. Nov. 2026", a decimal comma in hours.
    assert "27. Nov. 2026" in german and "27 Nov 2026" in english
    assert re.search(r"\d,\d\s+Std\.", german) and re.search(r"\d\.\d\s+hrs", english)


@pytest.fixture(scope="module", params=[("de", 360), ("de", 1280), ("en", 360), ("en", 1280)])
def opened(
    browser: Any, pages: dict[str, str], request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Any]:  # fmt: skip
    language, width = request.param
    path: Path = tmp_path_factory.mktemp("report") / f"report-{language}.html"
    path.write_text(pages[language], encoding="utf-8")
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale=language, timezone_id="UTC"
    )
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
    )
    page = context.new_page()
    page.goto(path.as_uri())
    page.name = f"{language}-{width}"  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.mark.browser
def test_long_words_wrap_in_either_language(opened: Any) -> None:
    assert opened.evaluate("document.documentElement.lang") == opened.name[:2]
    assert opened.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wider = opened.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter(e => !e.closest('details:not([open])'))
            .filter(e => getComputedStyle(e.closest('thead') || e).clipPath === 'none')
            .map(e => e.tagName + ' ' + (e.getAttribute('class') || '') + ' ' +
                      (e.textContent || '').slice(0, 40))"""
    )
    assert wider == []
    # No text sticks out of its own box either (a word too long for its line would).
    spilled = opened.evaluate(
        """() => [...document.querySelectorAll(`main h1, main h2, main h3, main p, main td,
                  main th, main .stat-label, main .stat-note, main nav a, main .kind,
                  main .key`)]
            .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 40))"""
    )
    assert spilled == []
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{opened.name}.png"
    opened.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
