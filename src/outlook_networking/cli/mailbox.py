"""Commands that talk to the user's mailbox: login, sync, apply, undo.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ..app import pipeline
from ..app.wording import describe as describe_error
from ..app.workspace import Workspace
from ..errors import UsageError
from ..ports import Action, is_message_action
from ..writeback.plan import describe
from .options import open_workspace
from .output import console, err_console, sync_progress

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    login = commands.add_parser(
        "login", parents=[common], help="sign in to the configured accounts"
    )
    login.add_argument("--account", metavar="NAME", help="only this account")
    login.add_argument(
        "--device-code",
        action="store_true",
        help="sign in with a code entered on any device, not in this machine's browser",
    )
    login.set_defaults(handler=_login)

    sync = commands.add_parser("sync", parents=[common], help="read new mail and meetings")
    sync.add_argument("--account", metavar="NAME", help="only this account")
    sync.add_argument(
        "--since",
        metavar="MONTHS",
        type=int,
        help="how far back a first sync reaches (default: the account's since_months, 18)",
    )
    sync.add_argument("--full", action="store_true", help="forget sync states and read everything")
    sync.set_defaults(handler=_sync)

    apply = commands.add_parser(
        "apply", parents=[common], help="write tiers and follow-ups back into the mailbox"
    )
    apply.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    apply.add_argument("--account", metavar="NAME", help="only this account")
    apply.set_defaults(handler=_apply)

    undo = commands.add_parser(
        "undo", parents=[common], help="remove everything the product wrote to the mailbox"
    )
    undo.add_argument("--account", metavar="NAME", help="only this account")
    undo.set_defaults(handler=_undo)


def _accounts(workspace: Workspace, name: str | None) -> list[Any]:
    accounts = list(workspace.config.accounts)
    if not accounts:
        raise UsageError(
            "no accounts configured; add an [[accounts]] table to the config file "
            "(see the README), or use `ingest` for exported files"
        )
    if name:
        accounts = [a for a in accounts if a.name == name]
        if not accounts:
            raise UsageError(f"no account named {name!r} in the configuration")
    return accounts


def _refuse_while_agent_runs(workspace: Workspace, what: str) -> None:
    """A running agent would write its plan back right after an undo: stop it first."""
    from ..agent.lock import holder
    from ..errors import LockHeld

    pid = holder(workspace.db_path)
    if pid is not None:
        raise LockHeld(f"{workspace.db_path} (stop the agent before `{what}`)", pid)


def _login(args: argparse.Namespace) -> int:
    from ..app.connect import login

    with open_workspace(args) as workspace:
        for account in _accounts(workspace, args.account):
            message = login(
                account,
                # Soft wrap: the sign-in address must stay one line to be copied whole.
                show=lambda text: err_console.print(text, soft_wrap=True, markup=False),
                device_code=args.device_code,
            )
            err_console.print(f"{account.name}: {message}")
    return 0


def _sync(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        for account in _accounts(workspace, args.account):
            with sync_progress(f"Syncing {account.name}") as on_batch:
                report = pipeline.sync_account(
                    workspace, account, since_months=args.since, full=args.full,
                    on_batch=on_batch,
                )
            err_console.print(f"{account.name}: {_synced(report)}")
    return 0


def _synced(report: pipeline.SyncReport) -> str:
    text = (
        f"{report.items:,} item(s) read, {report.written:,} new or changed, "
        f"{report.deleted:,} deleted"
    )
    if report.problems:
        text += f", {len(report.problems):,} skipped as unreadable"
    if report.stopped:
        text += " (stopped early; the next sync resumes)"
    return text


def _apply(args: argparse.Namespace) -> int:
    failed = False
    with open_workspace(args) as workspace:
        if not args.dry_run:
            _refuse_while_agent_runs(workspace, "apply")
        for account in _accounts(workspace, args.account):
            if not account.writeback:
                err_console.print(f"{account.name}: read-only (writeback = false); nothing planned")
                continue
            actions, report = pipeline.apply_account(workspace, account, dry_run=args.dry_run)
            if args.dry_run:
                console.print(f"[bold]{account.name}[/bold]: {len(actions)} action(s) planned")
                for action in actions.actions:  # plain text: keys and subjects hold brackets
                    if not is_message_action(action):
                        console.print(f"  {describe(action)}", markup=False)
                _print_message_groups(workspace, actions.actions)
                continue
            assert report is not None
            err_console.print(
                f"{account.name}: applied {len(report.applied)} of {report.planned} action(s)"
            )
            if report.error is not None:
                err_console.print(
                    f"{account.name}: stopped: {describe_error(report.error)}; "
                    "what was applied is recorded, and the next apply continues"
                )
                failed = True
    return 1 if failed else 0


def _print_message_groups(workspace: Workspace, actions: Sequence[Action]) -> None:
    """The message actions of a plan, per contact with counts (there may be thousands)."""
    from ..writeback.messages import by_contact

    groups = by_contact(actions)
    if not groups:
        return
    total = sum(1 for a in actions if is_message_action(a))
    messages = sum(g.messages for g in groups)
    console.print(f"  messages: {total:,} change(s) on {messages:,} message(s)")
    for group in groups:
        view = workspace.network.find(group.contact) if group.contact else None
        who = f"{view.name} <{group.contact}>" if view is not None else group.contact or "(nobody)"
        parts = [f"+{name} {n:,}" for name, n in sorted(group.added.items())]
        parts += [f"-{name} {n:,}" for name, n in sorted(group.removed.items())]
        parts += [f"flag {status} {n:,}" for status, n in sorted(group.flags.items())]
        console.print(f"    {who}: {group.messages:,} message(s): {', '.join(parts)}",
                      markup=False)  # fmt: skip


def _undo(args: argparse.Namespace) -> int:
    failed = False
    with open_workspace(args) as workspace:
        _refuse_while_agent_runs(workspace, "undo")
        for account in _accounts(workspace, args.account):
            report = pipeline.undo_account(workspace, account)
            err_console.print(
                f"{account.name}: undid {len(report.applied)} of {report.planned} action(s)"
            )
            if report.error is not None:
                err_console.print(
                    f"{account.name}: stopped: {describe_error(report.error)}; run undo again"
                )
                failed = True
    return 1 if failed else 0
