"""Damaged calendar and contact files: an InputError for the whole file or problems, no crash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outlook_networking.errors import InputError
from outlook_networking.model import ContactCard, Interaction
from outlook_networking.ports import Problem
from outlook_networking.sources.calendar import load_calendar
from outlook_networking.sources.vcards import load_vcards

DATA = Path(__file__).parent / "data"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
ICS = (DATA / "windows-zones.ics").read_bytes()
VCF = (DATA / "mixed.vcf").read_bytes()
_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _damage(data: bytes, cut: int, noise: bytes, drop: int) -> bytes:
    cut %= len(data) + 1
    return data[:cut] + noise + data[cut + drop :]


@given(st.integers(min_value=0), st.binary(max_size=40), st.integers(min_value=0, max_value=60))
@_SETTINGS
def test_damaged_calendar(tmp_path: Path, cut: int, noise: bytes, drop: int) -> None:
    path = tmp_path / "damaged.ics"
    path.write_bytes(_damage(ICS, cut, noise, drop))
    try:
        calendar = load_calendar(path)
    except InputError:
        return
    for record in calendar.records(NOW):
        assert isinstance(record, (Interaction, Problem))
        if isinstance(record, Interaction):
            assert record.at.tzinfo is UTC


@given(st.integers(min_value=0), st.binary(max_size=40), st.integers(min_value=0, max_value=60))
@_SETTINGS
def test_damaged_vcards(tmp_path: Path, cut: int, noise: bytes, drop: int) -> None:
    path = tmp_path / "damaged.vcf"
    path.write_bytes(_damage(VCF, cut, noise, drop))
    try:
        cards = load_vcards(path)
    except InputError:
        return
    for record in cards.records():
        assert isinstance(record, (ContactCard, Problem))


def test_vcard_without_end_still_reads_the_others(tmp_path: Path) -> None:
    path = tmp_path / "cut.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:First\r\nEMAIL:first@example.com\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Second\r\nEMAIL:second@example.com\r\nEND:VCARD\r\n"
    )
    records = list(load_vcards(path).records())
    assert [type(r) for r in records] == [Problem, ContactCard]
    assert isinstance(records[1], ContactCard) and records[1].full_name == "Second"
