"""The real PSTs of ../shared/fixtures/outlook-pst/, and damaged copies of them.

Expectations come from the files themselves read another way: transport headers parsed with the
standard library, recipient tables and folder names through libpff's own accessors, and the
recurrence sentence Outlook stored beside the series.
"""

from __future__ import annotations

import email.parser
import email.utils
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pypff
import pytest

from outlook_networking.model import ContactCard, Interaction, Kind, Response
from outlook_networking.ports import Problem, Skipped
from outlook_networking.problems import Problem as Reason
from outlook_networking.problems import problem
from outlook_networking.sources.pst import pst_records

NOW = datetime(2016, 9, 1, tzinfo=UTC)
Record = Interaction | ContactCard | Problem | Skipped


@pytest.fixture(scope="module")
def folder(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "outlook-pst"


def _records(path: Path, now: datetime = NOW) -> list[Record]:
    return list(pst_records(path, source="file", now=now))


def _strings(record_set: object, prop: int) -> str:
    for entry in record_set.entries:  # type: ignore[attr-defined]
        if entry.entry_type == prop and entry.data:
            return str(entry.get_data_as_string())
    return ""


def _sent_messages(path: Path) -> list[tuple[str, list[str]]]:
    """(transport headers, recipient SMTP addresses) of each message in "Sent Messages"."""
    file = pypff.file()
    file.open(str(path))
    found: list[tuple[str, list[str]]] = []
    stack = [file.root_folder]
    while stack:
        current = stack.pop()
        stack.extend(current.sub_folders)
        if current.name != "Sent Messages":
            continue
        for message in current.sub_messages:
            table = message.recipients
            rows = [table.get_record_set(i) for i in range(table.number_of_record_sets)]
            found.append((message.transport_headers, [_strings(r, 0x39FE) for r in rows]))
    file.close()
    return found


def test_sent_mail_of_an_imap_pst(folder: Path) -> None:
    """support.pst: 11 sent messages (from an IMAP account, hence no Sent Items role: the folder
    is known by its name), 6 unsent drafts."""
    records = _records(folder / "support.pst")
    mails = [r for r in records if isinstance(r, Interaction)]
    assert [r for r in records if isinstance(r, Skipped)] == [Skipped("drafts")] * 6
    assert not [r for r in records if isinstance(r, Problem)]
    expected = _sent_messages(folder / "support.pst")
    assert len(mails) == len(expected) == 11
    for mail, (headers, recipients) in zip(mails, expected, strict=True):
        parsed = email.parser.HeaderParser().parsestr(headers)
        assert mail.kind is Kind.EMAIL and mail.folder == "sent" and not mail.delivered
        assert mail.sender is not None
        assert mail.sender.address == email.utils.parseaddr(parsed["From"])[1].lower()
        assert mail.message_id == parsed["Message-Id"].strip("<> ")
        assert mail.at == email.utils.parsedate_to_datetime(parsed["Date"]).astimezone(UTC)
        addresses = {m.address for m in (*mail.to, *mail.cc, *mail.bcc)}
        assert addresses == {a.lower() for a in recipients}
    # The EX recipients of this PST resolve to their SMTP addresses, never a /O= DN.
    test = next(m for m in mails if m.subject == "[TEST] Release 9.5.2")
    assert [m.address for m in test.bcc] == ["d.milan@hackingteam.com"]


def test_meeting_with_exchange_attendees(folder: Path) -> None:
    """32-bit.pst (ANSI): a meeting whose organizer and attendees are EX addresses."""
    (meeting,) = _records(folder / "32-bit.pst")
    assert isinstance(meeting, Interaction) and meeting.kind is Kind.MEETING
    assert meeting.subject == "Updated: Olympus training for new hires"
    assert meeting.sender is not None
    assert meeting.sender.address == "cyndy.foulkrod@stellent.com"
    file = pypff.file()
    file.open(str(folder / "32-bit.pst"))
    calendar = next(f for f in file.root_folder.sub_folders[0].sub_folders if f.name == "Calendar")
    table = calendar.get_sub_message(0).recipients
    expected = {
        _strings(table.get_record_set(i), 0x39FE).lower()
        for i in range(table.number_of_record_sets)
    }
    file.close()
    assert {a.mailbox.address for a in meeting.attendees} == expected
    assert len(expected) == 7
    organizer = [a for a in meeting.attendees if a.response is Response.ORGANIZER]
    assert [a.mailbox.address for a in organizer] == ["cyndy.foulkrod@stellent.com"]


def test_recurring_series_contact_and_group(folder: Path) -> None:
    """dist-list.pst: "every Tuesday from 8:00 AM to 8:30 AM" (Pacific Time) from 2 August 2016
    to 28 February 2017, one Tuesday deleted and two moved; a contact; a contact group."""
    records = _records(folder / "dist-list.pst")
    occurrences = [r for r in records if isinstance(r, Interaction)]
    pacific = ZoneInfo("America/Los_Angeles")
    tuesdays = [  # 8:00 local time, on either side of the switch to winter time
        datetime.combine(day, datetime.min.time(), pacific).replace(hour=8)
        for day in (datetime(2016, 8, 2).date() + timedelta(weeks=n) for n in range(31))
    ]
    assert tuesdays[-1].date().isoformat() == "2017-02-28"
    by_original = {_original_day(o.item_id, pacific): o for o in occurrences}
    assert len(occurrences) == len(tuesdays) - 1  # 9 August was deleted
    assert "2016-08-09" not in by_original
    moved = {d: o for d, o in by_original.items() if o.at.astimezone(pacific).hour != 8}
    assert sorted(moved) == ["2016-08-23", "2016-08-30"]  # moved to 9:00 and 10:00
    for occurrence in occurrences:
        local = occurrence.at.astimezone(pacific)
        assert occurrence.kind is Kind.MEETING and occurrence.duration_s == 1800
        assert local.weekday() == 1 and local.minute == 0
    kept = [o.at for d, o in sorted(by_original.items()) if d not in moved]
    assert kept == [t.astimezone(UTC) for t in tuesdays if t.date().isoformat() not in
                    {"2016-08-09", "2016-08-23", "2016-08-30"}]  # fmt: skip
    cards = [r for r in records if isinstance(r, ContactCard)]
    assert [(c.full_name, c.addresses) for c in cards] == [
        ("contact name 1", ("contact1@rjohnson.id.au",))
    ]
    assert [r for r in records if isinstance(r, Skipped)] == [Skipped("contact groups")]


def _original_day(item_id: str, zone: ZoneInfo) -> str:
    """The local day of an occurrence's original start, from its id ``ev:<UID>:<UTC time>``."""
    instant = datetime.strptime(item_id.split(":", 2)[2], "%Y-%m-%dT%H:%M:%SZ")
    return instant.replace(tzinfo=UTC).astimezone(zone).date().isoformat()


def test_only_the_ipm_subtree_and_no_special_folder_is_read(folder: Path) -> None:
    """dist-list.pst names its special folders by entry id; only the mail, calendar and contact
    folders are read, and Sent Items is known as sent."""
    from outlook_networking.sources.pst import _walk  # the folder walk, by role

    file = pypff.file()
    file.open(str(folder / "dist-list.pst"))
    walked = {path: hint for _, hint, path in _walk(file, "cp1252", "x", lambda d, t: None)}
    file.close()
    assert walked == {
        "": "",
        "Inbox": "inbox",
        "Sent Items": "sent",
        "Calendar": "",
        "Contacts": "",
        "Journal": "",
        "Notes": "",
        "Tasks": "",
    }


def _crc(data: bytes) -> int:
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF  # [MS-PST] 5.3: no pre- or post-inversion


def _with_header(data: bytes, client: bytes, version: int) -> bytes:
    patched = bytearray(data)
    patched[8:12] = client + struct.pack("<H", version)
    patched[4:8] = struct.pack("<I", _crc(bytes(patched[8:479])))
    patched[524:528] = struct.pack("<I", _crc(bytes(patched[8:524])))
    return bytes(patched)


@pytest.mark.parametrize("cut", [0, 7, 300, 4096, 100_000, 900_000])
def test_a_truncated_pst_is_one_problem(folder: Path, tmp_path: Path, cut: int) -> None:
    damaged = tmp_path / "archive.pst"
    damaged.write_bytes((folder / "support.pst").read_bytes()[:cut])
    records = _records(damaged)
    problems = [r for r in records if isinstance(r, Problem)]
    assert problems and problems[0].where == str(damaged)
    assert not [r for r in records if isinstance(r, Interaction)]


def test_a_damaged_root_folder_is_one_problem(folder: Path, tmp_path: Path) -> None:
    """Found by scripts/soak.py (test_outlook_fuzz.py): one byte of 32-bit.pst flipped made pypff
    raise MemoryError ("unable to create folder object") for the root folder, a traceback."""
    data = bytearray((folder / "32-bit.pst").read_bytes())
    data[24256] ^= 0xFF
    damaged = tmp_path / "archive.pst"
    damaged.write_bytes(bytes(data))
    assert _records(damaged) == [
        Problem(str(damaged), problem("pst_root_damaged"), whole=True)
    ]


def test_a_format_the_reader_does_not_know(folder: Path, tmp_path: Path) -> None:
    newer = tmp_path / "mailbox.ost"
    newer.write_bytes(_with_header((folder / "support.pst").read_bytes(), b"SO", 40))
    assert _records(newer) == [
        Problem(str(newer), problem("pst_unknown_version", client="OST", version=40), True)
    ]
    unreadable = tmp_path / "cached.ost"
    unreadable.write_bytes(_with_header((folder / "support.pst").read_bytes(), b"SO", 36))
    (damaged,) = _records(unreadable)
    assert isinstance(damaged, Problem) and damaged.whole
    assert isinstance(damaged.reason, Reason) and damaged.reason.code == "pst_damaged"
    assert damaged.reason["client"] == "OST"
    text = tmp_path / "notes.pst"
    text.write_text("not a pst\n", encoding="utf-8")
    assert _records(text) == [
        Problem(str(text), problem("pst_no_signature"), True)
    ]
