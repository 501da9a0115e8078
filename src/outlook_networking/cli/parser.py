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
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from ..i18n import Wording

__all__ = ["PROG", "Parser", "add_command", "check_extras", "use_words"]

PROG = "outlook-networking"
_INVALID_CHOICE = re.compile(r"argument (?P<what>\S+): invalid choice: (?P<value>'.*?'|\".*?\")")
# argparse's own error messages (Lib/argparse.py), to word them in the chosen language
_ARGUMENT = re.compile(r"argument (?P<what>\S+): (?P<rest>.*)", re.DOTALL)
_EXPECTED = re.compile(r"expected (?:at (?P<bound>least|most) )?one argument")
_INVALID_VALUE = re.compile(r"invalid (?P<type>\S+) value: (?P<value>.*)", re.DOTALL)
_NOT_WITH = re.compile(r"not allowed with argument (?P<other>.*)")
_REQUIRED = re.compile(r"the following arguments are required: (?P<arguments>.*)")
_ONE_OF = re.compile(r"one of the arguments (?P<arguments>.*) is required")
_AMBIGUOUS = re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)")


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout with its one word of its own, "usage:", from our catalogs; a
    description's and an epilog's lines are each wrapped to the terminal, and an indented line
    (an example, a command) is kept as written."""

    def __init__(self, prog: str, words: Wording) -> None:
        super().__init__(prog)
        self._words = words

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(
            line if not line or line[0].isspace()
            else textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent)
            for line in text.splitlines()
        )

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        # TRANSLATORS: argparse's prefix of the usage line, the trailing space included
        shown = self._words.gettext("usage: ") if prefix is None else prefix
        super().add_usage(usage, actions, groups, shown)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help and errors are in ``words``'s language and whose errors
    suggest what was probably meant (:func:`use_words` sets the words on a parser and its
    commands).

    argparse words its own parts ("usage:", "options", "the following arguments are required")
    through :func:`gettext.gettext`, the process-wide domain and the locale of the environment,
    bound when argparse is imported: it cannot follow the language of the configuration. So
    this class words them itself from our catalogs: the usage prefix in its formatter, the
    section titles and the help of ``-h`` in :func:`use_words`, and argparse's error messages,
    recognised by their fixed English form, in :meth:`error`.
    """

    words = Wording()

    def _get_formatter(self) -> argparse.HelpFormatter:
        return _Formatter(self.prog, self.words)

    def error(self, message: str) -> NoReturn:
        found = _INVALID_CHOICE.match(message)
        if found is not None:
            message = self._unknown_choice(found.group("what"), found.group("value")[1:-1])
        else:
            message = _argparse_message(message, self.words)
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


def _argparse_message(message: str, w: Wording) -> str:
    """argparse's English ``message`` in ``w``'s words (unchanged when it is not argparse's).

    The patterns are argparse's own messages (Lib/argparse.py); a type check's message after
    ``argument X:`` is already worded (the commands' checks take the words)."""
    found = _ARGUMENT.fullmatch(message)
    if found is not None:
        what, rest = found.group("what"), found.group("rest")
        worded = None
        if (expected := _EXPECTED.fullmatch(rest)) is not None:
            worded = {
                None: w.gettext("expected one argument"),
                "least": w.gettext("expected at least one argument"),
                "most": w.gettext("expected at most one argument"),
            }[expected.group("bound")]
        if worded is None and (value := _INVALID_VALUE.fullmatch(rest)) is not None:
            worded = w.gettext("{value} is not a valid {type}").format(
                value=value.group("value"), type=value.group("type")
            )
        if worded is None and (other := _NOT_WITH.fullmatch(rest)) is not None:
            worded = w.gettext("not allowed with {other}").format(other=other.group("other"))
        # TRANSLATORS: {what} is an option (--limit) or an argument (TARGET)
        return w.gettext("argument {what}: {message}").format(what=what, message=worded or rest)
    if (found := _REQUIRED.fullmatch(message)) is not None:
        return w.gettext("the following arguments are required: {arguments}").format(
            arguments=found.group("arguments")
        )
    if (found := _ONE_OF.fullmatch(message)) is not None:
        return w.gettext("one of the arguments {arguments} is required").format(
            arguments=found.group("arguments")
        )
    if (found := _AMBIGUOUS.fullmatch(message)) is not None:
        return w.gettext("ambiguous option: {option} could match {matches}").format(
            option=found.group("option"), matches=found.group("matches")
        )
    return message


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
    """Word the help and errors of ``parser`` and of every command under it in ``words``,
    argparse's own section titles and the help of ``-h`` and ``--version`` included."""
    if isinstance(parser, Parser):
        parser.words = words
    for group in parser._action_groups:
        if group is parser._positionals:
            group.title = words.gettext("positional arguments")
        elif group is parser._optionals:
            group.title = words.gettext("options")
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = words.gettext("show this help message and exit")
        elif isinstance(action, argparse._VersionAction):
            action.help = words.gettext("show the version and exit")
        elif isinstance(action, argparse._SubParsersAction):
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
    words: Wording,
    help: str,
    description: str,
    examples: Sequence[str],
) -> Parser:
    """A command (or a command's subcommand) with its description and examples.

    Parameters:
        commands: what ``add_subparsers`` returned.
        common: the global options, so they may also follow the command.
        words: the language of the heading "examples:" (the texts come worded).
        examples: command lines without the program name, each shown as one example.
    """
    shown = "\n".join(f"  {PROG} {example}" for example in examples)
    parser: Parser = commands.add_parser(
        name,
        parents=[common],
        help=help,
        description=description,
        epilog=words.gettext("examples:") + f"\n{shown}",
    )
    parser.set_defaults(command_parser=parser)
    return parser
