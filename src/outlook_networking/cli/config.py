"""``config init``: a commented configuration file for one account.

The address and the connector come from the flags, or, on a terminal, from questions. The file is
checked with the same validation every command applies when it reads it (so it loads), written
only where nothing is (``--force`` replaces a file), and its path is said.

Exports: ``register``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from ..config import CONNECTORS, config_from_mapping, default_config_path, is_exchange_online
from ..errors import ConfigError, OutputError, UsageError
from ..i18n import Wording
from .network import address_arg
from .output import err_console
from .parser import PROG, add_command

__all__ = ["register"]


def register(commands: Any, common: argparse.ArgumentParser, w: Wording) -> None:
    config = add_command(
        commands,
        "config",
        common,
        words=w,
        help=w.gettext("write a commented configuration for an account (`config init`)"),
        description=w.gettext(
            "The configuration names the mailboxes to read and holds the settings "
            "(docs/config.md). `config init` writes one for an account."
        ),
        examples=["config init", "config init --address me@example.com --connector graph"],
    )
    actions = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = add_command(
        actions,
        "init",
        common,
        words=w,
        help=w.gettext("write a commented configuration file for one account"),
        description=w.gettext(
            "Write a configuration file for one mailbox, every key explained in a "
            "comment, to --config PATH or the default place. It asks for what the flags leave "
            "out when it runs on a terminal, and never replaces a file unless --force."
        ),
        examples=[
            "config init",
            "config init --address me@example.com --connector graph",
            "config init --address mia@corp.example --connector ews "
            "--endpoint https://mail.corp.example/EWS/Exchange.asmx",
            "--config work.toml config init --address me@example.com --force",
        ],
    )
    init.add_argument(
        "--address", type=partial(address_arg, w), metavar="ADDR",
        help=w.gettext("the mailbox, e.g. me@example.com"),
    )
    init.add_argument(
        "--connector",
        choices=CONNECTORS,
        help=w.gettext(
            "graph for Microsoft 365 (Exchange Online), ews for Exchange Server on-premises"
        ),
    )
    init.add_argument(
        "--endpoint",
        metavar="URL",
        help=w.gettext(
            "EWS only: the EWS URL, e.g. https://mail.example.com/EWS/Exchange.asmx "
            "(default: autodiscover)"
        ),
    )
    init.add_argument(
        "--name", metavar="NAME", default="work",
        help=w.gettext("what --account calls it (default work)"),
    )
    init.add_argument(
        "--force", action="store_true",
        help=w.gettext("replace the file if it exists"),
    )
    init.set_defaults(handler=_init)


def _ask(question: str, default: str = "") -> str:
    shown = f"{question} [{default}]: " if default else f"{question}: "
    err_console.print(shown, end="", markup=False, highlight=False)
    try:
        answer = input().strip()
    except EOFError:
        answer = ""
    return answer or default


def _answers(args: argparse.Namespace, w: Wording) -> tuple[str, str, str | None]:
    """The address, the connector and the EWS endpoint (None: autodiscover), asked for on a
    terminal when the flags leave them out."""
    interactive = sys.stdin.isatty()
    address = args.address
    if address is None:
        if not interactive:
            raise UsageError(
                w.gettext("config init needs --address ADDR (and --connector) when it cannot ask")
            )
        address = _address_or_error(w, _ask(w.gettext("Your mailbox's e-mail address")))
    connector = args.connector
    endpoint = args.endpoint
    if connector is None:
        guess = "graph" if address.endswith(".onmicrosoft.com") else ""
        if endpoint:
            guess = "graph" if is_exchange_online(endpoint) else "ews"
        if not interactive:
            connector = guess or "graph"
        else:
            while connector not in CONNECTORS:
                connector = _ask(
                    w.gettext(
                        "Connector: graph (Microsoft 365, Exchange Online) or ews (Exchange "
                        "Server on-premises)"
                    ),
                    guess or "graph",
                ).lower()
    if connector == "ews" and endpoint is None and interactive:
        endpoint = _ask(w.gettext("The EWS URL (empty: find it by Autodiscover)")) or None
    if connector == "graph" and endpoint:
        raise UsageError(w.gettext("--endpoint is for --connector ews; Graph needs none"))
    return address, connector, endpoint


def _address_or_error(w: Wording, text: str) -> str:
    try:
        return address_arg(w, text)
    except argparse.ArgumentTypeError as exc:
        raise UsageError(str(exc)) from None


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _comments(w: Wording) -> dict[str, str]:
    """The file's comments in ``w``'s words; the keys and values stay as TOML has them."""
    return {
        "keys": w.gettext(
            "Every key is explained in docs/config.md (accounts) and docs/scoring.md (settings)."
        ),
        "lines": w.gettext("Lines starting with # are comments; remove the # to use a setting."),
        "name": w.gettext("what --account NAME calls it"),
        "connector": w.gettext('"graph": Microsoft 365 / Exchange Online; "ews": Exchange Server'),
        "endpoint": w.gettext("instead of autodiscover"),
        "autodiscover": w.gettext("instead of endpoint: find it by Autodiscover"),
        "oauth": w.gettext("sign in as you: `outlook-networking login`"),
        "ntlm": w.gettext('on-premises often "ntlm"'),
        "password": w.gettext(
            "ntlm/basic; the password comes from the keyring or OUTLOOK_NETWORKING_PASSWORD"
        ),
        "client_id": w.gettext("your organisation's app registration"),
        "client_id_how": w.gettext('(oauth needs one: docs/config.md, "Sign-in", says how)'),
        "tenant": w.gettext('your tenant; "organizations" lets any work account in'),
        "mailbox": w.gettext("read a shared or delegated mailbox instead of your own"),
        "writeback": w.gettext("write categories and follow-up tasks back (`apply`)"),
        "since": w.gettext("how far back the first `sync` reads"),
        "categories": w.gettext(
            "The product's categories in Outlook and the Microsoft To Do list of its tasks "
            "(all accounts)."
        ),
        "cadence": w.gettext(
            "When an answer you owe is flagged, and how often each tier should hear from you."
        ),
    }


def render(
    name: str, address: str, connector: str, endpoint: str | None, today: date, w: Wording
) -> str:
    """The commented file for one account, its comments in ``w``'s words."""
    c = _comments(w)
    categories = ", ".join(f"{tier} = {_quoted(n)}" for tier, n in w.category_names().items())
    # TRANSLATORS: the first line of the configuration file; {command} is `config init`'s line
    made = w.gettext("outlook-networking configuration, written by `{command}` on {date}.").format(
        command=f"{PROG} config init", date=f"{today:%Y-%m-%d}"
    )
    if connector == "ews":
        server = (f"endpoint = {_quoted(endpoint)}\n" if endpoint else "autodiscover = true\n") + (
            f'# endpoint = "https://mail.example.com/EWS/Exchange.asmx"  # {c["endpoint"]}\n'
            if not endpoint
            else f"# autodiscover = true           # {c['autodiscover']}\n"
        )
        auth = (
            f'auth = "oauth"                 # {c["oauth"]}; {c["ntlm"]}\n'
            f'# username = "CORP\\\\me"        # {c["password"]}\n'
        )
    else:
        server = ""
        auth = f'auth = "oauth"                 # {c["oauth"]}\n'
    return f"""\
# {made}
# {c["keys"]}
# {c["lines"]}

[[accounts]]
name = {_quoted(name)}{" " * max(1, 23 - len(_quoted(name)))}# {c["name"]}
address = {_quoted(address)}
connector = {_quoted(connector)}{" " * max(1, 18 - len(_quoted(connector)))}# {c["connector"]}
{server}{auth}\
# client_id = "00000000-0000-0000-0000-000000000000"  # {c["client_id"]}
#                                 {c["client_id_how"]}
# tenant = "example.onmicrosoft.com"  # {c["tenant"]}
# mailbox = "team@example.com"    # {c["mailbox"]}
# writeback = true                # {c["writeback"]}
# since_months = 18               # {c["since"]}

# {c["categories"]}
# [writeback]
# categories = {{ {categories} }}
# todo_list = "Networking"

# {c["cadence"]}
# [followups]
# reply_within_h = 48
# [cadence]
# a_days = 30
# b_days = 90
# c_days = 180
"""


def _init(args: argparse.Namespace) -> int:
    w: Wording = args.words
    target = Path(args.config).expanduser() if args.config else default_config_path()
    if target.exists() and not args.force:
        raise UsageError(
            w.gettext("{path} exists; `config init --force` replaces it").format(path=target)
        )
    address, connector, endpoint = _answers(args, w)
    text = render(args.name, address, connector, endpoint, date.today(), w)
    try:  # the same checks every command makes when it reads the file
        config_from_mapping(tomllib.loads(text), target)
    except ConfigError as exc:
        raise UsageError(
            w.gettext("not written: {key}: {problem}").format(
                key=exc.key, problem=w.problem(exc.problem)
            )
        ) from exc
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(str(target), exc.strerror or str(exc)) from exc
    err_console.print(
        w.gettext(
            "Wrote {path}: account {name} ({address}, {connector}). Next: set client_id "
            '(docs/config.md, "Sign-in"), then `{prog} login` and `{prog} sync`.'
        ).format(
            path=target, name=repr(args.name), address=address, connector=connector, prog=PROG
        ),
        markup=False,
        highlight=False,
    )
    return 0
