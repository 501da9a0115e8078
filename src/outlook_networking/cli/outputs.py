"""Commands that write files for people: ``report --html FILE`` and
``export --vcf DIR | --ics FILE``.

The page and the file contents are built by pure functions (:mod:`..report`, :mod:`..export`);
this module gathers their inputs from the store and does the writing. What is written where:

- a regular file is replaced atomically (a temporary file beside it, synced, renamed into place;
  its permissions are kept), so an interrupted run never leaves half a file; a new file is 0600,
  since it holds the network;
- a symbolic link the user owns is written through: its target is replaced, the link stays. A
  link another user owns (one planted in /tmp, say) is refused, and so is a dangling one;
- anything that is not a regular file (a folder, a FIFO, a device such as /dev/full or
  /dev/stdout) is refused; nothing is written to it;
- a missing folder is never created, except the one ``export --vcf DIR`` names (its parent must
  exist).

Refusals are usage errors (exit 2); a write that fails (disk full, no permission) is an
:class:`~outlook_networking.errors.OutputError` (exit 1), and no temporary file is left behind.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..app.workspace import Workspace
from ..errors import OutputError, UsageError
from ..i18n import Wording
from .options import open_workspace
from .output import err_console
from .parser import add_command

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    report = add_command(
        commands,
        "report",
        common,
        words=w,
        help=w.gettext("write the network as one self-contained HTML page"),
        description=w.gettext(
            "Write one HTML page that works offline, on a desktop and on a phone: tiers, activity "
            "per tier, open follow-ups, the network graph with key persons, time invested, give and"
            " take, and key dates and your notes. --open shows it in your browser."
        ),
        examples=["report --html network.html", "report --html network.html --open"],
    )
    report.add_argument(
        "--html", metavar="FILE", required=True,
        help=w.gettext("the page to write, e.g. --html network.html"),
    )
    report.add_argument(
        "--open", action="store_true",
        help=w.gettext("open the page in your web browser once written"),
    )
    report.set_defaults(handler=_report)

    export = add_command(
        commands,
        "export",
        common,
        words=w,
        help=w.gettext("write contacts as vCards or follow-ups as iCalendar tasks"),
        description=w.gettext(
            "--vcf DIR writes one vCard per contact (Outlook imports only the first "
            "card of a file) and all.vcf with every card; --ics FILE writes the open follow-ups as "
            "tasks (VTODO). Re-exporting to the same FILE marks tasks that resolved as completed."
        ),
        examples=["export --vcf cards", "export --ics followups.ics"],
    )
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--vcf", metavar="DIR",
        help=w.gettext("the folder for the vCards, e.g. --vcf cards"),
    )
    target.add_argument(
        "--ics", metavar="FILE",
        help=w.gettext("the iCalendar file for the tasks, e.g. --ics tasks.ics"),
    )
    export.set_defaults(handler=_export)


def _kinds(w: Wording) -> tuple[tuple[Callable[[int], bool], str], ...]:
    """What a path may be other than a regular file, and how to say it."""
    device = w.gettext("it is a device, not a regular file")
    return (
        (stat.S_ISDIR, w.gettext("it is a folder")),
        (stat.S_ISFIFO, w.gettext("it is a FIFO, not a regular file")),
        (stat.S_ISCHR, device),
        (stat.S_ISBLK, device),
        (stat.S_ISSOCK, w.gettext("it is a socket, not a regular file")),
    )


def _target(path: Path, w: Wording) -> Path:
    """The regular file (existing or not) that writing ``path`` replaces; UsageError if none."""

    def refuse(reason: str) -> UsageError:
        line = w.gettext("cannot write {path}: {reason}")
        return UsageError(line.format(path=path, reason=reason))

    try:
        link = os.lstat(path)
        info = os.stat(path)  # through links, /proc's magic ones included (/dev/stdout)
    except FileNotFoundError:
        if os.path.lexists(path):
            raise refuse(w.gettext("it is a symbolic link to nothing")) from None
        if not path.parent.is_dir():
            raise refuse(_no_folder(path.parent, w)) from None
        return path
    except OSError as exc:  # ELOOP, EACCES on a folder on the way
        raise refuse(exc.strerror or str(exc)) from exc
    for test, reason in _kinds(w):
        if test(info.st_mode):
            raise refuse(reason)
    if not stat.S_ISLNK(link.st_mode):
        return path
    if link.st_uid != os.geteuid():
        raise refuse(w.gettext("it is a symbolic link another user owns"))
    return Path(os.path.realpath(path))


def _no_folder(folder: Path, w: Wording) -> str:
    return w.gettext("the folder {folder} does not exist").format(folder=folder)


def _write(path: Path, data: bytes, w: Wording) -> None:
    """Replace the file ``path`` names with ``data`` (see the module docstring)."""
    real = _target(path, w)
    try:
        mode = stat.S_IMODE(real.stat().st_mode) if real.exists() else 0o600
        fd, temp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, mode)
            os.replace(temp, real)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(str(path), exc.strerror or str(exc)) from exc


def _report(args: argparse.Namespace) -> int:
    from ..app.cards import notes_by_person
    from ..core.keypersons import MailGraph
    from ..report import render_report

    with open_workspace(args, need="data") as workspace:
        target = Path(args.html).expanduser()
        network = workspace.network
        ledger = workspace.ledger
        items = list(workspace.store.interactions())
        # The network keeps only clusters and key persons; the report draws the edges too, so
        # the graph is rebuilt with the core's own rules.
        graph = MailGraph()
        person_of = network.identities.person_of
        for item in items:
            if item.at <= workspace.now:
                graph.add(item, person_of, network.owner, network.settings.graph_max_participants)
        page = render_report(
            network,
            ledger,
            workspace.now,
            graph=graph.edges,
            category_names=workspace.category_names,
            zone=None,  # the reader's local time
            notes=notes_by_person(workspace.insight, workspace.store),
            words=workspace.words,
        )
        w = workspace.words
        _write(target, page.encode("utf-8"), w)
        contacts = w.ngettext("{count} contact", "{count} contacts", len(network.contacts))
        followups = w.ngettext(
            "{count} open follow-up", "{count} open follow-ups", len(network.followups)
        )
        err_console.print(
            w.gettext("Wrote {target}: {contacts}, {followups}.").format(
                target=target,
                contacts=contacts.format(count=w.number(len(network.contacts))),
                followups=followups.format(count=w.number(len(network.followups))),
            ),
            markup=False,
        )
    if args.open:
        _open(target, args.words)
    return 0


def _open(page: Path, w: Wording) -> None:
    """Show the page in the platform's browser (``$BROWSER`` where set)."""
    import webbrowser

    url = page.absolute().as_uri()
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        err_console.print(
            w.gettext("No browser could be opened; open {url} yourself.").format(url=url),
            markup=False,
        )


def _export(args: argparse.Namespace) -> int:
    with open_workspace(args, need="data") as workspace:
        if args.vcf:
            _export_vcf(workspace, Path(args.vcf).expanduser())
        else:
            _export_ics(workspace, Path(args.ics).expanduser())
    return 0


def _export_vcf(workspace: Workspace, directory: Path) -> None:
    from ..export import ALL_CARDS, vcard_files

    w = workspace.words
    refused = w.gettext("cannot write vCards into {folder}: {reason}")
    if directory.exists() and not directory.is_dir():
        raise UsageError(
            refused.format(folder=directory, reason=w.gettext("it is a file, not a folder"))
        )
    if not directory.exists():
        if not directory.parent.is_dir():
            raise UsageError(
                refused.format(folder=directory, reason=_no_folder(directory.parent, w))
            )
        try:
            directory.mkdir(mode=0o700)
        except OSError as exc:
            raise OutputError(str(directory), exc.strerror or str(exc)) from exc
    from ..app.cards import notes_by_person

    files = vcard_files(
        workspace.network.contacts,
        workspace.category_names,
        notes_by_person(workspace.insight, workspace.store),
        workspace.words,
    )
    for name, text in files.items():
        _write(directory / name, text.encode("utf-8"), w)
    err_console.print(
        w.ngettext(
            "Wrote {count} vCard and {all} with all of them to {folder}.",
            "Wrote {count} vCards and {all} with all of them to {folder}.",
            len(files) - 1,
        ).format(count=w.number(len(files) - 1), all=ALL_CARDS, folder=directory)
    )


def _export_ics(workspace: Workspace, target: Path) -> None:
    from ..export import todo_calendar

    w = workspace.words
    real = _target(target, w)  # refused before anything is read from it (a FIFO would hang)
    network = workspace.network
    try:
        previous = real.read_bytes() if real.exists() else None
    except OSError as exc:
        raise UsageError(
            w.gettext("cannot read {path}: {reason}").format(
                path=target, reason=exc.strerror or exc
            )
        ) from exc
    followups = network.followups
    data = todo_calendar(
        followups,
        now=workspace.now,
        tier_of={c.person.key: c.tier.tier for c in network.contacts},
        category_names=workspace.category_names,
        previous=previous,
        words=workspace.words,
    )
    _write(target, data, w)
    err_console.print(
        w.ngettext(
            "Wrote {count} open follow-up as tasks to {target}.",
            "Wrote {count} open follow-ups as tasks to {target}.",
            len(followups),
        ).format(count=w.number(len(followups)), target=target)
    )
