"""The documented, stable ``--json`` documents (``docs/json.md``, ``docs/schemas/``): JSON-ready
dicts, nothing else.

One convention for every command: the document is an object whose first two fields are
``schema`` (``"outlook-networking/<document>/<version>"``, the version raised only on an
incompatible change) and ``as_of`` (the analysis's ``now``); :func:`envelope` starts it. Times are
ISO 8601 UTC with a ``Z`` (``2026-11-27T12:00:00Z``), counts are integers, scores are numbers
with one decimal, and anything unknown is ``null``. Fields are only ever added.

What the core explains (reasons, the next step, a follow-up's reason and title) is in words of
the user's language, put there by the ``words`` the views take (``outlook_networking.i18n``),
and beside them as codes with values (``reason_codes``, ``next_step_code``, ``reason_code``),
the same in every language.

Exports: ``SCHEMAS``, ``json_text``, ``envelope``, ``schema_id``, ``iso``, ``contact_json``,
``contact_row``, ``contacts_json``, ``followup_json``, ``followups_json``, ``key_dates_json``,
``review_doc``, ``review_json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..model import KeyDate
from .contact import ContactView
from .followups import FollowUp, short_key
from .keydates import coming
from .network import Network
from .phrase import Words, phrase_json
from .review import Review, ReviewEntry, build_review

__all__ = [
    "SCHEMAS",
    "contact_json",
    "contact_row",
    "contacts_json",
    "envelope",
    "followup_json",
    "followups_json",
    "iso",
    "json_text",
    "key_dates_json",
    "review_doc",
    "review_json",
    "schema_id",
]

# Each document's version: raised when a field changes meaning or goes away, never for an addition.
SCHEMAS: Mapping[str, int] = {
    "brief": 1,
    "card": 1,
    "contact": 1,
    "contacts": 1,
    "followups": 1,
    "intro": 1,
    "ledger": 1,
    "note": 1,
    "review": 1,
    "status": 1,
}


def schema_id(document: str) -> str:
    """``outlook-networking/<document>/<version>``."""
    return f"outlook-networking/{document}/{SCHEMAS[document]}"


def json_text(value: Any) -> str:
    """``value`` as every ``--json`` output prints it: UTF-8 as is, two spaces of indent, the
    keys in their order: ``json.dumps(value, ensure_ascii=False, indent=2)``, character for
    character (a property test compares them).

    With an indent the standard library encodes in Python, through a generator per level:
    keeping a million interactions' answers spent two seconds there. This walks the plain
    values the views make (dicts with text keys, lists, tuples, text, numbers, booleans, None)
    and leaves anything else, and every error, to ``json.dumps``."""
    out: list[str] = []
    try:
        _indented(value, "", out)
    except (TypeError, RecursionError):
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)
    return "".join(out)


_quoted = json.encoder.encode_basestring  # (its C version where there is one, as json.dumps)
_float_text = float.__repr__
_int_text = int.__repr__
_INFINITY = float("inf")


def _indented(value: Any, indent: str, out: list[str]) -> None:
    """``value`` into ``out`` as :func:`json_text` prints it at ``indent``; TypeError where it
    holds something else than plain values. (The dict and list branches are alike on purpose:
    one loop for both, with the keys passed beside the values, was 68% slower.)"""
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        between = ",\n" + inner
        out.append("{\n" + inner)
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(key)  # json.dumps words such keys its own way
            if not first:
                out.append(between)
            first = False
            out.append(_quoted(key))
            out.append(": ")
            _member(item, inner, out)
        out.append("\n" + indent + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        between = ",\n" + inner
        out.append("[\n" + inner)
        first = True
        for item in value:
            if not first:
                out.append(between)
            first = False
            _member(item, inner, out)
        out.append("\n" + indent + "]")
    else:
        _scalar(value, out)


def _member(item: Any, indent: str, out: list[str]) -> None:
    """One value of a dict or list: the common plain ones here, without a call each."""
    kind = type(item)
    if kind is str:
        out.append(_quoted(item))
    elif item is None:
        out.append("null")
    elif kind is bool:
        out.append("true" if item else "false")
    elif kind is int:
        out.append(_int_text(item))
    else:
        _indented(item, indent, out)


def _scalar(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_quoted(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(_int_text(value))
    elif isinstance(value, float):
        if value != value:
            out.append("NaN")
        elif value == _INFINITY:
            out.append("Infinity")
        elif value == -_INFINITY:
            out.append("-Infinity")
        else:
            out.append(_float_text(value))
    else:
        raise TypeError(value)


def envelope(document: str, as_of: datetime) -> dict[str, Any]:
    """The first two fields of every document: ``schema`` and ``as_of``."""
    return {"schema": schema_id(document), "as_of": iso(as_of)}


def iso(value: datetime | None) -> str | None:
    """``2026-11-27T12:00:00Z``, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def followup_json(
    followup: FollowUp, name: str | None, tier: str | None, words: Words
) -> dict[str, Any]:
    """One follow-up; ``name`` and ``tier`` are its contact's (None for the annual review)."""
    return {
        "key": followup.key,
        "short_key": short_key(followup.key),
        "kind": followup.kind,
        "contact": followup.contact or None,
        "name": name,
        "tier": tier,
        "due": iso(followup.due),
        "snoozed": followup.snoozed,
        "reason": words.phrase(followup.reason),
        "subject": words.phrase(followup.subject),
        "item": followup.item or None,
        "reason_code": phrase_json(followup.reason),
    }


def key_dates_json(
    key_dates: Iterable[KeyDate], now: datetime, within_days: int | None = None
) -> list[dict[str, Any]]:
    """Key dates with their next occurrence, soonest first: ``date`` as the address book keeps it
    (``1980-03-22`` or ``--04-15``), ``next`` the day it next falls on, ``in_days`` how far that
    is from today (UTC), ``years`` the age turned or anniversary reached (null without a year)."""
    return [
        {
            "kind": c.key_date.kind,
            "date": c.key_date.text,
            "next": c.on.isoformat(),
            "in_days": c.in_days,
            "years": c.years,
        }
        for c in coming(key_dates, now.astimezone(UTC).date(), within_days)
    ]


def contact_json(view: ContactView, now: datetime, words: Words) -> dict[str, Any]:
    """One contact: the fields of ``contact ADDR --json``."""
    h = view.history
    days_since = int((now - h.last_two_way).total_seconds() // 86400) if h.last_two_way else None
    return {
        "address": view.address,
        "name": view.name,
        "addresses": list(view.addresses),
        "organisation": view.organisation or None,
        "role": view.role or None,
        "tier": view.tier.tier,
        "pinned": view.tier.pinned,
        "rank": view.tier.rank,
        "score": round(view.score, 1),
        "reasons": [words.phrase(r) for r in view.reasons],
        "reason_codes": [phrase_json(r) for r in view.reasons],
        "summary": words.summary(view.tier.tier, view.reasons),
        "next_step": words.phrase(view.next_step) if view.next_step else None,
        "next_step_code": phrase_json(view.next_step) if view.next_step else None,
        "first_contact": iso(h.first_contact),
        "last_contact": iso(h.last_contact),
        "last_two_way": iso(h.last_two_way),
        "next_meeting": iso(view.next_meeting),
        "days_since_two_way": days_since,
        "sent": h.sent,
        "received": h.received,
        "meetings": h.meetings,
        "replies_sent": h.replies_sent,
        "replies_received": h.replies_received,
        "median_reply_latency_s": h.my_latency_median_s,
        "p90_reply_latency_s": h.my_latency_p90_s,
        "their_median_reply_latency_s": h.their_latency_median_s,
        "their_p90_reply_latency_s": h.their_latency_p90_s,
        "started_by_me": h.started_by_me,
        "started_by_them": h.started_by_them,
        "reciprocity": round(h.reciprocity, 2),
        "unanswered_approaches": h.unanswered_run,
        "usual_gap_days": h.usual_gap_days,
        "trend": h.trend,
        "interactions_last_90_days": h.recent_interactions,
        "interactions_previous_270_days": h.prior_interactions,
        "monthly": {
            month: {"sent": c.sent, "received": c.received, "meetings": c.meetings}
            for month, c in sorted(h.monthly.items())
        },
        "merged_because": [words.phrase(p) for p in view.person.merged_because],
        "merged_because_codes": [phrase_json(p) for p in view.person.merged_because],
        "followups": [
            followup_json(f, view.name, view.tier.tier, words) for f in view.followups
        ],
        "key_dates": key_dates_json(view.key_dates, now),
    }


def _contact_row(view: ContactView, now: datetime, words: Words) -> dict[str, Any]:
    return contact_row(contact_json(view, now, words))


def contact_row(shown: Mapping[str, Any]) -> dict[str, Any]:
    """A contact's row in ``contacts --json``: :func:`contact_json`'s fields but ``monthly``."""
    return {key: value for key, value in shown.items() if key != "monthly"}


def contacts_json(
    network: Network, now: datetime | None = None, tier: str | None = None, *, words: Words
) -> list[dict[str, Any]]:
    """``contacts [--tier X] --json``: every contact by score, highest first, each with the
    fields of :func:`contact_json` except ``monthly``."""
    at = now or network.now
    contacts: Iterable[ContactView] = network.tier(tier) if tier else network.contacts
    return [_contact_row(c, at, words) for c in contacts]


def followups_json(
    network: Network, followups: Iterable[FollowUp] | None = None, *, words: Words
) -> list[dict[str, Any]]:
    """The ``followups`` of ``followups --json``: ``followups`` (default: every open one, most
    pressing first), each with its contact's name and tier."""
    chosen = network.followups if followups is None else followups
    rows = []
    for followup in chosen:
        view = network.by_person.get(followup.contact) if followup.contact else None
        name = view.name if view else None
        rows.append(followup_json(followup, name, view.tier.tier if view else None, words))
    return rows


def _entry(entry: ReviewEntry) -> dict[str, Any]:
    return {
        "address": entry.person,
        "name": entry.name,
        "organisation": entry.organisation or None,
        "tier": entry.tier,
        "previous_tier": entry.previous_tier,
        "score": entry.score,
        "last_contact": iso(entry.last_contact),
    }


def review_doc(review: Review) -> dict[str, Any]:
    """The ``review --json`` document of a computed review."""
    changes: dict[str, list[dict[str, Any]]] = {
        "moved_up": [],
        "moved_down": [],
        "new": [],
        "gone": [],
    }
    for change in review.changes:
        bucket = {"up": "moved_up", "down": "moved_down"}.get(change.direction, change.direction)
        changes[bucket].append(
            {
                "address": change.person,
                "name": change.name,
                "before": change.before,
                "after": change.after,
            }
        )
    return {
        **envelope("review", review.at),
        "year": review.year,
        "previous_year": review.previous_year,
        "tiers": {t: [_entry(e) for e in entries] for t, entries in review.tiers.items()},
        "counts": {t: len(entries) for t, entries in review.tiers.items()},
        "changes": changes,
        "cleanup": [_entry(e) for e in review.cleanup],
        "targets_without_ab": list(review.targets_without_ab),
    }


def review_json(
    network: Network, previous: Mapping[str, Any] | None, now: datetime | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``review --json``: the document, and the snapshot the store keeps when the user keeps
    this review as next year's baseline."""
    result = build_review(network.contacts, previous, network.settings, now or network.now)
    return review_doc(result), result.snapshot
