"""The argument parser of the command line: help and examples on every command, and a suggestion
when a command or an option is mistyped.

Every command is added with :func:`add_command`, which gives it a description and an
``examples:`` section; every option carries its own help. A mistyped command (``contcts``) or
option (``--jsn``) gets "did you mean" with the closest names (``difflib``) instead of the list
of every choice.

Exports: ``Parser``, ``add_command``, ``check_extras``, ``use_words``, ``PROG``.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from ..i18n import Wording

__all__ = ["PROG", "Parser", "add_command", "check_extras", "use_words"]

PROG = "outlook-networking"
_INVALID_CHOICE = re.compile(r"argument (?P<what>\S+): invalid choice: (?P<value>'.*?'|\".*?\")")


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors suggest what was probably meant, in ``words``'s
    language (:func:`use_words` sets it on a parser and its commands; argparse's own words,
    "usage:" and its messages, stay English)."""

    words = Wording()

    def error(self, message: str) -> NoReturn:
        found = _INVALID_CHOICE.match(message)
        if found is not None:
            message = self._unknown_choice(found.group("what"), found.group("value")[1:-1])
        self.print_usage(sys.stderr)
        line = self.words.gettext("{prog}: error: {message}").format(
            prog=self.prog, message=message
        )
        self.exit(2, line + "\n")

    def _unknown_choice(self, what: str, value: str) -> str:
        action = next(
            (a for a in self._actions if what in (a.metavar, a.dest, *a.option_strings)), None
        )
        choices = [str(c) for c in (action.choices or ())] if action is not None else []
        w = self.words
        if isinstance(action, argparse._SubParsersAction):
            hint = _did_you_mean(value, choices, w)
            if not hint and "@" in value and self.prog.endswith(" contacts"):
                hint = w.gettext("; did you mean {command}?").format(
                    command=f"`{PROG} contact {value}`"
                )
            return w.gettext("unknown command {value}{hint} (`{prog} --help` lists them)").format(
                value=repr(value), hint=hint, prog=self.prog
            )
        return w.gettext("argument {what}: {value} is not one of {listed}{hint}").format(
            what=what,
            value=repr(value),
            listed=", ".join(choices),
            hint=_did_you_mean(value, choices, w),
        )

    def suggest_option(self, extras: Sequence[str]) -> str:
        """``; did you mean --json?`` for the first unknown option close to one of ours."""
        options = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
        for extra in extras:
            if extra.startswith("-"):
                hint = _did_you_mean(extra.split("=", 1)[0], options, self.words, most=1)
                if hint:
                    return hint
        return ""


def _did_you_mean(value: str, choices: Sequence[str], w: Wording, most: int = 2) -> str:
    close = difflib.get_close_matches(value, choices, n=most, cutoff=0.6)
    if not close and value:
        close = [c for c in choices if c.lower().startswith(value.lower())][:most]
    # TRANSLATORS: {command} is one or two names joined by " or " (the next message)
    return w.gettext("; did you mean {command}?").format(command=_or(close, w)) if close else ""


def _or(names: Sequence[str], w: Wording) -> str:
    return (
        w.gettext("{first} or {second}").format(first=names[0], second=names[1])
        if len(names) > 1
        else names[0]
    )


def use_words(parser: argparse.ArgumentParser, words: Wording) -> None:
    """Word the suggestions of ``parser`` and of every command under it in ``words``."""
    if isinstance(parser, Parser):
        parser.words = words
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                use_words(command, words)


def check_extras(args: argparse.Namespace, extras: Sequence[str]) -> None:
    """Refuse arguments nobody asked for, on the parser of the command that got them (which
    knows the options worth suggesting)."""
    if not extras:
        return
    rest = getattr(args, "rest", None)  # a command whose last words may follow its options
    if rest and not any(e.startswith("-") and e != "-" for e in extras):
        setattr(args, rest, [*getattr(args, rest), *extras])
        return
    parser: Parser = args.command_parser
    parser.error(
        parser.words.gettext("unrecognized arguments: {arguments}{hint}").format(
            arguments=" ".join(extras), hint=parser.suggest_option(extras)
        )
    )


def add_command(
    commands: Any,
    name: str,
    common: argparse.ArgumentParser,
    *,
    help: str,
    description: str,
    examples: Sequence[str],
) -> Parser:
    """A command (or a command's subcommand) with its description and examples.

    Parameters:
        commands: what ``add_subparsers`` returned.
        common: the global options, so they may also follow the command.
        examples: command lines without the program name, each shown as one example.
    """
    shown = "\n".join(f"  {PROG} {example}" for example in examples)
    parser: Parser = commands.add_parser(
        name,
        parents=[common],
        help=help,
        description=description,
        epilog=f"examples:\n{shown}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(command_parser=parser)
    return parser
