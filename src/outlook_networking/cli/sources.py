"""``demo`` and ``ingest``: getting interactions into the store from files.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..addresses import normalise
from ..config import FoldersConfig
from ..connectors.base import Problem
from ..errors import UsageError
from ..owner import OwnerTally, detect_owner
from ..sources.mailfiles import DEFAULT_FOLDERS, FolderRules, folder_name
from ..store import Store
from .context import Context
from .output import console, err_console, progress

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


@dataclass
class IngestSummary:
    """What one ingest did, for the closing lines."""

    files: int = 0
    interactions: int = 0
    cards: int = 0
    written: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    owner: OwnerTally = field(default_factory=OwnerTally)
    skipped_folders: list[str] = field(default_factory=list)

    @property
    def unreadable(self) -> list[Problem]:
        """Whole files that could not be read (the others were)."""
        return [p for p in self.problems if p.whole]


def ingest_paths(
    ctx: Context, store: Store, paths: Sequence[Path], folders: FoldersConfig | None = None
) -> IngestSummary:
    """Read every path into the store, batch by batch, each with its cursor.

    ``folders``: the ``[folders]`` rules for folder trees (default: skip by name only).
    """
    from ..sources import FileSource, Unit

    rules = FolderRules(folders.include, folders.exclude) if folders else DEFAULT_FOLDERS
    summary = IngestSummary(files=len(paths))
    with progress(ctx.interactive(), "Reading", None) as bar:

        def show(unit: Unit, done: int, total: int | None) -> None:
            if bar is not None:  # one bar, for the file being read
                task = bar.task_ids[0]
                bar.update(task, description=f"Reading {unit.path.name}", completed=done)
                if total is not None:
                    bar.update(task, total=total)

        source = FileSource(paths, now=ctx.now, folders=rules, progress=show)
        for batch in source.read(store.cursors(source.name)):
            result = store.apply_batch(source.name, batch)
            summary.interactions += len(batch.interactions)
            summary.cards += len(batch.cards)
            summary.written += result.written
            summary.problems.extend(batch.problems)
            summary.skipped.update({s.what: s.count for s in batch.skipped})
            summary.owner.feed(batch.interactions, batch.cards)
    summary.skipped_folders = sorted(source.skipped)
    return summary


def settle_owner(
    store: Store, given: Sequence[str], tally: OwnerTally | None = None
) -> tuple[tuple[str, ...], str]:
    """The owner's addresses: as given now, as given before, or detected.

    Detection uses what this ingest read (``tally``) when that is conclusive, and only then
    reads the whole store again.
    """
    if given:
        addresses = tuple(dict.fromkeys(a for a in (normalise(g) for g in given) if a))
        if len(addresses) != len(given):
            raise UsageError(f"--me: not an e-mail address: {', '.join(given)}")
        store.set_owner(addresses, "given")
        return addresses, "given"
    current, origin = store.owner()
    if origin == "given":
        return current, origin
    guess = tally.guess() if tally is not None else None
    if guess is None or not guess.addresses:
        guess = detect_owner(store.interactions(), store.cards())
    if guess.addresses:
        store.set_owner(guess.addresses, "detected")
        return tuple(guess.addresses), f"detected: {guess.evidence}"
    return current, "detected earlier" if current else ""


def _print_summary(ctx: Context, summary: IngestSummary, owner: tuple[str, ...], how: str) -> None:
    counts = ctx.store.counts(owner)
    err_console.print(
        f"Read {summary.interactions:,} items and {summary.cards:,} contact cards from "
        f"{summary.files} path(s); {summary.written:,} new or changed."
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
    if summary.skipped_folders:
        names = sorted({folder_name(Path(p).name) for p in summary.skipped_folders}, key=str.lower)
        shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        err_console.print(
            f"Skipped {len(summary.skipped_folders):,} folder(s) without correspondence "
            f"({shown}); [folders] include in the config reads them."
        )
    if summary.skipped:
        what = ", ".join(f"{w} {n:,}" for w, n in sorted(summary.skipped.items()))
        err_console.print(f"Left out on purpose: {what}.")
    for problem in summary.unreadable:
        line = f"cannot read {problem.where}: {problem.reason}"
        err_console.print(line, style="yellow", soft_wrap=True, markup=False, highlight=False)
    parts = [p for p in summary.problems if not p.whole]
    if parts:
        err_console.print(
            f"{len(parts):,} part(s) could not be read and were skipped"
            + ("" if ctx.debug else " (--debug lists them)"),
            style="yellow",
        )
        if ctx.debug:
            for problem in parts:
                err_console.print(f"  {problem.where}: {problem.reason}")


def _ingest(args: argparse.Namespace) -> int:
    ctx = Context(args)
    try:
        paths = [Path(p).expanduser() for p in args.paths]
        summary = ingest_paths(ctx, ctx.store, paths, ctx.config.folders)
        owner, how = settle_owner(ctx.store, args.me, summary.owner)
        _print_summary(ctx, summary, owner, how)
    finally:
        ctx.close()
    return 1 if summary.unreadable else 0


def _demo(args: argparse.Namespace) -> int:
    from ..demo import generate
    from .network import print_contacts

    ctx = Context(args)
    db = ctx.db_path
    if args.db is None:
        # The demo's own store, fresh every run, beside the real one.
        db = db.with_name("demo.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    elif db.exists() and db.stat().st_size > 0:
        raise UsageError(f"the demo needs a fresh store, and {db} exists; choose a new --db")
    args.db = str(db)
    workdir = Path(args.dir).expanduser() if args.dir else Path(tempfile.mkdtemp(prefix="on-demo-"))
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        truth = generate(workdir, now=ctx.now, seed=args.seed)
        files = [workdir / "mailbox.mbox", workdir / "calendar.ics", workdir / "contacts.vcf"]
        summary = ingest_paths(ctx, ctx.store, files)
        owner, _ = settle_owner(ctx.store, [truth.owner])
        _print_summary(ctx, summary, owner, "the demo persona")
        print_contacts(ctx, tier=None, limit=args.limit)
        console.print(f"\nThe demo store is {db}. Try: outlook-networking --db {db} followups")
    finally:
        ctx.close()
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0
