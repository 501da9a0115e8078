"""Every --json output in one convention, checked against the JSON Schemas kept in docs/schemas/,
and docs/json.md naming every field those schemas allow."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cli_runs import NOW, Home
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from outlook_networking.addin.commands import CardService
from outlook_networking.cli.output import print_json
from outlook_networking.config import load_config
from outlook_networking.core.views import json_text

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMAS = DOCS / "schemas"
BASE = "urn:outlook-networking:schema:"


def _schemas() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}


def _validator(name: str) -> Draft202012Validator:
    schemas = _schemas()
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    Draft202012Validator.check_schema(schemas[name])
    return Draft202012Validator(schemas[name], registry=registry)


def _valid(name: str, doc: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator(name).iter_errors(doc)]
    assert errors == [], errors[:5]
    assert list(doc)[:2] == ["schema", "as_of"] and doc["schema"] == f"outlook-networking/{name}/1"


def _json(home: Home, db: Path, *args: str) -> Any:
    done = home.run("--db", str(db), "--now", NOW, *args, "--json")
    assert done.code == 0, done.err
    return json.loads(done.out)


def test_every_command_prints_its_documented_schema(home: Home, demo_db: Path) -> None:
    contacts = _json(home, demo_db, "contacts")
    _valid("contacts", contacts)
    assert contacts["as_of"] == NOW
    followups = _json(home, demo_db, "followups")
    _valid("followups", followups)
    snoozed = followups["followups"][1]["short_key"]
    home.run("--db", str(demo_db), "--now", NOW, "followups", "snooze", snoozed, "--until",
             "2027-01-10")  # fmt: skip
    _valid("followups", _json(home, demo_db, "followups"))
    for row in contacts["contacts"][:3] + [c for c in contacts["contacts"] if c["followups"]][:3]:
        _valid("contact", _json(home, demo_db, "contact", row["address"]))
    _valid("review", _json(home, demo_db, "review"))
    ledger = _json(home, demo_db, "ledger")
    _valid("ledger", ledger)
    assert ledger["items"] and ledger["followups"]
    _valid("status", _json(home, demo_db, "status"))
    from outlook_networking.demo.people import REACH_ORG

    intro = _json(home, demo_db, "intro", REACH_ORG.domain)
    _valid("intro", intro)
    assert intro["paths"] and intro["targets"]
    brief = _json(home, demo_db, "brief")
    _valid("brief", brief)
    assert brief["meetings"] and brief["meetings"][0]["people"]
    someone = contacts["contacts"][0]["address"]
    assert home.run("--db", str(demo_db), "note", someone, "Prefers calls").code == 0
    notes = _json(home, demo_db, "note", someone, "--list")
    _valid("note", notes)
    assert [n["text"] for n in notes["notes"]] == ["Prefers calls"]


def test_status_after_a_cycle_and_the_add_ins_card(home: Home, demo_db: Path) -> None:
    from outlook_networking.agent.status import StatusKeeper
    from outlook_networking.store import Store

    with Store.open(demo_db) as store:  # what the agent writes as it goes
        keeper = StatusKeeper(store)
        keeper.cycle_started(datetime(2026, 11, 27, 11, 55, tzinfo=UTC))
        keeper.account_backoff({"work": (2, datetime(2026, 11, 27, 12, 5, tzinfo=UTC).timestamp())})
    status = _json(home, demo_db, "status")
    _valid("status", status)
    assert status["last_run_start"] == "2026-11-27T11:55:00Z"
    assert status["accounts"]["work"] == {"failures": 2, "retry_at": "2026-11-27T12:05:00Z"}
    cards = CardService(demo_db, load_config(Path("/dev/null")))
    contacts = _json(home, demo_db, "contacts")["contacts"]
    _valid("card", cards(contacts[0]["address"]))
    _valid("card", cards("alex@example.com"))


def test_a_document_that_breaks_the_convention_is_caught(home: Home, demo_db: Path) -> None:
    doc = _json(
        home, demo_db, "contact", _json(home, demo_db, "contacts")["contacts"][0]["address"]
    )
    broken = {**doc, "last_contact": doc["last_contact"].replace("Z", "+00:00"), "extra": 1}
    messages = [e.message for e in _validator("contact").iter_errors(broken)]
    assert messages  # a +00:00 time and an undocumented field do not pass


def _fields(node: Any, schemas: dict[str, dict[str, Any]], seen: set[str]) -> Iterator[str]:
    """Every property name a schema allows, following its references."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference not in seen:
            seen.add(reference)
            document, _, pointer = reference.removeprefix(BASE).partition("#")
            target: Any = schemas[document]
            for part in pointer.strip("/").split("/") if pointer else []:
                target = target[part]
            yield from _fields(target, schemas, seen)
        for key, value in node.items():
            if key == "properties":
                yield from value
            yield from _fields(value, schemas, seen)
    elif isinstance(node, list):
        for value in node:
            yield from _fields(value, schemas, seen)


@pytest.mark.parametrize("name", ["contact", "contacts", "followups", "review", "ledger", "status",
                                  "card", "intro", "brief", "note"])  # fmt: skip
def test_docs_json_md_lists_every_field(name: str) -> None:
    text = (DOCS / "json.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_0-9]+)`", text))
    fields = set(_fields(_schemas()[name], _schemas(), set()))
    assert fields, name
    missing = sorted(fields - documented - {"A", "B", "C", "D"})
    assert missing == [], f"docs/json.md does not list {missing} of {name}"
    assert f"outlook-networking/{name}/1" in text


def test_every_schema_is_in_the_table_of_docs_json_md() -> None:
    text = (DOCS / "json.md").read_text(encoding="utf-8")
    for path in SCHEMAS.glob("*.json"):
        if path.stem != "common":
            assert f"(schemas/{path.name})" in text, path.name


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


@given(
    head=st.dictionaries(st.text(), _JSON_VALUES, max_size=3),
    key=st.text(),
    items=st.lists(_JSON_VALUES, max_size=4),
)
def test_a_listing_kept_as_text_prints_as_the_whole_document_would(
    head: dict[str, Any], key: str, items: list[Any]
) -> None:
    """``contacts --json`` prints its rows from the JSON text ``app.answers`` keeps: the output
    must be the very bytes of the document printed whole (line breaks and quotes in strings,
    empty lists and dicts, non-ASCII text)."""
    head.pop(key, None)  # the listed field comes last, once
    whole, listed = io.StringIO(), io.StringIO()
    with redirect_stdout(whole):
        print_json({**head, key: items})
    with redirect_stdout(listed):
        print_json(head, listed=(key, [json_text(item) for item in items]))
    assert listed.getvalue() == whole.getvalue()
