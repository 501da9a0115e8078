"""``demo`` and ``ingest``: getting interactions into the store from files.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
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
from .options import open_workspace
from .output import console, err_console, file_progress

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="run the whole pipeline on a generated sample mailbox",
        description="Generate a sample mailbox (mbox, .ics, .vcf), ingest it into a fresh store "
        "and show the ranked network.",
    )
    demo.add_argument(
        "--dir",
        metavar="DIR",
        help="where to write the sample files (default: a temporary folder, removed afterwards)",
    )
    demo.add_argument("--seed", type=int, default=7, help="the generator's seed (default 7)")
    demo.add_argument("--limit", type=int, default=25, help="rows to show (default 25)")
    demo.set_defaults(handler=_demo)

    ingest = commands.add_parser(
        "ingest",
        parents=[common],
        help="read .pst/.ost/.msg, mbox, Maildir, .eml folders, .ics and .vcf files into the store",
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument(
        "--me",
        action="append",
        default=[],
        metavar="ADDR",
        help="the mailbox owner's address (repeatable); detected when omitted",
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
            print_contacts(workspace, tier=None, limit=args.limit)
            console.print(f"\nThe demo store is {db}. Try: outlook-networking --db {db} followups")
    finally:
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0
