"""``demo`` and ``ingest``: getting interactions into the store from files.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..app.pipeline import SyncReport, ingest_files, settle_owner
from ..app.workspace import Workspace
from ..core.owner import OwnerTally
from ..errors import UsageError
from ..store import default_db_path
from .network import non_negative
from .options import open_workspace
from .output import console, err_console, file_progress
from .parser import PROG, add_command

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    demo = add_command(
        commands,
        "demo",
        common,
        help="run the whole pipeline on a generated sample mailbox",
        description="Generate a sample mailbox (a consultant's 18 months as mbox, .ics and "
        ".vcf), ingest it into a fresh store (demo.sqlite3 beside the default store, unless "
        "--db names one) and show the ranked network. It ends with the line that points the "
        "next commands at the demo's store.",
        examples=["demo", "demo --db /tmp/demo.sqlite3", "demo --dir sample --seed 3"],
    )
    demo.add_argument(
        "--dir",
        metavar="DIR",
        help="keep the sample files in DIR, e.g. --dir sample (default: a temporary folder, "
        "removed afterwards)",
    )
    demo.add_argument(
        "--seed", type=int, default=7, help="the generator's seed, e.g. --seed 3 (default 7)"
    )
    demo.add_argument(
        "--limit",
        type=non_negative,
        default=25,
        metavar="N",
        help="contacts to show, e.g. --limit 10 (default 25; 0: all)",
    )
    demo.set_defaults(handler=_demo)

    ingest = add_command(
        commands,
        "ingest",
        common,
        help="read .pst/.ost/.msg, mbox, Maildir, .eml folders, .ics and .vcf files into the store",
        description="Read exported mail, calendars and address books (headers only, never "
        "bodies) into the store; re-reading the same files changes nothing. The mailbox owner "
        "is detected and shown; correct it with --me.",
        examples=[
            "ingest ~/export/mail.mbox ~/export/calendar.ics ~/export/contacts.vcf",
            "ingest ~/export/outlook.pst --me me@example.com",
            "ingest ~/Maildir --me me@example.com --me me@private.example",
        ],
    )
    ingest.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files or folders: .pst, .ost, .msg, mbox (.mbox.gz), Maildir, a folder of .eml, "
        ".ics, .vcf",
    )
    ingest.add_argument(
        "--me",
        action="append",
        default=[],
        metavar="ADDR",
        help="the mailbox owner's address, e.g. --me me@example.com (repeatable; detected when "
        "omitted)",
    )
    ingest.set_defaults(handler=_ingest)


def _read(workspace: Workspace, paths: Sequence[Path]) -> tuple[SyncReport, OwnerTally]:
    with file_progress() as on_file:
        return ingest_files(
            workspace.store,
            paths,
            now=workspace.now,
            on_file=on_file,
            folders=workspace.config.folders,
            limits=workspace.config.files,
        )


def _print_summary(
    workspace: Workspace,
    report: SyncReport,
    files: int,
    owner: tuple[str, ...],
    how: str,
    *,
    debug: bool,
) -> None:
    counts = workspace.store.counts(owner)
    err_console.print(
        f"Read {report.interactions:,} items and {report.cards:,} contact cards from "
        f"{files} path(s); {report.written:,} new or changed."
    )
    err_console.print(
        f"Store: {counts['emails']:,} messages ({counts['direct']:,} direct with the owner, "
        f"{counts['noise']:,} bulk, list or automated), {counts['meetings']:,} meetings, "
        f"{counts['cards']:,} contact cards."
    )
    if owner:
        err_console.print(f"Mailbox owner: {', '.join(owner)} ({how}; correct it with --me ADDR)")
    else:
        err_console.print("Mailbox owner: unknown; say who you are with --me ADDR", style="yellow")
    if report.skipped:
        what = ", ".join(f"{w} {n:,}" for w, n in sorted(report.skipped.items()))
        err_console.print(f"Left out on purpose: {what}.")
    for problem in report.unreadable:
        line = f"cannot read {problem.where}: {problem.reason}"
        err_console.print(line, style="yellow", soft_wrap=True, markup=False, highlight=False)
    parts = [p for p in report.problems if not p.whole]
    if parts:
        err_console.print(
            f"{len(parts):,} part(s) could not be read and were skipped"
            + ("" if debug else " (--debug lists them)"),
            style="yellow",
        )
        if debug:
            for problem in parts:
                err_console.print(f"  {problem.where}: {problem.reason}")


def _ingest(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        paths = [Path(p).expanduser() for p in args.paths]
        report, tally = _read(workspace, paths)
        owner, how = settle_owner(workspace.store, args.me, tally)
        _print_summary(workspace, report, len(paths), owner, how, debug=args.debug)
    return 1 if report.unreadable else 0


def _demo(args: argparse.Namespace) -> int:
    from ..core.views import contacts_json
    from ..demo import generate
    from .network import print_contacts

    if args.db is None:
        # The demo's own store, fresh every run, beside the real one.
        db = default_db_path().with_name("demo.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        args.db = str(db)
    db = Path(args.db).expanduser()
    if db.exists() and db.stat().st_size > 0:
        raise UsageError(f"the demo needs a fresh store, and {db} exists; choose a new --db")
    workdir = Path(args.dir).expanduser() if args.dir else Path(tempfile.mkdtemp(prefix="on-demo-"))
    try:
        with open_workspace(args) as workspace:
            workdir.mkdir(parents=True, exist_ok=True)
            truth = generate(workdir, now=workspace.now, seed=args.seed)
            files = [workdir / "mailbox.mbox", workdir / "calendar.ics", workdir / "contacts.vcf"]
            report, _ = _read(workspace, files)
            owner, _ = settle_owner(workspace.store, [truth.owner])
            _print_summary(workspace, report, len(files), owner, "the demo persona",
                           debug=args.debug)
            rows = contacts_json(workspace.network, workspace.now, words=workspace.words)
            shown = rows[: args.limit] if args.limit else rows
            print_contacts(shown, len(rows), workspace.now, f"`{PROG} contacts` lists all")
            _next_steps(db)
    finally:
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _next_steps(db: Path) -> None:
    """The line that points the next commands at the demo's store, for this platform's shell."""
    where = str(db.absolute())
    if os.name == "nt":
        line = f'$env:OUTLOOK_NETWORKING_DB = "{where}"    # PowerShell; cmd: set ...={where}'
    else:
        line = f"export OUTLOOK_NETWORKING_DB={shlex.quote(where)}"
    console.print(
        f"\nThe demo's store is\n  {where}\nPoint the next commands at it:\n  {line}\n"
        f"or add --db {shlex.quote(where)} to each. Then try:\n"
        f"  {PROG} followups\n  {PROG} report --html network.html --open",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
