"""The task pane in German and English (issue 20), in headless Chromium over the demo mailbox's
real card service: the stand-in Office.js reports ``displayLanguage`` ``de-DE`` (or ``en-US``),
and the pane words itself, asks for the cards in that language and formats dates and numbers
for it. A message card and a meeting's cards at 320 and 350 px; screenshots land in
tests/artifacts/addin-<language>-*.png for a person to look at.

That nothing English is left in the German pane is checked by comparison: the same card in both
languages shares no word but the data (names, organisations, addresses, subjects)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from outlook_networking.demo import DemoTruth

from .conftest import OWNER
from .test_meeting_browser import meeting_stub
from .test_taskpane_browser import STUB, Pane, pytestmark  # noqa: F401  (its skip marks)

# Words German and English share that are no English left over: a month, the product's name,
# the "Mail" of "E-Mail", a role the people data gives.
SHARED = {"Nov", "outlook", "networking", "Mail", "Mentor", "Partner"}
DATA = ".name, .address, .org, .meeting-head h1, .note-text"  # what the pane shows from the data


def _with_language(stub: str, display: str) -> str:
    return stub.replace('"defer": false', f'"defer": false, "displayLanguage": "{display}"')


def message_stub(sender: str, display: str) -> str:
    config = {"sender": sender, "name": "", "owner": OWNER, "defer": False,
              "displayLanguage": display}  # fmt: skip
    return STUB.read_text(encoding="utf-8").replace("__CONFIG__", json.dumps(config))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]{3,}", text))


def _data_words(pages: dict[str, Any], *texts: str) -> set[str]:
    """The words of the people and subjects shown: data, the same in either language."""
    found = set()
    for page in pages.values():
        for shown in page.locator(DATA).all_inner_texts():
            found |= _words(shown)
    for text in texts:  # what is quoted: a subject inside a reason
        for quoted in re.findall(r"[„\"“]([^\"“”]+)[\"“”]", text):
            found |= _words(quoted)
    return found


def _both(demo_pane: Callable[[str, int], Pane], stub: Callable[[str], str], width: int,
          ready: str, kind: str) -> dict[str, Any]:  # fmt: skip
    pages = {}
    for language, display in (("de", "de-DE"), ("en", "en-US")):
        pane = demo_pane(stub(display), width)
        page = pane.open()
        page.wait_for_selector(ready)
        assert pane.errors == []
        assert page.evaluate("document.documentElement.lang") == language
        assert all(f"lang={language}" in call for call in pane.api_calls())
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        pane.screenshot(f"addin-{language}-{kind}-{width}.png")
        pages[language] = page
    return pages


@pytest.mark.parametrize("width", [320, 350])
def test_a_message_card_in_german(
    demo_pane: Callable[[str, int], Pane], demo: tuple[Path, DemoTruth], width: int
) -> None:
    truth = demo[1]
    client = truth.today_meetings[0][1][0]  # owed a reply, tier C
    pages = _both(demo_pane, lambda d: message_stub(client, d), width, ".tier-letter", "message")
    german, english = (pages[k].locator("body").inner_text() for k in ("de", "en"))
    assert pages["de"].title() == "Beziehungskarte" and pages["en"].title() == "Relationship card"
    for words in ("Stufe C", "Letzter Kontakt", "Offene Nachverfolgungen", "Ihre Antwort steht aus",
                  "Notiz hinzufügen", "Nichts verlässt ihn."):  # fmt: skip
        assert words.casefold() in german.casefold(), words  # some are capitals by CSS
    # The server's words too: the reasons and the follow-up in German, dates the German way.
    assert re.search(r"\d+\. (Okt|Nov)\.? 2026", german), german
    assert "Ihr Ziel" in german and "your target" in english
    leaked = (_words(german) & _words(english)) - _data_words(pages, german, english) - SHARED
    assert leaked == set(), leaked


@pytest.mark.parametrize(("mode", "width"), [("read", 320), ("compose", 350)])
def test_a_meetings_cards_in_german(
    demo_pane: Callable[[str, int], Pane], demo: tuple[Path, DemoTruth], mode: str, width: int
) -> None:
    truth = demo[1]
    stub = meeting_stub(truth, mode)
    pages = _both(
        demo_pane, lambda d: _with_language(stub, d), width, "article.attendee", "meeting"
    )
    german, english = (pages[k].locator("#app").inner_text() for k in ("de", "en"))
    for words in ("Organisator", "Extern", "Noch nicht in Ihrem Netzwerk", "Letzter Kontakt",
                  "Personen außer Ihnen", "Geburtstag steht bevor"):  # fmt: skip
        assert words.casefold() in german.casefold(), words  # some are capitals by CSS
    leaked = (_words(german) & _words(english)) - _data_words(pages, german, english) - SHARED
    assert leaked == set(), leaked
