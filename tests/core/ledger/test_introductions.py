"""Introductions the owner makes and receives, their outcomes, and what must not count."""

from __future__ import annotations

from outlook_networking.core.identity import ListAddresses
from outlook_networking.core.ledger import ItemKind, LedgerSettings, Outcome
from outlook_networking.model import Flag

from .mailbox import ME, ago, kinds, ledger_of, mail, meeting

ANNA = "anna@alpha.example"
BEN = "ben@beta.example"
CARL = "carl@gamma.example"
NINA = "nina@new.example"
XAVER = "xaver@friend.example"


def _known(*people: str) -> list:  # type: ignore[type-arg]
    """Earlier one-to-one mail with each person: the owner knows them, they not each other."""
    return [mail(p, ME, ago(400 + n), subject="Hello") for n, p in enumerate(people)]


def _made(ledger, contact):  # type: ignore[no-untyped-def]
    found = [
        i for i in ledger.items if i.kind is ItemKind.INTRODUCTION_MADE and i.contact == contact
    ]
    assert len(found) == 1, found
    return found[0]


def test_an_introduction_answered_by_them_gives_both_people_an_entry() -> None:
    intro = mail(ME, ANNA, ago(30), cc=[BEN], subject="Intro: Anna <> Ben")
    # Ben writes to Anna without the owner: the introduction took.
    follow = mail(BEN, ANNA, ago(28), subject="Coffee?")
    ledger = ledger_of(intro, follow)

    anna, ben = _made(ledger, ANNA), _made(ledger, BEN)
    assert anna.others == (BEN,) and ben.others == (ANNA,)
    assert anna.outcome is Outcome.ANSWERED and ben.outcome is Outcome.ANSWERED
    assert anna.outcome_at == ago(28)
    assert anna.id != ben.id
    assert ledger.balance(ANNA).given_count == 1


def test_a_reply_all_by_one_of_them_counts_as_answered() -> None:
    intro = mail(ME, [ANNA, BEN], ago(30), subject="Vorstellung")
    answer = mail(ANNA, [ME, BEN], ago(29), answers=intro)
    assert _made(ledger_of(intro, answer), BEN).outcome is Outcome.ANSWERED


def test_a_meeting_between_them_is_the_strongest_outcome() -> None:
    # No introduction subject: exactly two unconnected people the owner knows, at different
    # domains, on a new thread.
    intro = mail(ME, [ANNA, BEN], ago(60), subject="Carbon accounting")
    note = mail(ANNA, BEN, ago(55))
    call = meeting(BEN, [ANNA], ago(50))
    ledger = ledger_of(*_known(ANNA, BEN), intro, note, call)
    anna = _made(ledger, ANNA)
    assert anna.outcome is Outcome.MEETING
    assert anna.outcome_at == ago(50)
    assert anna.evidence == f"{call.source}:{call.item_id}"


def test_a_meeting_already_scheduled_after_now_counts() -> None:
    intro = mail(ME, [ANNA, BEN], ago(10), subject="Intro")
    call = meeting(ANNA, [BEN, ME], ago(-5))
    assert _made(ledger_of(intro, call), ANNA).outcome is Outcome.MEETING


def test_an_introduction_nobody_took_up_has_outcome_none() -> None:
    intro = mail(ME, [ANNA, BEN], ago(90), subject="Introduction Anna / Ben")
    # The owner chasing them is no evidence: only the two introduced people can make it take.
    chase = mail(ME, [ANNA, BEN], ago(60), subject="Re: Introduction Anna / Ben")
    ledger = ledger_of(intro, chase)
    assert _made(ledger, ANNA).outcome is Outcome.NONE
    assert _made(ledger, BEN).outcome is Outcome.NONE


def test_evidence_after_the_evidence_window_does_not_count() -> None:
    intro = mail(ME, [ANNA, BEN], ago(300), subject="Intro")
    late = mail(ANNA, BEN, ago(300 - 181))
    assert _made(ledger_of(intro, late), ANNA).outcome is Outcome.NONE
    wide = LedgerSettings(intro_evidence_days=200)
    assert _made(ledger_of(intro, late, settings=wide), ANNA).outcome is Outcome.ANSWERED


def test_three_people_with_a_subject_introduce_only_the_new_pairs() -> None:
    # Ben and Carl know each other already; the introduction brings Anna to both.
    known = mail(BEN, [CARL, ME], ago(100), subject="Project")
    intro = mail(ME, [ANNA, BEN, CARL], ago(20), subject="Kontakt: Anna")
    ledger = ledger_of(known, intro)
    assert sorted(_made(ledger, ANNA).others) == [BEN, CARL]
    assert _made(ledger, BEN).others == (ANNA,)
    assert _made(ledger, CARL).others == (ANNA,)


def test_people_who_already_appeared_together_are_no_introduction() -> None:
    together = mail(ANNA, [ME], ago(200), cc=[BEN], subject="Budget")
    intro = mail(ME, [ANNA, BEN], ago(20), subject="Intro: Anna <> Ben")
    assert kinds(ledger_of(together, intro)) == []


def test_people_who_met_in_a_small_meeting_already_know_each_other() -> None:
    call = meeting(CARL, [ANNA, BEN], ago(200))
    intro = mail(ME, [ANNA, BEN], ago(20), subject="Intro")
    assert kinds(ledger_of(call, intro)) == []


def test_an_all_hands_does_not_make_people_acquainted() -> None:
    crowd = [f"p{i}@crowd.example" for i in range(30)]
    all_hands = meeting(CARL, [ANNA, BEN, *crowd], ago(200))
    intro = mail(ME, [ANNA, BEN], ago(20), subject="Intro")
    assert {c for _, c in kinds(ledger_of(all_hands, intro))} == {ANNA, BEN}


def test_a_big_meeting_invite_is_no_introduction() -> None:
    people = [f"guest{i}@org{i}.example" for i in range(12)]
    invite = meeting(ME, people, ago(10))
    invite_mail = mail(ME, people, ago(11), subject="Invitation: Meet the partners")
    assert kinds(ledger_of(invite_mail, invite)) == []


def test_too_many_people_is_no_introduction_even_with_the_subject() -> None:
    five = [ANNA, BEN, CARL, NINA, "eve@epsilon.example"]
    assert kinds(ledger_of(mail(ME, five, ago(10), subject="Intro round"))) == []
    relaxed = LedgerSettings(intro_max_people=5)
    made = ledger_of(mail(ME, five, ago(10), subject="Intro round"), settings=relaxed)
    assert len(made.items) == 5


def test_on_a_list_only_the_people_named_can_be_introduced() -> None:
    team = "team@lists.example"  # a list server's host: a list address, never a person
    not_a_person = ListAddresses().__contains__
    listed = frozenset({Flag.LIST})
    # The list and one person are not two people to introduce.
    post = mail(ME, [team, ANNA], ago(10), subject="Intro", flags=listed)
    assert kinds(ledger_of(post, excluded=not_a_person)) == []
    # Someone else's list thread that did not name the owner is no interaction of the owner's.
    theirs = mail(CARL, [team, ANNA, BEN], ago(9), subject="Intro", flags=listed)
    assert kinds(ledger_of(theirs, excluded=not_a_person)) == []
    # The owner's own post is the owner's: naming two people, it introduces them.
    named = mail(ME, [team, ANNA, BEN], ago(8), subject="Intro", flags=listed)
    made = kinds(ledger_of(named, excluded=not_a_person))
    assert sorted(made) == [("introduction_made", ANNA), ("introduction_made", BEN)]


def test_automated_addresses_are_nobody() -> None:
    # One real person and a no-reply robot are not two people to introduce.
    message = mail(ME, [ANNA, "no-reply@beta.example"], ago(10), subject="Intro")
    assert kinds(ledger_of(message)) == []


def test_without_the_subject_two_colleagues_or_a_reply_are_no_introduction() -> None:
    colleagues = mail(ME, [ANNA, "amir@alpha.example"], ago(10), subject="Numbers")
    assert kinds(ledger_of(*_known(ANNA, "amir@alpha.example"), colleagues)) == []
    start = mail(XAVER, ME, ago(12), subject="Numbers")
    reply = mail(ME, [XAVER, BEN], ago(11), answers=start)
    assert kinds(ledger_of(*_known(BEN), start, reply)) == [("request_answered", XAVER)]
    # The same two colleagues with an introduction subject do count.
    titled = mail(ME, [ANNA, "amir@alpha.example"], ago(10), subject="Meet Amir")
    assert len(ledger_of(titled).items) == 2


def test_an_untitled_first_message_to_two_strangers_is_outreach() -> None:
    message = mail(ME, [ANNA, BEN], ago(10), subject="Carbon accounting")
    assert kinds(ledger_of(message)) == []
    assert kinds(ledger_of(_known(ANNA)[0], message)) == []


def test_meeting_in_a_subject_is_not_meet() -> None:
    message = mail(ME, [ANNA, "amir@alpha.example"], ago(10), subject="Team meeting notes")
    assert kinds(ledger_of(message)) == []


def test_two_addresses_of_one_person_are_one_person() -> None:
    people = {"anna.private@mail.example": ANNA}
    together = mail("anna.private@mail.example", [ME, BEN], ago(100), subject="Hi")
    intro = mail(ME, [ANNA, BEN], ago(20), subject="Intro")
    assert kinds(ledger_of(together, intro, people=people)) == []
    # Without the resolution the private address is someone else, and the intro counts.
    assert len(ledger_of(together, intro).items) == 2


def test_an_introduction_received_credits_the_introducer() -> None:
    earlier = mail(XAVER, ME, ago(200), subject="Lunch")
    intro = mail(XAVER, [ME, NINA], ago(30), subject="Introduction: you / Nina")
    answer = mail(NINA, ME, ago(29), subject="Nice to meet you")
    ledger = ledger_of(earlier, intro, answer)
    (item,) = [i for i in ledger.items if i.kind is ItemKind.INTRODUCTION_RECEIVED]
    assert item.contact == XAVER
    assert item.others == (NINA,)
    assert item.outcome is Outcome.ANSWERED
    assert ledger.balance(XAVER).received_count == 1
    assert ledger.balance(NINA).received_count == 0


def test_an_introduction_received_that_led_to_a_meeting() -> None:
    intro = mail(XAVER, [ME], ago(30), cc=[NINA], subject="Vorstellung Nina")
    call = meeting(ME, [NINA], ago(20))
    (item,) = ledger_of(intro, call).items
    assert item.kind is ItemKind.INTRODUCTION_RECEIVED and item.outcome is Outcome.MEETING


def test_an_introduction_received_without_subject_needs_a_known_introducer() -> None:
    known = mail(XAVER, ME, ago(100), subject="Lunch")
    intro = mail(XAVER, [ME, NINA], ago(30), subject="Your question")
    assert [k for k, _ in kinds(ledger_of(known, intro))] == ["introduction_received"]
    # A stranger copying another stranger is cold outreach, not an introduction.
    assert kinds(ledger_of(intro)) == []


def test_no_introduction_received_to_someone_the_owner_knows() -> None:
    known = mail(NINA, ME, ago(100), subject="Hello")
    intro = mail(XAVER, [ME, NINA], ago(30), subject="Intro")
    assert kinds(ledger_of(known, intro)) == []


def test_an_introduction_received_nobody_followed_up_has_outcome_none() -> None:
    intro = mail(XAVER, [ME, NINA], ago(30), subject="Intro")
    (item,) = ledger_of(intro).items
    assert item.outcome is Outcome.NONE


def test_untitled_introductions_can_be_switched_off() -> None:
    strict = LedgerSettings(intro_require_subject=True)
    untitled = mail(ME, [ANNA, BEN], ago(10), subject="Carbon accounting")
    assert len(ledger_of(*_known(ANNA, BEN), untitled).items) == 2
    assert kinds(ledger_of(*_known(ANNA, BEN), untitled, settings=strict)) == []
    titled = mail(ME, [ANNA, BEN], ago(10), subject="Intro")
    assert len(ledger_of(titled, settings=strict).items) == 2
