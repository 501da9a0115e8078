"""Fuzzing the file readers: .ics, .vcf, mbox and header blocks, mutated from a seed corpus.

Each target takes a seed (the small files in ``corpus/`` plus the real exports in
``../shared/fixtures/outlook``) and applies a few mutations Hypothesis chooses: bytes inserted,
deleted, duplicated or replaced, a slice of another seed spliced in, or one of the tokens that
hostile files are made of (``BEGIN:VEVENT``, ``RRULE:FREQ=SECONDLY``, a soft line break, a NUL
byte, an mbox ``From`` line ...). The readers must then do what they promise on any input: raise
nothing but :class:`~outlook_networking.errors.InputError` for a whole file, yield only items
and problems, keep the limits (occurrences per series, ids per References, subject length), and
store only UTC times a mail client would accept.

Hypothesis is already the project's test dependency; it needs no instrumented interpreter
(atheris wants a libFuzzer build of clang) and shrinks a failure to a small input.

The normal suite runs a short pass (deterministic under the ``ci`` profile). A long run
(docs/testing.md, "Fuzzing the file readers")::

    HOSTILE_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/hostile/test_fuzz.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outlook_networking.config import FileLimits
from outlook_networking.errors import InputError
from outlook_networking.model import ContactCard, Interaction
from outlook_networking.parsing.headers import (
    MAX_IDS,
    MAX_SUBJECT,
    interaction_from_headers,
    parse_date,
)
from outlook_networking.ports import Problem
from outlook_networking.sources import FileSource
from outlook_networking.sources.calendar import load_calendar
from outlook_networking.sources.vcards import load_vcards

CORPUS = Path(__file__).parent / "corpus"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "outlook"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
LIMITS = FileLimits(max_occurrences=40, max_calendar_mb=1, max_cards_mb=1, max_mail_mb=1)
# Randomness and the example database come from the profile (tests/conftest.py): the same
# examples in CI, fresh ones at a desk; the number of examples from HOSTILE_FUZZ_EXAMPLES.
FUZZ = settings(
    max_examples=int(os.environ.get("HOSTILE_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TOKENS = (
    b"BEGIN:VCALENDAR\r\n",
    b"END:VCALENDAR\r\n",
    b"BEGIN:VEVENT\r\n",
    b"END:VEVENT\r\n",
    b"RRULE:FREQ=SECONDLY\r\n",
    b"RRULE:FREQ=DAILY;BYHOUR=1,2,3;BYMINUTE=0,30\r\n",
    b"RECURRENCE-ID:20250310T090000Z\r\n",
    b"DTSTART:00010101T000000Z\r\n",
    b"BEGIN:VCARD\r\n",
    b"END:VCARD\r\n",
    b"PHOTO;ENCODING=b:",
    b";ENCODING=QUOTED-PRINTABLE:",
    b"=\r\n",
    b"\r\n ",
    b"\x00",
    b"\r",
    b"\xff\xfe",
    b"\n\nFrom x@y Mon Jan  1 00:00:00 2024\n",
    b"References: <a@b> <c@d>\n",
    b"Date: Mon, 1 Jan -5 10:00:00 +9999\n",
    b"=?utf-8?q?=C3=A4?=",
    b"<" * 3,
    b">" * 3,
)


def _seeds(*suffixes: str) -> list[bytes]:
    paths = sorted(CORPUS.iterdir()) + (sorted(SHARED.iterdir()) if SHARED.is_dir() else [])
    return [p.read_bytes() for p in paths if p.suffix in suffixes]


def _mutated(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    """A seed with up to six mutations (see the module docstring)."""
    edit = st.tuples(
        st.sampled_from(("insert", "delete", "duplicate", "replace", "splice", "token")),
        st.integers(min_value=0),
        st.integers(min_value=0, max_value=200),
        st.binary(max_size=16),
        st.sampled_from(seeds),
        st.sampled_from(TOKENS),
    )
    return st.builds(_apply, st.sampled_from(seeds), st.lists(edit, max_size=6))


def _apply(data: bytes, edits: list[tuple[str, int, int, bytes, bytes, bytes]]) -> bytes:
    for kind, where, length, noise, other, token in edits:
        at = where % (len(data) + 1)
        if kind == "insert":
            data = data[:at] + noise + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + length :]
        elif kind == "duplicate":
            data = data[:at] + data[at : at + length] * 3 + data[at:]
        elif kind == "replace":
            data = data[:at] + noise + data[at + len(noise) :]
        elif kind == "splice":
            start = where % (len(other) + 1)
            data = data[:at] + other[start : start + length] + data[at:]
        else:
            data = data[:at] + token + data[at:]
    return data


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _check_interaction(item: Interaction) -> None:
    assert item.at.tzinfo is UTC
    assert len(item.references) <= MAX_IDS
    assert len(item.subject) <= MAX_SUBJECT or item.kind.value == "meeting"


@given(_mutated(_seeds(".ics")))
@FUZZ
def test_fuzz_calendars(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "fuzz.ics", data)
    try:
        calendar = load_calendar(path, limits=LIMITS)
    except InputError:
        return
    per_series: dict[str, int] = {}
    for record in calendar.records(NOW):
        assert isinstance(record, (Interaction, Problem))
        if isinstance(record, Interaction):
            _check_interaction(record)
            series = record.item_id.rsplit(":", 1)[0] if record.item_id.count(":") > 1 else ""
            per_series[series] = per_series.get(series, 0) + 1
    per_series.pop("", None)
    assert all(count <= LIMITS.max_occurrences for count in per_series.values())


@given(_mutated(_seeds(".vcf")))
@FUZZ
def test_fuzz_cards(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "fuzz.vcf", data)
    try:
        cards = load_vcards(path, limit=LIMITS.cards_bytes)
    except InputError:
        return
    for record in cards.records():
        assert isinstance(record, (ContactCard, Problem))
        if isinstance(record, ContactCard):
            assert record.full_name or record.addresses


@given(_mutated(_seeds(".mbox")))
@FUZZ
def test_fuzz_mbox(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "fuzz.mbox", data)
    try:
        batches = list(FileSource([path], now=NOW, limits=LIMITS).read({}))
    except InputError:
        return
    assert batches and batches[-1].complete
    for batch in batches:
        for item in batch.interactions:
            _check_interaction(item)


def _headers_strategy() -> st.SearchStrategy[bytes]:
    return _mutated(_seeds(".txt", ".mbox"))


@given(_headers_strategy())
@FUZZ
def test_fuzz_header_blocks(data: bytes) -> None:
    block = data.split(b"\n\n", 1)[0]
    record = interaction_from_headers(block, where="fuzz #1")
    assert isinstance(record, (Interaction, Problem))
    if isinstance(record, Interaction):
        _check_interaction(record)
        assert datetime(1971, 1, 1, tzinfo=UTC) <= record.at < datetime(2200, 1, 1, tzinfo=UTC)


_DATE_PARTS: Callable[[], st.SearchStrategy[str]] = lambda: st.one_of(  # noqa: E731
    st.text(max_size=40),
    st.builds(
        "{}, {} {} {} {}:{}:{} {}".format,
        st.sampled_from(("Mon", "Tue", "", "Xyz")),
        st.integers(-5, 40),
        st.sampled_from(("Jan", "Feb", "jan", "Foo")),
        st.sampled_from(("0001", "-5", "2024", "24", "102", "0102", "99999", "1")),
        st.integers(0, 30),
        st.integers(0, 70),
        st.integers(0, 70),
        st.sampled_from(("+0000", "+9999", "-1900", "+0160", "EST", "0530", "-0000", "")),
    ),
)


@given(_DATE_PARTS())
@FUZZ
def test_fuzz_dates(value: str) -> None:
    parsed = parse_date(value)
    if parsed is not None:
        assert parsed.tzinfo is UTC
        assert datetime(1971, 1, 1, tzinfo=UTC) <= parsed < datetime(2200, 1, 1, tzinfo=UTC)
        assert "0001" not in value.split() and "-5" not in value.split()
