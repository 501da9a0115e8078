"""The global options every command takes (``--db``, ``--config``, ``--now``, ``--debug``) and the
workspace they name.

Exports: ``add_globals``, ``defaults_from_env``, ``open_workspace``.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from ..app.workspace import Workspace

__all__ = ["add_globals", "defaults_from_env", "open_workspace"]


def _parse_now(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def add_globals(parser: argparse.ArgumentParser, default: object) -> None:
    """The global options, on the main parser (``default=None``) or after a command
    (``default=argparse.SUPPRESS``, so a value given before the command is kept)."""
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="the store (default: $OUTLOOK_NETWORKING_DB or the user data directory)",
    )
    parser.add_argument(
        "--config", metavar="PATH", default=default, help="the TOML configuration file"
    )
    parser.add_argument(
        "--now",
        metavar="ISO",
        type=_parse_now,
        default=default,
        help="pretend it is this time, for reproducible runs",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help="show details and tracebacks",
    )


def defaults_from_env(args: argparse.Namespace) -> None:
    """``--db`` from ``$OUTLOOK_NETWORKING_DB`` when not given."""
    if args.db is None:
        args.db = os.environ.get("OUTLOOK_NETWORKING_DB")


def open_workspace(args: argparse.Namespace) -> Workspace:
    """The workspace the global options name (close it, or use it as a context manager)."""
    return Workspace(
        Path(args.db).expanduser() if args.db else None,
        Path(args.config).expanduser() if args.config else None,
        now=args.now,
        retry=getattr(args, "retry", None),
    )
