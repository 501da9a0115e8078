"""Commands that talk to the user's mailbox: login, sync, apply, undo.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from ..app import pipeline
from ..app.wording import describe as describe_error
from ..app.workspace import Workspace
from ..config import default_config_path
from ..core.followups import short_key
from ..core.views import iso
from ..errors import UsageError
from ..i18n import Wording
from ..ports import Action, CreateTask, SetCategories, is_message_action
from .options import open_workspace
from .output import console, err_console, local, say, sync_progress
from .parser import add_command

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    login = add_command(
        commands,
        "login",
        common,
        words=w,
        help=w.gettext("sign in to the configured accounts"),
        description=w.gettext(
            "Sign in to each configured account (docs/config.md): in this machine's "
            "browser where one can be opened, else with a device code; tokens are kept in an "
            "encrypted cache. NTLM and basic accounts check that their password can be found."
        ),
        examples=["login", "login --account work", "login --device-code"],
    )
    login.add_argument("--account", metavar="NAME", help=_account(w))
    login.add_argument(
        "--device-code",
        action="store_true",
        help=w.gettext("sign in with a code entered on any device, not in this machine's browser"),
    )
    login.set_defaults(handler=_login)

    sync = add_command(
        commands,
        "sync",
        common,
        words=w,
        help=w.gettext("read new mail and meetings from the configured accounts"),
        description=w.gettext(
            "Read what is new in each configured mailbox since the last sync (metadata "
            "only, never bodies) into the store."
        ),
        examples=["sync", "sync --account work", "sync --since 6", "sync --full"],
    )
    sync.add_argument("--account", metavar="NAME", help=_account(w))
    sync.add_argument(
        "--since",
        metavar="MONTHS",
        type=int,
        help=w.gettext(
            "how far back a first sync reaches, e.g. --since 6 (default: the account's "
            "since_months, 18)"
        ),
    )
    sync.add_argument(
        "--full", action="store_true",
        help=w.gettext("forget the sync state and read everything again"),
    )
    sync.set_defaults(handler=_sync)

    apply = add_command(
        commands,
        "apply",
        common,
        words=w,
        help=w.gettext("write tiers and follow-ups back into the mailbox"),
        description=w.gettext(
            "Plan the write-back (a category per tier on your contacts, a task per open "
            "follow-up) against each configured mailbox and apply it; --dry-run prints the plan. "
            "Without an account, --dry-run previews what would be written to a mailbox holding the "
            "address-book cards you ingested."
        ),
        examples=["apply --dry-run", "apply", "apply --account work"],
    )
    apply.add_argument(
        "--dry-run", action="store_true",
        help=w.gettext("print the plan, change nothing"),
    )
    apply.add_argument("--account", metavar="NAME", help=_account(w))
    apply.set_defaults(handler=_apply)

    undo = add_command(
        commands,
        "undo",
        common,
        words=w,
        help=w.gettext("remove everything the product wrote to the mailbox"),
        description=w.gettext(
            "Remove the product's categories and tasks from each configured mailbox, "
            "and nothing of yours."
        ),
        examples=["undo", "undo --account work"],
    )
    undo.add_argument("--account", metavar="NAME", help=_account(w))
    undo.set_defaults(handler=_undo)


def _account(w: Wording) -> str:
    return w.gettext("only the account of this name, e.g. --account work (default: every account)")


def _config_path(workspace: Workspace) -> Path:
    return workspace.config_path or default_config_path()


def _accounts(workspace: Workspace, name: str | None) -> list[Any]:
    w = workspace.words
    accounts = list(workspace.config.accounts)
    where = _config_path(workspace)
    if not accounts:
        found = "" if where.exists() else w.gettext(" (there is no such file yet)")
        raise UsageError(
            w.gettext(
                "no accounts configured in {where}{found}; `outlook-networking config init` "
                "writes one, or use `ingest` for exported files"
            ).format(where=where, found=found)
        )
    if name:
        accounts = [a for a in accounts if a.name == name]
        if not accounts:
            raise UsageError(
                w.gettext("no account named {name} in {where}").format(name=repr(name), where=where)
            )
    return accounts


@contextmanager
def _writing_alone(workspace: Workspace, what: str) -> Iterator[None]:
    """Hold the agent's lock on the store while ``apply`` or ``undo`` writes to the mailbox.

    A running agent would write its plan back right after an undo; and two runs at once each
    work from the mailbox as they read it, so both would make the same task. The kernel drops
    the lock with the process, however it ends."""
    from ..agent.lock import StoreLock
    from ..errors import LockHeld

    if workspace.store.read_only:  # no lock file beside it: the store's first write refuses
        yield
        return
    lock = StoreLock(workspace.db_path, role=what)
    try:
        lock.acquire()
    except LockHeld as exc:
        if exc.role == "agent":
            # TRANSLATORS: {what} is a command (`apply`, `undo`)
            hint = workspace.words.gettext("stop the agent before `{what}`")
        else:
            # TRANSLATORS: {what} is a command (`apply`, `undo`)
            hint = workspace.words.gettext("run `{what}` again when it is done")
        where = f"{workspace.db_path} ({hint.format(what=what)})"
        raise LockHeld(where, exc.pid, exc.role) from None
    except OSError:
        pass  # a folder where no lock file can be made: the store's own first write refuses
    try:
        yield
    finally:
        lock.release()  # nothing to let go if it was never taken


def _login(args: argparse.Namespace) -> int:
    from ..app.connect import login

    with open_workspace(args) as workspace:
        for account in _accounts(workspace, args.account):
            message = login(
                account,
                # Soft wrap: the sign-in address must stay one line to be copied whole.
                show=lambda text: err_console.print(text, soft_wrap=True, markup=False),
                words=workspace.words,
                device_code=args.device_code,
            )
            err_console.print(f"{account.name}: {message}")
    return 0


def _sync(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        for account in _accounts(workspace, args.account):
            syncing = workspace.words.gettext("Syncing {account}").format(account=account.name)
            with sync_progress(syncing) as on_batch:
                report = pipeline.sync_account(
                    workspace,
                    account,
                    since_months=args.since,
                    full=args.full,
                    on_batch=on_batch,
                )
            err_console.print(f"{account.name}: {_synced(workspace.words, report)}")
    return 0


def _synced(w: Wording, report: pipeline.SyncReport) -> str:
    parts = [
        w.ngettext("{count} item(s) read", "{count} item(s) read", report.items),
        w.gettext("{written} new or changed"),
        w.gettext("{deleted} deleted"),
    ]
    if report.problems:
        parts.append(
            w.ngettext(
                "{problems} skipped as unreadable",
                "{problems} skipped as unreadable",
                len(report.problems),
            )
        )
    text = ", ".join(parts).format(
        count=w.number(report.items),
        written=w.number(report.written),
        deleted=w.number(report.deleted),
        problems=w.number(len(report.problems)),
    )
    if report.stopped:
        text += w.gettext(" (stopped early; the next sync resumes)")
    return text


def _apply(args: argparse.Namespace) -> int:
    failed = False
    # A dry run only reads: on a missing or empty store it would plan to take everything away.
    with (
        open_workspace(args, need="data" if args.dry_run else "any") as workspace,
        ExitStack() as alone,
    ):
        w = workspace.words
        if args.dry_run and not workspace.config.accounts and not args.account:
            _preview(workspace)
            return 0
        if not args.dry_run:
            alone.enter_context(_writing_alone(workspace, "apply"))
        for account in _accounts(workspace, args.account):
            if not account.writeback:
                err_console.print(
                    w.gettext("{account}: read-only (writeback = false); nothing planned").format(
                        account=account.name
                    )
                )
                continue
            actions, report = pipeline.apply_account(workspace, account, dry_run=args.dry_run)
            if args.dry_run:
                planned = w.ngettext(
                    "{count} action(s) planned", "{count} action(s) planned", len(actions)
                ).format(count=w.number(len(actions)))
                console.print(f"[bold]{account.name}[/bold]: {planned}")
                for action in actions.actions:  # plain text: keys and subjects hold brackets
                    if not is_message_action(action):
                        console.print(f"  {w.action(action)}", markup=False)
                _print_message_groups(workspace, actions.actions)
                continue
            assert report is not None
            done = w.ngettext(
                "{account}: applied {applied} of {planned} action(s)",
                "{account}: applied {applied} of {planned} action(s)",
                report.planned,
            )
            err_console.print(_tally(w, done, account.name, report))
            if report.error is not None:
                err_console.print(
                    w.gettext(
                        "{account}: stopped: {error}; what was applied is recorded, and the "
                        "next apply continues"
                    ).format(account=account.name, error=describe_error(report.error, w))
                )
                failed = True
    return 1 if failed else 0


def _tally(w: Wording, sentence: str, account: str, report: pipeline.ApplyReport) -> str:
    """``sentence`` (applied or undid) with the account and how many of the planned actions."""
    return sentence.format(
        account=account, applied=w.number(len(report.applied)), planned=w.number(report.planned)
    )


def _preview(workspace: Workspace) -> None:
    """``apply --dry-run`` without an account: the plan against the ingested address book."""
    w = workspace.words
    actions = pipeline.preview_plan(workspace.store, workspace.config, workspace.network)
    names = {c.item_id: c.full_name or ", ".join(c.addresses) for c in workspace.store.cards()}
    say(
        w.ngettext(
            "PREVIEW: no account is configured in {config}, so nothing can be written. With a "
            "mailbox that holds the address-book cards you ingested and none of the product's "
            "categories and tasks yet, `apply` would do {count} thing:",
            "PREVIEW: no account is configured in {config}, so nothing can be written. With a "
            "mailbox that holds the address-book cards you ingested and none of the product's "
            "categories and tasks yet, `apply` would do {count} things:",
            len(actions),
        ).format(config=_config_path(workspace), count=w.number(len(actions))),
        hang=0,
    )
    for action in actions.actions:
        line = w.action(action)
        if isinstance(action, SetCategories):
            none = w.gettext("none")
            before, after = (", ".join(c) or none for c in (action.before, action.after))
            line = w.gettext("set categories on contact {name}: {before} → {after}").format(
                name=names.get(action.item_id), before=before, after=after
            )
        elif isinstance(action, CreateTask):  # the key `followups` shows, the date as people read
            when = (
                w.gettext(", due {date}").format(date=local(iso(action.due), w))
                if action.due
                else ""
            )
            line = w.gettext("create task {subject}{due} (follow-up {key})").format(
                subject=repr(action.subject), due=when, key=short_key(action.key)
            )
        say(line, indent=2, hang=4)
    say(
        w.gettext(
            "(PREVIEW only. `outlook-networking config init` sets up an account; then `apply "
            "--dry-run` shows the plan against the real mailbox.)"
        ),
        hang=0,
    )


def _print_message_groups(workspace: Workspace, actions: Sequence[Action]) -> None:
    """The message actions of a plan, per contact with counts (there may be thousands)."""
    from ..writeback.messages import by_contact

    groups = by_contact(actions)
    if not groups:
        return
    w = workspace.words
    total = sum(1 for a in actions if is_message_action(a))
    messages = sum(g.messages for g in groups)
    changes = w.ngettext("{count} change(s)", "{count} change(s)", total)
    changes = changes.format(count=w.number(total))
    on = w.ngettext("{count} message(s)", "{count} message(s)", messages).format(
        count=w.number(messages)
    )
    console.print("  " + w.gettext("messages: {changes} on {messages}").format(
        changes=changes, messages=on), markup=False)  # fmt: skip
    for group in groups:
        view = workspace.network.find(group.contact) if group.contact else None
        nobody = w.gettext("(nobody)")
        who = f"{view.name} <{group.contact}>" if view is not None else group.contact or nobody
        parts = [f"+{name} {w.number(n)}" for name, n in sorted(group.added.items())]
        parts += [f"-{name} {w.number(n)}" for name, n in sorted(group.removed.items())]
        parts += [
            w.gettext("flag {status} {count}").format(status=status, count=w.number(n))
            for status, n in sorted(group.flags.items())
        ]
        count = w.ngettext("{count} message(s)", "{count} message(s)", group.messages).format(
            count=w.number(group.messages)
        )
        console.print(f"    {who}: {count}: {', '.join(parts)}", markup=False)


def _undo(args: argparse.Namespace) -> int:
    failed = False
    with open_workspace(args) as workspace, _writing_alone(workspace, "undo"):
        for account in _accounts(workspace, args.account):
            report = pipeline.undo_account(workspace, account)
            w = workspace.words
            done = w.ngettext(
                "{account}: undid {applied} of {planned} action(s)",
                "{account}: undid {applied} of {planned} action(s)",
                report.planned,
            )
            err_console.print(_tally(w, done, account.name, report))
            if report.error is not None:
                err_console.print(
                    w.gettext("{account}: stopped: {error}; run undo again").format(
                        account=account.name, error=describe_error(report.error, w)
                    )
                )
                failed = True
    return 1 if failed else 0
