"""The user's whole story through the command line, against the EWS and the Graph test servers.

Configured like a real account (a TOML file, ``auth = "token"``), the commands run unpatched
over HTTP on 127.0.0.1: ``sync``, ``apply --dry-run``, ``apply``, ``apply`` again (nothing
to do), a reply that resolves the owed reply (a flag on its message by default, a task when
``followups_as`` says so), and ``undo``, which gives the mailbox back as it was, compared item
by item. Messages' own categories and flags in detail: ``test_message_marks``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from outlook_networking.cli import main
from outlook_networking.ports import RetryPolicy
from servers.either import exchange_server
from servers.ews import EWSServer
from servers.graph import GraphServer

NOW = datetime.now(UTC).replace(microsecond=0)
ME = "me@example.com"
ANN = "ann@partner.example"
TOKEN = "story-token"


@dataclass
class Backend:
    """One server and what the story needs to drive and inspect it."""

    config: str  # the [[accounts]] table
    add_mail: Callable[..., str]  # (folder "inbox"|"sent", subject, sender, to, at, mid, irt)
    add_contact: Callable[[str, str, list[str]], str]  # (name, address, categories) -> id
    view: Callable[[], Any]  # what a user sees, comparable with ==
    contact_categories: Callable[[str], list[str]]
    open_tasks: Callable[[], list[str]]  # titles of the product's open tasks
    done_tasks: Callable[[], list[str]]


def _ews_backend(server: EWSServer) -> Backend:
    box = server.mailbox
    folders = {"inbox": "inbox", "sent": "sentitems"}

    def add_mail(folder: str, subject: str, sender: str, to: str, at: datetime, mid: str,
                 irt: str | None = None) -> str:  # fmt: skip
        return box.add_message(
            folders[folder], subject=subject, sender=sender, to=[to], sent=at, received=at,
            message_id=mid, in_reply_to=irt,
        )  # fmt: skip

    def add_contact(name: str, address: str, categories: list[str]) -> str:
        return box.add_contact(display_name=name, emails=[address], categories=categories)

    def tasks(complete: bool) -> list[str]:
        return [
            item["fields"].get("Subject", "")
            for item in box.snapshot().values()
            if item["type"] == "Task" and (item["fields"].get("Status") == "Completed") == complete
        ]

    return Backend(
        config=f'connector = "ews"\nendpoint = "{server.url}"\n',
        add_mail=add_mail,
        add_contact=add_contact,
        view=lambda: {"items": box.snapshot(), "categories": box.category_list()},
        contact_categories=lambda item_id: list(box.snapshot()[item_id]["categories"]),
        open_tasks=lambda: tasks(False),
        done_tasks=lambda: tasks(True),
    )


def _graph_backend(server: GraphServer) -> Backend:
    folders = {"inbox": "inbox", "sent": "sentitems"}

    def add_mail(folder: str, subject: str, sender: str, to: str, at: datetime, mid: str,
                 irt: str | None = None) -> str:  # fmt: skip
        return server.add_message(
            folders[folder], subject=subject, sender=sender, to=[to], sent=at,
            internet_message_id=mid, in_reply_to=irt,
            conversation_id=f"conv-{(irt or mid).strip('<>')}",
        )  # fmt: skip

    def add_contact(name: str, address: str, categories: list[str]) -> str:
        return server.add_contact(display_name=name, emails=[address], categories=categories)

    def tasks(complete: bool) -> list[str]:
        return [
            t["title"]
            for entry in server.snapshot()["todo"].values()
            for t in entry["tasks"].values()
            if (t["status"] == "completed") == complete
        ]

    def view() -> Any:
        snap = server.snapshot()
        return {
            "master": sorted((c["displayName"], c["color"]) for c in snap["masterCategories"]),
            "contacts": {i: c["categories"] for i, c in snap["contacts"].items()},
            "todo": sorted(e["list"]["displayName"] for e in snap["todo"].values()),
            "messages": {
                f: sorted(m.get("subject", "") for m in items.values())
                for f, items in snap["messages"].items()
            },
        }

    return Backend(
        config=f'connector = "graph"\ngraph_url = "{server.url}"\n',
        add_mail=add_mail,
        add_contact=add_contact,
        view=view,
        contact_categories=lambda item_id: list(
            server.snapshot()["contacts"][item_id]["categories"]
        ),
        open_tasks=lambda: tasks(False),
        done_tasks=lambda: tasks(True),
    )


@pytest.fixture(params=["ews", "graph"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    with exchange_server(request.param, token=TOKEN, upn=ME) as server:
        if isinstance(server, EWSServer):
            yield _ews_backend(server)
        else:
            yield _graph_backend(server)


UNREACHABLE = 'connector = "graph"\ngraph_url = "http://127.0.0.1:9/v1.0"\n'


def _configure(tmp_path: Path, account_keys: str) -> None:
    """One token-authenticated account ``work`` for the owner, plus the connector's keys."""
    (tmp_path / "config.toml").write_text(
        f'[[accounts]]\nname = "work"\naddress = "{ME}"\nauth = "token"\n' + account_keys,
        encoding="utf-8",
    )


def _run(tmp_path: Path, *args: str, retry: RetryPolicy | None = None) -> int:
    return main(
        ["--db", str(tmp_path / "network.sqlite3"), "--config", str(tmp_path / "config.toml"),
         "--now", NOW.isoformat(), *args],
        retry=retry,
    )  # fmt: skip


def test_sync_apply_reply_undo(
    backend: Backend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    _configure(tmp_path, backend.config + 'followups_as = { owed_reply = "both" }\n')
    for week in range(12):
        at = NOW - timedelta(days=7 * week + 10)
        backend.add_mail("inbox", f"Topic {week}", ANN, ME, at, f"<ann{week}@partner.example>")
        backend.add_mail(
            "sent", f"Re: Topic {week}", ME, ANN, at + timedelta(hours=2),
            f"<me{week}@example.com>", f"<ann{week}@partner.example>",
        )  # fmt: skip
    ann = backend.add_contact("Ann Partner", ANN, ["Customer"])
    question = "<budget@partner.example>"
    backend.add_mail("inbox", "Budget?", ANN, ME, NOW - timedelta(days=3), question)
    before = backend.view()

    assert _run(tmp_path, "sync") == 0
    assert _run(tmp_path, "apply", "--dry-run") == 0
    planned = capsys.readouterr().out
    assert "create task" in planned and "Budget" in planned
    assert f"<{ANN}>: 1 message(s): flag flagged 1" in planned  # and the flag on the question
    assert backend.view() == before  # a dry run writes nothing

    assert _run(tmp_path, "apply") == 0
    categories = backend.contact_categories(ann)
    assert categories[0] == "Customer" and categories[1].startswith("Network ")
    assert any("Budget" in title for title in backend.open_tasks())
    applied = backend.view()

    capsys.readouterr()
    assert _run(tmp_path, "apply") == 0
    assert "applied 0 of 0" in capsys.readouterr().err
    assert backend.view() == applied

    backend.add_mail(
        "sent", "Re: Budget?", ME, ANN, NOW - timedelta(hours=1), "<answer@example.com>", question
    )
    assert _run(tmp_path, "sync") == 0
    assert _run(tmp_path, "apply") == 0
    assert any("Budget" in title for title in backend.done_tasks())
    assert not any("Budget" in title for title in backend.open_tasks())

    assert _run(tmp_path, "undo") == 0
    after = backend.view()
    assert backend.contact_categories(ann) == ["Customer"]
    assert backend.open_tasks() == [] and backend.done_tasks() == []
    if "messages" in before:  # Graph's view lists the mail; the answer is the user's own
        after["messages"]["sentitems"].remove("Re: Budget?")
    else:
        after["items"] = {k: v for k, v in after["items"].items() if k in before["items"]}
    assert after == before


def test_unreachable_server_is_one_line_and_keeps_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    _configure(tmp_path, UNREACHABLE)
    # No waiting for the server to come back: the test is about what the user reads.
    assert _run(tmp_path, "sync", retry=RetryPolicy(max_wait_s=0)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("outlook-networking: ") and "Traceback" not in err[0]


def test_undo_and_apply_refuse_while_an_agent_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from outlook_networking.agent.lock import StoreLock

    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    _configure(tmp_path, UNREACHABLE)
    with StoreLock(tmp_path / "network.sqlite3"):
        assert _run(tmp_path, "undo") == 1
        assert "stop the agent before `undo`" in capsys.readouterr().err
        assert _run(tmp_path, "apply") == 1
        assert "stop the agent before `apply`" in capsys.readouterr().err


def test_undo_while_an_apply_writes_is_told_to_wait_not_to_stop_an_agent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from outlook_networking.agent.lock import StoreLock

    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    _configure(tmp_path, UNREACHABLE)
    with StoreLock(tmp_path / "network.sqlite3", role="apply"):
        assert _run(tmp_path, "undo") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"`apply` (process {os.getpid()}) is writing with" in err[0]
    assert "run `undo` again when it is done" in err[0] and "agent" not in err[0]


def test_apply_on_a_read_only_store_leaves_no_lock_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from outlook_networking.agent.lock import lock_path_for

    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    _configure(tmp_path, UNREACHABLE)
    db = tmp_path / "network.sqlite3"
    assert _run(tmp_path, "sync", retry=RetryPolicy(max_wait_s=0)) == 1  # makes the store
    capsys.readouterr()
    db.chmod(0o400)
    try:
        # (no back-off: the lock is decided before the server is tried, which waited 90 s)
        assert _run(tmp_path, "apply", retry=RetryPolicy(max_wait_s=0)) == 1
    finally:
        db.chmod(0o600)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert not lock_path_for(db).exists()


def test_a_read_only_account_plans_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    _configure(tmp_path, "writeback = false\n" + UNREACHABLE)
    assert _run(tmp_path, "apply") == 0  # the server is unreachable: nothing may be asked of it
    assert "read-only (writeback = false)" in capsys.readouterr().err


def test_apply_holds_the_store_while_it_writes_so_no_second_run_overlaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two runs at once would each make the same task from the mailbox as they read it (the
    # Graph sink looks a task's key up in the lists it read): `apply` holds the agent's lock on
    # the store for as long as it writes, so an agent or another `apply` started meanwhile is
    # refused. Seen from the server, at the moment the task is created.
    from outlook_networking.agent.lock import held_by

    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", TOKEN)
    db = tmp_path / "network.sqlite3"
    with exchange_server("graph", token=TOKEN, upn=ME) as server:
        assert isinstance(server, GraphServer)
        backend = _graph_backend(server)
        _configure(tmp_path, backend.config + 'followups_as = { owed_reply = "task" }\n')
        question = "<b@partner.example>"
        backend.add_mail("inbox", "Budget?", ANN, ME, NOW - timedelta(days=3), question)
        assert _run(tmp_path, "sync") == 0
        holders: list[tuple[int, str] | None] = []
        server.after_answer("POST", r"/tasks$", lambda: holders.append(held_by(db)))

        assert _run(tmp_path, "apply") == 0

        assert any("Budget" in title for title in backend.open_tasks())
        assert holders == [(os.getpid(), "apply")]  # held by this run while it made the task
        assert held_by(db) is None  # and let go when it ended
