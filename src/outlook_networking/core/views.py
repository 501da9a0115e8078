"""The documented, stable ``--json`` schemas (``docs/json.md``): JSON-ready dicts, nothing else.

Times are ISO 8601 UTC with a ``Z`` (``2026-11-27T12:00:00Z``), counts are integers, scores are
numbers with one decimal, and anything unknown is ``null``. Fields are only ever added.

What the core explains (reasons, the next step, a follow-up's reason and title) is in words of
the user's language, put there by the ``words`` every view takes (``outlook_networking.i18n``),
and beside them as codes with values (``reason_codes``, ``next_step_code``, ``reason_code``),
the same in every language.

Exports: ``SCHEMA_VERSION``, ``iso``, ``contact_json``, ``contacts_json``, ``followup_json``,
``followups_json``, ``review_doc``, ``review_json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from .contact import ContactView
from .followups import FollowUp
from .network import Network
from .phrase import Words, phrase_json
from .review import Review, ReviewEntry, build_review

__all__ = [
    "SCHEMA_VERSION",
    "contact_json",
    "contacts_json",
    "followup_json",
    "followups_json",
    "iso",
    "review_doc",
    "review_json",
]

SCHEMA_VERSION = 1


def iso(value: datetime | None) -> str | None:
    """``2026-11-27T12:00:00Z``, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def followup_json(followup: FollowUp, words: Words) -> dict[str, Any]:
    return {
        "key": followup.key,
        "kind": followup.kind,
        "contact": followup.contact or None,
        "due": iso(followup.due),
        "reason": words.phrase(followup.reason),
        "subject": words.phrase(followup.subject),
        "item": followup.item or None,
        "reason_code": phrase_json(followup.reason),
    }


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
        "merged_because": list(view.person.merged_because),
        "followups": [followup_json(f, words) for f in view.followups],
    }


def _contact_row(view: ContactView, now: datetime, words: Words) -> dict[str, Any]:
    full = contact_json(view, now, words)
    del full["monthly"]
    return full


def contacts_json(
    network: Network, now: datetime | None = None, tier: str | None = None, *, words: Words
) -> list[dict[str, Any]]:
    """``contacts [--tier X] --json``: every contact by score, highest first, each with the
    fields of :func:`contact_json` except ``monthly``."""
    at = now or network.now
    contacts: Iterable[ContactView] = network.tier(tier) if tier else network.contacts
    return [_contact_row(c, at, words) for c in contacts]


def followups_json(
    network: Network, now: datetime | None = None, *, words: Words
) -> list[dict[str, Any]]:
    """``followups --json``: every open follow-up by due date."""
    return [followup_json(f, words) for f in network.followups]


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
        "schema": SCHEMA_VERSION,
        "as_of": iso(review.at),
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

