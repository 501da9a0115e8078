"""vCards of the demo network, read back with vobject as an address book would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import vobject
from hypothesis import given
from hypothesis import strategies as st

from outlook_networking.core.network import Network
from outlook_networking.export import ALL_CARDS, safe_file_stem, vcard_files, vcard_text
from outlook_networking.i18n import Wording
from outlook_networking.model import ContactCard, Note
from outlook_networking.sources.vcards import load_vcards

NAMES = {"A": "Network A", "B": "Network B", "C": "Network C", "D": "Network D"}


def test_one_card_per_contact_plus_all(network: Network) -> None:
    files = vcard_files(network.contacts, NAMES)
    assert len(files) == len(network.contacts) + 1
    assert ALL_CARDS in files
    for name, text in files.items():
        if name == ALL_CARDS:
            continue
        # Outlook imports only the first card of a file: exactly one per file.
        assert text.count("BEGIN:VCARD") == 1, name
    combined = list(vobject.readComponents(files[ALL_CARDS]))
    assert len(combined) == len(network.contacts)


def test_cards_read_back_with_name_addresses_org_and_tier(network: Network) -> None:
    files = vcard_files(network.contacts, NAMES)
    by_fn = {}
    for name, text in files.items():
        if name != ALL_CARDS:
            card = vobject.readOne(text)
            by_fn[card.uid.value] = card
    assert len(by_fn) == len(network.contacts)  # UIDs are unique
    seen_org = seen_multi = False
    for view in network.contacts:
        card = next(c for c in by_fn.values() if c.email.value == view.address)
        assert card.version.value == "3.0"
        assert card.fn.value == (view.name or view.address)
        assert [e.value for e in card.email_list] == [
            view.address,
            *(a for a in view.addresses if a != view.address),
        ]
        assert card.categories.value == [NAMES[view.tier.tier]]
        if view.name and " " in view.name:
            assert card.n.value.family == view.name.split()[-1]
        if view.organisation:
            assert card.org.value == [view.organisation]
            seen_org = True
        seen_multi |= len(view.addresses) > 1
    assert seen_org and seen_multi  # the demo has both, so both were checked


def test_configured_category_names_are_used(network: Network) -> None:
    view = network.contacts[0]
    card = vobject.readOne(vcard_text(view, {view.tier.tier: "Netzwerk " + view.tier.tier}))
    assert card.categories.value == ["Netzwerk " + view.tier.tier]


def test_the_same_network_gives_the_same_files(network: Network) -> None:
    assert vcard_files(network.contacts, NAMES) == vcard_files(network.contacts, NAMES)


def test_dangerous_names_stay_inside_the_folder(tmp_path: Path) -> None:
    for text in ("../../etc/passwd", "..", "/abs/path", "C:\\Windows\\x", "con", "NUL.txt", ""):
        stem = safe_file_stem(text)
        target = (tmp_path / f"{stem}.vcf").resolve()
        assert target.parent == tmp_path.resolve(), text
        assert stem and not stem.startswith(".")
        assert stem.split(".")[0] not in {"con", "nul"}


@given(st.text(max_size=200))
def test_any_text_gives_a_plain_short_stem(text: str) -> None:
    stem = safe_file_stem(text)
    assert 0 < len(stem) <= 60
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789.-_" for c in stem)
    assert not stem.startswith((".", "-")) and ".." not in stem


def test_names_that_collide_get_numbers_and_never_replace_all(network: Network) -> None:
    view = network.contacts[0]
    twin = view.__class__(
        person=view.person.__class__(
            key="other@example.org", addresses=("other@example.org",), name=view.name,
            organisation="",
        ),
        history=view.history,
        strength=view.strength,
        tier=view.tier,
        role="",
        followups=(),
    )
    called_all = view.__class__(
        person=view.person.__class__(
            key="all@example.org", addresses=("all@example.org",), name="ALL", organisation=""
        ),
        history=view.history,
        strength=view.strength,
        tier=view.tier,
        role="",
        followups=(),
    )
    files = vcard_files([view, twin, called_all], NAMES)
    stem = safe_file_stem(view.name)
    assert {f"{stem}.vcf", f"{stem}-2.vcf", "all-2.vcf", ALL_CARDS} == set(files)
    assert len(list(vobject.readComponents(files[ALL_CARDS]))) == 3


def test_key_dates_and_the_owners_notes_go_into_the_card(network: Network, tmp_path: Path) -> None:
    with_dates = [v for v in network.contacts if v.key_dates]
    yearless = next(v for v in with_dates if v.key_dates[0].year is None)  # the mentor
    full = next(v for v in with_dates if len(v.key_dates) == 2)  # birthday and anniversary
    notes = [Note(1, yearless.address, datetime(2026, 11, 20, tzinfo=UTC),
                  'Prefers "Björn".\nTwo kids; <b>not</b> markup')]  # fmt: skip
    card = vobject.readOne(vcard_text(yearless, NAMES, notes))
    kd = yearless.key_dates[0]
    assert card.bday.value == f"1604-{kd.month:02d}-{kd.day:02d}"
    assert card.bday.params["X-APPLE-OMIT-YEAR"] == ["1604"]
    summary = Wording("en").summary(yearless.tier.tier, yearless.reasons)
    assert card.note.value == (
        f"{summary}\n\n2026-11-20: Prefers \"Björn\".\nTwo kids; <b>not</b> markup"
    )
    born, married = full.key_dates
    other = vobject.readOne(vcard_text(full, NAMES))
    assert other.bday.value == f"{born.year:04d}-{born.month:02d}-{born.day:02d}"
    assert other.contents["x-ms-anniversary"][0].value == (
        f"{married.year:04d}{married.month:02d}{married.day:02d}"
    )
    # The product's own reader takes them back as they were: 1604 is "no year".
    path = tmp_path / "cards.vcf"
    path.write_text(vcard_text(yearless, NAMES) + vcard_text(full, NAMES), encoding="utf-8")
    read = [r for r in load_vcards(path).records() if isinstance(r, ContactCard)]
    assert [c.key_dates for c in read] == [yearless.key_dates, full.key_dates]
