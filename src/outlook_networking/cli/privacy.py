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
from ..i18n import Wording
from ..parsing.addresses import normalise
from ..store import ForgetReport
from .options import open_workspace
from .output import err_console
from .parser import add_command

__all__ = ["register"]

_DOMAIN = re.compile(r"^[^\s@/]+\.[^\s@/.]+$")


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    forget = add_command(
        commands,
        "forget",
        common,
        words=w,
        help=w.gettext("remove a person or a whole domain from the store, for good"),
        description=w.gettext(
            "Remove an address, or a domain and its subdomains, from everything the "
            "store holds (their mail and meetings, cards, corrections, journal entries), and keep "
            "a tombstone so that later syncs and ingests do not bring them back. Asks first, "
            "unless --yes."
        ),
        examples=[
            "forget mia@example.com",
            "forget example.com --yes",
            "forget --undo example.com",
        ],
    )
    forget.add_argument(
        "target", metavar="ADDR|DOMAIN",
        help=w.gettext("an address, or a domain such as example.com"),
    )
    forget.add_argument("--yes", action="store_true", help=w.gettext("do not ask for confirmation"))
    forget.add_argument(
        "--undo",
        action="store_true",
        help=w.gettext("lift the tombstone; the next sync and ingest read everything again"),
    )
    forget.set_defaults(handler=_forget)


def _target(text: str, w: Wording) -> str:
    """An address normalised, or a domain (``example.com`` or ``@example.com``) lower-cased."""
    value = text.strip()
    if "@" in value.lstrip("@"):
        address = normalise(value)
        if not address:
            raise UsageError(
                w.gettext("forget: not an e-mail address: {text}").format(text=repr(text))
            )
        return address
    domain = (normalise("x@" + value.lstrip("@")) or "").partition("@")[2]
    if not domain or not _DOMAIN.match(domain):
        raise UsageError(
            w.gettext("forget: neither an e-mail address nor a domain: {text}").format(
                text=repr(text)
            )
        )
    return domain


def _summary(report: ForgetReport, w: Wording) -> str:
    parts = [
        w.ngettext(
            "{count} message or meeting removed", "{count} messages and meetings removed",
            report.interactions_removed,
        ).format(count=w.number(report.interactions_removed)),
        # TRANSLATORS: {count} messages and meetings kept, with the forgotten people taken out
        w.gettext("{count} kept without them").format(
            count=w.number(report.interactions_changed)
        ),
        w.ngettext("{count} card removed", "{count} cards removed", report.cards_removed).format(
            count=w.number(report.cards_removed)
        ),
    ]
    if report.cards_changed:
        parts.append(
            w.ngettext(
                "{count} card without that address",
                "{count} cards without that address",
                report.cards_changed,
            ).format(count=w.number(report.cards_changed))
        )
    if report.locations_removed:
        parts.append(
            w.ngettext(
                "{count} copy record removed", "{count} copy records removed",
                report.locations_removed,
            ).format(count=w.number(report.locations_removed))
        )
    if report.other_removed:
        parts.append(
            w.ngettext(
                "{count} correction, note, journal or review entry removed",
                "{count} corrections, notes, journal and review entries removed",
                report.other_removed,
            ).format(count=w.number(report.other_removed))
        )
    return ", ".join(parts)


def _forget(args: argparse.Namespace) -> int:
    w: Wording = args.words
    target = _target(args.target, w)
    with open_workspace(args) as workspace:
        store = workspace.store
        if args.undo:
            if not store.unforget(target):
                raise UsageError(
                    w.gettext("forget --undo: {target} was not forgotten").format(target=target)
                )
            err_console.print(
                w.gettext(
                    "{target} is no longer forgotten. The next sync and ingest read every folder "
                    "and file again, so what they still hold about it comes back."
                ).format(target=target),
                markup=False,
            )
            return 0
        owner, _ = store.owner()
        tombs = Tombstones.of([target])
        if any(tombs.covers(a) for a in owner):
            raise UsageError(
                w.gettext(
                    "forget: {target} covers the mailbox owner's own address; "
                    "it can only forget other people"
                ).format(target=target)
            )
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError(
                    w.gettext("forget: not asking on a terminal; add --yes to confirm")
                )
            preview = store.forget(target, dry_run=True)
            err_console.print(
                w.gettext("Forgetting {target}: {summary}.").format(
                    target=target, summary=_summary(preview, w)
                ),
                markup=False,
            )
            # TRANSLATORS: the answer letters in [y/N] are the next message's first answer
            question = w.gettext("Remove {target} from the store for good? [y/N] ")
            answer = input(question.format(target=target)).strip().lower()
            # TRANSLATORS: the answers that confirm, separated by commas ("j, ja" in German)
            yes = {a.strip() for a in w.gettext("y, yes").split(",")} | {"y", "yes"}
            if answer not in yes:
                err_console.print(w.gettext("Nothing was changed."))
                return 0
        report = store.forget(target)
        err_console.print(
            w.gettext("Forgot {target}: {summary}.").format(
                target=target, summary=_summary(report, w)
            ),
            markup=False,
        )
        err_console.print(
            w.gettext(
                "A tombstone keeps it out of later syncs and ingests; "
                "`outlook-networking forget --undo {target}` lifts it. In the mailbox, the next "
                "`apply` takes the product's category off their contact and completes their "
                "tasks; `undo` removes what the product created."
            ).format(target=target),
            markup=False,
        )
    return 0
