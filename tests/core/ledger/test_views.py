"""The ``ledger --json`` document: the documented keys, serialisable, and the numbers agree."""

from __future__ import annotations

import json

from outlook_networking.core.ledger import LEDGER_SCHEMA, balance_json, ledger_json
from outlook_networking.i18n import Wording

from .mailbox import ME, ago, ledger_of, mail, meeting

ANNA = "anna@alpha.example"
BEN = "ben@beta.example"
XAVER = "xaver@friend.example"
NINA = "nina@new.example"


def _ledger():  # type: ignore[no-untyped-def]
    return ledger_of(
        mail(ME, [ANNA, BEN], ago(40), subject="Intro: Anna <> Ben"),
        meeting(ANNA, [BEN], ago(30)),
        mail(BEN, ME, ago(20), subject="Fwd: Tender"),
        mail(XAVER, [ME, NINA], ago(10), subject="Introduction: Nina"),
    )


def test_the_document_has_the_documented_shape() -> None:
    doc = json.loads(json.dumps(ledger_json(_ledger(), Wording("en"))))
    assert doc["schema"] == LEDGER_SCHEMA
    assert set(doc) == {
        "schema",
        "as_of",
        "since",
        "totals",
        "contacts",
        "invests_without_return",
        "gives_without_return",
        "followups",
        "items",
    }
    assert doc["totals"] == {"given": 2, "received": 2, "items": 4, "dismissed": 0}
    ben = next(c for c in doc["contacts"] if c["contact"] == BEN)
    assert ben["given"] == 1 and ben["received"] == 1 and ben["net"] == 0
    assert ben["name"] == "Ben"
    assert ben["given_by_kind"] == {"introduction_made": 1}
    assert ben["received_by_kind"] == {"forward_received": 1}
    by_id = {i["id"]: i for i in doc["items"]}
    intro = by_id[ben["given_items"][0]]
    assert intro["outcome"] == "meeting" and intro["others"] == [ANNA]
    assert intro["side"] == "given" and intro["kind"] == "introduction_made"
    (followup,) = doc["followups"]
    assert followup["kind"] == "thank_or_return" and followup["contact"] == XAVER
    assert set(followup) == {
        "key", "kind", "contact", "due", "reason", "subject", "reason_code", "items"
    }
    assert followup["reason_code"]["code"] == "thank_or_return"
    assert followup["subject"] == f"Thank or return the favour: {followup['reason_code']['name']}"
    assert len(followup["items"]) == 1


def test_a_contacts_balance_can_carry_its_items() -> None:
    ledger = _ledger()
    doc = balance_json(ledger.balance(BEN), with_items=True)
    assert [i["kind"] for i in doc["items"]] == ["introduction_made", "forward_received"]
    assert "items" not in balance_json(ledger.balance(BEN))
