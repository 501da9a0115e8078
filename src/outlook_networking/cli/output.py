"""Printing for people (rich tables on stdout, progress on stderr) and for scripts (JSON on
stdout).

Exports: ``print_json``, ``console``, ``err_console``, ``sync_progress``, ``file_progress``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ..ports import Batch

if TYPE_CHECKING:
    from ..sources import Unit  # for the annotation only: reading files is an ingest's import

__all__ = ["console", "err_console", "file_progress", "print_json", "sync_progress"]

# Piped output gets a wide page rather than rich's 80 columns: tables stay one line per row, and
# COLUMNS still wins where a script sets it.
_PIPED_WIDTH = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "160"))
console = Console(highlight=False, soft_wrap=False, width=_PIPED_WIDTH)
err_console = Console(
    stderr=True, highlight=False, width=None if sys.stderr.isatty() else _PIPED_WIDTH or 160
)


def print_json(document: Any) -> None:
    """One JSON document on stdout, UTF-8, keys in a stable order."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False))
    sys.stdout.write("\n")


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
def file_progress() -> Iterator[Callable[[Unit, int, int | None], None] | None]:
    """A bar for the file an ingest is reading: the ``on_file`` callback that moves it (None
    when there is no bar)."""
    with _bar("Reading") as shown:
        if shown is None:
            yield None
            return
        bar, task = shown

        def show(unit: Unit, done: int, total: int | None) -> None:
            bar.update(task, description=f"Reading {unit.path.name}", completed=done)
            if total is not None:
                bar.update(task, total=total)

        yield show
