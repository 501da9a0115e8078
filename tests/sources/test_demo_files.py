"""The demo's generated files read back as the demo planted them (contract with demo/)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from outlook_networking.core.owner import OwnerTally
from outlook_networking.core.phrase import phrase
from outlook_networking.demo import generate
from outlook_networking.model import Flag, Kind
from outlook_networking.sources import FileSource

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_demo_mailbox_calendar_and_cards(tmp_path: Path) -> None:
    truth = generate(tmp_path, now=NOW, messages=1500)
    tally = OwnerTally()
    emails = meetings = cards = 0
    flagged = {"newsletter": 0, "list": 0, "automated": 0}
    problems = []
    for batch in FileSource([tmp_path], now=NOW).read({}):
        tally.feed(batch.interactions, batch.cards)
        cards += len(batch.cards)
        problems.extend(batch.problems)
        for item in batch.interactions:
            if item.kind is Kind.MEETING:
                meetings += 1
                continue
            emails += 1
            if item.flags == {Flag.LIST, Flag.BULK}:
                flagged["newsletter"] += 1
            elif item.flags == {Flag.LIST}:
                flagged["list"] += 1
            elif item.flags == {Flag.AUTOMATED}:
                flagged["automated"] += 1
    assert problems == []
    assert emails == truth.messages
    assert flagged == {
        "newsletter": truth.newsletters,
        "list": truth.list_messages,
        "automated": truth.automated,
    }
    assert cards == truth.contacts
    assert meetings >= truth.meetings  # series are expanded into occurrences
    guess = tally.guess()
    assert guess.addresses[0] == truth.owner
    assert guess.evidence == phrase("owner_me_card", name=truth.owner_name)
