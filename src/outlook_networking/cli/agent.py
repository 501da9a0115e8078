"""Commands of the background side: agent, status, addin.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
from typing import Any

from .options import open_workspace
from .output import console, err_console, print_json

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    agent = commands.add_parser(
        "agent", parents=[common], help="keep the network current in the background"
    )
    agent.add_argument("--once", action="store_true", help="run one cycle and exit")
    agent.add_argument("--interval", type=float, metavar="SECONDS", help="time between cycles")
    agent.add_argument("--no-apply", action="store_true", help="sync and analyse, write nothing")
    agent.add_argument(
        "--serve-addin",
        action="store_true",
        help="also serve the Outlook add-in's card on 127.0.0.1",
    )
    agent.set_defaults(handler=_agent)

    status = commands.add_parser("status", parents=[common], help="the agent's last and next run")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)

    addin = commands.add_parser("addin", parents=[common], help="the Outlook add-in")
    addin.add_argument("action", choices=("cert", "manifest", "serve"))
    addin.add_argument("--port", type=int, default=48373)
    addin.add_argument("--out", metavar="PATH", help="where `manifest` writes the manifest")
    addin.set_defaults(handler=_addin)


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

    with open_workspace(args) as workspace:
        doc = read_status(workspace.store)
        if args.json:
            print_json(doc)
        else:
            _print_status(doc)
    return 0


def _print_status(doc: dict[str, Any]) -> None:
    running = f"yes (process {doc['pid']})" if doc["running"] else "no"
    console.print(f"agent running: {running}", markup=False)
    for key, value in doc.items():
        if key in ("running", "pid", "accounts"):
            continue
        shown = value if value is not None else "–"
        console.print(f"{key.replace('_', ' ')}: {shown}", markup=False)
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
            port=args.port,
            out=args.out,
            say=lambda text: err_console.print(text),
        )
