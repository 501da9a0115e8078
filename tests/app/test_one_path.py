"""One path: ``apply --dry-run`` and a cycle of the background agent plan the same write-back
(the morning brief's task included).

The demo mailbox is ingested into a store; one EWS account on the test server (empty, like a
mailbox the product has never written to) is configured for its owner. ``apply --dry-run`` lists
what it would write; then ``agent --once`` runs one cycle against the same store and config and
writes. Both run as the installed console script, as a user would start them. What the agent
wrote (its journal, in the store) must be exactly the list the dry run printed, the "thank or
return the favour" tasks of the give-and-take ledger included, and afterwards ``apply`` must find
nothing left to do. The answers the cycle kept for the reading commands (``app.answers``) are
the ones a fresh analysis gives, and still hold after its write-back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from exchangelib import close_connections

from outlook_networking.app.analysis import analyse_store
from outlook_networking.app.answers import fresh, kept
from outlook_networking.config import Config, load_config
from outlook_networking.demo import generate
from outlook_networking.i18n import Wording
from outlook_networking.store import Store
from servers.ews import EWSServer

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TOKEN = "one-path-token"


def _command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = shutil.which("outlook-networking", path=str(Path(sys.executable).parent))
    assert script is not None, "the package is installed with its console script"
    env = {
        **os.environ,
        "OUTLOOK_NETWORKING_ACCESS_TOKEN": TOKEN,
        "OUTLOOK_NETWORKING_LOG_DIR": str(tmp_path / "logs"),
        "COLUMNS": "1000",  # one action per line, however long its subject
    }
    return subprocess.run(
        [script, "--db", str(tmp_path / "network.sqlite3"), "--config",
         str(tmp_path / "config.toml"), "--now", NOW.isoformat(), *args],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _planned(run: subprocess.CompletedProcess[str]) -> list[str]:
    """The actions a dry run printed: the lines under ``work: N action(s) planned``."""
    assert run.returncode == 0, run.stderr
    header, *lines = run.stdout.splitlines()
    assert header.startswith("work: ") and header.endswith(" action(s) planned"), header
    assert int(header.split()[1]) == len(lines)
    return [line.strip() for line in lines]


def test_apply_dry_run_and_an_agent_cycle_plan_the_same_write_back(tmp_path: Path) -> None:
    truth = generate(tmp_path / "demo", now=NOW, messages=700)  # every planted pattern, quickly
    files = [str(tmp_path / "demo" / f) for f in ("mailbox.mbox", "calendar.ics", "contacts.vcf")]
    # The schema checks are the EWS tests' business; here they would only slow every request.
    with EWSServer(
        address=truth.owner, token=TOKEN, validate_requests=False, validate_responses=False
    ) as server:
        (tmp_path / "config.toml").write_text(
            "[[accounts]]\n"
            'name = "work"\n'
            f'address = "{truth.owner}"\n'
            'connector = "ews"\n'
            f'endpoint = "{server.url}"\n'
            'auth = "token"\n'
            'create_contacts_for_tiers = ["A"]\n'
            # Ten-year cadences for B and C keep the plan short (keep-in-touch tasks are most of
            # it); every other kind of write-back stays in it.
            "[cadence]\nb_days = 3650\nc_days = 3650\n"
            # The morning brief: one more task, written by both alike.
            '[brief]\nwrite = "task"\ntime_zone = "Europe/Berlin"\n',
            encoding="utf-8",
        )
        # (ingest reads the config too: its [folders] table.)
        ingest = _command(tmp_path, "ingest", *files, "--me", truth.owner)
        assert ingest.returncode == 0, ingest.stderr
        planned = _planned(_command(tmp_path, "apply", "--dry-run"))
        assert any(line.startswith("create task ") and "[thank_or_return:" in line
                   for line in planned), "the ledger's tasks are part of the plan"
        assert [line for line in planned if "[brief:" in line] == [
            "create task \"Today's meetings (27 Nov): 2 meetings\", due 2026-11-27 "
            "[brief:2026-11-27]"
        ]

        agent = _command(tmp_path, "agent", "--once")
        assert agent.returncode == 0, agent.stderr
        with Store.open(tmp_path / "network.sqlite3") as store:
            written = [Wording("en").action(entry.action) for entry in store.journal("ews:work")]
            _assert_answers_kept_as_fresh(store, load_config(tmp_path / "config.toml"))
        assert written == planned

        tasks = [item for item in server.mailbox.snapshot().values() if item["type"] == "Task"]
        assert len(tasks) == sum(line.startswith("create task ") for line in planned)
        assert _planned(_command(tmp_path, "apply", "--dry-run")) == []
    close_connections()


def _assert_answers_kept_as_fresh(store: Store, config: Config) -> None:
    """What the agent's cycle kept (as of ``NOW``, after its write-back) is what a fresh
    analysis answers, in the JSON the commands print."""
    words = Wording("en")
    served = kept(store, config, words, NOW, replay=True)
    assert served is not None, "the cycle kept its answers, and its write-back left them valid"
    truth = fresh(analyse_store(store, config, NOW), store, words)
    contacts, total = truth.contacts()
    rows, served_total = served.contacts()
    assert contacts and list(rows) == contacts and served_total == total == len(contacts)
    assert served.followups() == truth.followups()
    for row in map(json.loads, contacts):
        assert served.card(row["address"]) == _as_printed(truth.card(row["address"]))


def _as_printed(value: object) -> object:
    return json.loads(json.dumps(value))

