"""Mail filed anywhere counts, through the command line: ``sync`` reads the Archive and the
user's folders of an EWS or Graph mailbox, not Junk, and ``[folders] exclude`` in the config
leaves out what it names, for both connectors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from exchangelib import close_connections

from outlook_networking.cli import main
from servers.ews import EWSServer
from servers.graph import GraphServer

NOW = datetime.now(UTC).replace(microsecond=0)
ME, ANN, TOKEN = "me@example.com", "ann@partner.example", "my-token"
# Where Ann's mail to me lies: (folder path from the top, messages).
FILED = [("inbox", 1), ("archive", 2), ("clients/acme", 1), ("junk", 1)]


@pytest.fixture(params=["ews", "graph"])
def mailbox(request: pytest.FixtureRequest) -> Iterator[str]:
    """The account's connector keys, for a mailbox holding ``FILED``."""
    sent = [NOW - timedelta(days=n + 1) for n in range(sum(n for _, n in FILED))]
    if request.param == "ews":
        with EWSServer(token=None) as ews:
            ews.tokens[TOKEN] = ME
            box = ews.mailbox
            clients = box.add_folder("Clients", parent="msgfolderroot")
            where = {"inbox": "inbox", "junk": "junkemail",
                     "archive": box.add_folder("Archive", parent="msgfolderroot"),
                     "clients/acme": box.add_folder("Acme", parent=clients)}  # fmt: skip
            for path, count in FILED:
                for _ in range(count):
                    box.add_message(where[path], subject=path, sender=ANN, to=[ME], sent=sent.pop())
            yield f'connector = "ews"\nendpoint = "{ews.url}"\n'
            errors = list(ews.schema_errors)
        close_connections()
        assert errors == []
    else:
        with GraphServer(upn=ME) as graph:
            graph.add_token(TOKEN, ME)
            clients = graph.add_folder("Clients")
            where = {"inbox": "inbox", "junk": "junkemail", "archive": "archive",
                     "clients/acme": graph.add_folder("Acme", clients)}  # fmt: skip
            for path, count in FILED:
                for _ in range(count):
                    graph.add_message(where[path], subject=path, sender=ANN, to=[ME],
                                      sent=sent.pop())  # fmt: skip
            yield f'connector = "graph"\ngraph_url = "{graph.url}"\n'


EXCLUDE = '[folders]\nexclude = ["Clients"]\n'


@pytest.mark.parametrize(
    ("folders", "left_out"), [("", {"junk"}), (EXCLUDE, {"junk", "clients/acme"})]
)
def test_mail_filed_anywhere_counts_unless_the_config_leaves_it_out(
    mailbox: str, folders: str, left_out: set[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    (tmp_path / "config.toml").write_text(
        f'{folders}[[accounts]]\nname = "work"\naddress = "{ME}"\nauth = "token"\n' + mailbox,
        encoding="utf-8",
    )
    common = ["--db", str(tmp_path / "network.sqlite3"), "--config", str(tmp_path / "config.toml"),
              "--now", NOW.isoformat()]  # fmt: skip
    assert main([*common, "sync"]) == 0
    capsys.readouterr()
    assert main([*common, "contact", ANN, "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["received"] == sum(n for path, n in FILED if path not in left_out)
