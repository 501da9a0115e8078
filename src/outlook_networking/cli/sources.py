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
from functools import partial
from pathlib import Path
from typing import Any

from ..app.pipeline import SKIPPED_FOLDERS, SyncReport, ingest_files, settle_owner
from ..app.workspace import Workspace
from ..core.owner import OwnerTally
from ..errors import UsageError
from ..i18n import Wording
from ..store import default_db_path
from .network import non_negative
from .options import open_workspace
from .output import console, err_console, file_progress
from .parser import PROG, add_command

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    demo = add_command(
        commands,
        "demo",
        common,
        words=w,
        help=w.gettext("run the whole pipeline on a generated sample mailbox"),
        description=w.gettext(
            "Generate a sample mailbox (a consultant's 18 months as mbox, .ics and "
            ".vcf), ingest it into a fresh store (demo.sqlite3 beside the default store, unless "
            "--db names one) and show the ranked network. It ends with the line that points the "
            "next commands at the demo's store."
        ),
        examples=["demo", "demo --db /tmp/demo.sqlite3", "demo --dir sample --seed 3"],
    )
    demo.add_argument(
        "--dir",
        metavar="DIR",
        help=w.gettext(
            "keep the sample files in DIR, e.g. --dir sample (default: a temporary folder, "
            "removed afterwards)"
        ),
    )
    demo.add_argument(
        "--seed", type=int, default=7,
        help=w.gettext("the generator's seed, e.g. --seed 3 (default 7)"),
    )
    demo.add_argument(
        "--limit",
        type=partial(non_negative, w),
        default=25,
        metavar="N",
        help=w.gettext("contacts to show, e.g. --limit 10 (default 25; 0: all)"),
    )
    demo.set_defaults(handler=_demo)

    ingest = add_command(
        commands,
        "ingest",
        common,
        words=w,
        help=w.gettext(
            "read .pst/.ost/.msg, mbox, Maildir, .eml folders, .ics and .vcf files into the store"
        ),
        description=w.gettext(
            "Read exported mail, calendars and address books (headers only, never "
            "bodies) into the store; re-reading the same files changes nothing. The mailbox owner "
            "is detected and shown; correct it with --me."
        ),
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
        help=w.gettext(
            "files or folders: .pst, .ost, .msg, mbox (.mbox.gz), Maildir, a folder of .eml, "
            ".ics, .vcf"
        ),
    )
    ingest.add_argument(
        "--me",
        action="append",
        default=[],
        metavar="ADDR",
        help=w.gettext(
            "the mailbox owner's address, e.g. --me me@example.com (repeatable; detected when "
            "omitted)"
        ),
    )
    ingest.set_defaults(handler=_ingest)


def _read(workspace: Workspace, paths: Sequence[Path]) -> tuple[SyncReport, OwnerTally]:
    with file_progress(workspace.words) as on_file:
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
    w = workspace.words
    counts = {key: w.number(n) for key, n in workspace.store.counts(owner).items()}
    err_console.print(
        w.ngettext(
            "Read {items} items and {cards} contact cards from {files} path(s); {written} new "
            "or changed.",
            "Read {items} items and {cards} contact cards from {files} path(s); {written} new "
            "or changed.",
            files,
        ).format(
            items=w.number(report.interactions),
            cards=w.number(report.cards),
            files=w.number(files),
            written=w.number(report.written),
        )
    )
    err_console.print(
        w.gettext(
            "Store: {emails} messages ({direct} direct with the owner, {noise} bulk, list or "
            "automated), {meetings} meetings, {cards} contact cards."
        ).format(**counts)
    )
    if owner:
        err_console.print(
            w.gettext("Mailbox owner: {addresses} ({how}; correct it with --me ADDR)").format(
                addresses=", ".join(owner), how=how
            )
        )
    else:
        err_console.print(
            w.gettext("Mailbox owner: unknown; say who you are with --me ADDR"), style="yellow"
        )
    if report.skipped:
        folders = w.gettext("folders without correspondence")
        what = ", ".join(
            f"{folders if why == SKIPPED_FOLDERS else why} {w.number(n)}"
            for why, n in sorted(report.skipped.items())
        )
        err_console.print(w.gettext("Left out on purpose: {what}.").format(what=what))
    for problem in report.unreadable:
        line = w.gettext("cannot read {path}: {reason}").format(
            path=problem.where, reason=w.problem(problem.reason)
        )
        err_console.print(line, style="yellow", soft_wrap=True, markup=False, highlight=False)
    parts = [p for p in report.problems if not p.whole]
    if parts:
        err_console.print(
            w.ngettext(
                "{count} part(s) could not be read and were skipped",
                "{count} part(s) could not be read and were skipped",
                len(parts),
            ).format(count=w.number(len(parts)))
            + ("" if debug else w.gettext(" (--debug lists them)")),
            style="yellow",
        )
        if debug:
            for problem in parts:
                err_console.print(f"  {problem.where}: {w.problem(problem.reason)}", markup=False)


def _ingest(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        paths = [Path(p).expanduser() for p in args.paths]
        report, tally = _read(workspace, paths)
        owner, how = settle_owner(workspace.store, args.me, tally, words=workspace.words)
        how_text = workspace.words.phrase(how) if how is not None else ""
        _print_summary(workspace, report, len(paths), owner, how_text, debug=args.debug)
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
        raise UsageError(
            args.words.gettext(
                "the demo needs a fresh store, and {path} exists; choose a new --db"
            ).format(path=db)
        )
    workdir = Path(args.dir).expanduser() if args.dir else Path(tempfile.mkdtemp(prefix="on-demo-"))
    try:
        with open_workspace(args) as workspace:
            workdir.mkdir(parents=True, exist_ok=True)
            truth = generate(workdir, now=workspace.now, seed=args.seed)
            files = [workdir / "mailbox.mbox", workdir / "calendar.ics", workdir / "contacts.vcf"]
            report, _ = _read(workspace, files)
            owner, _ = settle_owner(workspace.store, [truth.owner])
            w = workspace.words
            _print_summary(workspace, report, len(files), owner, w.gettext("the demo persona"),
                           debug=args.debug)  # fmt: skip
            rows = contacts_json(workspace.network, workspace.now, words=w)
            shown = rows[: args.limit] if args.limit else rows
            rest = w.gettext("`{command}` lists all").format(command=f"{PROG} contacts")
            print_contacts(shown, len(rows), workspace.now, w, rest)
            _next_steps(db, w)
    finally:
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _next_steps(db: Path, w: Wording) -> None:
    """The line that points the next commands at the demo's store, for this platform's shell."""
    where = str(db.absolute())
    if os.name == "nt":
        # TRANSLATORS: {command} is the same line for the Windows command prompt (cmd)
        shells = w.gettext("PowerShell; in cmd: {command}").format(
            command=f"set OUTLOOK_NETWORKING_DB={where}"
        )
        line = f'$env:OUTLOOK_NETWORKING_DB = "{where}"    # {shells}'
    else:
        line = f"export OUTLOOK_NETWORKING_DB={shlex.quote(where)}"
    console.print(
        w.gettext(
            "\nThe demo's store is\n  {where}\nPoint the next commands at it:\n  {line}\n"
            "or add --db {quoted} to each. Then try:\n"
            "  {prog} followups\n  {prog} report --html network.html --open"
        ).format(where=where, line=line, quoted=shlex.quote(where), prog=PROG),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
