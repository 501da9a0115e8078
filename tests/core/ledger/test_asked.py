"""An introduction the product proposed and the owner then received from that intermediary is
the one asked for: marked as proposed, and followed by "thank the introducer"."""

from __future__ import annotations

from outlook_networking.core.intro import asked_from, remember_proposals
from outlook_networking.core.ledger import Asked, ItemKind, build_ledger
from outlook_networking.core.phrase import phrase

from .mailbox import ME, NOW, OWNER, ago, mail

ANNA = "anna@alpha.example"  # the intermediary
TESS = "tess@globex.example"  # the target: the owner has seen her before


def _mailbox() -> list:  # type: ignore[type-arg]
    return [
        mail(ANNA, ME, ago(200), subject="Hello"),
        mail(ME, ANNA, ago(199), subject="Re: Hello"),
        # The owner saw Tess before, so a later mail naming her is no "new person" for the ledger.
        mail(TESS, ANNA, ago(100), cc=[ME], subject="Workshop"),
        # The owner gives Anna something (a forward): she is no one-sided giver.
        mail(ME, ANNA, ago(50), subject="Fwd: a study worth reading"),
        # Anna does what the owner asked: she writes to both of them.
        mail(ANNA, [ME, TESS], ago(10), subject="You two"),
    ]


def _received(asked: tuple[Asked, ...]) -> list:  # type: ignore[type-arg]
    ledger = build_ledger(_mailbox(), OWNER, now=NOW, asked=asked)
    return [i for i in ledger.items if i.kind is ItemKind.INTRODUCTION_RECEIVED], ledger


def test_without_asking_it_is_no_introduction() -> None:
    received, ledger = _received(())
    assert received == []
    assert ledger.followups == ()


def test_the_introduction_asked_for_is_marked_and_calls_for_thanks() -> None:
    received, ledger = _received((Asked(ANNA, TESS, ago(30)),))
    (item,) = received
    assert item.contact == ANNA and item.others == (TESS,) and item.proposed
    assert item.at == ago(10)
    # The owner gave Anna something before, yet the introduction they asked for calls for thanks.
    (followup,) = ledger.followups
    assert followup.key == f"thank_or_return:{ANNA}"
    assert followup.due == ago(3)  # thank_due_days after the introduction
    assert followup.reason == phrase("thank_for_asked", name="Anna", introduced=(TESS,))


def test_giving_back_afterwards_resolves_the_thanks() -> None:
    later = mail(ME, ANNA, ago(5), subject="Fwd: the slides you wanted")
    ledger = build_ledger([*_mailbox(), later], OWNER, now=NOW, asked=(Asked(ANNA, TESS, ago(30)),))
    assert any(i.proposed for i in ledger.items)
    assert ledger.followups == ()


def test_a_proposal_made_after_the_mail_or_for_someone_else_does_not_match() -> None:
    assert _received((Asked(ANNA, TESS, ago(5)),))[0] == []
    assert _received((Asked(ANNA, "zoe@globex.example", ago(30)),))[0] == []
    assert _received((Asked("bob@beta.example", TESS, ago(30)),))[0] == []


def test_one_introduction_per_asked_pair() -> None:
    again = mail(ANNA, [ME, TESS], ago(8), subject="Re: You two")
    ledger = build_ledger([*_mailbox(), again], OWNER, now=NOW, asked=(Asked(ANNA, TESS, ago(30)),))
    assert sum(i.proposed for i in ledger.items) == 1


def test_the_proposals_document_keeps_the_first_time_and_reads_back() -> None:
    from outlook_networking.core.intro import Introductions, Path, Target, TargetKind

    def result(at_days: float, *paths: tuple[str, ...]) -> Introductions:
        return Introductions(
            ago(at_days),
            Target("x", TargetKind.ORGANISATION, ()),
            tuple(Path(p[-1], p[:-1], (), 1.0, 1.0, "A") for p in paths),
        )

    doc = remember_proposals(None, result(30, (ANNA, TESS)))
    doc = remember_proposals(
        doc, result(20, (ANNA, TESS), (ANNA, "carl@x.example", "zoe@y.example"))
    )
    asked = {(a.via, a.target): a.at for a in asked_from(doc)}
    assert asked == {
        (ANNA, TESS): ago(30),
        (ANNA, "carl@x.example"): ago(20),  # two steps: ask Anna for the one in between ...
        (ANNA, "zoe@y.example"): ago(20),  # ... and for the target
    }
    assert (
        asked_from({"proposals": [{"via": ANNA}, "junk", {"via": 1, "target": 2, "at": "x"}]}) == ()
    )
    assert asked_from(None) == ()
