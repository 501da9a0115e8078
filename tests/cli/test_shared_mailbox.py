"""A shared mailbox through the command line: ``mailbox = "team@example.com"`` reads the team's
mail with the user's own sign-in (EWS delegate access; Graph /users/{id} with *.Shared
permissions), and the team's address is the owner whose network it is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from exchangelib import close_connections

from outlook_networking.auth.scopes import GRAPH_SHARED_SCOPES
from outlook_networking.cli import main
from servers.ews import EWSServer
from servers.graph import GraphServer

NOW = datetime.now(UTC).replace(microsecond=0)
ME, TEAM, ANN = "me@example.com", "team@example.com", "ann@partner.example"
TOKEN = "my-own-token"


@pytest.fixture(params=["ews", "graph"])
def shared(request: pytest.FixtureRequest) -> Iterator[str]:
    """The account's connector keys; the server holds team@, which its owner shared with me."""
    if request.param == "ews":
        with EWSServer(address=TEAM, token=None) as ews:
            ews.tokens[TOKEN] = ME
            ews.mailbox.delegates.add(ME)
            for week in range(3):
                ews.mailbox.add_message(
                    "inbox", subject=f"Order {week}", sender=ANN, to=[TEAM],
                    sent=NOW - timedelta(days=7 * week + 2),
                )  # fmt: skip
            yield f'connector = "ews"\nendpoint = "{ews.url}"\n'
            errors = list(ews.schema_errors)
        close_connections()
        assert errors == []
    else:
        with GraphServer(upn=ME) as graph:
            graph.add_mailbox(TEAM)
            graph.shared_with[TEAM] = {ME}
            graph.add_token(TOKEN, ME, scopes=GRAPH_SHARED_SCOPES)
            for week in range(3):
                graph.add_message(
                    "inbox", subject=f"Order {week}", sender=ANN, to=[TEAM],
                    sent=NOW - timedelta(days=7 * week + 2), mailbox=TEAM,
                )  # fmt: skip
            yield f'connector = "graph"\ngraph_url = "{graph.url}"\n'


def test_the_shared_mailbox_is_synced_as_its_own_network(
    shared: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    (tmp_path / "config.toml").write_text(
        f'[[accounts]]\nname = "team"\naddress = "{ME}"\nmailbox = "{TEAM}"\nauth = "token"\n'
        + shared,
        encoding="utf-8",
    )
    common = ["--db", str(tmp_path / "network.sqlite3"), "--config", str(tmp_path / "config.toml"),
              "--now", NOW.isoformat()]  # fmt: skip

    assert main([*common, "sync"]) == 0
    capsys.readouterr()
    assert main([*common, "contact", ANN, "--json"]) == 0

    card = json.loads(capsys.readouterr().out)
    assert card["received"] == 3  # Ann wrote to the team: the team is the owner here
