"""Private items in exported files: participants and time are kept, the subject never.

Mail says so with ``Sensitivity: Private`` (RFC 2156; Exchange writes it from the item's
sensitivity, [MS-OXCMAIL]), calendars with ``CLASS:PRIVATE`` (RFC 5545; [MS-OXCICAL]). Only
"private" hides the subject: "Personal" and "Company-Confidential" are not private items. The
calendar files are real Outlook exports from ``../shared`` with only the CLASS changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.model import Interaction
from outlook_networking.sources.calendar import load_calendar
from outlook_networking.store import Store

MESSAGE = (
    "From ann@partner.example Tue Mar  4 09:15:00 2025\n"
    "Received: from mx.partner.example by mail.example.com; Tue, 4 Mar 2025 09:15:02 +0100\n"
    "From: Ann Partner <ann@partner.example>\n"
    "To: Mia Example <mia@example.com>\n"
    "Cc: bob@partner.example\n"
    "Subject: {subject}\n"
    "Date: Tue, 4 Mar 2025 08:15:00 +0000\n"
    "Message-ID: <{mid}@partner.example>\n"
    "{extra}"
    "\n"
    "Body.\n\n"
)


def _ingest(tmp_path: Path, *paths: Path) -> list[Interaction]:
    db = tmp_path / "network.sqlite3"
    assert main(["--db", str(db), "ingest", *map(str, paths), "--me", "mia@example.com"]) == 0
    with Store.open(db) as store:
        return list(store.interactions())


def test_a_private_message_keeps_everything_but_its_subject(tmp_path: Path) -> None:
    mbox = tmp_path / "inbox.mbox"
    mbox.write_text(
        MESSAGE.format(subject="Divorce lawyer", mid="private", extra="Sensitivity: Private\n")
        + MESSAGE.format(subject="Diner", mid="personal", extra="Sensitivity: Personal\n")
        + MESSAGE.format(subject="Offer", mid="plain", extra=""),
        encoding="utf-8",
    )
    stored = {i.message_id: i for i in _ingest(tmp_path, mbox)}

    private = stored["private@partner.example"]
    assert private.subject == ""
    assert private.sender is not None and private.sender.address == "ann@partner.example"
    assert [m.address for m in private.to] == ["mia@example.com"]
    assert [m.address for m in private.cc] == ["bob@partner.example"]
    assert private.at == datetime(2025, 3, 4, 8, 15, tzinfo=UTC)
    assert stored["personal@partner.example"].subject == "Diner"
    assert stored["plain@partner.example"].subject == "Offer"
    assert "Divorce" not in (tmp_path / "network.sqlite3").read_bytes().decode("latin-1")


def _privately(source: Path, target: Path) -> Path:
    """The real export with only its first VEVENT's CLASS changed to PRIVATE."""
    text = source.read_text(encoding="utf-8")
    assert "CLASS:PUBLIC" in text
    target.write_text(text.replace("CLASS:PUBLIC", "CLASS:PRIVATE", 1), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("name", "now"),
    [
        # A fortnightly Teams meeting with organizer and attendees.
        ("u01jmg3_ics-parser__issue-343.ics", datetime(2024, 10, 1, tzinfo=UTC)),
        # A series whose moved occurrence is its own VEVENT, still CLASS:PUBLIC: the series
        # is private all the same.
        ("jens-maus_node-ical__exchange_whole_day_moved_recurrence.ics",
         datetime(2026, 3, 1, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_private_series_keeps_time_and_people_but_no_subject(
    outlook_fixtures: Path, tmp_path: Path, name: str, now: datetime
) -> None:
    original = outlook_fixtures / name
    public = [r for r in load_calendar(original).records(now) if isinstance(r, Interaction)]
    private = [
        r
        for r in load_calendar(_privately(original, tmp_path / name)).records(now)
        if isinstance(r, Interaction)
    ]

    assert public and all(i.subject for i in public)
    assert [i.subject for i in private] == [""] * len(public)
    # (Ids may differ: an event without UID is known by a hash of its text.)
    assert [(i.at, i.duration_s, i.sender, i.attendees) for i in private] == [
        (i.at, i.duration_s, i.sender, i.attendees) for i in public
    ]


def test_a_broken_private_event_is_named_by_its_uid(tmp_path: Path) -> None:
    ics = tmp_path / "broken.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:secret-1\r\n"
        "SUMMARY:Job interview at Rival Corp\r\nCLASS:PRIVATE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    (problem,) = list(load_calendar(ics).records(datetime(2026, 1, 1, tzinfo=UTC)))
    assert "secret-1" in str(problem) and "Rival" not in str(problem)
