"""Information passed on: forwards both ways, and the forwards that must not count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outlook_networking.core.identity import ListAddresses
from outlook_networking.core.ledger import ItemKind, LedgerSettings
from outlook_networking.model import Flag

from .mailbox import ME, ago, kinds, ledger_of, mail

ANNA = "anna@alpha.example"
BEN = "ben@beta.example"


@pytest.mark.parametrize(
    "subject",
    [
        "Fwd: Study",
        "FW: Study",
        "WG: Studie",
        "TR: Étude",
        "RV: Estudio",
        "VS: Studie",
        "Doorst: Studie",
        "fwd: lower case",
        "[EXT] WG: tagged",
        "Fw : spaced",
    ],
)
def test_the_owner_forwarding_to_a_contact_is_information_given(subject: str) -> None:
    ledger = ledger_of(mail(ME, ANNA, ago(5), subject=subject))
    assert kinds(ledger) == [("forward_sent", ANNA)]
    assert ledger.balance(ANNA).given_count == 1


@pytest.mark.parametrize("subject", ["Re: Fwd: Study", "AW: WG: Studie", "Forward planning"])
def test_replies_to_forwards_and_look_alikes_are_no_forward(subject: str) -> None:
    assert kinds(ledger_of(mail(ME, ANNA, ago(5), subject=subject))) == []


def test_each_person_a_forward_goes_to_gets_an_item() -> None:
    ledger = ledger_of(
        mail(ME, ANNA, ago(5), cc=[BEN], bcc=["carl@gamma.example"], subject="Fwd: Paper")
    )
    assert sorted(c for _, c in kinds(ledger)) == [ANNA, BEN, "carl@gamma.example"]


def test_a_contact_forwarding_to_the_owner_is_information_received() -> None:
    ledger = ledger_of(mail(ANNA, ME, ago(3), subject="WG: Ausschreibung"))
    (item,) = ledger.items
    assert item.kind is ItemKind.FORWARD_RECEIVED and item.contact == ANNA
    assert ledger.balance(ANNA).received_count == 1


def test_an_automated_forward_does_not_count() -> None:
    flagged = mail(ANNA, ME, ago(3), subject="Fwd: Alert", flags=frozenset({Flag.AUTOMATED}))
    robot = mail("noreply@alpha.example", ME, ago(3), subject="Fwd: Your invoice")
    assert kinds(ledger_of(flagged, robot)) == []


def test_a_forward_to_a_crowd_is_a_broadcast() -> None:
    crowd = [f"p{i}@crowd.example" for i in range(6)]
    assert kinds(ledger_of(mail(ME, crowd, ago(3), subject="Fwd: Newsletter"))) == []
    assert kinds(ledger_of(mail(ANNA, [ME, *crowd], ago(3), subject="Fwd: Newsletter"))) == []


def test_a_forward_to_a_list_reaches_the_people_it_names_never_the_list() -> None:
    team = "team@lists.example"  # a list server's host: a list address (ListAddresses)
    not_a_person = ListAddresses().__contains__
    to_both = mail(ME, [team, ANNA], ago(3), subject="Fwd: Paper", flags=frozenset({Flag.LIST}))
    to_list = mail(ME, team, ago(2), subject="Fwd: Report", flags=frozenset({Flag.LIST}))
    assert kinds(ledger_of(to_both, to_list, excluded=not_a_person)) == [("forward_sent", ANNA)]
    # Someone else's forward that reached the owner only through the list is no interaction.
    theirs = mail(ANNA, team, ago(1), subject="Fwd: Study", flags=frozenset({Flag.LIST}))
    assert kinds(ledger_of(theirs, excluded=not_a_person)) == []


def test_forwarding_to_oneself_gives_nobody_anything() -> None:
    people = {"me@private.example": ME}
    to_self = mail(ME, "me@private.example", ago(3), subject="Fwd: Boarding pass")
    assert kinds(ledger_of(to_self, people=people)) == []


def test_the_forward_prefixes_are_configurable() -> None:
    finnish = LedgerSettings(forward_prefixes=("vl", "fwd"))
    assert kinds(ledger_of(mail(ME, ANNA, ago(3), subject="VS: Vastaus"), settings=finnish)) == []
    assert len(ledger_of(mail(ME, ANNA, ago(3), subject="VL: Juttu"), settings=finnish).items) == 1


def test_an_introduction_is_not_also_a_forward() -> None:
    intro = mail(ME, [ANNA, BEN], ago(3), subject="Fwd: Intro Anna <> Ben")
    assert {k for k, _ in kinds(ledger_of(intro))} == {"introduction_made"}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.from_regex(r"\w{1,6}", fullmatch=True), min_size=1, max_size=4),
    st.text(max_size=30).filter(lambda text: ":" not in text and "：" not in text),
)
def test_no_forward_prefix_matches_a_subject_without_a_colon(
    prefixes: list[str], subject: str
) -> None:
    """The pass skips the forward pattern for a subject with no colon: whatever prefixes the
    owner configures (words), the pattern needs one after them."""
    rules = LedgerSettings(forward_prefixes=tuple(prefixes))
    assert rules.forward_subject.match(subject) is None
    for prefix in prefixes:
        assert rules.forward_subject.match(f"{prefix}: {subject}") is not None
