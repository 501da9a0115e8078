"""``outlook-networking login`` as a user runs it: the browser where there is one, a device code
where there is none or when asked, and what it says about EWS in Exchange Online.

The sign-in runs in a child process, unpatched: msal against the fake identity platform over
HTTPS, and Python's own ``webbrowser`` opening the sign-in page with the command in ``BROWSER``:
a small script that acts as the browser (it loads the page and posts its form to the product's
listener on 127.0.0.1).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from i18n.pseudo import PseudoWording, unmarked
from outlook_networking.cli import main

from .identity_platform import DEVICE_GRANT, IdentityPlatform

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
BROWSER_SCRIPT = """
import ssl, sys
from html.parser import HTMLParser
import httpx

class Form(HTMLParser):
    action, fields = "", {}
    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.action = values["action"]
        elif tag == "input":
            self.fields[values["name"]] = values["value"]

trust = ssl.create_default_context(cafile=sys.argv[1])
with httpx.Client(verify=trust, follow_redirects=True) as client:
    form = Form()
    form.feed(client.get(sys.argv[2]).text)
    client.post(form.action, data=form.fields).raise_for_status()
"""


@pytest.fixture
def configure(tmp_path: Path, platform: IdentityPlatform) -> Callable[[str], Path]:
    def write(keys: str) -> Path:
        config = tmp_path / "config.toml"
        config.write_text(
            '[[accounts]]\nname = "work"\naddress = "me@example.com"\n'
            f'client_id = "{CLIENT_ID}"\nauthority = "{platform.authority()}"\n' + keys,
            encoding="utf-8",
        )
        return config

    return write


@pytest.fixture
def child_env(tmp_path: Path, platform: IdentityPlatform) -> Iterator[dict[str, str]]:
    browser = tmp_path / "browser.py"
    browser.write_text(BROWSER_SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        REQUESTS_CA_BUNDLE=str(platform.ca_file),
        NO_PROXY="127.0.0.1,localhost",
        BROWSER=f"{sys.executable} {browser} {platform.ca_file} %s",
        # Never the developer's own keyring: no session bus, so the cache falls back to a file.
        DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent",
    )
    yield env


def _login(config: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "outlook_networking", "--config", str(config), "login", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _approve_device_codes(platform: IdentityPlatform, stop: threading.Event) -> threading.Thread:
    """The user, entering every code shown on another device."""

    def run() -> None:
        while not stop.wait(0.05):
            for device in list(platform.devices.values()):
                if not device.approved:
                    platform.approve(device.user_code)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_desktop_signs_in_in_the_browser(
    platform: IdentityPlatform, configure: Callable[[str], Path], child_env: dict[str, str]
) -> None:
    config = configure('connector = "graph"\n')
    result = _login(config, {**child_env, "DISPLAY": ":0"})

    assert result.returncode == 0, result.stderr
    assert "work: signed in in the browser" in result.stderr
    assert len(platform.grants("authorization_code")) == 1
    assert platform.grants(DEVICE_GRANT) == []


@pytest.mark.parametrize("display", [True, False])
def test_a_device_code_headless_or_when_asked(
    platform: IdentityPlatform,
    configure: Callable[[str], Path],
    child_env: dict[str, str],
    display: bool,
) -> None:
    config = configure('connector = "graph"\n')
    env = {**child_env, "DISPLAY": ":0"} if display else child_env
    args = ("--device-code",) if display else ()
    stop = threading.Event()
    approver = _approve_device_codes(platform, stop)
    try:
        result = _login(config, env, *args)
    finally:
        stop.set()
        approver.join()

    assert result.returncode == 0, result.stderr
    assert "https://microsoft.com/devicelogin" in result.stderr
    assert "work: signed in with a device code" in result.stderr
    assert platform.grants("authorization_code") == []


@pytest.mark.parametrize(
    ("keys", "noticed"),
    [
        ('endpoint = "https://outlook.office365.com/EWS/Exchange.asmx"\nconnector = "ews"\n',
         True),
        ('autodiscover = true\nconnector = "ews"\n', True),
        ('endpoint = "https://mail.corp.example/EWS/Exchange.asmx"\n', False),
        ('connector = "graph"\n', False),
    ],
)  # fmt: skip
def test_login_says_when_ews_runs_out_in_exchange_online(
    configure: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    keys: str,
    noticed: bool,
) -> None:
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", "t")
    config = configure('auth = "token"\n' + keys)

    assert main(["--config", str(config), "login"]) == 0

    err = capsys.readouterr().err
    facts = ("1 Oct 2026", "EwsAllowedAppIDs", "EWSEnabled", "1 Apr 2027", 'connector = "graph"')
    assert all(fact in err for fact in facts) is noticed


def test_login_in_german_says_all_in_german(
    platform: IdentityPlatform, configure: Callable[[str], Path], child_env: dict[str, str]
) -> None:
    # language = "de": the notes on the way (what the write-back asks of messages, the
    # unencrypted token file on a system without a secret service, where to sign in) and the
    # closing line come from the German catalog, with no English left in them.
    config = configure('connector = "graph"\n')
    config.write_text('language = "de"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    result = _login(config, {**child_env, "DISPLAY": ":0"})

    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    plain = Path(child_env["XDG_DATA_HOME"]) / "outlook-networking"
    assert lines[0] == (
        "work: Kennzeichnungen zur Nachverfolgung an Nachrichten: Mail.ReadWrite wird "
        "angefordert (Schreibzugriff auf E-Mails)"
    )
    assert lines[1].startswith("kein verschlüsselter Tokenspeicher auf diesem System (")
    assert lines[1].endswith(
        f"); die Token werden unverschlüsselt in {plain}/msal_token_cache.bin.plaintext.json "
        "gespeichert, nur für Sie lesbar"
    )
    assert lines[2].startswith(
        "Melden Sie sich in dem Browserfenster an, das sich öffnet. Öffnet sich keines, rufen "
        f"Sie diese Adresse auf: {platform.authority()}"
    )
    assert lines[3:] == [
        "work: im Browser angemeldet; Token gespeichert in einer Tokendatei mit den Rechten 0600"
    ]
    english = ("unencrypted", "Sign in", "signed in", "tokens", "asking for", "readable")
    assert not [word for word in english if word in result.stderr]


@pytest.mark.parametrize(
    "keys", ['autodiscover = true\nconnector = "ews"\n', 'connector = "graph"\n']
)
def test_login_notes_go_through_the_catalogs(
    configure: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    keys: str,
) -> None:
    # Under the pseudo-locale every note and the closing line are marked (the EWS note's dates
    # too): only the account's name is left outside the marks.
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", "t")
    config = configure('auth = "token"\n' + keys)

    assert main(["--config", str(config), "login"], words=PseudoWording()) == 0

    err = capsys.readouterr().err
    assert err.count("⟦") >= 2
    left = unmarked(err).replace("work", "")
    assert not re.search(r"[^\W\d_]", left), left
