"""The documented JSON form of the ledger (``ledger --json``, and the ledger part of
``contact ADDR --json``), in the convention of every ``--json`` document (:mod:`..views`). The
fields are described in ``docs/json.md``; the schema id is ``LEDGER_SCHEMA``.

Exports: ``LEDGER_SCHEMA``, ``ledger_json``, ``balance_json``, ``item_json``, ``followup_json``.
"""

from __future__ import annotations

from typing import Any

from ..followups import FollowUp
from ..phrase import Words, phrase_json
from ..views import envelope, iso, schema_id
from .balance import Balance, Ledger
from .items import LedgerItem, Side

__all__ = ["LEDGER_SCHEMA", "balance_json", "followup_json", "item_json", "ledger_json"]

LEDGER_SCHEMA = schema_id("ledger")


def item_json(item: LedgerItem) -> dict[str, Any]:
    """One item: what, with whom, when, the messages behind it and (introductions) its outcome."""
    return {
        "id": item.id,
        "kind": item.kind.value,
        "side": item.side.value,
        "contact": item.contact,
        "address": item.address,
        "at": iso(item.at),
        "subject": item.subject,
        "messages": list(item.messages),
        "others": list(item.others),
        "outcome": item.outcome.value if item.outcome is not None else None,
        "outcome_at": iso(item.outcome_at),
        "evidence": item.evidence or None,
        "latency_s": item.latency_s,
        "proposed": item.proposed,
    }


def balance_json(balance: Balance, *, with_items: bool = False) -> dict[str, Any]:
    """A contact's balance; the item ids always, whole items when ``with_items``."""
    result: dict[str, Any] = {
        "contact": balance.contact,
        "name": balance.name,
        "given": balance.given_count,
        "received": balance.received_count,
        "net": balance.net,
        "given_by_kind": {k.value: n for k, n in sorted(balance.by_kind(Side.GIVEN).items())},
        "received_by_kind": {
            k.value: n for k, n in sorted(balance.by_kind(Side.RECEIVED).items())
        },
        "given_items": [i.id for i in balance.given],
        "received_items": [i.id for i in balance.received],
    }
    if with_items:
        result["items"] = [item_json(i) for i in (*balance.given, *balance.received)]
        result["items"].sort(key=lambda i: (i["at"], i["id"]))
    return result


def followup_json(followup: FollowUp, ledger: Ledger, words: Words) -> dict[str, Any]:
    """A follow-up in the shape of ``followups --json``, plus the ids of the help behind it."""
    return {
        "key": followup.key,
        "kind": followup.kind,
        "contact": followup.contact,
        "due": iso(followup.due),
        "reason": words.phrase(followup.reason),
        "subject": words.phrase(followup.subject),
        "reason_code": phrase_json(followup.reason),
        "items": [i.id for i in ledger.balance(followup.contact).received],
    }


def ledger_json(ledger: Ledger, words: Words) -> dict[str, Any]:
    """The whole ledger: window, balances, one-sided lists, follow-ups and every item."""
    return {
        **envelope("ledger", ledger.now),
        "since": iso(ledger.since),
        "totals": {
            "given": sum(b.given_count for b in ledger.balances.values()),
            "received": sum(b.received_count for b in ledger.balances.values()),
            "items": len(ledger.items),
            "dismissed": len(ledger.dismissed),
        },
        "contacts": [balance_json(b) for b in ledger.balances.values()],
        "invests_without_return": [
            {"contact": b.contact, "given": b.given_count} for b in ledger.invests_without_return
        ],
        "gives_without_return": [
            {"contact": b.contact, "received": b.received_count}
            for b in ledger.gives_without_return
        ],
        "followups": [followup_json(f, ledger, words) for f in ledger.followups],
        "items": [item_json(i) for i in ledger.items],
    }
