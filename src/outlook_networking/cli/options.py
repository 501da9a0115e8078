"""The global options every command takes (``--db``, ``--config``, ``--now``, ``--debug``) and the
workspace they name.

A command that reads the store opens it with ``need="data"`` (or ``"store"`` when an empty store
is fine): a missing store is then one line and exit 1, and nothing, not even its folder, is
created; an empty one says how to fill it.

Exports: ``add_globals``, ``choose_words``, ``FirstRead``, ``defaults_from_env``,
``open_workspace``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from ..app.workspace import Workspace
from ..config import Config, language_in, load_config
from ..errors import NetworkingError
from ..i18n import Wording, choose_language, wording_for

__all__ = ["FirstRead", "add_globals", "choose_words", "defaults_from_env", "open_workspace"]


# The analysis looks back decades (since_months up to 50 years) and ahead a few years (due
# dates, the next review); datetime stops at years 1 and 9999.
_NOW_RANGE = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))


def _parse_now(w: Wording, text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(
            w.gettext(
                "not an ISO 8601 time: {text}; write it like 2026-11-27 or 2026-11-27T12:00:00Z"
            ).format(text=repr(text))
        ) from None
    except OverflowError:  # a time zone offset past year 1 or 9999
        value = _NOW_RANGE[0] - timedelta(days=1)
    if not _NOW_RANGE[0] <= value < _NOW_RANGE[1]:
        raise argparse.ArgumentTypeError(
            w.gettext("{text} is outside the years 1970 to 8999 the analysis can work in").format(
                text=repr(text)
            )
        )
    return value


def add_globals(parser: argparse.ArgumentParser, w: Wording, default: object) -> None:
    """The global options, on the main parser (``default=None``) or after a command
    (``default=argparse.SUPPRESS``, so a value given before the command is kept), their help
    in ``w``'s words."""
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help=w.gettext(
            "the store, e.g. --db ~/demo.sqlite3 (default: $OUTLOOK_NETWORKING_DB, else "
            "network.sqlite3 in the user data directory)"
        ),
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help=w.gettext(
            "the TOML configuration file, e.g. --config work.toml (default: config.toml in the "
            "user config directory; `config init` writes one)"
        ),
    )
    parser.add_argument(
        "--now",
        metavar="ISO",
        type=partial(_parse_now, w),
        default=default,
        help=w.gettext(
            "pretend it is this time, for reproducible runs, e.g. --now 2026-11-27 or "
            "--now 2026-11-27T12:00:00Z"
        ),
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help=w.gettext(
            "show details and tracebacks, e.g. the parts of a file that could not be read"
        ),
    )


@dataclass(frozen=True)
class FirstRead:
    """What is read before the arguments are parsed: the language of the run and the
    configuration it came from, kept for the workspace so the file is read once."""

    words: Wording
    config: Config | None  # None: it could not be read (the command reports why)
    named: str | None  # the ``--config`` it was read from; None: the default place

    def config_for(self, args: argparse.Namespace) -> Config | None:
        """The configuration, if the parsed ``--config`` names the file it was read from."""
        return self.config if args.config == self.named else None


def choose_words(argv: Sequence[str]) -> FirstRead:
    """The language of the whole run, chosen before the arguments are parsed (help and usage
    errors are worded too): the ``language`` of the configuration ``--config`` names (or of the
    default one), else the system's. A configuration that is invalid still names its language
    (unless it cannot be parsed at all); the command reports the problem when it reads it."""
    path: str | None = None
    for i, argument in enumerate(argv):
        if argument == "--config" and i + 1 < len(argv):
            path = argv[i + 1]
        elif argument.startswith("--config="):
            path = argument.split("=", 1)[1]
    file = Path(path).expanduser() if path else None
    try:
        config = load_config(file)
    except (NetworkingError, OSError):  # its problem is reported in the language it names
        return FirstRead(Wording(choose_language(language_in(file), os.environ)), None, path)
    return FirstRead(wording_for(config), config, path)


def defaults_from_env(args: argparse.Namespace) -> None:
    """``--db`` from ``$OUTLOOK_NETWORKING_DB`` when not given."""
    if args.db is None:
        args.db = os.environ.get("OUTLOOK_NETWORKING_DB")


def open_workspace(args: argparse.Namespace, need: str = "any") -> Workspace:
    """The workspace the global options name (close it, or use it as a context manager).

    ``need``: ``"any"`` makes the store if there is none (commands that fill it); ``"store"``
    refuses a missing store; ``"data"`` also refuses an empty one. Either refusal comes after
    the configuration is read, so a broken configuration is reported first.
    """
    from .output import analysis_progress

    workspace = Workspace(
        Path(args.db).expanduser() if args.db else None,
        Path(args.config).expanduser() if args.config else None,
        now=args.now,
        retry=getattr(args, "retry", None),
        create=need == "any",
        words=args.words,
        config=getattr(args, "config_read", None),
        progress=analysis_progress(args.words),
    )
    try:
        if need == "data":
            workspace.require_data()
        elif need == "store":
            workspace.config  # noqa: B018 - a configuration error comes first
            workspace.store  # noqa: B018
    except BaseException:
        workspace.close()
        raise
    return workspace
