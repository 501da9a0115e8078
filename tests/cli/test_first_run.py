"""A first run as a new user makes it: the demo says where its store is, reading commands refuse
a store that is not there (and create nothing) or is empty, and the help helps."""

from __future__ import annotations

import argparse
import shlex
import subprocess
from pathlib import Path

import pytest
from cli_runs import NOW, SCRIPT, Home, Run

from outlook_networking.cli import build_parser

PREFIX = "outlook-networking: "
READING = (
    ["contacts"],
    ["contact", "someone@example.org"],
    ["followups"],
    ["review"],
    ["ledger"],
    ["report", "--html", "page.html"],
    ["export", "--ics", "tasks.ics"],
    ["apply", "--dry-run"],
    ["status"],
)


def test_demo_ends_with_the_line_the_next_command_needs(
    demo_store: tuple[Path, Run], home: Home
) -> None:
    db, demo = demo_store
    line = f"export OUTLOOK_NETWORKING_DB={shlex.quote(str(db))}"
    assert f"  {line}" in demo.out.splitlines()
    assert f"--db {shlex.quote(str(db))}" in demo.out
    # The line works: a shell that runs it points the next command at the demo's store.
    shell = subprocess.run(
        ["bash", "-c", f"{line} && {shlex.quote(str(SCRIPT))} --now {NOW} contacts --json"],
        env=home.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shell.returncode == 0, shell.stderr
    assert '"outlook-networking/contacts/1"' in shell.stdout


@pytest.mark.parametrize("command", READING, ids=lambda c: c[0])
def test_reading_commands_refuse_a_missing_store_and_create_nothing(
    home: Home, command: list[str]
) -> None:
    db = home.root / "nowhere" / "deeper" / "x.sqlite3"
    done = home.run(*command, "--db", str(db))
    assert (done.code, done.lines) == (
        1,
        [f"{PREFIX}no store at {db}: run `outlook-networking demo` or `outlook-networking "
         "ingest` first, or name a store with --db (or OUTLOOK_NETWORKING_DB)"],
    )  # fmt: skip
    assert not (home.root / "nowhere").exists()  # not even the folder
    default = home.run(*command)  # the default store, in the user data directory
    assert default.code == 1 and "no store at " in default.err
    assert not (home.root / "data").exists()


def test_reading_commands_say_how_to_fill_an_empty_store(home: Home) -> None:
    db = home.root / "empty.sqlite3"
    (home.root / "empty.mbox").touch()
    assert home.run("ingest", "--db", str(db), str(home.root / "empty.mbox")).code == 0
    for command in READING[:7]:
        done = home.run(*command, "--db", str(db))
        assert (done.code, done.lines) == (
            1,
            [f"{PREFIX}{db}: the store is empty: run `outlook-networking demo` or "
             "`outlook-networking ingest` (or `sync` for a configured mailbox)"],
        ), command  # fmt: skip
        assert done.out == ""


def test_a_mistyped_command_or_option_gets_a_suggestion(home: Home) -> None:
    typo = home.run("contcts")
    assert typo.code == 2
    assert typo.lines[-1] == (
        "outlook-networking: error: unknown command 'contcts'; did you mean contacts or "
        "contact? (`outlook-networking --help` lists them)"
    )
    assert "demo, ingest" not in typo.err  # no list of every command instead
    option = home.run("followups", "--jsn")
    assert option.code == 2
    assert option.lines[-1].endswith("unrecognized arguments: --jsn; did you mean --json?")
    address = home.run("contacts", "ann@example.org")
    assert "did you mean `outlook-networking contact ann@example.org`?" in address.lines[-1]


def test_a_time_that_is_no_time_shows_the_form_it_wants(home: Home) -> None:
    done = home.run("--now", "yesterday", "contacts")
    assert done.code == 2
    assert done.lines[-1] == (
        "outlook-networking: error: argument --now: not an ISO 8601 time: 'yesterday'; "
        "write it like 2026-11-27 or 2026-11-27T12:00:00Z"
    )


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.extend(_parsers(sub, (*path, name)))
    return found


def test_every_command_and_option_has_help_and_every_command_examples() -> None:
    parsers = _parsers(build_parser())
    assert len(parsers) > 20
    for path, parser in parsers:
        if path:
            assert parser.description, path
            assert parser.epilog and parser.epilog.startswith("examples:\n"), path
            for example in parser.epilog.splitlines()[1:]:
                assert example.startswith("  outlook-networking "), (path, example)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    assert choice.help, (path, choice.dest)
                continue
            assert action.help and action.help != argparse.SUPPRESS, (path, action.dest)


def test_the_examples_of_every_command_parse() -> None:
    for path, parser in _parsers(build_parser()):
        if not path:
            continue
        for example in (parser.epilog or "").splitlines()[1:]:
            words = shlex.split(example.split("#")[0], posix=True)[1:]
            words = [w for w in words if w != ">" and not w.startswith("~/.")]
            if ">" in example:
                words = shlex.split(example.split(">")[0])[1:]
            args = build_parser().parse_known_args(words)[0]
            assert args.handler is not None, example


def test_help_on_the_command_line_shows_examples(home: Home) -> None:
    for command in ("followups", "contacts", "config", "completion", "report"):
        done = home.run(command, "--help")
        assert done.code == 0
        assert "\nexamples:\n" in done.out and f"outlook-networking {command}" in done.out
    top = home.run("--help")
    assert "a first run:" in top.out and "outlook-networking demo" in top.out


def test_errors_about_the_configuration_name_the_file(home: Home) -> None:
    done = home.run("sync")
    default = home.root / "config" / "outlook-networking" / "config.toml"
    assert (done.code, done.lines) == (
        2,
        [f"{PREFIX}no accounts configured in {default} (there is no such file yet); "
         "`outlook-networking config init` writes one, or use `ingest` for exported files"],
    )  # fmt: skip
    bad = home.root / "bad.toml"
    bad.write_text("[scoring]\nhalf_lfe_days = 3\n", encoding="utf-8")
    wrong = home.run("--config", str(bad), "sync")
    assert wrong.code == 2 and str(bad) in wrong.lines[-1]


def test_config_init_from_flags_writes_a_file_that_loads(home: Home) -> None:
    from outlook_networking.config import load_config

    target = home.root / "config" / "outlook-networking" / "config.toml"
    done = home.run("config", "init", "--address", "Mia@Example.com", "--connector", "graph")
    assert done.code == 0, done.err
    assert done.lines[0].startswith(f"Wrote {target}: account 'work' (mia@example.com, graph).")
    config = load_config(target)
    (account,) = config.accounts
    assert (account.name, account.address) == ("work", "mia@example.com")
    assert account.connector == "graph"
    text = target.read_text(encoding="utf-8")
    assert text.count("\n#") > 10  # commented
    # Every commented setting is a working one: uncommented, the file still loads.
    uncommented = "\n".join(
        line[2:]
        if line.startswith("# ")
        and "=" in line
        and "client_id" not in line
        and "mailbox" not in line
        and "tenant" not in line
        else line
        for line in text.splitlines()
    ).replace("# [", "[")
    Path(home.root / "all.toml").write_text(uncommented, encoding="utf-8")
    assert load_config(home.root / "all.toml").settings.reply_within_h == 48
    again = home.run("config", "init", "--address", "other@example.com")
    assert (again.code, again.lines) == (
        2,
        [f"{PREFIX}{target} exists; `config init --force` replaces it"],
    )
    assert load_config(target).accounts[0].address == "mia@example.com"  # untouched
    forced = home.run("config", "init", "--address", "other@example.com", "--force")
    assert forced.code == 0 and load_config(target).accounts[0].address == "other@example.com"


def test_config_init_for_ews_and_without_a_terminal(home: Home) -> None:
    from outlook_networking.config import load_config

    target = home.root / "ews.toml"
    done = home.run(
        "--config", str(target), "config", "init", "--address", "mia@corp.example",
        "--connector", "ews", "--endpoint", "https://mail.corp.example/EWS/Exchange.asmx",
        "--name", "onprem",
    )  # fmt: skip
    assert done.code == 0, done.err
    account = load_config(target).accounts[0]
    assert (account.name, account.endpoint) == (
        "onprem",
        "https://mail.corp.example/EWS/Exchange.asmx",
    )
    asked = home.run("--config", str(home.root / "x.toml"), "config", "init")
    assert (asked.code, asked.lines) == (
        2,
        [f"{PREFIX}config init needs --address ADDR (and --connector) when it cannot ask"],
    )
    assert not (home.root / "x.toml").exists()


def test_config_init_asks_on_a_terminal(home: Home) -> None:
    from outlook_networking.config import load_config

    target = home.root / "asked.toml"
    done = home.run_tty("--config", str(target), "config", "init", keys="ann@corp.example\news\n\n")
    assert done.code == 0, done.out
    assert "Your mailbox's e-mail address" in done.out and "Connector:" in done.out
    account = load_config(target).accounts[0]
    assert (account.address, account.connector, account.autodiscover) == (
        "ann@corp.example",
        "ews",
        True,
    )


def _bash_complete(script: Path, line: str, env: dict[str, str]) -> list[str]:
    """What bash offers for ``line`` (completed in the script's folder)."""
    words = line.split(" ")
    program = (
        f"source {shlex.quote(str(script))}\n"
        f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_outlook_networking\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "-c", program], env=env, cwd=script.parent, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return done.stdout.split()


def test_completion_for_bash_completes_commands_options_and_values(home: Home) -> None:
    done = home.run("completion", "bash")
    assert done.code == 0
    script = home.root / "completion.bash"
    script.write_text(done.out, encoding="utf-8")
    env = home.env
    assert _bash_complete(script, "outlook-networking cont", env) == ["contacts", "contact"]
    assert _bash_complete(script, "outlook-networking followups sn", env) == ["snooze"]
    assert "--kind" in _bash_complete(script, "outlook-networking followups --", env)
    assert _bash_complete(script, "outlook-networking contacts --tier ", env) == list("ABCD")
    assert _bash_complete(script, "outlook-networking --db x.db completion z", env) == ["zsh"]
    (home.root / "mail.mbox").touch()
    assert _bash_complete(script, "outlook-networking ingest ma", env) == ["mail.mbox"]


def test_completion_for_zsh_and_fish(home: Home) -> None:
    for shell in ("zsh", "fish"):
        if subprocess.run(["which", shell], capture_output=True, check=False).returncode:
            pytest.fail(f"{shell} is not installed (.ci/run installs it)")
    zsh = home.run("completion", "zsh")
    assert zsh.code == 0 and zsh.out.startswith("#compdef outlook-networking\n")
    script = home.root / "_outlook-networking"
    script.write_text(zsh.out, encoding="utf-8")
    assert subprocess.run(["zsh", "-n", str(script)], check=False).returncode == 0
    # Run the function with zsh's completion builtins standing in, as compsys would call it.
    probe = (
        'compdef() { :; }; compadd() { print -l -- "${@:#-*}"; }\n'
        '_describe() { local -a items=("${(@P)4}"); print -l -- ${items%%:*}; }\n'
        "_files() { print FILES; }; _message() { :; }\n"
        f"source {shlex.quote(str(script))}\n"
        "words=(outlook-networking followups --kind ''); CURRENT=4; PREFIX=''\n"
        "_outlook_networking\n"
        "words=(outlook-networking cont); CURRENT=2; PREFIX=cont\n"
        "_outlook_networking\n"
    )
    out = subprocess.run(
        ["zsh", "-f", "-c", probe], env=home.env, capture_output=True, text=True, check=False
    )
    assert "owed_reply" in out.stdout.split() and "contacts" in out.stdout.split(), out.stderr
    fish = home.run("completion", "fish")
    assert fish.code == 0
    (home.root / "on.fish").write_text(fish.out, encoding="utf-8")
    asked = subprocess.run(
        ["fish", "--no-config", "-c",
         f"source {shlex.quote(str(home.root / 'on.fish'))}; "
         "complete -C 'outlook-networking cont'; complete -C 'outlook-networking followups --ki';"
         "complete -C 'outlook-networking contacts --tier '"],
        env=home.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    offered = [line.split("\t")[0] for line in asked.stdout.splitlines()]
    assert {"contacts", "contact", "--kind", "A", "D"} <= set(offered), asked.stderr


def test_the_readme_shows_every_command_and_a_first_run() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    usage = readme[readme.index("## Usage") : readme.index("### Reading exported files")]
    for path, _ in _parsers(build_parser()):
        if path:
            assert f"outlook-networking {path[0]}" in usage or f"| {path[0]}" in usage, path
    assert "A first run" in usage and "export OUTLOOK_NETWORKING_DB=" in usage
