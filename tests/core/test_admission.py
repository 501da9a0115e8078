"""Who becomes a contact: people the owner reached, cards, and recent direct senders only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from outlook_networking.core.network import analyse
from outlook_networking.core.settings import Settings
from outlook_networking.model import ContactCard, Interaction, Mailbox

from .builders import ME, NOW, OWNER, ago, mail, meeting


def _contacts(items: list[Interaction], cards: tuple[ContactCard, ...] = ()) -> set[str]:
    network = analyse(items, cards, owner=OWNER, settings=Settings(), now=NOW)
    return {c.address for c in network.contacts}


def test_a_one_way_sender_from_long_ago_is_no_contact() -> None:
    cold = mail("seller@cold.example", ME, ago(days=200), subject="Great offer")
    assert _contacts([cold]) == set()


def test_a_recent_direct_sender_is_a_contact_so_the_owed_reply_shows() -> None:
    recent = mail("new.client@acme.example", ME, ago(days=4), subject="Project?")
    network = analyse([recent], (), owner=OWNER, settings=Settings(), now=NOW)
    assert [c.address for c in network.contacts] == ["new.client@acme.example"]
    assert "owed_reply" in {f.kind for f in network.followups}
    later = analyse([recent], (), owner=OWNER, settings=Settings(), now=NOW + timedelta(days=90))
    assert later.contacts == ()


def test_reaching_out_meeting_or_a_card_makes_a_contact() -> None:
    items = [
        mail("old@cold.example", ME, ago(days=300)),
        mail(ME, "old@cold.example", ago(days=290), subject="Re: Hello"),
        meeting("host@partner.example", [ME, "guest@partner.example"], ago(days=100)),
        mail("carded@friend.example", ME, ago(days=400)),
    ]
    card = ContactCard("file", "c1", "Carla Carded", ("carded@friend.example",))
    assert _contacts(items, (card,)) == {
        "old@cold.example",
        "host@partner.example",
        "guest@partner.example",
        "carded@friend.example",
    }


def test_a_second_address_of_a_reached_person_comes_along() -> None:
    to_jane = mail(ME, "jane.doe@acme.example", ago(days=30))
    from_jane = mail("jdoe@acme.example", ME, ago(days=300))
    items = [
        replace(to_jane, to=(Mailbox("jane.doe@acme.example", "Jane Doe"),)),
        replace(from_jane, sender=Mailbox("jdoe@acme.example", "Doe, Jane")),
    ]
    network = analyse(items, (), owner=OWNER, settings=Settings(), now=NOW)
    (jane,) = network.contacts
    assert set(jane.addresses) == {"jane.doe@acme.example", "jdoe@acme.example"}
