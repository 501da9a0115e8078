"""Item 2: the add-in's secret stays with the user's browser.

The server runs in this process (so its threads can be counted) with a throwaway certificate.
The attacker is a plain HTTP client (httpx), first as the same user without the headers a
browser sends, then as another local user (a child process switched to ``nobody``) that forges
every header a browser would send.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from outlook_networking.addin import AddinServer, ca_path, create_certificate, serve
from outlook_networking.addin.server import SECRET_FILENAME, SECRET_HEADER

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
    with serve(lambda a: CARD if a == ADA else None, data_dir=data_dir, port=0) as running:
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
