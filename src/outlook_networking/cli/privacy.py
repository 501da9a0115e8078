"""``forget``: remove a person or a whole domain from the store for good; ``forget --undo``.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from ..core.forgetting import Tombstones
from ..errors import UsageError
from ..parsing.addresses import normalise
from ..store import ForgetReport
from .options import open_workspace
from .output import err_console
from .parser import add_command

__all__ = ["register"]

_DOMAIN = re.compile(r"^[^\s@/]+\.[^\s@/.]+$")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    forget = add_command(
        commands,
        "forget",
        common,
        help="remove a person or a whole domain from the store, for good",
        description="Remove an address, or a domain and its subdomains, from everything the "
        "store holds (their mail and meetings, cards, corrections, journal entries), and keep "
        "a tombstone so that later syncs and ingests do not bring them back. Asks first, "
        "unless --yes.",
        examples=[
            "forget mia@example.com",
            "forget example.com --yes",
            "forget --undo example.com",
        ],
    )
    forget.add_argument(
        "target", metavar="ADDR|DOMAIN", help="an address, or a domain such as example.com"
    )
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.add_argument(
        "--undo",
        action="store_true",
        help="lift the tombstone; the next sync and ingest read everything again",
    )
    forget.set_defaults(handler=_forget)


def _target(text: str) -> str:
    """An address normalised, or a domain (``example.com`` or ``@example.com``) lower-cased."""
    value = text.strip()
    if "@" in value.lstrip("@"):
        address = normalise(value)
        if not address:
            raise UsageError(f"forget: not an e-mail address: {text!r}")
        return address
    domain = (normalise("x@" + value.lstrip("@")) or "").partition("@")[2]
    if not domain or not _DOMAIN.match(domain):
        raise UsageError(f"forget: neither an e-mail address nor a domain: {text!r}")
    return domain


def _summary(report: ForgetReport) -> str:
    parts = [
        f"{report.interactions_removed:,} message(s) and meeting(s) removed",
        f"{report.interactions_changed:,} kept without them",
        f"{report.cards_removed:,} card(s) removed",
    ]
    if report.cards_changed:
        parts.append(f"{report.cards_changed:,} card(s) without that address")
    if report.locations_removed:
        parts.append(f"{report.locations_removed:,} copy record(s) removed")
    if report.other_removed:
        parts.append(
            f"{report.other_removed:,} correction(s), note(s), journal or review entries removed"
        )
    return ", ".join(parts)


def _forget(args: argparse.Namespace) -> int:
    target = _target(args.target)
    with open_workspace(args) as workspace:
        store = workspace.store
        if args.undo:
            if not store.unforget(target):
                raise UsageError(f"forget --undo: {target} was not forgotten")
            err_console.print(
                f"{target} is no longer forgotten. The next sync and ingest read every folder "
                "and file again, so what they still hold about it comes back."
            )
            return 0
        owner, _ = store.owner()
        tombs = Tombstones.of([target])
        if any(tombs.covers(a) for a in owner):
            raise UsageError(
                f"forget: {target} covers the mailbox owner's own address; "
                "it can only forget other people"
            )
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError("forget: not asking on a terminal; add --yes to confirm")
            preview = store.forget(target, dry_run=True)
            err_console.print(f"Forgetting {target}: {_summary(preview)}.")
            answer = input(f"Remove {target} from the store for good? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                err_console.print("Nothing was changed.")
                return 0
        report = store.forget(target)
        err_console.print(f"Forgot {target}: {_summary(report)}.")
        err_console.print(
            "A tombstone keeps it out of later syncs and ingests; "
            f"`outlook-networking forget --undo {target}` lifts it. In the mailbox, the next "
            "`apply` takes the product's category off their contact and completes their "
            "tasks; `undo` removes what the product created."
        )
    return 0
