"""Commands that talk to the user's mailbox: login, sync, apply, undo.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ..connectors.base import Action, is_message_action
from ..errors import UsageError
from .context import Context
from .output import console, err_console

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    login = commands.add_parser(
        "login", parents=[common], help="sign in to the configured accounts"
    )
    login.add_argument("--account", metavar="NAME", help="only this account")
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


def _accounts(ctx: Context, name: str | None) -> list[Any]:
    accounts = list(ctx.config.accounts)
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


def _refuse_while_agent_runs(ctx: Context, what: str) -> None:
    """A running agent would write its plan back right after an undo: stop it first."""
    from ..agent.lock import holder
    from ..errors import LockHeld

    pid = holder(ctx.db_path)
    if pid is not None:
        raise LockHeld(f"{ctx.db_path} (stop the agent before `{what}`)", pid)


def _login(args: argparse.Namespace) -> int:
    from ..connectors.factory import login

    ctx = Context(args)
    try:
        for account in _accounts(ctx, args.account):
            message = login(ctx, account, show=lambda text: err_console.print(text))
            err_console.print(f"{account.name}: {message}")
    finally:
        ctx.close()
    return 0


def _sync(args: argparse.Namespace) -> int:
    from .. import pipeline

    ctx = Context(args)
    try:
        for account in _accounts(ctx, args.account):
            report = pipeline.sync_account(
                ctx, account, since_months=args.since, full=args.full, progress=ctx.interactive()
            )
            err_console.print(f"{account.name}: {report.describe()}")
    finally:
        ctx.close()
    return 0


def _apply(args: argparse.Namespace) -> int:
    from .. import pipeline
    from ..writeback.plan import describe

    ctx = Context(args)
    failed = False
    try:
        if not args.dry_run:
            _refuse_while_agent_runs(ctx, "apply")
        for account in _accounts(ctx, args.account):
            if not account.writeback:
                err_console.print(f"{account.name}: read-only (writeback = false); nothing planned")
                continue
            actions, report = pipeline.apply_account(ctx, account, dry_run=args.dry_run)
            if args.dry_run:
                console.print(f"[bold]{account.name}[/bold]: {len(actions)} action(s) planned")
                for action in actions.actions:
                    if not is_message_action(action):
                        console.print(f"  {describe(action)}")
                _print_message_groups(ctx, actions.actions)
                continue
            assert report is not None
            err_console.print(
                f"{account.name}: applied {len(report.applied)} of {report.planned} action(s)"
            )
            if report.error is not None:
                from . import describe as describe_error

                err_console.print(
                    f"{account.name}: stopped: {describe_error(report.error)}; "
                    "what was applied is recorded, and the next apply continues"
                )
                failed = True
    finally:
        ctx.close()
    return 1 if failed else 0


def _print_message_groups(ctx: Context, actions: Sequence[Action]) -> None:
    """The message actions of a plan, per contact with counts (there may be thousands)."""
    from ..writeback.messages import by_contact

    groups = by_contact(actions)
    if not groups:
        return
    total = sum(1 for a in actions if is_message_action(a))
    messages = sum(g.messages for g in groups)
    console.print(f"  messages: {total:,} change(s) on {messages:,} message(s)")
    for group in groups:
        view = ctx.network.find(group.contact) if group.contact else None
        who = f"{view.name} <{group.contact}>" if view is not None else group.contact or "(nobody)"
        parts = [f"+{name} {n:,}" for name, n in sorted(group.added.items())]
        parts += [f"-{name} {n:,}" for name, n in sorted(group.removed.items())]
        parts += [f"flag {status} {n:,}" for status, n in sorted(group.flags.items())]
        console.print(f"    {who}: {group.messages:,} message(s): {', '.join(parts)}")


def _undo(args: argparse.Namespace) -> int:
    from .. import pipeline

    ctx = Context(args)
    failed = False
    try:
        _refuse_while_agent_runs(ctx, "undo")
        for account in _accounts(ctx, args.account):
            report = pipeline.undo_account(ctx, account)
            err_console.print(
                f"{account.name}: undid {len(report.applied)} of {report.planned} action(s)"
            )
            if report.error is not None:
                from . import describe as describe_error

                err_console.print(
                    f"{account.name}: stopped: {describe_error(report.error)}; run undo again"
                )
                failed = True
    finally:
        ctx.close()
    return 1 if failed else 0
