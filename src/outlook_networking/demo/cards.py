"""The demo address book: vCard 3.0 cards for part of the cast, written with vobject.

The owner's own card is marked with the property `X-OUTLOOK-NETWORKING-ME:TRUE`. vCard has no
standard "this is me" marker (Apple keeps it outside the card, Outlook not at all), so an
extension property is the one convention that survives a round trip through any vCard tool;
ingesters treat a card carrying it as the mailbox owner's addresses.

One card lists two addresses of one person (work, typed WORK, and private, typed HOME); cards
carry CATEGORIES the way Outlook exports them (Mentor, Team, Partner, Kunde, ...). The alias
person and one of the namesakes get no card on purpose: identity resolution must work without.

Key dates: the mentor's birthday is :data:`BIRTHDAY_IN_DAYS` days after `now`, written without a
year (``BDAY:--MMDD``, RFC 6350's form); the first close colleague has a full birthday and
Outlook's ``X-MS-ANNIVERSARY``.

Exports: ``ME_PROPERTY``, ``BIRTHDAY_IN_DAYS``, ``COLLEAGUE_BIRTHDAY``, ``COLLEAGUE_ANNIVERSARY``,
``build_cards``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import vobject

from outlook_networking.demo.people import CLIENT_ORGS, OWNER, Cast, Person
from outlook_networking.demo.traffic import BERLIN

__all__ = [
    "BIRTHDAY_IN_DAYS",
    "COLLEAGUE_ANNIVERSARY",
    "COLLEAGUE_BIRTHDAY",
    "ME_PROPERTY",
    "build_cards",
]

ME_PROPERTY = "X-OUTLOOK-NETWORKING-ME"
BIRTHDAY_IN_DAYS = 2
COLLEAGUE_BIRTHDAY = "19850614"
COLLEAGUE_ANNIVERSARY = "20110909"


def _card(person: Person, categories: list[str], *, me: bool = False,
          dates: dict[str, str] | None = None) -> str:
    card = vobject.vCard()
    first, _, last = person.name.partition(" ")
    card.add("n").value = vobject.vcard.Name(family=last, given=first)
    card.add("fn").value = person.name
    for address, kind in ((person.address, "WORK"), (person.alt_address, "HOME")):
        if address and (kind == "WORK" or person.role == "two_address"):
            email = card.add("email")
            email.value = address
            email.type_paramlist = ["INTERNET", kind]
    if person.org and person.org.name:
        card.add("org").value = [person.org.name]
    if categories:
        card.add("categories").value = categories
    if me:
        card.add(ME_PROPERTY.lower()).value = "TRUE"
    for name, value in (dates or {}).items():
        card.add(name).value = value
    return str(card.serialize())


def _category(person: Person) -> str:
    if person.org and person.org.domain == OWNER.address.split("@")[1]:
        return "Kollegen"
    return "Kunde" if person.org in CLIENT_ORGS else "Partner"


def build_cards(cast: Cast, now: datetime) -> tuple[bytes, int]:
    """All cards as one UTF-8 .vcf file, and how many cards it holds."""
    birthday = (now.astimezone(BERLIN) + timedelta(days=BIRTHDAY_IN_DAYS)).date()
    dates = {
        cast.mentor.address: {"bday": f"--{birthday:%m%d}"},
        cast.close[0].address: {"bday": COLLEAGUE_BIRTHDAY,
                                "x-ms-anniversary": COLLEAGUE_ANNIVERSARY},
    }
    entries: list[tuple[Person, list[str]]] = [(cast.mentor, ["Mentor"])]
    entries += [(p, ["Team"]) for p in cast.close]
    entries += [(p, ["Kollegen"]) for p in cast.internal]
    entries += [(p, ["Partner"]) for p in cast.partners]
    entries += [(cast.fading, ["Kunde"]), (cast.non_answerer, ["Akquise"]),
                (cast.awaiting, ["Kunde"]), (cast.giver, ["Experten"]),
                (cast.two_address, ["Freunde", "Partner"]), (cast.namesakes[0], ["Kunde"])]
    entries += [(p, ["Kunde"] if p.org and p.org.domain != "example.com" else [])
                for p in cast.owed]
    entries += [(p, [_category(p)]) for p in cast.long_tail[::3]]
    texts = [_card(OWNER, [], me=True)]
    texts += [_card(person, categories, dates=dates.get(person.address))
              for person, categories in entries]
    return "".join(texts).encode("utf-8"), len(texts)
