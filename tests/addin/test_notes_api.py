"""The cards of a meeting and a note written in the pane, over the demo mailbox's real store.

``GET /api/cards`` answers several addresses at once, unknown ones as unknown; ``POST /api/notes``
is guarded like the card API (Host, own Origin, the secret) and more (JSON only, a bounded
body), and what it keeps is the store's note, shown by the command line too.
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

import pytest

from outlook_networking.addin import AddinServer
from outlook_networking.addin.cert import ca_path
from outlook_networking.addin.commands import CardService
from outlook_networking.addin.server import MAX_CARDS, MAX_NOTE_BODY, SECRET_HEADER
from outlook_networking.app.cards import NOTE_MAX_CHARS
from outlook_networking.cli import main
from outlook_networking.demo import DemoTruth
from outlook_networking.store import Store

from .conftest import DEMO_NOW


def call(
    server: AddinServer,
    cert_dir: Path,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    context = ssl.create_default_context(cafile=str(ca_path(cert_dir)))
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        chunked = "Transfer-Encoding" in headers
        sized = {"Content-Length": str(len(body))} if body and not chunked else {}
        for name, value in {"Host": f"127.0.0.1:{server.port}", **sized, **headers}.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def secret(cert_dir: Path, demo_server: AddinServer) -> str:
    return (cert_dir / "addin-secret").read_text(encoding="ascii").strip()


def pane(server: AddinServer, secret: str, **extra: str) -> dict[str, str]:
    """What the pane's fetch sends (a same-origin POST carries Origin and Sec-Fetch-Site)."""
    return {"Origin": server.origin, "Sec-Fetch-Site": "same-origin", SECRET_HEADER: secret,
            **extra}  # fmt: skip


def cards_path(*addresses: str) -> str:
    return "/api/cards?" + urlencode([("address", a) for a in addresses])


def note_body(address: str, text: str) -> bytes:
    return json.dumps({"address": address, "text": text}).encode()


JSON = {"Content-Type": "application/json"}


# --- several cards at once -----------------------------------------------------------------------


def test_a_meetings_people_come_back_in_order_unknown_ones_as_unknown(
    demo_server: AddinServer, cert_dir: Path, secret: str, demo: tuple[Path, DemoTruth]
) -> None:
    truth = demo[1]
    client, mentor, stranger = truth.today_meetings[0][1]
    status, headers, body = call(
        demo_server, cert_dir, "GET", cards_path(client, mentor.upper(), stranger),
        {"Sec-Fetch-Site": "same-origin", SECRET_HEADER: secret},
    )  # fmt: skip
    assert status == 200 and headers["content-type"].startswith("application/json")
    cards = json.loads(body)["cards"]
    assert [c["address"] for c in cards] == [client, mentor, stranger]
    assert [c["known"] for c in cards] == [True, True, False]
    assert [c["external"] for c in cards[:2]] == [True, False]
    assert "owed_reply" in {f["kind"] for f in cards[0]["followups"]}
    assert cards[1]["tier"] == "A"
    assert [(k["kind"], k["in_days"]) for k in cards[1]["key_dates"]] == [("birthday", 2)]
    assert "birthday" in {f["kind"] for f in cards[1]["followups"]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/cards",
        cards_path("not-an-address"),
        cards_path(*(f"p{n}@example.org" for n in range(MAX_CARDS + 1))),
        cards_path("a" * 320 + "@example.org"),
    ],
)
def test_a_bad_or_too_long_list_of_addresses_is_400(
    demo_server: AddinServer, cert_dir: Path, secret: str, path: str
) -> None:
    status, _, body = call(demo_server, cert_dir, "GET", path, pane(demo_server, secret))
    assert (status, body) == (400, b"")


def test_cards_need_the_secret_and_the_own_origin(
    demo_server: AddinServer, cert_dir: Path, secret: str, demo: tuple[Path, DemoTruth]
) -> None:
    path = cards_path(demo[1].mentor[0])
    for headers in ({"Origin": demo_server.origin}, {"Origin": "https://evil.example",
                    SECRET_HEADER: secret}, {SECRET_HEADER: secret}):  # fmt: skip
        assert call(demo_server, cert_dir, "GET", path, headers)[::2] == (403, b"")


# --- a note from the pane ------------------------------------------------------------------------


def test_a_note_from_the_pane_is_kept_shown_escaped_nowhere_and_listed_by_the_cli(
    demo_server: AddinServer,
    cert_dir: Path,
    secret: str,
    demo: tuple[Path, DemoTruth],
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, truth = demo
    mentor = truth.mentor[0]
    text = 'Likes <b>bold</b> plans & "quotes"\nTwo kids, Ella and Tom.'
    status, headers, body = call(
        demo_server, cert_dir, "POST", "/api/notes", pane(demo_server, secret, **JSON),
        note_body(mentor, text),
    )  # fmt: skip
    assert status == 201 and headers["access-control-allow-origin"] == demo_server.origin
    note = json.loads(body)
    assert note["text"] == text and note["at"] == "2026-11-27T12:00:00Z"
    with Store.open(db) as store:
        assert [(n.id, n.text) for n in store.notes([mentor])][-1] == (note["id"], text)
    card = json.loads(call(demo_server, cert_dir, "GET", cards_path(mentor),
                           pane(demo_server, secret))[2])["cards"][0]  # fmt: skip
    assert card["notes"][-1] == note
    code = main(["--db", str(db), "--now", DEMO_NOW.isoformat(), "note", mentor, "--list",
                 "--json"])  # fmt: skip
    assert code == 0
    listed = json.loads(capsys.readouterr().out)["notes"]
    assert listed[-1] == note


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": None}, 403),
        ({"Origin": "null"}, 403),
        ({SECRET_HEADER: None}, 403),
        ({SECRET_HEADER: "wrong"}, 403),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Host": "evil.example"}, 403),
        ({"Content-Type": "text/plain"}, 415),  # what a form could send without a preflight
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": None}, 415),
    ],
)
def test_a_note_from_anywhere_else_is_refused_and_nothing_is_kept(
    demo_server: AddinServer,
    cert_dir: Path,
    secret: str,
    demo: tuple[Path, DemoTruth],
    headers: dict[str, str | None],
    status: int,
) -> None:
    db, truth = demo
    sent = {**pane(demo_server, secret, **JSON), **headers}
    if sent.get("Host") == "evil.example":
        sent["Host"] = "evil.example"
    with Store.open(db) as store:
        before = len(store.notes())
    got, _, body = call(
        demo_server, cert_dir, "POST", "/api/notes",
        {k: v for k, v in sent.items() if v is not None}, note_body(truth.mentor[0], "sneaky"),
    )  # fmt: skip
    assert (got, body) == (status, b"")
    with Store.open(db) as store:
        assert len(store.notes()) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[" * 5000 + b"]" * 5000, 400),  # nesting, within the size
        (json.dumps({"address": "someone@example.org"}).encode(), 400),
        (json.dumps({"address": "nobody", "text": "x"}).encode(), 400),
        (note_body("a@example.org", "   "), 400),
        (note_body("a@example.org", "x" * (NOTE_MAX_CHARS + 1)), 400),
        (note_body("a@example.org", "bell\x07 and \x1b[31mred"), 400),  # terminal escapes
        ("\udcff".encode("utf-8", "surrogatepass"), 400),
    ],
)
def test_a_bad_or_oversized_note_is_refused(
    demo_server: AddinServer, cert_dir: Path, secret: str, body: bytes, status: int
) -> None:
    got, _, answer = call(
        demo_server, cert_dir, "POST", "/api/notes", pane(demo_server, secret, **JSON), body
    )
    assert (got, answer) == (status, b"")


def test_a_body_announced_over_the_limit_is_refused_before_it_is_read(
    demo_server: AddinServer, cert_dir: Path, secret: str
) -> None:
    # Nothing of the body is sent: the answer comes without waiting for it.
    headers = pane(demo_server, secret, **JSON, **{"Content-Length": str(MAX_NOTE_BODY + 1)})
    status, _, body = call(demo_server, cert_dir, "POST", "/api/notes", headers)
    assert (status, body) == (413, b"")


def test_a_note_without_a_length_is_refused(
    demo_server: AddinServer, cert_dir: Path, secret: str
) -> None:
    headers = pane(demo_server, secret, **JSON, **{"Transfer-Encoding": "chunked"})
    status, _, _ = call(demo_server, cert_dir, "POST", "/api/notes", headers, b"0\r\n\r\n")
    assert status == 411


def test_the_preflight_allows_post_for_notes_from_the_own_origin_only(
    demo_server: AddinServer, cert_dir: Path
) -> None:
    asked = {"Origin": demo_server.origin, "Access-Control-Request-Method": "POST"}
    status, headers, _ = call(demo_server, cert_dir, "OPTIONS", "/api/notes", asked)
    assert status == 204 and headers["access-control-allow-methods"] == "POST"
    assert "Content-Type" in headers["access-control-allow-headers"]
    foreign = {**asked, "Origin": "https://evil.example"}
    assert call(demo_server, cert_dir, "OPTIONS", "/api/notes", foreign)[0] == 403


def test_the_pane_the_command_line_and_the_brief_show_one_card(
    demo_service: CardService,
    demo: tuple[Path, DemoTruth],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One path: the add-in's card is ``contact --json``'s (without the ledger's items), and the
    brief's card per attendee takes its fields from the same card."""
    db, truth = demo
    mentor = truth.mentor[0]
    config = tmp_path / "empty.toml"
    config.touch()
    argv = ["--db", str(db), "--config", str(config), "--now", DEMO_NOW.isoformat()]
    pane_card = dict(demo_service(mentor) or {})
    capsys.readouterr()
    assert main([*argv, "contact", mentor, "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert pane_card.pop("is_owner") is False
    assert (pane_card.pop("schema"), cli.pop("schema")) == (
        "outlook-networking/card/1", "outlook-networking/contact/1"
    )
    del cli["balance"]["items"]
    assert pane_card == cli
    assert main([*argv, "brief", "--json", "--date", "2026-11-27"]) == 0
    brief = json.loads(capsys.readouterr().out)
    person = next(p for m in brief["meetings"] for p in m["people"] if p["address"] == mentor)
    for field in ("name", "tier", "score", "last_contact", "last_two_way", "followups", "notes",
                  "external", "known"):  # fmt: skip
        assert person[field] == cli[field], field
    assert person["balance"] == {k: cli["balance"][k] for k in ("given", "received")}
    assert person["key_dates"] == [k for k in cli["key_dates"] if k["in_days"] <= 30]
