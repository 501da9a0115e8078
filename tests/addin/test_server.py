"""The card server: who may read cards, what unknown addresses reveal, what it serves."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outlook_networking.addin import AddinServer, serve
from outlook_networking.addin.cert import ca_path
from outlook_networking.addin.server import SECRET_HEADER, load_or_create_secret
from outlook_networking.errors import InputError, UsageError

from .conftest import ADA, FakeCards


def request(
    server: AddinServer,
    cert_dir: Path,
    path: str,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
) -> tuple[int, dict[str, str], bytes]:
    context = ssl.create_default_context(cafile=str(ca_path(cert_dir)))
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=10)
    try:
        # skip_host: the tests set Host themselves where it matters.
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        all_headers = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
        for name, value in all_headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def card_path(address: str = ADA) -> str:
    return "/api/card?address=" + address.replace("@", "%40")


def good(server: AddinServer, secret: str) -> dict[str, str]:
    return {"Origin": server.origin, SECRET_HEADER: secret}


# What a browser sends when Outlook on the web loads the pane into its iframe.
NAVIGATE = {
    "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site"
}


# --- the happy paths -------------------------------------------------------------------------


def test_the_pane_origin_with_the_secret_gets_the_card(
    server: AddinServer, cert_dir: Path, secret: str
) -> None:
    status, headers, body = request(server, cert_dir, card_path(), good(server, secret))
    assert status == 200
    card = json.loads(body)
    assert card["name"] == "Ada Lovelace" and card["tier"] == "B"
    assert headers["content-type"].startswith("application/json")
    assert headers["access-control-allow-origin"] == server.origin
    assert headers["cache-control"] == "no-store"


def test_a_same_origin_get_without_origin_header_is_accepted(
    server: AddinServer, cert_dir: Path, secret: str
) -> None:
    # Browsers send no Origin on same-origin GETs, but do send Sec-Fetch-Site.
    headers = {"Sec-Fetch-Site": "same-origin", SECRET_HEADER: secret}
    status, _, body = request(server, cert_dir, card_path(), headers)
    assert status == 200
    assert json.loads(body)["address"] == ADA


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://outlook.office.com",
        "http://127.0.0.1:{port}",
        "https://localhost:{port}",
        "https://127.0.0.1:1",
        "null",
        "",
    ],
)
def test_other_origins_are_refused(
    server: AddinServer, cert_dir: Path, secret: str, origin: str
) -> None:
    headers = {"Origin": origin.format(port=server.port), SECRET_HEADER: secret}
    status, response_headers, body = request(server, cert_dir, card_path(), headers)
    assert status == 403
    assert body == b""
    assert "access-control-allow-origin" not in response_headers


@pytest.mark.parametrize("fetch_site", [None, "cross-site", "same-site", "none"])
def test_without_origin_only_same_origin_fetches_pass(
    server: AddinServer, cert_dir: Path, secret: str, fetch_site: str | None
) -> None:
    headers = {SECRET_HEADER: secret}
    if fetch_site is not None:
        headers["Sec-Fetch-Site"] = fetch_site
    status, _, body = request(server, cert_dir, card_path(), headers)
    assert (status, body) == (403, b"")


@pytest.mark.parametrize("offered", [None, "", "wrong", "x" * 43])
def test_a_wrong_or_missing_secret_is_refused(
    server: AddinServer, cert_dir: Path, secret: str, offered: str | None
) -> None:
    headers = {"Origin": server.origin}
    if offered is not None:
        headers[SECRET_HEADER] = offered
    status, _, body = request(server, cert_dir, card_path(), headers)
    assert (status, body) == (403, b"")


def test_refusals_do_not_reveal_whether_an_address_is_known(
    server: AddinServer, cert_dir: Path, cards: FakeCards
) -> None:
    asked_before = len(cards.asked)
    known = request(server, cert_dir, card_path(ADA), {"Origin": server.origin})
    unknown = request(server, cert_dir, card_path("nobody@example.org"), {"Origin": server.origin})
    assert known[0] == unknown[0] == 403
    assert known[2] == unknown[2] == b""
    assert len(cards.asked) == asked_before  # the store was not even asked


@pytest.mark.parametrize("path", ["/api/card?address=ada%40analytical.example", "/taskpane.html"])
def test_a_foreign_host_header_is_refused(
    server: AddinServer, cert_dir: Path, secret: str, path: str
) -> None:
    # DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1.
    headers = {**good(server, secret), "Host": f"evil.example:{server.port}"}
    status, _, body = request(server, cert_dir, path, headers)
    assert (status, body) == (403, b"")


# --- answers about addresses ------------------------------------------------------------------


def test_an_unknown_address_is_404_with_nothing_in_it(
    server: AddinServer, cert_dir: Path, secret: str
) -> None:
    status, headers, body = request(
        server, cert_dir, card_path("stranger@example.org"), good(server, secret)
    )
    assert status == 404
    assert body == b""
    assert headers["content-length"] == "0"


@pytest.mark.parametrize(
    "path", ["/api/card", "/api/card?address=", "/api/card?address=no-at-sign",
             "/api/card?address=a%40b&address=c%40d", "/api/card?address=" + "a" * 400 + "%40b"]
)
def test_a_missing_or_malformed_address_is_400(
    server: AddinServer, cert_dir: Path, secret: str, path: str
) -> None:
    status, _, body = request(server, cert_dir, path, good(server, secret))
    assert (status, body) == (400, b"")


@pytest.mark.parametrize("address", ["boom@example.org", "odd@example.org"])
def test_a_failing_store_gives_500_without_details(
    server: AddinServer, cert_dir: Path, secret: str, address: str
) -> None:
    status, _, body = request(server, cert_dir, card_path(address), good(server, secret))
    assert (status, body) == (500, b"")


def test_dates_in_a_card_become_iso_text(cert_dir: Path, secret: str) -> None:
    when = datetime(2026, 11, 13, 9, 30, tzinfo=UTC)
    with serve(FakeCards({ADA: {"address": ADA, "last_contact": when}}), data_dir=cert_dir,
               port=0) as running:
        status, _, body = request(running, cert_dir, card_path(), good(running, secret))
    assert status == 200
    assert json.loads(body)["last_contact"] == "2026-11-13T09:30:00+00:00"


def test_preflight_is_answered_for_the_own_origin_only(
    server: AddinServer, cert_dir: Path
) -> None:
    ask = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": SECRET_HEADER}
    status, headers, _ = request(
        server, cert_dir, card_path(), {"Origin": server.origin, **ask}, method="OPTIONS"
    )
    assert status == 204
    assert headers["access-control-allow-origin"] == server.origin
    assert SECRET_HEADER in headers["access-control-allow-headers"]
    status, headers, _ = request(
        server, cert_dir, card_path(), {"Origin": "https://evil.example", **ask}, method="OPTIONS"
    )
    assert status == 403
    assert "access-control-allow-origin" not in headers


# --- static files -----------------------------------------------------------------------------


def test_the_pane_carries_the_secret_and_a_script_policy(
    server: AddinServer, cert_dir: Path, secret: str
) -> None:
    status, headers, body = request(server, cert_dir, "/taskpane.html", NAVIGATE)
    assert status == 200
    assert f'content="{secret}"'.encode() in body
    assert b"__OUTLOOK_NETWORKING_SECRET__" not in body
    assert headers["cache-control"] == "no-store"
    assert "script-src 'self' https://appsforoffice.microsoft.com" in headers[
        "content-security-policy"
    ]
    assert "access-control-allow-origin" not in headers  # other origins cannot read the secret


def test_the_pane_carries_the_catalogs_and_the_default_language(cert_dir: Path) -> None:
    """Every language's table from the compiled catalogs (read here with gettext, not the
    server's reader), the configured language as the default and in ``<html lang>``."""
    import gettext
    import re

    from outlook_networking.i18n.wording import DOMAIN, LOCALE_DIR

    with serve(FakeCards({}), data_dir=cert_dir, language="de", port=0) as german:
        status, _, body = request(german, cert_dir, "/taskpane.html", NAVIGATE)
    assert status == 200
    page = body.decode("utf-8")
    assert page.count('<html lang="de">') == 1 and "__OUTLOOK_NETWORKING" not in page
    found = re.search(r'<script type="application/json" id="outlook-networking-words">'
                      r"(.*?)</script>", page, re.S)  # fmt: skip
    assert found is not None
    doc = json.loads(found.group(1))
    assert doc["language"] == "de" and set(doc["tables"]) == {"de", "en"}
    catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=["de"])
    for message in ("Open follow-ups", "Relationship card", "Last contact {when}"):
        assert doc["tables"]["de"][message] == catalog.gettext(message) != message
    assert doc["tables"]["de"]["{count} person besides you"] == [
        catalog.ngettext("{count} person besides you", "{count} people besides you", n)
        for n in (1, 2)
    ]
    assert doc["tables"]["en"]["Open follow-ups"] == "Open follow-ups"


@pytest.mark.parametrize(("query", "language"), [("&lang=de", "de"), ("&lang=en", "en"),
                                                 ("&lang=fr", "en"), ("", "en")])  # fmt: skip
def test_cards_come_in_the_language_the_pane_asks_for(
    cert_dir: Path, secret: str, query: str, language: str
) -> None:
    cards = FakeCards({ADA: {"address": ADA}})
    with serve(cards, data_dir=cert_dir, port=0) as running:  # default: English
        path = "/api/cards?address=" + ADA.replace("@", "%40") + query
        status, _, _ = request(running, cert_dir, path, good(running, secret))
    assert status == 200 and cards.languages == [language]


@pytest.mark.parametrize(
    "fetch",
    [{}, {"Sec-Fetch-Mode": "navigate"}, {"Sec-Fetch-Dest": "iframe"},
     {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},
     {"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "script"},
     {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "object"}],
)
def test_the_pane_is_only_for_a_browser_loading_a_window_or_frame(
    server: AddinServer, cert_dir: Path, fetch: dict[str, str]
) -> None:
    for path in ("/", "/taskpane.html"):
        assert request(server, cert_dir, path, fetch)[::2] == (403, b"")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/", "text/html"), ("/taskpane.js", "text/javascript"), ("/taskpane.css", "text/css"),
     ("/icon-80.png", "image/png"), ("/manifest.xml", "application/xml")],
)
def test_static_files_are_served_with_their_type(
    server: AddinServer, cert_dir: Path, path: str, content_type: str
) -> None:
    status, headers, body = request(server, cert_dir, path, NAVIGATE)
    assert status == 200 and body
    assert headers["content-type"].startswith(content_type)
    assert headers["x-content-type-options"] == "nosniff"


def test_the_served_manifest_names_the_servers_port(
    server: AddinServer, cert_dir: Path
) -> None:
    _, _, body = request(server, cert_dir, "/manifest.xml")
    assert f"https://127.0.0.1:{server.port}/taskpane.html".encode() in body


@pytest.mark.parametrize(
    "path", ["/../pyproject.toml", "/server.py", "/static/taskpane.js", "/%2e%2e/cert.py",
             "/addin-secret", "/addin-key.pem"]
)
def test_nothing_outside_the_whitelist_is_served(
    server: AddinServer, cert_dir: Path, path: str
) -> None:
    status, _, body = request(server, cert_dir, path)
    assert (status, body) == (404, b"")


# --- the server itself ------------------------------------------------------------------------


def test_it_listens_on_the_loopback_only(server: AddinServer) -> None:
    assert server.url == f"https://127.0.0.1:{server.port}/"
    assert server._httpd.socket.getsockname()[0] == "127.0.0.1"


def test_the_secret_is_private_and_survives_restarts(
    cert_dir: Path, server: AddinServer, secret: str
) -> None:
    path = cert_dir / "addin-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(secret) >= 32
    assert load_or_create_secret(cert_dir) == secret


@pytest.mark.parametrize("content", ["short", '"><script>alert(1)</script>' * 3, "\xff" * 40])
def test_a_damaged_secret_file_is_replaced(tmp_path: Path, content: str) -> None:
    (tmp_path / "addin-secret").write_bytes(content.encode("latin-1"))
    secret = load_or_create_secret(tmp_path)
    assert secret != content and len(secret) >= 32
    assert secret.replace("-", "").replace("_", "").isalnum()
    assert stat.S_IMODE((tmp_path / "addin-secret").stat().st_mode) == 0o600


def test_a_fresh_data_directory_gets_a_new_secret(tmp_path: Path, cert_dir: Path) -> None:
    assert load_or_create_secret(tmp_path) != load_or_create_secret(cert_dir)


def test_only_the_loopback_host_is_accepted(cert_dir: Path) -> None:
    with pytest.raises(UsageError):
        serve(FakeCards({}), data_dir=cert_dir, host="0.0.0.0", port=0)


def test_a_missing_certificate_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        serve(FakeCards({}), data_dir=tmp_path, port=0)


def test_a_busy_port_is_a_usage_error(cert_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(UsageError):
            serve(FakeCards({}), data_dir=cert_dir, port=taken.getsockname()[1])


def test_shutdown_stops_answering(cert_dir: Path) -> None:
    running = serve(FakeCards({}), data_dir=cert_dir, port=0)
    status, _, _ = request(running, cert_dir, "/taskpane.html", NAVIGATE)
    assert status == 200
    running.shutdown()
    running.shutdown()  # twice is harmless
    with pytest.raises(OSError):
        request(running, cert_dir, "/taskpane.html")
