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


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    agent = add_command(
        commands,
        "agent",
        common,
        words=w,
        help=w.gettext("keep the network current in the background"),
        description=w.gettext(
            "Sync every configured account, recompute the network and apply the "
            "write-back plan every 5 minutes, until stopped (docs/agent.md has the service files)."
        ),
        examples=[
            "agent",
            "agent --once",
            "agent --interval 900 --no-apply",
            "agent --serve-addin",
        ],
    )
    agent.add_argument("--once", action="store_true", help=w.gettext("run one cycle and exit"))
    agent.add_argument(
        "--interval",
        type=float,
        metavar="SECONDS",
        help=w.gettext("time between cycles, e.g. --interval 900 (default 300)"),
    )
    agent.add_argument(
        "--no-apply", action="store_true",
        help=w.gettext("sync only: analyse nothing, write nothing to the mailbox"),
    )
    agent.add_argument(
        "--serve-addin",
        action="store_true",
        help=w.gettext("also serve the Outlook add-in's card on 127.0.0.1 (see `addin serve`)"),
    )
    agent.set_defaults(handler=_agent)

    status = add_command(
        commands,
        "status",
        common,
        words=w,
        help=w.gettext("the agent's last and next run"),
        description=w.gettext(
            "Whether an agent is running on this store, how its last cycle went and "
            "when the next one is due, per account."
        ),
        examples=["status", "status --json"],
    )
    status.add_argument(
        "--json", action="store_true", help=w.gettext("print the status as JSON (docs/json.md)")
    )
    status.set_defaults(handler=_status)

    addin = add_command(
        commands,
        "addin",
        common,
        words=w,
        help=w.gettext("the Outlook add-in: its certificate, its manifest, its card server"),
        description=w.gettext(
            "The task pane that shows the relationship card of a message's sender in "
            "Outlook (manifest/README.md says how to sideload it)."
        ),
        examples=["addin cert", "addin manifest --out manifest.xml", "addin serve"],
    )
    actions = addin.add_subparsers(dest="action", metavar="ACTION", required=True)
    cert = add_command(
        actions,
        "cert",
        common,
        words=w,
        help=w.gettext(
            "create the local certificate the card server needs, and say how to trust it"
        ),
        description=w.gettext(
            "Create a local certificate authority (constrained to localhost and "
            "127.0.0.1, its key discarded) and the server's certificate, beside the store. An "
            "existing one is kept: you may have trusted it already; --force replaces it."
        ),
        examples=["addin cert", "addin cert --force"],
    )
    cert.add_argument(
        "--force",
        action="store_true",
        help=w.gettext("replace an existing certificate (you must then trust the new one)"),
    )
    cert.set_defaults(handler=_addin)
    manifest = add_command(
        actions,
        "manifest",
        common,
        words=w,
        help=w.gettext("write the add-in's manifest for sideloading"),
        description=w.gettext(
            "Write the manifest Outlook sideloads; it names the port the card server "
            "listens on."
        ),
        examples=["addin manifest", "addin manifest --out ~/manifest.xml --port 48400"],
    )
    manifest.add_argument(
        "--out",
        metavar="PATH",
        help=w.gettext("where to write it, e.g. --out manifest.xml (default: beside the store)"),
    )
    manifest.add_argument("--port", type=int, default=48373, help=_port(w))
    manifest.set_defaults(handler=_addin)
    serve = add_command(
        actions,
        "serve",
        common,
        words=w,
        help=w.gettext("serve the task pane and its cards on https://127.0.0.1 until stopped"),
        description=w.gettext(
            "Serve the task pane and the card of each address on 127.0.0.1 only, "
            "from this store (`agent --serve-addin` does the same beside the agent)."
        ),
        examples=["addin serve", "addin serve --port 48400"],
    )
    serve.add_argument("--port", type=int, default=48373, help=_port(w))
    serve.set_defaults(handler=_addin)


def _port(w: Wording) -> str:
    return w.gettext(
        "the port on 127.0.0.1, e.g. --port 48400 (default 48373; the manifest must name it)"
    )


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
        language = workspace.words.language
        doc = {**envelope("status", workspace.now), **read_status(workspace.store, language)}
        if args.json:
            print_json(doc)
        else:
            _print_status(doc, workspace.words)
    return 0


_TIMES = {"last_run_start", "last_run_end", "next_run", "last_error_at"}


def _labels(w: Wording) -> dict[str, str]:
    """The status document's keys (docs/json.md) as a person reads them."""
    return {
        "state": w.gettext("state"),
        "last_run_start": w.gettext("last run started"),
        "last_run_end": w.gettext("last run ended"),
        "result": w.gettext("result"),
        "next_run": w.gettext("next run"),
        "last_error": w.gettext("last error"),
        "last_error_at": w.gettext("last error at"),
        "items_synced": w.gettext("items synced"),
        "actions_applied": w.gettext("actions applied"),
        "consecutive_failures": w.gettext("failures in a row"),
    }


def _values(w: Wording) -> dict[str, str]:
    """The codes of ``state``, ``result`` and an account's ``apply`` (agent/status.py)."""
    return {
        "running": w.gettext("running"),
        "waiting": w.gettext("waiting"),
        "stopped": w.gettext("stopped"),
        "never run": w.gettext("never run"),
        "ok": w.gettext("ok"),
        "partial": w.gettext("partly done"),
        "failed": w.gettext("failed"),
        "applied": w.gettext("applied"),
        "unchanged": w.gettext("unchanged"),
        "disabled": w.gettext("disabled"),
        "skipped": w.gettext("skipped"),
    }


def _print_status(doc: dict[str, Any], w: Wording) -> None:
    labels, values = _labels(w), _values(w)
    running = (
        w.gettext("yes (process {pid})").format(pid=doc["pid"])
        if doc["running"]
        else w.gettext("no")
    )
    console.print(w.gettext("agent running: {answer}").format(answer=running), markup=False)
    for key, value in doc.items():
        if key in ("schema", "as_of", "running", "pid", "accounts"):
            continue
        if key in _TIMES:
            shown = local(value, w, time=True)
        elif isinstance(value, int):
            shown = w.number(value)
        else:
            shown = values.get(value, value) if isinstance(value, str) else value
        label = labels.get(key, key.replace("_", " "))
        console.print(f"{label}: {'–' if shown is None else shown}", markup=False)
    for name, account in sorted(doc["accounts"].items()):
        items, applied = account.get("items", 0), account.get("applied", 0)
        line = w.gettext("{account}: {items}, {actions}, write-back {outcome}").format(
            account=name,
            items=w.ngettext("{count} item synced", "{count} items synced", items).format(
                count=w.number(items)
            ),
            actions=w.ngettext(
                "{count} action applied", "{count} actions applied", applied
            ).format(count=w.number(applied)),
            outcome=values.get(account.get("apply"), account.get("apply")),
        )
        if account.get("error"):
            line += f"; {account['error']}"
        console.print("  " + line, markup=False)


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
