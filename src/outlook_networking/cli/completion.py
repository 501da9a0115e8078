"""``completion bash|zsh|fish``: the shell completion script, made from the parser itself.

The script is generated from the same argparse tree the command line parses with, so a new
command or option completes without anyone editing a script: commands and their subcommands
(with their help in zsh and fish), each command's options, the choices of options that have
them (``--tier A``), and file names where a path is wanted. Each shell gets a plain script of its
own idiom; none needs anything installed beside the shell.

Exports: ``register``, ``script``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..i18n import Wording
from .parser import PROG, add_command

__all__ = ["register", "script"]

SHELLS = ("bash", "zsh", "fish")
_PATHS = {"PATH", "FILE", "DIR"}  # metavars that name files or folders
_FUNCTION = "_outlook_networking"


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    completion = add_command(
        commands,
        "completion",
        common,
        words=w,
        help=w.gettext("print the shell completion script for bash, zsh or fish"),
        description=w.gettext(
            "Print a script that completes commands, options and their values in "
            "SHELL. Load it from your shell's start-up file, as the examples show."
        ),
        examples=[
            "completion bash > ~/.local/share/bash-completion/completions/outlook-networking",
            "completion zsh > ~/.zfunc/_outlook-networking   # with fpath+=~/.zfunc before "
            "compinit",
            "completion fish > ~/.config/fish/completions/outlook-networking.fish",
            "completion bash   # or, in ~/.bashrc: source <(outlook-networking completion bash)",
        ],
    )
    completion.add_argument(
        "shell", choices=SHELLS, metavar="SHELL",
        help=w.gettext("bash, zsh or fish"),
    )
    completion.set_defaults(handler=_completion)


def _completion(args: argparse.Namespace) -> int:
    from . import build_parser

    print(script(build_parser(args.words), args.shell, args.words), end="")
    return 0


@dataclass
class _Option:
    names: list[str]
    help: str
    takes_value: bool
    choices: list[str] = field(default_factory=list)
    files: bool = False


@dataclass
class _Node:
    """One command (or the program itself): its options, subcommands and positional values."""

    path: str  # "" for the program, "contacts", "contacts merge"
    options: list[_Option] = field(default_factory=list)
    commands: dict[str, str] = field(default_factory=dict)  # name -> help
    files: bool = False  # a positional wants file names
    choices: list[str] = field(default_factory=list)  # a positional's choices


def _help(text: str | None) -> str:
    shown = " ".join((text or "").split()).replace("'", "’")
    return shown if len(shown) <= 70 else shown[:69] + "…"


def _nodes(parser: argparse.ArgumentParser, path: str = "") -> Iterator[_Node]:
    node = _Node(path)
    below: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                node.commands[name] = _help(helps.get(name))
                below.append((name, sub))
        elif action.option_strings:
            if action.help == argparse.SUPPRESS:
                continue
            node.options.append(
                _Option(
                    names=list(action.option_strings),
                    help=_help(action.help),
                    takes_value=action.nargs != 0,
                    choices=[str(c) for c in action.choices or ()],
                    files=action.metavar in _PATHS,
                )
            )
        elif action.choices:
            node.choices = [str(c) for c in action.choices]
        elif action.metavar in _PATHS:
            node.files = True
    yield node
    for name, sub in below:
        yield from _nodes(sub, f"{path} {name}".strip())


def script(parser: argparse.ArgumentParser, shell: str, w: Wording) -> str:
    """The completion script for ``shell`` (``bash``, ``zsh`` or ``fish``), its comments (how
    to load it) in ``w``'s words; the help it shows is the parser's."""
    nodes = list(_nodes(parser))
    made = w.gettext("{shell} completion for {prog}; made by `{command}`.").format(
        shell=shell, prog=PROG, command=f"{PROG} completion {shell}"
    )
    source = f"source <({PROG} completion {shell})"
    how = {
        "bash": w.gettext("Load it from ~/.bashrc:  {command}").format(command=source),
        "zsh": w.gettext(
            "Save it as {file} in a folder of $fpath (before compinit runs), or, after\n"
            "compinit in ~/.zshrc:  {command}"
        ).format(file=f"_{PROG}", command=source),
        "fish": w.gettext("Save it as {file}").format(
            file=f"~/.config/fish/completions/{PROG}.fish"
        ),
    }[shell]
    header = "\n".join(f"# {line}" for line in f"{made}\n{how}".splitlines())
    if shell == "bash":
        return _bash(nodes, header)
    if shell == "zsh":
        return _zsh(nodes, header, w)
    return _fish(nodes, header)


def _steps(nodes: list[_Node]) -> list[str]:
    """``"path:word"`` for every subcommand, the walk from one node to the next."""
    return [f"{node.path}:{name}" for node in nodes for name in node.commands]


def _value_cases(nodes: list[_Node], line: str, choices: str, files: str, free: str) -> list[str]:
    """One ``case`` branch per option that takes a value, keyed ``"path:--option"``: ``line``
    is the branch (with ``{keys}`` and ``{answer}``), the others the answer for choices (with
    ``{choices}``), for file names and for a free value."""
    cases: list[str] = []
    for node in nodes:
        for option in node.options:
            if not option.takes_value:
                continue
            keys = "|".join(f'"{node.path}:{n}"' for n in option.names)
            if option.choices:
                answer = choices.format(choices=" ".join(option.choices))
            else:
                answer = files if option.files else free
            cases.append(line.format(keys=keys, answer=answer))
    return cases


def _words(node: _Node) -> str:
    return " ".join([*node.commands, *node.choices, *(n for o in node.options for n in o.names)])


# --- bash -----------------------------------------------------------------------------------------


def _bash(nodes: list[_Node], header: str) -> str:
    steps = "|".join(f'"{s}"' for s in _steps(nodes))
    values = _value_cases(
        nodes,
        "        {keys}) {answer}; return ;;",
        choices='COMPREPLY=($(compgen -W "{choices}" -- "$cur"))',
        files='compopt -o filenames; COMPREPLY=($(compgen -f -- "$cur"))',
        free="COMPREPLY=()",  # a free value: nothing to offer
    )
    words = [f'        "{node.path}") words="{_words(node)}" ;;' for node in nodes]
    files = "|".join(f'"{n.path}"' for n in nodes if n.files) or '"-"'
    return f"""\
{header}
{_FUNCTION}() {{
    local cur prev cmdpath word words i
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    cmdpath=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        case "$cmdpath:$word" in
            {steps}) cmdpath="${{cmdpath:+$cmdpath }}$word" ;;
        esac
    done
    case "$cmdpath:$prev" in
{chr(10).join(values)}
    esac
    case "$cmdpath" in
{chr(10).join(words)}
    esac
    case "$cmdpath" in
        {files})
            if [[ "$cur" != -* ]]; then
                compopt -o filenames
                COMPREPLY=($(compgen -f -- "$cur"))
                return
            fi ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -F {_FUNCTION} {PROG}
"""


# --- zsh ------------------------------------------------------------------------------------------


def _zsh(nodes: list[_Node], header: str, w: Wording) -> str:
    steps = "|".join(f'"{s}"' for s in _steps(nodes))
    values = _value_cases(
        nodes,
        "    ({keys}) {answer}; return ;;",
        choices="compadd -- {choices}",
        files="_files",
        free="_message '{}'".format(w.gettext("a value").replace("'", "’")),
    )
    cases: list[str] = []
    for node in nodes:
        lines = [f'    ("{node.path}")']
        if node.commands:
            described = " ".join(f"'{name}:{text}'" for name, text in node.commands.items())
            lines.append(f"      local -a subcommands=({described})")
            lines.append("      _describe -t commands 'command' subcommands")
        if node.choices:
            lines.append(f"      compadd -- {' '.join(node.choices)}")
        if node.files:
            lines.append("      [[ $PREFIX != -* ]] && _files")
        options = " ".join(n for o in node.options for n in o.names)
        lines.append(f"      [[ $PREFIX == -* ]] && compadd -- {options}")
        lines.append("      ;;")
        cases.append("\n".join(lines))
    return f"""\
#compdef {PROG}
{header}
{_FUNCTION}() {{
  local cmdpath="" word prev i
  for ((i = 2; i < CURRENT; i++)); do
    word=${{words[i]}}
    case "$cmdpath:$word" in
      ({steps}) cmdpath="${{cmdpath:+$cmdpath }}$word" ;;
    esac
  done
  prev=${{words[CURRENT-1]}}
  case "$cmdpath:$prev" in
{chr(10).join(values)}
  esac
  case "$cmdpath" in
{chr(10).join(cases)}
  esac
}}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  {_FUNCTION} "$@"
else
  compdef {_FUNCTION} {PROG}
fi
"""


# --- fish -----------------------------------------------------------------------------------------


def _fish(nodes: list[_Node], header: str) -> str:
    steps = " ".join(f"'{s}'" for s in _steps(nodes))
    lines = [
        header,
        f"function {_FUNCTION}_path",
        "    set -l cmdpath ''",
        "    for word in (commandline -opc)[2..-1]",
        '        switch "$cmdpath:$word"',
        f"            case {steps}",
        '                set cmdpath (string trim -- "$cmdpath $word")',
        "        end",
        "    end",
        '    echo "$cmdpath"',
        "end",
        f"function {_FUNCTION}_at",
        f"    set -l here ({_FUNCTION}_path)",
        '    test "$here" = "$argv[1]"',
        "end",
        f"complete -c {PROG} -f",
    ]
    for node in nodes:
        at = f"-n '{_FUNCTION}_at \"{node.path}\"'"
        for name, text in node.commands.items():
            lines.append(f"complete -c {PROG} {at} -a {name} -d '{text}'")
        if node.choices:
            lines.append(f"complete -c {PROG} {at} -a '{' '.join(node.choices)}'")
        if node.files:
            lines.append(f"complete -c {PROG} {at} -F")
        for option in node.options:
            names = " ".join(
                f"-l {n[2:]}" if n.startswith("--") else f"-s {n[1:]}" for n in option.names
            )
            value = ""
            if option.choices:
                value = f" -x -a '{' '.join(option.choices)}'"
            elif option.files:
                value = " -r -F"
            elif option.takes_value:
                value = " -x"
            lines.append(f"complete -c {PROG} {at} {names}{value} -d '{option.help}'")
    return "\n".join(lines) + "\n"
