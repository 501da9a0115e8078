"""The give-and-take ledger: introductions made and received, information passed on, requests
answered, and the balance per contact.

Pure like the rest of the core: interactions, the owner's addresses, the person resolution
(address → person key), the ``[ledger]`` settings, the dismissed item ids and ``now`` in; the
:class:`Ledger` out. The rules and thresholds are documented in ``docs/ledger.md``.

Modules: ``rules`` (``LedgerSettings`` and its TOML form), ``items`` (the item value and its
stable id), ``detect`` (one pass over the interactions, a fold that can be kept and gone on
with), ``balance`` (window, balances, one-sided relationships, follow-ups) and ``views`` (the
JSON schema).

Exports: ``build_ledger``, ``summarise``, ``detect_items``, ``in_order``, ``LedgerFold``,
``LEDGER_FORMAT``, ``Ledger``, ``Balance``, ``LedgerItem``, ``Asked``, ``LedgerSettings``,
``ItemKind``, ``Side``, ``Outcome``, ``THANK_OR_RETURN``, ``LEDGER_SCHEMA``, ``ledger_json``,
``balance_json``, ``item_json``, ``followup_json``.
"""

from __future__ import annotations

from .balance import THANK_OR_RETURN, Balance, Ledger, build_ledger, summarise
from .detect import LEDGER_FORMAT, LedgerFold, detect_items, in_order
from .items import Asked, ItemKind, LedgerItem, Outcome, Side
from .rules import LedgerSettings
from .views import LEDGER_SCHEMA, balance_json, followup_json, item_json, ledger_json

__all__ = [
    "LEDGER_FORMAT",
    "LEDGER_SCHEMA",
    "THANK_OR_RETURN",
    "Asked",
    "Balance",
    "ItemKind",
    "Ledger",
    "LedgerFold",
    "LedgerItem",
    "LedgerSettings",
    "Outcome",
    "Side",
    "balance_json",
    "build_ledger",
    "detect_items",
    "followup_json",
    "in_order",
    "item_json",
    "ledger_json",
    "summarise",
]
