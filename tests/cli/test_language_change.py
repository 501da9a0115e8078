"""A change of language renames what the product wrote, in one planned step, against the EWS and
the Graph test servers.

The story: the user tried the product once before (their master list holds "Network A", in a
colour of their own, and they put it on Bob's contact and on an old message of Bob's by hand);
``apply`` in English tags contacts and messages and writes the owed reply as a task. Then the
configuration says ``language = "de"``: one ``apply`` gives every tier one German category
("Netzwerk A", "Netzwerk B") in the colour its English one had, on the master list, the contacts
and every message that carried the English name (the old one included), removes the English
names, retitles the task under the same key, and leaves the user's own category alone. A second
``apply`` has nothing to do. ``undo`` then gives back exactly what the user had: their English
"Network A" in its colour, on the contact and on the old message, and nothing else of ours.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from test_message_marks import ANN, BOB, ME, NOW, TOKEN, Backend, _ews_backend, _graph_backend
from test_message_marks import _run as run_cli

from servers.either import exchange_server
from servers.ews import EWSServer
from servers.graph import GraphServer

USER_LIST = (
    b'<?xml version="1.0"?><categories default="Red category" lastSavedSession="3" '
    b'xmlns="CategoryList.xsd">'
    b'<category name="Customer" color="4" keyboardShortcut="0" '
    b'guid="{11111111-2222-3333-4444-555555555555}" renameOnFirstUse="0"/>'
    b'<category name="Network A" color="9" keyboardShortcut="0" '
    b'guid="{11111111-2222-3333-4444-666666666666}" renameOnFirstUse="0"/></categories>'
)
GRAPH_PRESETS = {"preset4": 4, "preset7": 7, "preset9": 9}
TIER_NAMES = {"en": ("Network A", "Network B"), "de": ("Netzwerk A", "Netzwerk B")}


@dataclass
class Mailbox:
    """What the user sees, whatever the server: the master list, contacts, messages, tasks."""

    backend: Backend
    server: EWSServer | GraphServer

    def master(self) -> set[tuple[str, int]]:
        if isinstance(self.server, EWSServer):
            xml = self.server.mailbox.category_list() or b"<categories/>"
            return {
                (c.get("name", ""), int(c.get("color", "-1")))
                for c in ET.fromstring(xml)
                if c.tag.endswith("category")
            }
        return {
            (c["displayName"], GRAPH_PRESETS.get(c["color"], -1))
            for c in self.server.snapshot()["masterCategories"]
        }

    def contacts(self) -> dict[str, tuple[str, ...]]:
        if isinstance(self.server, EWSServer):
            return {
                item.text("DisplayName") or "": tuple(item.value("Categories") or ())
                for item in self.server.mailbox.items.values()
                if item.kind == "Contact"
            }
        return {
            c["displayName"]: tuple(c["categories"])
            for c in self.server.snapshot()["contacts"].values()
        }

    def messages(self) -> dict[str, tuple[str, ...]]:
        return {mid: seen[0] for mid, seen in self.backend.messages().items()}

    def tasks(self) -> list[str]:
        if isinstance(self.server, EWSServer):
            return sorted(
                item.text("Subject") or ""
                for item in self.server.mailbox.items.values()
                if item.kind == "Task"
            )
        return sorted(
            task["title"]
            for todo in self.server.snapshot()["todo"].values()
            for task in todo["tasks"].values()
        )


@pytest.fixture(params=["ews", "graph"])
def mailbox(request: pytest.FixtureRequest) -> Iterator[Mailbox]:
    with exchange_server(request.param, token=TOKEN, upn=ME) as server:
        if isinstance(server, EWSServer):
            backend = _ews_backend(server)
            server.mailbox.set_category_list(USER_LIST)
            server.mailbox.add_contact(display_name="Ann Partner", emails=[ANN],
                                       categories=["Customer"])  # fmt: skip
            server.mailbox.add_contact(display_name="Bob Client", emails=[BOB],
                                       categories=["Network A"])  # fmt: skip
        else:
            backend = _graph_backend(server)
            server.add_category("Network A", "preset9")
            server.add_contact(display_name="Ann Partner", emails=[ANN], categories=["Customer"])
            server.add_contact(display_name="Bob Client", emails=[BOB], categories=["Network A"])
        yield Mailbox(backend, server)


def _configure(tmp_path: Path, mailbox: Mailbox, language: str | None) -> None:
    chosen = f'language = "{language}"\n' if language else ""
    (tmp_path / "config.toml").write_text(
        chosen
        + f'[[accounts]]\nname = "work"\naddress = "{ME}"\nauth = "token"\ntag_messages = true\n'
        + 'followups_as = { owed_reply = "task" }\n'
        + mailbox.backend.config
        + f'\n[tiers.pinned]\n"{ANN}" = "B"\n"{BOB}" = "A"\n',
        encoding="utf-8",
    )


def _seed(mailbox: Mailbox) -> None:
    add = mailbox.backend.add_mail
    for week in range(3):
        at = NOW - timedelta(days=7 * week + 10)
        for who, tag in ((ANN, "ann"), (BOB, "bob")):
            cats = ("Customer",) if (tag, week) == ("ann", 1) else ()
            add("inbox", f"{tag} topic {week}", who, ME, at, f"<{tag}{week}@x.example>",
                categories=cats)  # fmt: skip
            add("sent", f"Re: {tag} topic {week}", ME, who, at + timedelta(hours=3),
                f"<me-{tag}{week}@example.com>", f"<{tag}{week}@x.example>")  # fmt: skip
    # Long before the tagging window; the user filed it under "Network A" themselves.
    add("inbox", "Old times", BOB, ME, NOW - timedelta(days=200), "<bob-old@x.example>",
        categories=("Network A",))  # fmt: skip
    add("inbox", "Budget?", ANN, ME, NOW - timedelta(days=3), "<budget@x.example>")


def _names(seen: dict[str, tuple[str, ...]]) -> set[str]:
    return {c for categories in seen.values() for c in categories}


def test_a_language_change_renames_everything_in_one_step_and_undo_gives_back_the_users(
    mailbox: Mailbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    _seed(mailbox)
    original = (mailbox.master(), mailbox.contacts(), mailbox.messages(), mailbox.tasks())
    assert original[0] == {("Customer", 4), ("Network A", 9)}

    _configure(tmp_path, mailbox, None)  # the system's language: English (tests/conftest.py)
    assert run_cli(tmp_path, "sync") == 0
    assert run_cli(tmp_path, "apply") == 0
    english = (mailbox.master(), mailbox.contacts(), mailbox.messages(), mailbox.tasks())
    assert english[0] == {("Customer", 4), ("Network A", 9), ("Network B", 7)}
    assert english[1] == {"Ann Partner": ("Customer", "Network B"), "Bob Client": ("Network A",)}
    assert english[2]["<ann1@x.example>"] == ("Customer", "Network B")
    assert english[2]["<bob-old@x.example>"] == ("Network A",)
    assert "Reply to Ann Partner: Budget?" in english[3]  # (and the annual review, in December)

    _configure(tmp_path, mailbox, "de")
    capsys.readouterr()
    assert run_cli(tmp_path, "apply", "--dry-run") == 0
    planned = capsys.readouterr().out
    # The listing is German too, the English name being the one to go.
    assert "Kategorie 'Netzwerk A' (Farbe 9) zur Hauptkategorienliste hinzufügen" in planned
    assert "Kategorie 'Network A' aus der Hauptkategorienliste entfernen" in planned
    assert mailbox.messages() == english[2]  # a dry run writes nothing

    assert run_cli(tmp_path, "apply") == 0
    german = (mailbox.master(), mailbox.contacts(), mailbox.messages(), mailbox.tasks())
    # One category per tier, each in the colour its English name had; the user's own untouched.
    assert german[0] == {("Customer", 4), ("Netzwerk A", 9), ("Netzwerk B", 7)}
    assert german[1] == {"Ann Partner": ("Customer", "Netzwerk B"), "Bob Client": ("Netzwerk A",)}
    english_to_german = dict(zip(TIER_NAMES["en"], TIER_NAMES["de"], strict=True))
    for mid, categories in english[2].items():
        assert german[2][mid] == tuple(english_to_german.get(c, c) for c in categories), mid
    assert not _names(german[2]) & set(TIER_NAMES["en"])
    # The same tasks, retitled: none added, none left in English.
    assert "Ann Partner antworten: Budget?" in german[3]
    assert len(german[3]) == len(english[3]) and not set(german[3]) & set(english[3])

    capsys.readouterr()
    assert run_cli(tmp_path, "apply") == 0
    assert "0 von 0 Schritten ausgeführt" in capsys.readouterr().err  # German now

    assert run_cli(tmp_path, "undo") == 0
    undone = (mailbox.master(), mailbox.contacts(), mailbox.messages(), mailbox.tasks())
    assert undone == original


def test_the_category_names_of_the_config_win_over_the_language(tmp_path: Path) -> None:
    from outlook_networking.config import load_config
    from outlook_networking.i18n import Wording, category_scheme

    (tmp_path / "config.toml").write_text(
        'language = "de"\n[writeback]\ncategories = { A = "Inner circle" }\n', encoding="utf-8"
    )
    config = load_config(tmp_path / "config.toml")
    scheme = category_scheme(config, Wording("de"))
    assert dict(scheme.names) == {
        "A": "Inner circle", "B": "Netzwerk B", "C": "Netzwerk C", "D": "Netzwerk D"
    }  # fmt: skip
    assert scheme.renamed("Network B") == "Netzwerk B"
    assert scheme.renamed("Network A") == "Inner circle" and scheme.renamed("Customer") is None
