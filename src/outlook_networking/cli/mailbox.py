"""Commands that talk to the user's mailbox: login, sync, apply, undo.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..app import pipeline
from ..app.wording import describe as describe_error
from ..app.workspace import Workspace
from ..config import default_config_path
from ..core.followups import short_key
from ..core.views import iso
from ..errors import UsageError
from ..ports import Action, CreateTask, SetCategories, is_message_action
from ..writeback.plan import describe
from .options import open_workspace
from .output import console, count, err_console, local, say, sync_progress
from .parser import add_command

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    login = add_command(
        commands,
        "login",
        common,
        help="sign in to the configured accounts",
        description="Sign in to each configured account (docs/config.md): in this machine's "
        "browser where one can be opened, else with a device code; tokens are kept in an "
        "encrypted cache. NTLM and basic accounts check that their password can be found.",
        examples=["login", "login --account work", "login --device-code"],
    )
    login.add_argument("--account", metavar="NAME", help=_ACCOUNT)
    login.add_argument(
        "--device-code",
        action="store_true",
        help="sign in with a code entered on any device, not in this machine's browser",
    )
    login.set_defaults(handler=_login)

    sync = add_command(
        commands,
        "sync",
        common,
        help="read new mail and meetings from the configured accounts",
        description="Read what is new in each configured mailbox since the last sync (metadata "
        "only, never bodies) into the store.",
        examples=["sync", "sync --account work", "sync --since 6", "sync --full"],
    )
    sync.add_argument("--account", metavar="NAME", help=_ACCOUNT)
    sync.add_argument(
        "--since",
        metavar="MONTHS",
        type=int,
        help="how far back a first sync reaches, e.g. --since 6 (default: the account's "
        "since_months, 18)",
    )
    sync.add_argument(
        "--full", action="store_true", help="forget the sync state and read everything again"
    )
    sync.set_defaults(handler=_sync)

    apply = add_command(
        commands,
        "apply",
        common,
        help="write tiers and follow-ups back into the mailbox",
        description="Plan the write-back (a category per tier on your contacts, a task per open "
        "follow-up) against each configured mailbox and apply it; --dry-run prints the plan. "
        "Without an account, --dry-run previews what would be written to a mailbox holding the "
        "address-book cards you ingested.",
        examples=["apply --dry-run", "apply", "apply --account work"],
    )
    apply.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    apply.add_argument("--account", metavar="NAME", help=_ACCOUNT)
    apply.set_defaults(handler=_apply)

    undo = add_command(
        commands,
        "undo",
        common,
        help="remove everything the product wrote to the mailbox",
        description="Remove the product's categories and tasks from each configured mailbox, "
        "and nothing of yours.",
        examples=["undo", "undo --account work"],
    )
    undo.add_argument("--account", metavar="NAME", help=_ACCOUNT)
    undo.set_defaults(handler=_undo)


_ACCOUNT = "only the account of this name, e.g. --account work (default: every account)"


def _config_path(workspace: Workspace) -> Path:
    return workspace.config_path or default_config_path()


def _accounts(workspace: Workspace, name: str | None) -> list[Any]:
    accounts = list(workspace.config.accounts)
    where = _config_path(workspace)
    if not accounts:
        found = "" if where.exists() else " (there is no such file yet)"
        raise UsageError(
            f"no accounts configured in {where}{found}; `outlook-networking config init` "
            "writes one, or use `ingest` for exported files"
        )
    if name:
        accounts = [a for a in accounts if a.name == name]
        if not accounts:
            raise UsageError(f"no account named {name!r} in {where}")
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
                    workspace,
                    account,
                    since_months=args.since,
                    full=args.full,
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
    # A dry run only reads: on a missing or empty store it would plan to take everything away.
    with open_workspace(args, need="data" if args.dry_run else "any") as workspace:
        if args.dry_run and not workspace.config.accounts and not args.account:
            _preview(workspace)
            return 0
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


def _preview(workspace: Workspace) -> None:
    """``apply --dry-run`` without an account: the plan against the ingested address book."""
    actions = pipeline.preview_plan(workspace.store, workspace.config, workspace.network)
    names = {c.item_id: c.full_name or ", ".join(c.addresses) for c in workspace.store.cards()}
    say(
        f"PREVIEW: no account is configured in {_config_path(workspace)}, so nothing can be "
        "written. With a mailbox that holds the address-book cards you ingested and none of "
        "the product's categories and tasks yet, `apply` would do "
        f"{count(len(actions), 'thing', 'things')}:",
        hang=0,
    )
    for action in actions.actions:
        line = describe(action)
        if isinstance(action, SetCategories):
            before, after = (", ".join(c) or "none" for c in (action.before, action.after))
            line = f"set categories on contact {names.get(action.item_id)}: {before} → {after}"
        elif isinstance(action, CreateTask):  # the key `followups` shows, the date as people read
            when = f", due {local(iso(action.due))}" if action.due else ""
            line = f"create task {action.subject!r}{when} (follow-up {short_key(action.key)})"
        say(line, indent=2, hang=4)
    say(
        "(PREVIEW only. `outlook-networking config init` sets up an account; then `apply "
        "--dry-run` shows the plan against the real mailbox.)",
        hang=0,
    )


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
