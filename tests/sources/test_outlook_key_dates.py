"""Birthdays and anniversaries of Outlook contacts (.pst, .msg): PidTagBirthday and
PidTagWeddingAnniversary, one mapping for both readers.

No fixture in ../shared carries either property (the contacts of 32-bit.pst, dist-list.pst and
the contact .msg files were checked), so the mapping is tested on items built here, and the
real contacts are checked to come out without key dates rather than with wrong ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outlook_networking.model import ContactCard, KeyDate
from outlook_networking.sources import mapi
from outlook_networking.sources.msg import msg_records
from outlook_networking.sources.outlook import Context, records

NOW = datetime(2026, 11, 27, tzinfo=UTC)


@dataclass
class Item:
    """A contact as a reader offers it (:class:`mapi.Item`)."""

    props: Mapping[int, mapi.Value]
    named_props: Mapping[mapi.Named, mapi.Value] = field(default_factory=dict)

    def get(self, prop: int) -> mapi.Value:
        return self.props.get(prop)

    def named(self, prop: mapi.Named) -> mapi.Value:
        return self.named_props.get(prop)

    def recipients(self) -> Sequence[Item]:
        return ()


def _card(**props: mapi.Value) -> ContactCard:
    item = Item(
        {
            mapi.MESSAGE_CLASS: "IPM.Contact",
            mapi.DISPLAY_NAME: "Ann Example",
            **{
                {"birthday": mapi.BIRTHDAY, "anniversary": mapi.WEDDING_ANNIVERSARY}[k]: v
                for k, v in props.items()
            },
        },
        {mapi.EMAIL_SLOTS[0][1]: "ann@example.org"},
    )
    (card,) = records(item, Context("file", "contacts.pst: Contacts #1", now=NOW))
    assert isinstance(card, ContactCard)
    return card


def test_birthday_and_anniversary_are_the_days_entered() -> None:
    card = _card(
        birthday=datetime(1958, 3, 21, 23, 0, tzinfo=UTC),  # 22 March in Berlin, before 1971
        anniversary=datetime(2011, 1, 13, 11, 59, tzinfo=UTC),
    )
    assert card.addresses == ("ann@example.org",)
    assert card.key_dates == (KeyDate("birthday", 3, 22, 1958), KeyDate("anniversary", 1, 13, 2011))


@pytest.mark.parametrize(
    "value",
    [datetime(4501, 1, 1, tzinfo=UTC), "1980-03-22", b"\x00" * 8, None],  # "no time", wrong types
)
def test_no_birthday_when_the_property_says_none(value: mapi.Value) -> None:
    assert _card(birthday=value).key_dates == ()


def test_a_birthday_without_a_year_keeps_the_day() -> None:
    # Outlook for Mac and ActiveSync write 1604 when the year is unknown.
    assert _card(birthday=datetime(1604, 4, 14, 22, tzinfo=UTC)).key_dates == (
        KeyDate("birthday", 4, 15),
    )


def test_real_contact_messages_have_no_key_dates(shared_dir: Path) -> None:
    folder = shared_dir / "fixtures" / "outlook-msg"
    cards = [
        r
        for name in ("hughbe__Sample_Contact.msg", "aquasync__ruby_msg__contact-plain.msg",
                     "aspose_email__Aspose_Email_for_Java__Bertha_A._Buell.msg")
        for r in msg_records(folder / name, source="file", where=name, now=NOW)
        if isinstance(r, ContactCard)
    ]  # fmt: skip
    assert len(cards) == 3
    assert all(c.key_dates == () for c in cards)
