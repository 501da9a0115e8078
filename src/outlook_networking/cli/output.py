"""Printing for people (rich tables on stdout, progress on stderr) and for scripts (JSON on
stdout).

Tables fit the terminal (:func:`fit`): each column has a rank, and the columns that do not fit
give way, lowest rank first, with a line saying which were left out; one column may take the
room left and wrap. Output longer than the screen goes through ``$PAGER`` (default ``less``,
with ``LESS=FRX`` unless set, as git does) on a terminal only (:func:`paged`); piped, it is
printed whole; either way without the blanks rich pads lines with. Text that is not a table is
wrapped with a hanging indent (:func:`say`), breaking between the `` · ``-joined parts of a line
before it breaks inside one. Times are shown in the local time zone (:func:`local`).

Exports: ``print_json``, ``console``, ``err_console``, ``sync_progress``, ``file_progress``,
``analysis_progress``, ``Column``, ``fit``, ``table``, ``paged``, ``say``, ``wrapped``, ``local``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from ..core.views import json_text
from ..ports import Batch

if TYPE_CHECKING:
    from ..i18n import Wording
    from ..sources import Unit  # for the annotation only: reading files is an ingest's import

__all__ = [
    "Column",
    "analysis_progress",
    "console",
    "err_console",
    "file_progress",
    "fit",
    "local",
    "paged",
    "print_json",
    "say",
    "sync_progress",
    "table",
    "wrapped",
]

# Piped output gets a wide page rather than rich's 80 columns: tables stay one line per row, and
# COLUMNS still wins where a script sets it.
_PIPED_WIDTH = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "160"))
console = Console(highlight=False, soft_wrap=False, width=_PIPED_WIDTH)
# Messages stay one line however long (a path or a command in them must not break).
err_console = Console(
    stderr=True,
    highlight=False,
    soft_wrap=True,
    width=None if sys.stderr.isatty() else _PIPED_WIDTH or 160,
)


def print_json(
    document: Any,
    *,
    listed: tuple[str, Iterable[str]] | None = None,
    let_go: Callable[[], None] | None = None,
) -> None:
    """One JSON document on stdout, UTF-8, keys in a stable order (``core.views.json_text``).

    ``listed``: a last field, a list whose items are given as their JSON text already
    (``json_text`` of each, as ``app.answers`` keeps them), written one by one as they come:
    exactly what ``json_text({**document, key: items})`` prints, without parsing them again or
    holding them all. ``let_go``: called once the items are all read, before the first is
    written (the store's moment they come from: a pipe to a pager that waits for its reader must
    not hold it); they wait in a temporary file meanwhile, in memory up to a megabyte."""
    text = json_text(document)
    if listed is None:
        sys.stdout.write(f"{text}\n")
        return
    key, items = listed
    if let_go is not None:
        items = _spooled(items)
        let_go()
    sys.stdout.write(f"{text[:-2]},\n" if document else "{\n")
    sys.stdout.write(f"  {json.dumps(key, ensure_ascii=False)}: [")
    separator = "\n"
    for item in items:
        # Nested two levels deep, every line of an item moves four spaces right. Its lines end
        # at "\n" only: JSON escapes that one inside strings, but not U+0085 or U+2028, which
        # str.splitlines (and so textwrap.indent) would also break at.
        sys.stdout.write(f"{separator}    {item.replace(chr(10), chr(10) + '    ')}")
        separator = ",\n"
    sys.stdout.write("]\n}\n" if separator == "\n" else "\n  ]\n}\n")


def _spooled(items: Iterable[str]) -> Iterator[str]:
    """``items`` read to the last into a temporary file, then given back one by one. They are
    JSON texts, which never hold a NUL (JSON escapes it), so a NUL ends each."""
    # (closed by _unspooled once read, or here if reading the items fails)
    spool = tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115
    try:
        for item in items:
            spool.write(f"{item}\0")
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return _unspooled(spool)


def _unspooled(spool: IO[str]) -> Iterator[str]:
    with spool:
        rest = ""
        while chunk := spool.read(1 << 16):
            *whole, rest = (rest + chunk).split("\0")
            yield from whole


@contextmanager
def _bar(description: str) -> Iterator[tuple[Progress, TaskID] | None]:
    """One transient progress bar on stderr, on a terminal only (quiet when piped or in CI)."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        yield bar, bar.add_task(description, total=None)


@contextmanager
def sync_progress(description: str) -> Iterator[Callable[[Batch], None] | None]:
    """A bar counting the items a sync stores: the ``on_batch`` callback that advances it
    (None when there is no bar)."""
    with _bar(description) as shown:
        if shown is None:
            yield None
            return
        bar, task = shown
        yield lambda batch: bar.advance(task, len(batch.interactions) + len(batch.cards))


@contextmanager
def file_progress(words: Wording) -> Iterator[Callable[[Unit, int, int | None], None] | None]:
    """A bar for the file an ingest is reading: the ``on_file`` callback that moves it (None
    when there is no bar)."""
    with _bar(words.gettext("Reading")) as shown:
        if shown is None:
            yield None
            return
        bar, task = shown

        def show(unit: Unit, done: int, total: int | None) -> None:
            reading = words.gettext("Reading {file}").format(file=unit.path.name)
            bar.update(task, description=reading, completed=done)
            if total is not None:
                bar.update(task, total=total)

        yield show


# An analysis done sooner than this shows no bar: the demo's takes a third of a second, and a bar
# that flashes and is gone says nothing (git waits two seconds, GIT_PROGRESS_DELAY). Set
# OUTLOOK_NETWORKING_PROGRESS_DELAY (seconds) to change it; 0 shows it from the first step.
PROGRESS_DELAY_S = 1.0


class _Since(ProgressColumn):
    """The time since the analysis began (rich's elapsed column counts from when a task was
    added: a second late, and again from nought at every step)."""

    def __init__(self, began: float, clock: Callable[[], float]) -> None:
        super().__init__()
        self.began, self.clock = began, clock

    def render(self, task: Task) -> Text:
        elapsed = timedelta(seconds=int(max(0.0, self.clock() - self.began)))
        return Text(str(elapsed), style="progress.elapsed")


class _AnalysisBar:
    """A transient bar on stderr for an analysis (:data:`app.analysis.Progress`): shown once
    the analysis has taken ``delay`` seconds (a timer), at the step it has reached, one line
    per step in turn, with the time since the analysis began, gone at its end, before the
    command prints."""

    def __init__(
        self,
        words: Wording,
        delay: float = PROGRESS_DELAY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.words = words
        self.delay = delay
        self.clock = clock
        self.began: float | None = None  # when the analysis told its first step
        self.shown: Progress | None = None
        self.step: tuple[str, TaskID] | None = None
        self.latest: tuple[str, int, int | None] | None = None  # where the analysis is
        self.timer: threading.Timer | None = None
        self._lock = threading.Lock()  # the timer's thread shows it, the analysis moves it

    def __call__(self, step: str, done: int, total: int | None) -> None:
        from ..app.analysis import DONE

        with self._lock:
            if step == DONE:
                if self.timer is not None:
                    self.timer.cancel()
                if self.shown is not None:
                    self.shown.stop()
                self.shown = self.step = self.latest = self.timer = self.began = None
                return
            if self.began is None:
                self.began = self.clock()
            self.latest = step, done, total
            if self.shown is not None:
                self._move(step, done, total)
            elif self.delay <= 0:
                self._show()
            elif self.timer is None:
                self.timer = threading.Timer(self.delay, self.due)
                self.timer.daemon = True
                self.timer.start()

    def due(self) -> None:
        """The delay is over: the bar shows where the analysis is, if it is not done."""
        with self._lock:
            if self.latest is not None and self.shown is None:
                self._show()

    def _show(self) -> None:
        assert self.latest is not None and self.began is not None
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            _Since(self.began, self.clock),
        )
        self.shown = Progress(*columns, console=err_console, transient=True)
        self.shown.start()
        self._move(*self.latest)

    def _move(self, step: str, done: int, total: int | None) -> None:
        from ..app.analysis import ANALYSE, KEEP, READ

        assert self.shown is not None
        w = self.words
        count = "" if total is None else f"{w.number(done)}/{w.number(total)}"
        if self.step is not None and self.step[0] == step:
            self.shown.update(self.step[1], completed=done, count=count)
            return
        if self.step is not None:
            self.shown.remove_task(self.step[1])
        describe = {
            READ: w.gettext("Reading the interactions"),
            ANALYSE: w.gettext("Analysing the network"),
            KEEP: w.gettext("Keeping the answers"),
        }.get(step, step)
        # A step not counted (total None) gets rich's pulsing bar.
        task = self.shown.add_task(describe, total=total, completed=done, count=count)
        self.step = step, task


def analysis_progress(words: Wording) -> Callable[[str, int, int | None], None] | None:
    """The ``progress`` of a workspace whose analysis a person may wait for: a bar that counts
    the interactions read and the contacts kept, on a terminal only (None otherwise: quiet when
    piped or in CI), once the analysis has taken :data:`PROGRESS_DELAY_S` (or
    ``$OUTLOOK_NETWORKING_PROGRESS_DELAY`` seconds)."""
    if not sys.stderr.isatty():
        return None
    try:
        delay = float(os.environ.get("OUTLOOK_NETWORKING_PROGRESS_DELAY", PROGRESS_DELAY_S))
    except ValueError:
        delay = PROGRESS_DELAY_S  # (a bar is no reason to refuse a command)
    return _AnalysisBar(words, delay if math.isfinite(delay) else PROGRESS_DELAY_S)


# --- tables that fit ---------------------------------------------------------------------------

_GAP = 3  # what rich puts between two columns of a SIMPLE_HEAD table without edges


@dataclass(frozen=True)
class Column:
    """A table column. ``rank`` 0 is always shown; higher ranks give way first when the
    terminal is narrow. A ``flexible`` column (its value: the least width worth showing) takes
    the room the others leave and wraps."""

    header: str
    rank: int = 0
    justify: str = "left"
    flexible: int = 0


def _natural(column: Column, rows: Sequence[Sequence[str]], i: int) -> int:
    cells = [line for row in rows for line in row[i].splitlines()]
    return max([cell_len(column.header), *(cell_len(c) for c in cells)])


def fit(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> dict[int, int]:
    """The columns that fit in ``width`` (by index, in table order) and the width of each."""
    natural = [_natural(c, rows, i) for i, c in enumerate(columns)]

    def least(i: int) -> int:
        flexible = columns[i].flexible
        return min(natural[i], flexible) if flexible else natural[i]

    chosen: list[int] = []
    for i in sorted(range(len(columns)), key=lambda i: (columns[i].rank, i)):
        need = sum(least(j) for j in [*chosen, i]) + _GAP * len(chosen)
        if columns[i].rank == 0 or need <= width:
            chosen.append(i)
    chosen.sort()
    widths = {i: least(i) for i in chosen}
    spare = width - sum(widths.values()) - _GAP * (len(chosen) - 1)
    for i in (i for i in chosen if columns[i].flexible):
        grow = min(max(spare, 0), natural[i] - widths[i])
        widths[i] += grow
        spare -= grow
    return widths


def table(
    title: str, columns: Sequence[Column], rows: Sequence[Sequence[str]], widths: dict[int, int]
) -> Table:
    """A rich table of the ``widths`` columns of ``rows`` (plain text: no markup)."""
    shown = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
    )
    for i, w in widths.items():
        column = columns[i]
        shown.add_column(
            column.header,
            justify=column.justify,  # type: ignore[arg-type]
            width=w,
            no_wrap=not column.flexible,
            overflow="fold",
        )
    for row in rows:
        shown.add_row(*(Text(row[i]) for i in widths))
    return shown


def left_out(columns: Sequence[Column], widths: dict[int, int], words: Wording) -> str:
    """``"Not shown at 80 columns: Address, Sent (widen the window, or use --json)."``, or
    ``""``."""
    missing = [c.header for i, c in enumerate(columns) if i not in widths]
    if not missing:
        return ""
    return words.gettext(
        "Not shown at {width} columns: {columns} (widen the window, or use --json)."
    ).format(width=console.width, columns=", ".join(missing))


_PART = " · "


def wrapped(text: str, width: int, *, indent: int = 0, hang: int | None = None) -> list[str]:
    """``text`` in lines of at most ``width`` cells: the first indented by ``indent``, the
    others by ``hang`` (default ``indent + 2``). A line breaks between the parts `` · `` joins
    (the `` ·`` ends the line) before it breaks inside a part, and never inside a word."""
    rest = " " * (indent + 2 if hang is None else hang)
    parts = text.split(_PART)
    lines: list[str] = []
    line, fresh = " " * indent, True
    for i, part in enumerate(parts):
        joined = line + part if fresh else line + _PART + part
        room = width - (0 if i == len(parts) - 1 else len(_PART.rstrip()))
        if cell_len(joined) <= room:
            line, fresh = joined, False
            continue
        if not fresh:
            lines.append(line + _PART.rstrip())
            line = rest
        pieces = textwrap.wrap(
            part, width, initial_indent=line, subsequent_indent=rest,
            break_long_words=False, break_on_hyphens=False,
        ) or [line]  # fmt: skip
        lines += pieces[:-1]
        line, fresh = pieces[-1], False
    return [*lines, line]


def say(text: str = "", *, indent: int = 0, hang: int | None = None, bold: bool = False) -> None:
    """Print ``text`` (plain, no markup) wrapped to the console: see :func:`wrapped`."""
    console.print(
        "\n".join(wrapped(text, max(console.width, 20), indent=indent, hang=hang)),
        markup=False,
        highlight=False,
        soft_wrap=True,
        style="bold" if bold else "",
    )


# --- paging ---------------------------------------------------------------------------------------


@contextmanager
def paged() -> Iterator[None]:
    """What is printed to ``console`` inside goes through ``$PAGER`` when stdout is a terminal
    and it is longer than the screen; otherwise it is printed whole. Lines lose the blanks rich
    pads them with, so piped output has no trailing spaces."""
    with console.capture() as captured:
        yield
    text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
    if not console.is_terminal or text.count("\n") < console.height - 1 or not _page(text):
        sys.stdout.write(text)
        sys.stdout.flush()


def _page(text: str) -> bool:
    """Show ``text`` in the pager; False when there is none to run."""
    command = os.environ.get("PAGER")
    if command is None:
        command = "less" if shutil.which("less") else ""
    if not command.strip() or command.strip() == "cat":
        return False
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
    try:
        done = subprocess.run(command, shell=True, input=text, text=True, env=env, check=False)
    except OSError:
        return False
    return done.returncode != 127  # 127: the shell found no such pager


# --- times ----------------------------------------------------------------------------------------


def local(iso: str | None, words: Wording, *, time: bool = False) -> str:
    """An ISO time of the JSON documents in the local time zone, in the words' locale: ``27 Nov
    2026`` / ``27. Nov. 2026`` (with ``time``: ``27 Nov 2026, 13:00``), or ``–``."""
    if not iso:
        return "–"
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    return words.date_time(moment.replace(tzinfo=None)) if time else words.date(moment.date())
