"""Contact cards from .vcf files: Outlook's vCard 2.1, Windows-1252, 3.0/4.0, broken cards."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from outlook_networking.model import ContactCard, KeyDate
from outlook_networking.ports import Problem
from outlook_networking.problems import problem
from outlook_networking.sources.vcards import load_vcards

DATA = Path(__file__).parent / "data"


def _read(path: Path) -> tuple[list[ContactCard], list[Problem]]:
    cards: list[ContactCard] = []
    problems: list[Problem] = []
    for record in load_vcards(path).records():
        (cards if isinstance(record, ContactCard) else problems).append(record)
    return cards, problems


def test_outlook_2007_export(outlook_fixtures: Path) -> None:
    cards, problems = _read(outlook_fixtures / "mangstadt_ez-vcard__outlook-2007.vcf")
    assert problems == []
    (card,) = cards
    assert card.full_name == "Mr. Michael Angstadt Jr."
    assert card.addresses == ("mike.angstadt@gmail.com",)
    assert card.organisation == "TheCompany"
    assert card.names == ("Michael Angstadt", "Mike")
    assert not card.is_me
    assert card.item_id.startswith("vcf:sha:")


def test_outlook_card_with_quoted_printable_label_and_photo(outlook_fixtures: Path) -> None:
    cards, problems = _read(outlook_fixtures / "mangstadt_ez-vcard__John_Doe_MS_OUTLOOK.vcf")
    assert problems == []
    (card,) = cards
    assert card.full_name == "Mr. John Richter James Doe Sr."
    assert card.addresses == ("john.doe@ibm.cm",)
    assert card.organisation == "IBM"
    assert card.names == ("John Doe", "Johny")


def test_windows_1252_file(outlook_fixtures: Path) -> None:
    cards, problems = _read(outlook_fixtures / "FolkerKinzel_VCards__LabelTest1.vcf")
    assert problems == []
    (card,) = cards
    assert card.full_name == "Rudi Wimmel"
    assert card.addresses == ("wimmel@wurstdarm.de",)
    assert card.organisation == "Wurstdarm KG"


def test_mixed_versions_me_card_and_a_broken_card() -> None:
    cards, problems = _read(DATA / "mixed.vcf")
    assert [(p.where, p.reason.code) for p in problems] == [("mixed.vcf #2", "broken_vcard")]
    by_name = {c.full_name: c for c in cards}
    assert set(by_name) == {"Jürgen Müller", "Ana Owner", "Jane Doe"}
    juergen = by_name["Jürgen Müller"]  # quoted-printable in Windows-1252
    assert juergen.addresses == ("juergen.mueller@example.de", "jm@privat.example")
    assert juergen.organisation == "Müller & Söhne GmbH"
    assert juergen.categories == ("Kunde", "VIP")
    me = by_name["Ana Owner"]
    assert me.is_me and me.item_id == "vcf:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert by_name["Jane Doe"].addresses == ("jane@one.example", "jane@two.example")
    assert by_name["Jane Doe"].names == ("JD",)
    assert not by_name["Jane Doe"].is_me


def test_utf16_export(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ünal\r\nEMAIL:zoe@example.com\r\nEND:VCARD\r\n"
    path = tmp_path / "contacts.vcf"
    path.write_bytes(text.encode("utf-16"))
    cards, problems = _read(path)
    assert problems == []
    assert [(c.full_name, c.addresses) for c in cards] == [("Zoë Ünal", ("zoe@example.com",))]


def _raw_dates(path: Path) -> dict[str, date]:
    """The BDAY and anniversary lines of a file, read with the standard library alone."""
    found: dict[str, date] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        name, _, value = line.partition(":")
        kind = {"BDAY": "birthday", "X-MS-ANNIVERSARY": "anniversary"}.get(name.upper())
        if kind and re.fullmatch(r"\d{8}", value.strip()):
            found[kind] = datetime.strptime(value.strip(), "%Y%m%d").date()
    return found


def test_key_dates_of_the_real_outlook_vcards(outlook_fixtures: Path) -> None:
    """Every .vcf fixture: the two Outlook exports carry BDAY and X-MS-ANNIVERSARY, the other
    carries none; each card's key dates are exactly the file's."""
    files = sorted(outlook_fixtures.glob("*.vcf"))
    with_dates = 0
    for path in files:
        expected = _raw_dates(path)
        cards, problems = _read(path)
        assert problems == [], path.name
        (card,) = cards
        got = {k.kind: date(k.year or 1, k.month, k.day) for k in card.key_dates}
        assert got == expected, path.name
        with_dates += bool(expected)
    assert len(files) == 3 and with_dates == 2


def test_partial_and_broken_key_dates(tmp_path: Path) -> None:
    path = tmp_path / "dates.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\nEMAIL:ann@example.org\r\nBDAY:--0229\r\n"
        "ANNIVERSARY:2011-01-13\r\nX-MS-ANNIVERSARY:20000101\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nEMAIL:bob@example.org\r\nBDAY:sometime\r\n"
        "X-ANNIVERSARY:--0704\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    cards, problems = _read(path)
    ann, bob = cards
    # ANNIVERSARY wins over Outlook's own property when both are there.
    assert ann.key_dates == (KeyDate("birthday", 2, 29), KeyDate("anniversary", 1, 13, 2011))
    assert bob.key_dates == (KeyDate("anniversary", 7, 4),)
    assert [(p.where, p.reason) for p in problems] == [
        ("dates.vcf #2", problem("not_a_day", name="BDAY", value="sometime"))
    ]
