"""Commands of the background side: agent, status, addin.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..i18n import Wording
from .options import open_workspace
from .output import console, err_console, local, print_json
from .parser import add_command

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    agent = add_command(
        commands,
        "agent",
        common,
        help="keep the network current in the background",
        description="Sync every configured account, recompute the network and apply the "
        "write-back plan every 5 minutes, until stopped (docs/agent.md has the service files).",
        examples=[
            "agent",
            "agent --once",
            "agent --interval 900 --no-apply",
            "agent --serve-addin",
        ],
    )
    agent.add_argument("--once", action="store_true", help="run one cycle and exit")
    agent.add_argument(
        "--interval",
        type=float,
        metavar="SECONDS",
        help="time between cycles, e.g. --interval 900 (default 300)",
    )
    agent.add_argument(
        "--no-apply", action="store_true", help="sync and analyse, write nothing to the mailbox"
    )
    agent.add_argument(
        "--serve-addin",
        action="store_true",
        help="also serve the Outlook add-in's card on 127.0.0.1 (see `addin serve`)",
    )
    agent.set_defaults(handler=_agent)

    status = add_command(
        commands,
        "status",
        common,
        help="the agent's last and next run",
        description="Whether an agent is running on this store, how its last cycle went and "
        "when the next one is due, per account.",
        examples=["status", "status --json"],
    )
    status.add_argument(
        "--json", action="store_true", help="print the status as JSON (docs/json.md)"
    )
    status.set_defaults(handler=_status)

    addin = add_command(
        commands,
        "addin",
        common,
        help="the Outlook add-in: its certificate, its manifest, its card server",
        description="The task pane that shows the relationship card of a message's sender in "
        "Outlook (manifest/README.md says how to sideload it).",
        examples=["addin cert", "addin manifest --out manifest.xml", "addin serve"],
    )
    actions = addin.add_subparsers(dest="action", metavar="ACTION", required=True)
    cert = add_command(
        actions,
        "cert",
        common,
        help="create the local certificate the card server needs, and say how to trust it",
        description="Create a local certificate authority (constrained to localhost and "
        "127.0.0.1, its key discarded) and the server's certificate, beside the store. An "
        "existing one is kept: you may have trusted it already; --force replaces it.",
        examples=["addin cert", "addin cert --force"],
    )
    cert.add_argument(
        "--force",
        action="store_true",
        help="replace an existing certificate (you must then trust the new one)",
    )
    cert.set_defaults(handler=_addin)
    manifest = add_command(
        actions,
        "manifest",
        common,
        help="write the add-in's manifest for sideloading",
        description="Write the manifest Outlook sideloads; it names the port the card server "
        "listens on.",
        examples=["addin manifest", "addin manifest --out ~/manifest.xml --port 48400"],
    )
    manifest.add_argument(
        "--out",
        metavar="PATH",
        help="where to write it, e.g. --out manifest.xml (default: beside the store)",
    )
    manifest.add_argument("--port", type=int, default=48373, help=_PORT)
    manifest.set_defaults(handler=_addin)
    serve = add_command(
        actions,
        "serve",
        common,
        help="serve the task pane and its cards on https://127.0.0.1 until stopped",
        description="Serve the task pane and the card of each address on 127.0.0.1 only, "
        "from this store (`agent --serve-addin` does the same beside the agent).",
        examples=["addin serve", "addin serve --port 48400"],
    )
    serve.add_argument("--port", type=int, default=48373, help=_PORT)
    serve.set_defaults(handler=_addin)


_PORT = "the port on 127.0.0.1, e.g. --port 48400 (default 48373; the manifest must name it)"


def _agent(args: argparse.Namespace) -> int:
    from ..addin.commands import start_background
    from ..agent import run_agent

    with open_workspace(args) as workspace:
        # The add-in's card server runs beside the agent, on the same workspace.
        beside = (lambda: start_background(workspace)) if args.serve_addin else None
        return run_agent(
            workspace,
            once=args.once,
            interval=args.interval,
            apply=not args.no_apply,
            debug=args.debug,
            beside=beside,
        )


def _status(args: argparse.Namespace) -> int:
    from ..agent import read_status
    from ..core.views import envelope

    with open_workspace(args, need="store") as workspace:
        doc = {**envelope("status", workspace.now), **read_status(workspace.store)}
        if args.json:
            print_json(doc)
        else:
            _print_status(doc, workspace.words)
    return 0


_TIMES = {"last_run_start", "last_run_end", "next_run", "last_error_at"}


def _print_status(doc: dict[str, Any], words: Wording) -> None:
    running = f"yes (process {doc['pid']})" if doc["running"] else "no"
    console.print(f"agent running: {running}", markup=False)
    for key, value in doc.items():
        if key in ("schema", "as_of", "running", "pid", "accounts"):
            continue
        shown = local(value, words, time=True) if key in _TIMES else value
        console.print(f"{key.replace('_', ' ')}: {'–' if shown is None else shown}", markup=False)
    for name, account in sorted(doc["accounts"].items()):
        line = (
            f"  {name}: {account.get('items', 0)} item(s) synced, "
            f"{account.get('applied', 0)} action(s) applied, write-back {account.get('apply')}"
        )
        if account.get("error"):
            line += f"; {account['error']}"
        console.print(line, markup=False)


def _addin(args: argparse.Namespace) -> int:
    from ..addin import commands as addin_commands

    with open_workspace(args) as workspace:
        return addin_commands.run(
            workspace,
            args.action,
            port=getattr(args, "port", 48373),
            out=getattr(args, "out", None),
            force=getattr(args, "force", False),
            say=lambda text: err_console.print(text, markup=False, highlight=False),
        )
