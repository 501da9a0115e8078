"""The ``outlook-networking`` command line: the contract scripts and tests rely on.

The command modules beside this one parse the arguments, open the workspace they name
(:mod:`.options`), call the application layer (:mod:`outlook_networking.app`) and print for people
(rich tables, progress bars) or scripts (``--json``). Every error reaches the user as one line on
stderr in the wording the agent and the add-in share (:mod:`outlook_networking.app.wording`), no
traceback unless ``--debug``; exit codes are 0 on success, 2 on usage errors and 1 on failure.
Every command has help and examples, and a mistyped one gets "did you mean" (:mod:`.parser`).

Exports: ``main``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..app.wording import describe
from ..config import default_config_path
from ..errors import ConfigError, NetworkingError, UsageError
from ..i18n import Wording
from ..ports import RetryPolicy
from .options import add_globals, choose_words, defaults_from_env
from .parser import PROG, Parser, check_extras, use_words

__all__ = ["main"]


def _first_run(words: Wording) -> str:
    """The epilog of ``--help``: the first commands to try."""
    # TRANSLATORS: keep each line within 80 columns; the commands stay as they are
    return words.gettext(
        "a first run:\n"
        "  outlook-networking demo           # a sample mailbox, analysed\n"
        "  export OUTLOOK_NETWORKING_DB=...  # the line demo printed last\n"
        "  outlook-networking followups      # what needs doing, most pressing first\n"
        "  outlook-networking report --html network.html --open\n"
        "\n"
        "`outlook-networking COMMAND --help` explains a command, with examples.\n"
    )


def build_parser(words: Wording | None = None) -> Parser:
    """The whole command line, its help and usage errors in ``words``'s language (default:
    English)."""
    from . import (
        agent,
        brief,
        completion,
        config,
        followups,
        intro,
        mailbox,
        network,
        outputs,
        privacy,
        review,
        sources,
    )  # fmt: skip

    words = Wording() if words is None else words
    parser = Parser(
        prog=PROG,
        description=words.gettext("Strategic networking for people who live in Outlook."),
        epilog=_first_run(words),
    )
    add_globals(parser, words, default=None)
    # The same options after the command: SUPPRESS keeps a value given before the command.
    common = argparse.ArgumentParser(add_help=False)
    add_globals(common, words, default=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.set_defaults(command_parser=parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (
        sources, network, followups, review, intro, brief, mailbox, agent, outputs, config,
        completion, privacy,
    ):  # fmt: skip
        module.register(commands, common, words)
    use_words(parser, words)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    retry: RetryPolicy | None = None,
    words: Wording | None = None,
) -> int:
    """Run the command line; return the exit code.

    ``retry`` bounds how long a call to a mail server may wait for it to recover (default: two
    minutes); tests pass a short one. ``words`` is the language of everything printed (default:
    the configuration's, else the system's: :func:`.options.choose_words`).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    first = None
    if words is None:
        first = choose_words(argv)
        words = first.words
    parser = build_parser(words)
    args, extras = parser.parse_known_args(argv)
    check_extras(args, extras)
    defaults_from_env(args)
    args.retry = retry
    args.words = words
    args.config_read = first.config_for(args) if first is not None else None  # read once
    try:
        code: int = args.handler(args)
        return code
    except UsageError as exc:
        if isinstance(exc, ConfigError) and not exc.path:  # raised past the file's reading
            exc.path = str(Path(args.config).expanduser() if args.config else default_config_path())
        _report(args, exc, describe(exc, words))
        return 2
    except NetworkingError as exc:
        _report(args, exc, describe(exc, words))
        return 1
    except KeyboardInterrupt:
        print(words.gettext("interrupted; what was stored so far is kept"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: one line, never a traceback
        # TRANSLATORS: {line} is the error; --debug is the option's name
        _report(
            args, exc, words.gettext("{line} (run with --debug)").format(line=describe(exc, words))
        )
        return 1
    finally:
        # What an analysis left was frozen out of the cyclic collector's sight (app.analysis):
        # whoever called this (a test, a script) gets a collector that sees everything again.
        gc.unfreeze()


def _report(args: argparse.Namespace, exc: BaseException, line: str) -> None:
    if getattr(args, "debug", False):
        traceback.print_exception(exc, file=sys.stderr)
    print(f"outlook-networking: {line}", file=sys.stderr)
