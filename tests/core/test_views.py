"""The documented JSON schemas: required fields, ISO 8601 UTC times, integer counts, nulls."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outlook_networking.core.views import (
    SCHEMAS,
    contact_json,
    contacts_json,
    envelope,
    followups_json,
    json_text,
)
from outlook_networking.i18n import Wording

from .analysis import run
from .builders import ME, NOW, ago, mail, meeting, reply_to

WORDS = Wording("en")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
COUNTS = (
    "sent",
    "received",
    "meetings",
    "replies_sent",
    "replies_received",
    "started_by_me",
    "started_by_them",
)


def network():  # type: ignore[no-untyped-def]
    asked = mail(ME, "ann@acme.com", ago(days=10))
    return run(
        [
            asked,
            reply_to(asked, ago(days=9, hours=22)),
            meeting(ME, ["ann@acme.com"], ago(days=5)),
            mail("bob@b.example", ME, ago(days=4), subject="Question"),
        ]
    )


def test_contact_json_has_the_documented_fields_and_types() -> None:
    net = network()
    doc = contact_json(net.find("ANN@acme.com"), NOW, WORDS)  # type: ignore[arg-type]
    json.dumps(doc)  # serialisable as is
    assert doc["address"] == "ann@acme.com" and doc["addresses"] == ["ann@acme.com"]
    assert doc["name"] == "Ann"
    for key in ("first_contact", "last_contact", "last_two_way"):
        assert ISO.match(doc[key]), key
    for key in COUNTS:
        assert type(doc[key]) is int, key
    assert (doc["sent"], doc["received"], doc["meetings"]) == (1, 1, 1)
    assert doc["replies_received"] == 1 and doc["replies_sent"] == 0
    assert doc["their_median_reply_latency_s"] == 2 * 3600
    assert doc["median_reply_latency_s"] is None
    assert doc["tier"] in "ABCD" and 0 <= doc["score"] <= 100
    assert all(isinstance(r, str) for r in doc["reasons"])
    assert doc["reason_codes"][0]["code"] == "days_since_two_way"
    assert doc["reasons"][0] == f"{doc['days_since_two_way']} days since last two-way contact"
    assert doc["trend"] == "new" and isinstance(doc["reciprocity"], float)
    assert doc["monthly"]["2026-11"] == {"sent": 1, "received": 1, "meetings": 1}


def test_contacts_and_followups_json() -> None:
    net = network()
    rows = contacts_json(net, words=WORDS)
    assert [r["address"] for r in rows] == ["ann@acme.com", "bob@b.example"]
    assert "monthly" not in rows[0]
    assert contacts_json(net, tier="D", words=WORDS)[0]["address"] == "bob@b.example"
    followups = followups_json(net, words=WORDS)
    owed = [f for f in followups if f["kind"] == "owed_reply" and f["contact"] == "bob@b.example"]
    assert owed and set(owed[0]) >= {"key", "kind", "contact", "due", "reason", "reason_code"}
    assert owed[0]["reason_code"]["code"] == "owed_reply"
    assert owed[0]["reason_code"]["ago"] == 4 * 86400
    assert owed[0]["subject"] == "Reply to Bob: Question"
    assert ISO.match(owed[0]["due"])
    bob = contact_json(net.find("bob@b.example"), NOW, WORDS)  # type: ignore[arg-type]
    assert [f["key"] for f in bob["followups"]] == [owed[0]["key"]]
    assert bob["first_contact"] == bob["last_contact"]
    assert bob["last_two_way"] is None and bob["days_since_two_way"] is None


def test_every_document_starts_with_its_schema_and_time() -> None:
    for document in SCHEMAS:
        doc = envelope(document, NOW)
        assert list(doc) == ["schema", "as_of"]
        assert doc["schema"] == f"outlook-networking/{document}/1"
        assert ISO.match(doc["as_of"])


def test_analysis_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    assert gc.isenabled()
    network()
    assert gc.isenabled()


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_JSONISH = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_JSONISH)
def test_json_text_is_the_standard_librarys_indented_json(value: object) -> None:
    """json_text's own walk gives exactly what json.dumps gives with the same options."""
    assert json_text(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_json_text_leaves_what_is_not_plain_to_the_standard_library() -> None:
    """Keys that are no text, values json cannot encode and cycles behave as in json.dumps."""
    odd = {1: "one", None: [2.5, True], "x": {"y": ()}}
    assert json_text(odd) == json.dumps(odd, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_text({"when": datetime(2026, 1, 1, tzinfo=UTC)})
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        json_text(loop)
