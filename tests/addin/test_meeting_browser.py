"""The task pane on a meeting, in headless Chromium, over the demo mailbox's real card service.

The meeting is the demo's first of today: a client who is owed a reply organises it, the owner,
the mentor (a birthday in two days), someone from a new client nobody knows, and a booked room
are in it. The stand-in Office.js gives it in the attendee's read form (arrays, the room among
the required attendees and in ``resources``) and in the organizer's form (everything through
``getAsync``, the room in ``enhancedLocation``). Screenshots at 320 and 350 px (a phone, the
default pane) and 1024 px (a pane widened on a desktop) land in tests/artifacts/.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from outlook_networking.demo import DemoTruth
from outlook_networking.store import Store

from .conftest import OWNER
from .test_taskpane_browser import STUB, Pane, pytestmark  # noqa: F401  (its skip marks)


def meeting_stub(truth: DemoTruth, mode: str) -> str:
    """The stand-in Office.js for the demo's first meeting of today (see office_stub.js)."""
    subject, (client, mentor, stranger) = truth.today_meetings[0]
    names = dict(truth.people)
    room = {"address": truth.today_room, "name": "Besprechungsraum Spree"}
    meeting = {
        "mode": mode,
        "subject": subject,
        "organizer": {"address": client, "name": names[client], "type": "externalUser"},
        "required": [
            {"address": truth.owner, "name": truth.owner_name},
            {"address": mentor, "name": names[mentor]},
            {"address": stranger, "name": "Lena Vogel", "type": "externalUser"},
            {**room, "type": "user"},  # rooms are mailboxes of the organisation
        ],
        "optional": [],
        "resources": [room],
        "rooms": [room],
    }
    config = {"sender": None, "name": "", "owner": truth.owner, "defer": False,
              "meeting": meeting}  # fmt: skip
    return STUB.read_text(encoding="utf-8").replace("__CONFIG__", json.dumps(config))


def _cards(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        "article.attendee",
        """nodes => nodes.map(n => ({
            address: n.dataset.address,
            name: n.querySelector('.name').innerText,
            tier: (n.querySelector('.tier-letter') || {}).innerText || null,
            marks: Array.from(n.querySelectorAll('.mark')).map(m => m.innerText),
            text: n.innerText
        }))""",
    )


@pytest.mark.parametrize(("mode", "width"), [("read", 320), ("compose", 350), ("read", 1024)])
def test_a_meeting_shows_a_card_per_person_organizer_first_without_the_room(
    demo_pane: Callable[[str, int], Pane], demo: tuple[Path, DemoTruth], mode: str, width: int
) -> None:
    truth = demo[1]
    client, mentor, stranger = truth.today_meetings[0][1]
    assert dict(truth.people)[mentor] == "Björn Bauer"
    pane = demo_pane(meeting_stub(truth, mode), width)
    page = pane.open()
    page.wait_for_selector("article.attendee")
    cards = _cards(page)
    assert [c["address"] for c in cards] == [client, mentor, stranger]  # no owner, no room
    first, second, third = cards
    assert first["marks"] == ["Organizer", "External"]
    assert first["tier"] == "C"
    assert "You owe a reply" in first["text"]
    assert second["marks"] == [] and second["tier"] == "A"
    # The birthday once, as the reminder (tier A, two days ahead), not again as a key date.
    assert "Birthday coming up · Björn Bauer's birthday is on 29 Nov" in second["text"]
    assert "Birthday Nov 29" not in second["text"]
    assert third["name"] == "Lena Vogel" and third["tier"] is None
    assert third["marks"] == ["External", "Not in your network yet"]
    assert page.locator(".meeting-head h1").inner_text() == "Angebot Q1: Abstimmung"
    assert truth.today_room not in page.locator("#app").inner_text()
    # One API call for the whole meeting, to the same path a message uses.
    calls = pane.api_calls()
    assert len(calls) == 1 and "/api/cards?" in calls[0]
    # Nothing sticks out of a narrow pane.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # A pane widened on a desktop keeps the cards at reading width, the tier beside the name.
    card_width = page.evaluate("document.querySelector('article.attendee').offsetWidth")
    assert card_width <= min(width, 560)
    assert pane.errors == []
    shot = pane.screenshot(f"addin-meeting-{mode}-{width}.png")
    assert shot.stat().st_size > 10_000


def test_a_note_added_from_a_card_is_kept_and_shown_as_text(
    demo_pane: Callable[[str, int], Pane], demo: tuple[Path, DemoTruth]
) -> None:
    db, truth = demo
    stranger = truth.today_stranger
    pane = demo_pane(meeting_stub(truth, "read"), 340)
    page = pane.open()
    card = page.locator(f'article.attendee[data-address="{stranger}"]')
    card.locator("button.add-note").click()  # changed one's mind: nothing kept, the button back
    card.locator("textarea").fill("never mind")
    card.locator("button.cancel-note").click()
    assert card.locator("textarea").count() == 0
    card.locator("button.add-note").click()
    text = "Met at the fair <img src=x onerror=\"document.title='pwned'\">"
    card.locator("textarea").fill(text)
    pane.screenshot("addin-meeting-note-form.png")
    card.locator("button.save-note").click()
    card.locator(".notes li").last.wait_for()
    assert card.locator(".notes li .note-text").last.inner_text() == text
    assert page.locator("#app img").count() == 0 and page.title() == "Relationship card"
    with Store.open(db) as store:
        assert [n.text for n in store.notes([stranger])] == [text]  # not "never mind"
    pane.screenshot("addin-meeting-note.png")
    again = demo_pane(meeting_stub(truth, "compose"), 340).open()
    kept = again.locator(f'article.attendee[data-address="{stranger}"] .notes li .note-text')
    kept.first.wait_for()
    assert kept.all_inner_texts() == [text]
    assert pane.errors == []


def test_a_message_still_shows_one_full_card_with_key_dates_and_notes(
    demo_pane: Callable[[str, int], Pane], demo: tuple[Path, DemoTruth]
) -> None:
    truth = demo[1]
    mentor = truth.mentor[0]
    config = {"sender": mentor, "name": "", "owner": OWNER, "defer": False}
    stub = STUB.read_text(encoding="utf-8").replace("__CONFIG__", json.dumps(config))
    pane = demo_pane(stub, 320)
    page = pane.open()
    page.wait_for_selector(".tier-letter")
    assert page.locator(".tier-letter").inner_text() == "A"
    assert "Birthday Nov 29 (in 2 days)" in page.locator(".dates").inner_text()
    assert page.locator(".notes-section button.add-note").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert pane.errors == []
    pane.screenshot("addin-card-key-dates-320.png")
