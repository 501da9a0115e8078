"""Owner detection: the "me" card, sent mail, received mail, and no guess without a winner."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from outlook_networking.core.owner import OwnerGuess, OwnerTally, detect_owner
from outlook_networking.core.phrase import phrase
from outlook_networking.model import ContactCard, Flag, Interaction, Kind, Mailbox
from outlook_networking.sources import FileSource

AT = datetime(2025, 3, 3, tzinfo=UTC)


def _mail(
    n: int,
    sender: str,
    to: str = "someone@example.org",
    *,
    delivered: bool = True,
    folder: str = "",
    flags: frozenset[Flag] = frozenset(),
) -> Interaction:
    return Interaction(
        source="file",
        item_id=f"msg:{n}",
        kind=Kind.EMAIL,
        at=AT,
        sender=Mailbox(sender),
        to=(Mailbox(to),),
        delivered=delivered,
        folder=folder,
        flags=flags,
    )


def test_me_card_wins() -> None:
    card = ContactCard(
        "file", "vcf:me", "Ana Owner", ("ana@example.com", "ana@home.example"), is_me=True
    )
    mails = [_mail(n, "bob@example.com", delivered=False) for n in range(10)]
    guess = detect_owner(mails, [card])
    assert guess.addresses == ("ana@example.com", "ana@home.example")
    assert guess.evidence == phrase("owner_me_card", name="Ana Owner")


def test_dominant_sender_without_delivery_trace() -> None:
    mails = [_mail(n, "me@example.com", delivered=False) for n in range(6)]
    mails += [_mail(10, "other@example.com", delivered=False)]
    mails += [_mail(20 + n, "boss@example.com", to="me@example.com") for n in range(20)]
    guess = detect_owner(mails)
    assert guess.addresses == ("me@example.com",)
    assert guess.evidence == phrase("owner_undelivered", count=6, of=7)


def test_sent_folder_counts_every_alias() -> None:
    mails = [_mail(n, "me@work.example", folder="sent") for n in range(20)]
    mails += [_mail(30 + n, "me@home.example", folder="sent") for n in range(3)]
    assert detect_owner(mails).addresses == ("me@work.example", "me@home.example")


def test_received_mail_names_the_owner_when_nothing_else_does() -> None:
    mails = [_mail(n, f"p{n}@example.com", to="me@example.com") for n in range(8)]
    mails += [_mail(20, "x@example.com", to="y@example.com")]
    guess = detect_owner(mails)
    assert guess.addresses == ("me@example.com",)
    assert guess.evidence == phrase("owner_addressed", count=8, of=9)


def test_no_clear_winner_is_no_guess() -> None:
    mails = [_mail(n, "a@example.com", delivered=False) for n in range(4)]
    mails += [_mail(10 + n, "b@example.com", delivered=False) for n in range(3)]
    assert detect_owner(mails) == OwnerGuess()
    assert detect_owner([]) == OwnerGuess()


def test_noise_is_no_evidence() -> None:
    mails = [
        _mail(n, "news@example.com", delivered=False, flags=frozenset({Flag.BULK}))
        for n in range(10)
    ]
    assert detect_owner(mails) == OwnerGuess()


def test_tally_fed_batch_by_batch_matches_one_pass() -> None:
    mails = [_mail(n, "me@example.com", delivered=False) for n in range(5)]
    tally = OwnerTally()
    tally.feed(mails[:2])
    tally.feed(mails[2:])
    assert tally.guess() == detect_owner(mails)


def test_list_mail_is_no_evidence_of_the_recipient() -> None:
    mails = [
        _mail(n, f"p{n}@example.com", to="list@lists.example", flags=frozenset({Flag.LIST}))
        for n in range(20)
    ]
    mails += [_mail(30 + n, "shop@example.com", to="me@example.com") for n in range(6)]
    assert detect_owner(mails).addresses == ("me@example.com",)


def test_corpus_owner(corpus_mbox: Path) -> None:
    tally = OwnerTally()
    for batch in FileSource([corpus_mbox]).read({}):
        tally.feed(batch.interactions)
    # The 2002 inbox's owner (anonymised as yyyy@...); his other aliases get less mail.
    assert tally.guess() == OwnerGuess(
        ("yyyy@spamassassin.taint.org",), phrase("owner_addressed", count=727, of=1805)
    )
