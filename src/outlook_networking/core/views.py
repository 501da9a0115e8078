"""The documented, stable ``--json`` schemas (``docs/json.md``): JSON-ready dicts, nothing else.

Times are ISO 8601 UTC with a ``Z`` (``2026-11-27T12:00:00Z``), counts are integers, scores are
numbers with one decimal, and anything unknown is ``null``. Fields are only ever added.

Exports: ``SCHEMA_VERSION``, ``iso``, ``contact_json``, ``contacts_json``, ``followup_json``,
``followups_json``, ``key_dates_json``, ``review_doc``, ``review_json``, ``network_json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..model import KeyDate
from .contact import ContactView
from .followups import FollowUp
from .keydates import coming
from .network import Network
from .review import Review, ReviewEntry, build_review

__all__ = [
    "SCHEMA_VERSION",
    "contact_json",
    "contacts_json",
    "followup_json",
    "followups_json",
    "iso",
    "key_dates_json",
    "network_json",
    "review_doc",
    "review_json",
]

SCHEMA_VERSION = 1


def iso(value: datetime | None) -> str | None:
    """``2026-11-27T12:00:00Z``, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def followup_json(followup: FollowUp) -> dict[str, Any]:
    return {
        "key": followup.key,
        "kind": followup.kind,
        "contact": followup.contact or None,
        "due": iso(followup.due),
        "reason": followup.reason,
        "subject": followup.subject,
        "item": followup.item or None,
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


def contact_json(view: ContactView, now: datetime) -> dict[str, Any]:
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
        "reasons": list(view.reasons),
        "summary": view.summary,
        "next_step": view.next_step or None,
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
        "followups": [followup_json(f) for f in view.followups],
        "key_dates": key_dates_json(view.key_dates, now),
    }


def _contact_row(view: ContactView, now: datetime) -> dict[str, Any]:
    full = contact_json(view, now)
    del full["monthly"]
    return full


def contacts_json(
    network: Network, now: datetime | None = None, tier: str | None = None
) -> list[dict[str, Any]]:
    """``contacts [--tier X] --json``: every contact by score, highest first, each with the
    fields of :func:`contact_json` except ``monthly``."""
    at = now or network.now
    contacts: Iterable[ContactView] = network.tier(tier) if tier else network.contacts
    return [_contact_row(c, at) for c in contacts]


def followups_json(network: Network, now: datetime | None = None) -> list[dict[str, Any]]:
    """``followups --json``: every open follow-up by due date."""
    return [followup_json(f) for f in network.followups]


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


def network_json(network: Network) -> dict[str, Any]:
    """Key persons, clusters and time invested (for the report and scripts)."""
    return {
        "schema": SCHEMA_VERSION,
        "now": iso(network.now),
        "key_persons": [
            {
                "address": k.person,
                "betweenness": k.betweenness,
                "degree": k.degree,
                "clusters": list(k.clusters),
                "reason": k.reason,
            }
            for k in network.key_persons
        ],
        "clusters": [{"name": c.name, "members": list(c.members)} for c in network.clusters],
        "time": {
            "target_hours": network.time.target_hours,
            "average_hours": network.time.average_hours,
            "weeks": [
                {
                    "week": w.week.isoformat(),
                    "meeting_hours": w.meeting_hours,
                    "mail_hours": w.mail_hours,
                }
                for w in network.time.weeks
            ],
        },
    }
