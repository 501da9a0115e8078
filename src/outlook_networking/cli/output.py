"""Printing for people (rich tables on stdout) and for scripts (JSON on stdout).

Exports: ``print_json``, ``console``, ``err_console``, ``progress``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

__all__ = ["console", "err_console", "print_json", "progress"]

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
def progress(enabled: bool, description: str, total: int | None) -> Iterator[Progress | None]:
    """A progress bar on stderr when ``enabled`` (a terminal), else nothing."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if total is None else TransferSpeedColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        bar.add_task(description, total=total)
        yield bar
