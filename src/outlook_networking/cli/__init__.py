"""The ``outlook-networking`` command line: the contract scripts and tests rely on.

All wording for people lives here and in the command modules beside it. Every error reaches the
user as one line on stderr (no traceback unless ``--debug``); exit codes are 0 on success, 2 on
usage errors and 1 on failure.

Exports: ``main``.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from .. import __version__
from ..errors import (
    ConfigError,
    InputError,
    LockHeld,
    LoginRequired,
    NetworkingError,
    OutputError,
    UsageError,
)

__all__ = ["main"]


# The analysis looks back decades (since_months up to 50 years) and ahead a few years (due
# dates, the next review); datetime stops at years 1 and 9999.
_NOW_RANGE = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))


def _parse_now(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    except OverflowError:  # a time zone offset past year 1 or 9999
        value = _NOW_RANGE[0] - timedelta(days=1)
    if not _NOW_RANGE[0] <= value < _NOW_RANGE[1]:
        raise argparse.ArgumentTypeError(
            f"{text!r} is outside the years 1970 to 8999 the analysis can work in"
        )
    return value


def _add_globals(parser: argparse.ArgumentParser, default: object) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    from . import agent, mailbox, network, outputs, privacy, sources

    parser = argparse.ArgumentParser(
        prog="outlook-networking",
        description="Strategic networking for people who live in Outlook.",
    )
    _add_globals(parser, default=None)
    # The same options after the command: SUPPRESS keeps a value given before the command.
    common = argparse.ArgumentParser(add_help=False)
    _add_globals(common, default=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (sources, network, mailbox, agent, outputs, privacy):
        module.register(commands, common)
    return parser


def _defaults_from_env(args: argparse.Namespace) -> None:
    args.now_given = args.now is not None  # long-running servers follow the clock otherwise
    if args.now is None:
        args.now = datetime.now(UTC).replace(microsecond=0)
    if args.db is None:
        args.db = os.environ.get("OUTLOOK_NETWORKING_DB")


def describe(exc: NetworkingError) -> str:
    """The one line a person reads for an error."""
    if isinstance(exc, LoginRequired):
        return f"{exc.account}: sign-in expired or missing; run `outlook-networking login`"
    if isinstance(exc, ConfigError):
        where = f"{exc.path}: " if exc.path else ""
        return f"invalid configuration: {where}{exc.key}: {exc.problem}"
    if isinstance(exc, InputError):
        return f"cannot read {exc.path}: {exc.reason}"
    if isinstance(exc, OutputError):
        return f"cannot write {exc.path}: {exc.reason}"
    if isinstance(exc, LockHeld):
        return f"another agent (process {exc.pid}) is using {exc.path}"
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _defaults_from_env(args)
    try:
        code: int = args.handler(args)
        return code
    except UsageError as exc:
        _report(args, exc, describe(exc))
        return 2
    except NetworkingError as exc:
        _report(args, exc, describe(exc))
        return 1
    except KeyboardInterrupt:
        print("interrupted; what was stored so far is kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: one line, never a traceback
        _report(args, exc, f"internal error: {type(exc).__name__}: {exc} (run with --debug)")
        return 1


def _report(args: argparse.Namespace, exc: BaseException, line: str) -> None:
    if getattr(args, "debug", False):
        traceback.print_exception(exc, file=sys.stderr)
    print(f"outlook-networking: {line}", file=sys.stderr)
