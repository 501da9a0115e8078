"""Items 2 and 8: the add-in's secret stays with the user's browser; idle clients cannot pile up.

The server runs in this process (so its threads can be counted) with a throwaway certificate.
The attacker is a plain HTTP client (httpx), first as the same user without the headers a
browser sends, then as another local user (a child process switched to ``nobody``) that forges
every header a browser would send.
"""

from __future__ import annotations

import json
import os
import select
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from outlook_networking.addin import AddinServer, ca_path, create_certificate, serve
from outlook_networking.addin.server import MAX_CONNECTIONS, SECRET_FILENAME, SECRET_HEADER

ADA = "ada@analytical.example"
CARD = {"address": ADA, "name": "Ada Lovelace", "tier": "B"}
NOBODY = 65534
# What Chromium sends when Outlook on the web loads the pane into its iframe.
NAVIGATE = {
    "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site"
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("addin")
    create_certificate(directory)
    return directory


@pytest.fixture
def server(data_dir: Path) -> Iterator[AddinServer]:
    def card_for(address: str, _language: str) -> dict[str, object] | None:
        return CARD if address == ADA else None

    with serve(card_for, data_dir=data_dir, port=0) as running:
        yield running


def _client(data_dir: Path, server: AddinServer) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(ca_path(data_dir)))
    return httpx.Client(base_url=server.url, verify=context, timeout=10)


def _secret(data_dir: Path) -> str:
    return (data_dir / SECRET_FILENAME).read_text(encoding="ascii").strip()


def test_a_plain_client_gets_neither_the_secret_nor_a_card(
    data_dir: Path, server: AddinServer
) -> None:
    secret = _secret(data_dir)
    with _client(data_dir, server) as client:
        for path in ("/", "/taskpane.html"):
            page = client.get(path)
            assert (page.status_code, page.content) == (403, b"")
        forged = {"Origin": server.origin, "Sec-Fetch-Site": "same-origin"}
        card = client.get("/api/card", params={"address": ADA}, headers=forged)
        assert (card.status_code, card.content) == (403, b"")
        # The same user's browser (here: its headers) does get the page, and with it the
        # secret; the same user can read the secret file anyway.
        page = client.get("/taskpane.html", headers=NAVIGATE)
        assert page.status_code == 200 and secret in page.text
        card = client.get("/api/card", params={"address": ADA},
                          headers={**forged, SECRET_HEADER: secret})  # fmt: skip
        assert card.json() == CARD


# Runs as root first (the same user as the server: the forged browser headers get the page and
# the card, so the headers are not what stops the second round), then becomes nobody and tries
# again, with the secret learnt in the first round. Privileges are dropped after the imports
# and a first round of every call: nobody cannot read this interpreter's files.
ATTACK = """
import json, os, sys, httpx
port, nobody = int(sys.argv[1]), int(sys.argv[4])
navigate, origin = json.loads(sys.argv[2]), sys.argv[3]
outcome, secret = {}, ""
for user in ("same", "other"):
    if user == "other":
        os.setgroups([]); os.setgid(nobody); os.setuid(nobody)
    with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=False, timeout=10) as client:
        if user == "same":  # the other user even gets to use the real secret
            page = client.get("/taskpane.html", headers=navigate)
            secret = page.text.split('"outlook-networking-secret" content="')[-1].split('"')[0]
        for name, path, headers in (
            ("page", "/taskpane.html", navigate),
            ("card", "/api/card?address=ada%40analytical.example",
             {"Origin": origin, "Sec-Fetch-Site": "same-origin",
              "X-Outlook-Networking-Secret": secret}),
        ):
            try:
                reply = client.get(path, headers=headers)
                outcome[f"{user} {name}"] = [reply.status_code, reply.text]
            except httpx.TransportError as exc:
                outcome[f"{user} {name}"] = ["closed", type(exc).__name__]
print(json.dumps(outcome))
"""


@pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0,
    reason="needs Linux (the kernel's socket table) and root (to become another user)",
)
def test_another_local_user_forging_a_browser_gets_nothing(
    data_dir: Path, server: AddinServer
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ATTACK, str(server.port), json.dumps(NAVIGATE), server.origin,
         str(NOBODY)],
        capture_output=True, text=True, timeout=60, cwd="/", check=True,
    )  # fmt: skip
    outcome = json.loads(done.stdout)
    secret = _secret(data_dir)
    assert outcome["same page"][0] == 200 and secret in outcome["same page"][1]
    assert json.loads(outcome["same card"][1]) == CARD
    assert outcome["other page"][0] == outcome["other card"][0] == "closed"
    assert secret not in json.dumps([outcome["other page"], outcome["other card"]])
    assert (data_dir / SECRET_FILENAME).stat().st_mode & 0o077 == 0  # nor can nobody read it


def _tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _worker_threads() -> int:
    return sum("process_request_thread" in t.name for t in threading.enumerate())


def test_idle_connections_stay_bounded_and_a_real_request_is_answered(
    data_dir: Path, server: AddinServer
) -> None:
    idle: list[socket.socket] = []
    try:
        for i in range(3 * MAX_CONNECTIONS):
            raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            if i % 2:  # half never start TLS; half finish it and send one header line
                tls = _tls().wrap_socket(raw)
                tls.sendall(b"GET /taskpane.html HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                raw = tls
            idle.append(raw)
        with _client(data_dir, server) as client:
            card = client.get(
                "/api/card",
                params={"address": ADA},
                headers={"Origin": server.origin, SECRET_HEADER: _secret(data_dir)},
            )
        assert card.json() == CARD
        # Every idle connection was accepted before the real one (one accept queue), and room
        # was made by cutting the longest-waiting ones. A thread that has just given up its slot
        # may still be on its way out, hence the small margin.
        assert len(server._httpd.connections) <= MAX_CONNECTIONS
        assert server._httpd.connections.cuts >= 2 * MAX_CONNECTIONS
        assert _worker_threads() <= MAX_CONNECTIONS + 2
    finally:
        for sock in idle:
            sock.close()


def test_a_request_trickling_in_is_cut_at_its_deadline(data_dir: Path) -> None:
    def card_for(_address: str, _language: str) -> dict[str, object]:
        return CARD

    with serve(card_for, data_dir=data_dir, port=0, request_deadline_s=1.0) as running:
        tls = _tls().wrap_socket(socket.create_connection(("127.0.0.1", running.port)))
        tls.sendall(b"GET /api/card?address=ada%40analytical.example HTTP/1.1\r\n")
        sent, closed = 0, False
        with tls:
            # One byte every 0.2 s: each read succeeds long before the 15 s read timeout, so
            # only a deadline for the whole request can end it. 60 bytes would take 12 s.
            while sent < 60 and not closed:
                tls.sendall(b"X")
                sent += 1
                if select.select([tls], [], [], 0.2)[0]:
                    try:
                        closed = tls.recv(1) == b""
                    except (ssl.SSLError, OSError):
                        closed = True
        assert closed and sent < 60
