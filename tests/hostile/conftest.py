"""Builders for hostile inputs and fixtures for running the CLI on them.

Builders make the smallest input that shows each attack; a decompression bomb is built from one
compressed block repeated as many gzip members (RFC 1952 allows any number), so a gigabyte of
content costs a few kilobytes and no time to make.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .confined import modes_apply

ME = "me@example.com"
CALENDAR_HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n"
CALENDAR_TAIL = "END:VCALENDAR\r\n"


def message(number: int, *, date: str = "Mon, 1 Jan 2024 10:00:00 +0000", extra: str = "") -> str:
    """One mbox message (From line, headers, a body) from ``p<number>@example.com`` to me."""
    return (
        f"From p{number}@example.com Mon Jan  1 10:00:00 2024\n"
        f"From: Person {number} <p{number}@example.com>\nTo: {ME}\nDate: {date}\n"
        f"Message-ID: <m{number}@example.com>\nSubject: Hello {number}\n{extra}\nBody.\n\n"
    )


def mbox(count: int, start: int = 0) -> bytes:
    return "".join(message(start + n) for n in range(count)).encode()


def maildir_message(number: int) -> bytes:
    """A message file for a Maildir: the message without its mbox From line."""
    return message(number).split("\n", 1)[1].encode()


def event(uid: str, start: str = "20250310T090000Z", extra: str = "") -> str:
    """A VEVENT with an organizer and me as attendee; ``extra`` lines go before its END."""
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:{start}\r\n"
        f"DURATION:PT30M\r\nSUMMARY:Meeting {uid}\r\nORGANIZER:mailto:boss@example.com\r\n"
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}\r\n{extra}END:VEVENT\r\n"
    )


def calendar(*events: str) -> str:
    return CALENDAR_HEAD + "".join(events) + CALENDAR_TAIL


def card(name: str, address: str, extra: bytes = b"", version: str = "3.0") -> bytes:
    return (
        f"BEGIN:VCARD\r\nVERSION:{version}\r\nFN:{name}\r\nEMAIL:{address}\r\n".encode()
        + extra
        + b"END:VCARD\r\n"
    )


def gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def bomb(path: Path, head: bytes, block: bytes, repeat: int, tail: bytes = b"") -> int:
    """Write a gzip file of ``head``, ``block`` ``repeat`` times and ``tail``; its content size."""
    member = gzip_member(block)
    with path.open("wb") as out:
        out.write(gzip_member(head))
        for _ in range(repeat):
            out.write(member)
        out.write(gzip_member(tail))
    return len(head) + repeat * len(block) + len(tail)


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    """A folder for the confined run's store, config and HOME, apart from the inputs."""
    path = tmp_path / "run"
    path.mkdir()
    return path


@pytest.fixture()
def lock() -> Iterator[Callable[[Path], None]]:
    """``lock(path)`` makes a file or folder unreadable (mode 000) for the confined run.

    Skips the test where file modes cannot be enforced (root without the capability to drop
    its override); modes are restored afterwards so the temporary folder can be removed.
    """
    locked: list[Path] = []

    def make_unreadable(path: Path) -> None:
        path.chmod(0)
        locked.append(path)
        if not modes_apply(path):
            pytest.skip("file modes cannot be enforced for the child here")

    yield make_unreadable
    for path in reversed(locked):
        os.chmod(path, 0o700)
