"""Requests answered: help given in time by the owner, and answers the owner received."""

from __future__ import annotations

from outlook_networking.core.ledger import ItemKind, LedgerSettings
from outlook_networking.model import Flag

from .mailbox import ME, ago, kinds, ledger_of, mail

ANNA = "anna@alpha.example"
BEN = "ben@beta.example"


def test_a_request_the_owner_answered_in_time_is_help_given() -> None:
    ask = mail(ANNA, ME, ago(10), subject="Could you review this?")
    answer = mail(ME, ANNA, ago(10, hours=-3), answers=ask)
    ledger = ledger_of(ask, answer)
    (item,) = ledger.items
    assert item.kind is ItemKind.REQUEST_ANSWERED and item.contact == ANNA
    assert item.latency_s == 3 * 3600
    assert item.at == answer.at
    assert item.messages == (f"file:{ask.item_id}", f"file:{answer.item_id}")


def test_an_answer_after_the_response_target_is_not_help_given_in_time() -> None:
    ask = mail(ANNA, ME, ago(10), subject="Question")
    late = mail(ME, ANNA, ago(7), answers=ask)
    assert kinds(ledger_of(ask, late)) == []
    patient = LedgerSettings(reply_within_h=96)
    assert kinds(ledger_of(ask, late, settings=patient)) == [("request_answered", ANNA)]


def test_the_owners_request_answered_by_a_contact_is_help_received() -> None:
    ask = mail(ME, BEN, ago(20), subject="Do you know someone at Contoso?")
    answer = mail(BEN, ME, ago(12), answers=ask)
    ledger = ledger_of(ask, answer)
    assert kinds(ledger) == [("answer_received", BEN)]
    assert ledger.balance(BEN).received_count == 1


def test_one_item_per_request_and_answerer() -> None:
    # (Two people at one domain: never an untitled introduction.)
    amir = "amir@alpha.example"
    ask = mail(ME, [ANNA, amir], ago(20), subject="Venue ideas?")
    first = mail(ANNA, ME, ago(19), answers=ask)
    again = mail(ANNA, ME, ago(18), answers=ask)
    other = mail(amir, ME, ago(18), answers=ask)
    assert sorted(kinds(ledger_of(ask, first, again, other))) == [
        ("answer_received", amir),
        ("answer_received", ANNA),
    ]
    inbound = mail(ANNA, ME, ago(5), subject="Quick one")
    one = mail(ME, ANNA, ago(5, hours=-1), answers=inbound)
    two = mail(ME, ANNA, ago(5, hours=-2), answers=inbound)
    assert kinds(ledger_of(inbound, one, two)) == [("request_answered", ANNA)]


def test_circulars_copies_and_automatic_replies_are_no_requests() -> None:
    circular = mail(ANNA, [ME, "b@x.example", "c@x.example", "d@x.example"], ago(5))
    answer = mail(ME, ANNA, ago(5, hours=-1), answers=circular)
    assert kinds(ledger_of(circular, answer)) == []
    copied = mail(ANNA, BEN, ago(5), cc=[ME])
    answer = mail(ME, ANNA, ago(5, hours=-1), answers=copied)
    assert kinds(ledger_of(copied, answer)) == []
    ask = mail(ME, BEN, ago(5), subject="Question")
    away = mail(BEN, ME, ago(5, hours=-1), subject="Automatic reply: Question")
    away = away.__class__(**{**_fields(away), "in_reply_to": ask.message_id})
    assert kinds(ledger_of(ask, away)) == []


def test_only_messages_that_start_a_thread_are_requests() -> None:
    ask = mail(ANNA, ME, ago(10), subject="Question")
    answer = mail(ME, ANNA, ago(10, hours=-1), answers=ask)
    thanks = mail(ANNA, ME, ago(9), answers=answer)
    ok = mail(ME, ANNA, ago(9, hours=-1), answers=thanks)
    assert kinds(ledger_of(ask, answer, thanks, ok)) == [("request_answered", ANNA)]


def test_noise_is_no_request() -> None:
    news = mail(ANNA, ME, ago(10), subject="Digest", flags=frozenset({Flag.BULK}))
    answer = mail(ME, ANNA, ago(10, hours=-1), answers=news)
    assert kinds(ledger_of(news, answer)) == []


def _fields(item: object) -> dict[str, object]:
    return {name: getattr(item, name) for name in item.__slots__}  # type: ignore[attr-defined]
