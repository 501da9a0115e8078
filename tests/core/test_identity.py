"""Identity: addresses grouped into persons on evidence only, with reasons; overrides win."""

from __future__ import annotations

from outlook_networking.core.identity import (
    collect_address_stats,
    name_key,
    resolve_identities,
)
from outlook_networking.core.phrase import phrase
from outlook_networking.core.settings import Settings
from outlook_networking.model import ContactCard, Flag, Interaction, Mailbox

from .builders import ME, OWNER, ago, mail


def named(sender: str, name: str, days: float) -> Interaction:
    item = mail(sender, ME, ago(days=days))
    return Interaction(**{**_fields(item), "sender": Mailbox(sender, name)})


def _fields(item: Interaction) -> dict[str, object]:
    return {f: getattr(item, f) for f in item.__dataclass_fields__}


def resolve(items, cards=(), overrides=None, settings=None):  # type: ignore[no-untyped-def]
    stats = collect_address_stats(items, OWNER)
    return resolve_identities(
        stats, cards, owner=OWNER, settings=settings or Settings(), overrides=overrides
    )


def test_name_key_handles_last_first_and_case() -> None:
    assert name_key("Doe, John") == name_key("john  DOE") == "john doe"
    assert name_key("'Jane Doe'") == "jane doe"
    assert name_key("jane@doe.com") == ""


def test_card_with_several_addresses_is_one_person_with_a_reason() -> None:
    items = [named("jd@acme.com", "J D", 3), named("john@home.example", "Johnny", 2)]
    card = ContactCard("file", "c1", "John Doe", ("jd@acme.com", "john@home.example"), "ACME")
    ids = resolve(items, [card])
    person = ids.find("john@home.example")
    assert person is not None and person is ids.find("jd@acme.com")
    assert set(person.addresses) == {"jd@acme.com", "john@home.example"}
    assert person.name == "John Doe" and person.organisation == "ACME"
    assert phrase(
        "merged_one_card", address="jd@acme.com", other="john@home.example", name="John Doe"
    ) in person.merged_because


def test_same_name_same_organisation_merges_but_different_names_never() -> None:
    items = [
        named("john.doe@acme.com", "John Doe", 5),
        named("jdoe@acme.com", "Doe, John", 4),
        named("jane.doe@acme.com", "Jane Doe", 3),
        named("john.doe@gmail.com", "John Doe", 2),  # freemail: no organisation to share
        named("john.doe@other.com", "John Doe", 1),  # another organisation
    ]
    ids = resolve(items)
    john = ids.find("john.doe@acme.com")
    assert john is not None and set(john.addresses) == {"john.doe@acme.com", "jdoe@acme.com"}
    assert [(p.code, p["organisation"]) for p in john.merged_because] == [
        ("merged_same_name", "acme.com")
    ]
    for other in ("jane.doe@acme.com", "john.doe@gmail.com", "john.doe@other.com"):
        person = ids.find(other)
        assert person is not None and person.addresses == (other,)


def test_single_word_names_are_not_enough_to_merge() -> None:
    ids = resolve([named("a@acme.com", "Support", 2), named("b@acme.com", "Support", 1)])
    assert ids.person_of["a@acme.com"] != ids.person_of["b@acme.com"]


def test_user_overrides_split_and_merge() -> None:
    items = [
        named("john.doe@acme.com", "John Doe", 5),
        named("jdoe@acme.com", "John Doe", 4),
        named("jd@private.example", "JD", 3),
    ]
    ids = resolve(
        items,
        overrides={
            "jdoe@acme.com": ("", "a different John Doe"),
            "jd@private.example": ("john.doe@acme.com", "his private address"),
        },
    )
    john = ids.find("john.doe@acme.com")
    assert john is not None
    assert set(john.addresses) == {"john.doe@acme.com", "jd@private.example"}
    assert phrase(
        "merged_by_you",
        address="jd@private.example",
        other="john.doe@acme.com",
        note="his private address",
    ) in john.merged_because
    assert ids.person_of["jdoe@acme.com"] == "jdoe@acme.com"


def test_owner_noise_lists_automated_and_exclusions_are_never_contacts() -> None:
    items = [
        mail("news@shop.example", ME, ago(days=3), flags=frozenset({Flag.BULK})),
        mail(
            "poster@x.org",
            "dev@lists.x.org",
            ago(days=3),
            flags=frozenset({Flag.LIST}),
            list_id="<dev.lists.x.org>",
        ),
        mail(ME, "dev@lists.x.org", ago(days=2)),  # the owner posting to the list
        mail("no-reply@service.example", ME, ago(days=2)),
        mail(ME, "boss@corp.example", ago(days=2)),
        mail(ME, "ann@acme.com", ago(days=1), cc=["me@example.com"]),
    ]
    ids = resolve(
        items,
        cards=[ContactCard("file", "me", "Me", (ME,), is_me=True)],
        settings=Settings(exclude_addresses=frozenset({"boss@corp.example"})),
    )
    assert set(ids.person_of) == {"ann@acme.com"}


def test_a_person_addressed_on_list_mail_is_not_taken_for_the_list() -> None:
    items = [
        mail(
            "poster@y.org",
            "bob@x.org",
            ago(days=3),
            cc=["dev@lists.x.org"],
            flags=frozenset({Flag.LIST}),
            list_id="Developers <dev.lists.x.org>",
        ),
        mail(ME, "dev@lists.x.org", ago(days=2)),
        mail(ME, "bob@x.org", ago(days=2)),
    ]
    ids = resolve(items)
    assert set(ids.person_of) == {"bob@x.org"}


def test_the_primary_address_is_stable_as_mail_grows() -> None:
    old = [named("john.doe@acme.com", "John Doe", 30)]
    more = [named("jdoe@acme.com", "John Doe", d) for d in (5, 4, 3, 2, 1)]
    assert resolve(old + more).person_of["jdoe@acme.com"] == "john.doe@acme.com"
    card = ContactCard("file", "c1", "John Doe", ("jdoe@acme.com", "john.doe@acme.com"))
    assert resolve(old + more, [card]).person_of["john.doe@acme.com"] == "jdoe@acme.com"


def test_mail_the_owner_takes_no_part_in_makes_no_contact() -> None:
    items = [
        mail("ann@acme.com", "bob@b.example", ago(days=3)),  # reached the owner by Bcc/forward
        mail("cy@c.example", ME, ago(days=2), cc=["di@d.example"]),
    ]
    assert set(resolve(items).person_of) == {"cy@c.example", "di@d.example"}
