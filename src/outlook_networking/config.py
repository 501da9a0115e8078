"""The configuration file: which mailboxes to read, how to sign in, and the intelligence settings.

The file is TOML, read from ``--config PATH`` or ``<platform config dir>/config.toml``
(``platformdirs.user_config_dir("outlook-networking")``); a missing default file means defaults.
Its ``[[accounts]]`` tables become :class:`AccountConfig` values, validated here; everything
else is handed to :meth:`outlook_networking.core.settings.Settings.from_mapping`. Every problem is
one :class:`~outlook_networking.errors.ConfigError` naming the key (``accounts[0].endpoint``).

Secrets never live in this file: a ``password``, ``client_secret`` or ``access_token`` key is
refused; :mod:`outlook_networking.auth` reads them from the system keyring or the environment.

The top-level ``language`` (``"de"`` or ``"en"``; unset: the system's) is checked here;
:mod:`outlook_networking.i18n` chooses and speaks it. The ``[writeback]`` table (the product's
category names and colours, the To Do list name) is read here too: it is the same for every
account, and ``Settings`` leaves it to us. So are the
``[ledger]`` table (:meth:`~outlook_networking.core.ledger.LedgerSettings.from_mapping`): a
misspelt key there is an error when the file is read, not at the first analysis; ``[folders]``
(which folders of a mail tree are read); ``[files]``, the limits on how much of one exported
file is read (:class:`FileLimits`); and ``[brief]`` (:class:`BriefConfig`: the morning brief
written into the mailbox, and the time zone whose days the brief counts in).

Exports: ``Config``, ``AccountConfig``, ``WritebackConfig``, ``FoldersConfig``, ``FileLimits``,
``BriefConfig``, ``folder_matches``, ``load_config``, ``config_from_mapping``,
``default_config_path``, ``is_exchange_online``, ``language_in``, ``PLACEHOLDER_CLIENT_ID``,
``CONNECTORS``, ``AUTH_METHODS``, ``LANGUAGES``.
"""

from __future__ import annotations

import difflib
import fnmatch
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import platformdirs

from .core.ledger.rules import LedgerSettings
from .endpoints import DEFAULT_GRAPH_URL, check_url
from .errors import ConfigError, Problem, problem
from .model import TIERS
from .writeback.plan import DEFAULT_CATEGORY_NAMES, CategoryScheme

if TYPE_CHECKING:
    from .core.settings import Settings

__all__ = [
    "AUTH_METHODS",
    "CONNECTORS",
    "LANGUAGES",
    "PLACEHOLDER_CLIENT_ID",
    "AccountConfig",
    "BriefConfig",
    "Config",
    "FileLimits",
    "FoldersConfig",
    "WritebackConfig",
    "config_from_mapping",
    "default_config_path",
    "folder_matches",
    "is_exchange_online",
    "language_in",
    "load_config",
]

CONNECTORS = ("ews", "graph")
LANGUAGES = ("en", "de")  # the catalogs the product ships (outlook_networking.i18n)
AUTH_METHODS = ("oauth", "app", "ntlm", "basic", "token")

# Deliberately not a real application: every organisation registers its own app in Entra ID
# (docs/config.md says how), and sign-in refuses to run until the user has set it.
PLACEHOLDER_CLIENT_ID = "00000000-0000-0000-0000-000000000000"

DEFAULT_TENANT = "organizations"
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
DEFAULT_SINCE_MONTHS = 18
DEFAULT_TAG_DAYS = 90
DEFAULT_TAG_TIERS = ("A", "B")
# How each follow-up kind reaches the mailbox: a flag on its message, a task, or both. Only the
# kinds that are about one message can be a flag; the rest are always tasks.
FOLLOWUP_MODES = ("flag", "task", "both")
FLAGGABLE_KINDS = ("owed_reply", "awaiting_answer")
DEFAULT_FOLLOWUPS_AS = (("owed_reply", "flag"), ("awaiting_answer", "task"))
# Exchange Online's own EWS hosts (the public cloud): an account pointing there is a Microsoft 365
# mailbox, for which EWS ends (blocked by default from 2026-10-01, off on 2027-04-01).
EXCHANGE_ONLINE_HOSTS = frozenset({"outlook.office365.com", "outlook.office.com"})

_SECRET_KEYS = {  # key -> the problem's code
    "password": "password_in_file",
    "client_secret": "client_secret_in_file",
    "access_token": "token_in_file",
}
# Top-level keys and tables read here or by the application (``[ledger]``); Settings reads the
# others.
_OWN_TABLES = ("language", "accounts", "writeback", "ledger", "folders", "files", "brief")
BRIEF_WRITES = ("off", "task", "message")
# Tenants that name a group of tenants, not one: fine for delegated sign-in, meaningless for an
# application acting on its own (client credentials need the one tenant that granted consent).
_MULTI_TENANTS = ("organizations", "common", "consumers")
_GUID_OR_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")


@dataclass(frozen=True)
class AccountConfig:
    """One mailbox the product reads and writes back to.

    ``authority`` is derived from ``tenant`` unless the file names one (national clouds, AD FS).
    ``username`` defaults to ``address``; it is the name the keyring and NTLM/basic use.
    ``mailbox`` names another mailbox the signed-in user may read (shared or delegated); the
    product then reads that mailbox, and its address is the owner's.
    """

    name: str
    address: str
    connector: str = "ews"
    endpoint: str | None = None
    autodiscover: bool = False
    auth: str = "oauth"
    username: str = ""
    client_id: str = PLACEHOLDER_CLIENT_ID
    tenant: str = DEFAULT_TENANT
    authority: str = f"{DEFAULT_AUTHORITY_HOST}/{DEFAULT_TENANT}"
    graph_url: str = DEFAULT_GRAPH_URL
    impersonation: bool = False
    certificate_path: Path | None = None
    certificate_thumbprint: str | None = None
    include_subfolders: bool = False
    tag_messages: bool = False
    tag_message_tiers: tuple[str, ...] = DEFAULT_TAG_TIERS
    tag_message_days: int = DEFAULT_TAG_DAYS
    followups_as: tuple[tuple[str, str], ...] = DEFAULT_FOLLOWUPS_AS
    since_months: int = DEFAULT_SINCE_MONTHS
    create_contacts_for_tiers: tuple[str, ...] = ()
    writeback: bool = True
    mailbox: str | None = None

    @property
    def mailbox_address(self) -> str:
        """The mailbox read and written: the shared or delegated one if named, else the user's."""
        return self.mailbox or self.address

    @property
    def client_id_is_placeholder(self) -> bool:
        """True until the user has put their own app registration's id in the file."""
        return self.client_id == PLACEHOLDER_CLIENT_ID

    def followup_mode(self, kind: str) -> str:
        """``flag``, ``task`` or ``both`` for a follow-up kind (``task`` unless configured)."""
        return dict(self.followups_as).get(kind, "task")

    @property
    def flag_kinds(self) -> frozenset[str]:
        """The follow-up kinds that flag their message."""
        return frozenset(k for k, mode in self.followups_as if mode in ("flag", "both"))

    @property
    def writes_messages(self) -> bool:
        """Whether write-back touches messages (categories or flags): that needs write access
        to mail (Graph ``Mail.ReadWrite``), which is asked for only then."""
        return self.writeback and (self.tag_messages or bool(self.flag_kinds))


@dataclass(frozen=True)
class WritebackConfig:
    """What the product writes into every mailbox: its own category names and colours.

    ``category_names`` maps tier to the category the file names for it; a tier it leaves out
    gets the product's name in the user's language ("Network A", "Netzwerk A":
    :func:`outlook_networking.i18n.category_scheme`). The product owns those names and never
    touches any other category. ``colours`` are Outlook's presets 0..24 (-1: no colour).
    """

    category_names: Mapping[str, str] = field(default_factory=dict)
    colours: Mapping[str, int] = field(default_factory=lambda: CategoryScheme().colours)
    todo_list: str = "Networking"  # Graph: the Microsoft To Do list of the product's tasks


@dataclass(frozen=True)
class BriefConfig:
    """The ``[brief]`` table.

    ``write``: ``"task"`` keeps one task in the mailbox that lists today's meetings and who is
    in them (the morning brief, written by ``apply`` and the agent), ``"message"`` keeps it as
    one message in the owner's own Inbox instead, ``"off"`` (the default) writes none.
    ``time_zone``: the IANA zone whose days the brief counts in ("" for the computer's own).
    """

    write: str = "off"
    time_zone: str = ""


@dataclass(frozen=True)
class FoldersConfig:
    """``[folders]``: which folders of a mail tree are read (docs/config.md).

    By default every folder is, except those named like Junk, Trash, Drafts, Outbox and their
    kind; ``include`` reads such a folder all the same, ``exclude`` leaves out any (and wins).
    Shell-style patterns, case-insensitive, on a folder's name or its path (``Work/Old*``).
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def folder_matches(patterns: Sequence[str], parts: Sequence[str]) -> bool:
    """Whether a ``[folders]`` pattern matches the folder at ``parts`` (its names from the top
    of the tree down): tried, case-insensitively, on each level's name and on each path from
    the top (``Work``, ``Work/Old``), so a pattern that matches a folder covers those below."""
    names = [p.casefold() for p in parts]
    texts = [*names, *("/".join(names[: n + 1]) for n in range(len(names)))]
    return any(fnmatch.fnmatchcase(t, p.casefold()) for p in patterns for t in texts)


@dataclass(frozen=True)
class FileLimits:
    """How much of one exported file is read (``[files]``): hostile files stay cheap.

    Sizes are in MB (1,000,000 bytes) of content after decompression. A calendar or card file is
    capped whether compressed or not (its reader keeps an index that grows with the file); a mail
    file only when compressed, since an mbox is read in one pass keeping nothing but headers.
    """

    max_mail_mb: int = 2000
    max_calendar_mb: int = 200
    max_cards_mb: int = 200
    max_occurrences: int = 10_000  # of one recurring series in the window

    @property
    def mail_bytes(self) -> int:
        return self.max_mail_mb * 1_000_000

    @property
    def calendar_bytes(self) -> int:
        return self.max_calendar_mb * 1_000_000

    @property
    def cards_bytes(self) -> int:
        return self.max_cards_mb * 1_000_000


@dataclass(frozen=True)
class Config:
    """The whole configuration file, validated."""

    accounts: tuple[AccountConfig, ...]
    settings: Settings
    path: Path | None = None
    writeback: WritebackConfig = field(default_factory=WritebackConfig)
    ledger: LedgerSettings = field(default_factory=LedgerSettings)
    brief: BriefConfig = field(default_factory=BriefConfig)
    folders: FoldersConfig = field(default_factory=FoldersConfig)
    files: FileLimits = field(default_factory=FileLimits)
    language: str | None = None  # "de" or "en"; None: the system's (outlook_networking.i18n)

    def account(self, name: str | None = None) -> AccountConfig:
        """The account called ``name``, or the only one when ``name`` is None."""
        if name is None:
            if len(self.accounts) == 1:
                return self.accounts[0]
            wrong = (
                problem("several_accounts", choices=tuple(a.name for a in self.accounts))
                if self.accounts
                else problem("no_account")
            )
            raise ConfigError("accounts", wrong, self._where)
        for account in self.accounts:
            if account.name == name:
                return account
        raise ConfigError("accounts", problem("no_account_named", name=name), self._where)

    @property
    def _where(self) -> str:
        return str(self.path) if self.path else ""


def default_config_path() -> Path:
    """``config.toml`` in the platform's configuration directory for the product."""
    return Path(platformdirs.user_config_dir("outlook-networking")) / "config.toml"


def load_config(path: Path | None) -> Config:
    """Read and validate the configuration.

    Parameters:
        path: the file named by ``--config`` (it must exist), or None for the default location
            (which may be missing: then everything is default and no account is configured).

    Raises:
        ConfigError: one line naming the key and what is wrong with it.
    """
    explicit = path is not None
    file = path if path is not None else default_config_path()
    where = str(file)
    found = True
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise ConfigError("--config", problem("file_not_found"), where) from None
        found, text = False, ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("--config", problem("cannot_read_file", detail=str(exc)), where) from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, where) from exc
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise ConfigError("", problem("toml_too_deep"), where) from None
    return config_from_mapping(document, file if found else None)


def language_in(path: Path | None) -> str | None:
    """The ``language`` a configuration file asks for even when the rest of it is invalid (so
    its problem is reported in that language); None when the file names none, or cannot be
    read or parsed."""
    try:
        text = (path if path is not None else default_config_path()).read_text(encoding="utf-8")
        value = tomllib.loads(text).get("language")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    try:
        return _language(value, "")
    except ConfigError:
        return None


def _toml_error(exc: tomllib.TOMLDecodeError, where: str) -> ConfigError:
    # Python 3.11's tomllib puts the position only in the message: "... (at line 3, column 7)".
    message = str(exc)
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found is None:
        return ConfigError("", problem("toml", detail=message), where)
    line, column = found.groups()
    detail = message[: found.start()]
    return ConfigError("", problem("toml_at", line=int(line), column=int(column), detail=detail),
                       where)


def config_from_mapping(document: Mapping[str, Any], path: Path | None = None) -> Config:
    """Validate an already parsed document (what :func:`load_config` does after parsing)."""
    from .core.settings import SECTIONS, Settings

    where = str(path) if path else ""
    for key, secret in _SECRET_KEYS.items():
        if key in document:
            raise ConfigError(key, problem(secret), where)
    _check_top_level(document, {*_OWN_TABLES, *SECTIONS}, where)
    _check_finite(document, where)
    raw_accounts = document.get("accounts", [])
    if not isinstance(raw_accounts, list) or not all(
        isinstance(item, dict) for item in raw_accounts
    ):
        raise ConfigError("accounts", problem("accounts_not_array"), where)
    accounts = tuple(_account(i, item, where) for i, item in enumerate(raw_accounts))
    seen: set[str] = set()
    for i, account in enumerate(accounts):
        if account.name in seen:
            raise ConfigError(
                f"accounts[{i}].name", problem("account_name_twice", name=account.name), where
            )
        seen.add(account.name)
    writeback = _writeback(document.get("writeback", {}), where)
    brief = _brief(document.get("brief", {}), where)
    folders = _folders(document.get("folders", {}), where)
    files = _file_limits(document.get("files", {}), where)
    language = _language(document.get("language"), where)
    rest = {key: value for key, value in document.items() if key not in ("accounts", "language")}
    try:
        settings = Settings.from_mapping(rest)
        ledger = _ledger(document.get("ledger", {}), settings)
    except ConfigError as exc:
        if not exc.path and where:
            raise ConfigError(exc.key, exc.problem, where) from exc
        raise
    return Config(
        accounts=accounts,
        settings=settings,
        path=path,
        writeback=writeback,
        ledger=ledger,
        brief=brief,
        folders=folders,
        files=files,
        language=language,
    )


# [files] key -> (lowest, highest) allowed
_FILE_LIMITS = {
    "max_mail_mb": (1, 1_000_000),
    "max_calendar_mb": (1, 100_000),
    "max_cards_mb": (1, 100_000),
    "max_occurrences": (1, 10_000_000),
}


def _file_limits(table: Any, where: str) -> FileLimits:
    if not isinstance(table, Mapping):
        raise ConfigError("files", problem("must_be", kind="table"), where)
    values: dict[str, int] = {}
    for key, value in table.items():
        if key not in _FILE_LIMITS:
            raise ConfigError(f"files.{key}", problem("unknown_key"), where)
        low, high = _FILE_LIMITS[key]
        if not isinstance(value, int) or isinstance(value, bool):
            wrong = problem("wrong_kind", kind="integer", found=_toml_type(value))
            raise ConfigError(f"files.{key}", wrong, where)
        if not low <= value <= high:
            raise ConfigError(f"files.{key}", problem("between", low=low, high=high), where)
        values[key] = value
    return FileLimits(**values)


def _language(value: Any, where: str) -> str | None:
    """``language = "de"`` or ``"en"``; unset: None (the system's language)."""
    if value is None:
        return None
    if not isinstance(value, str) or value.strip().lower() not in LANGUAGES:
        raise ConfigError("language", problem("one_of", choices=LANGUAGES), where)
    return value.strip().lower()


def _check_top_level(document: Mapping[str, Any], known: set[str], where: str) -> None:
    # A misspelt table or key would otherwise be ignored in silence and its defaults kept.
    for key in document:
        if key not in known:
            close = difflib.get_close_matches(key, [*known, *_SECRET_KEYS], n=1, cutoff=0.75)
            wrong = (
                problem("unknown_key_did_you_mean", suggestion=close[0])
                if close
                else problem("unknown_key")
            )
            raise ConfigError(key, wrong, where)


def _check_finite(document: Mapping[str, Any], where: str) -> None:
    # TOML allows nan and inf; no setting means anything with them (a nan half-life makes every
    # score 0). Walked without recursion: tomllib accepts nesting deeper than our stack would.
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        key, value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(key, problem("not_finite", value=str(value)), where)
        if isinstance(value, Mapping):
            pending.extend((f"{key}.{k}" if key else str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            pending.extend((f"{key}[{i}]", v) for i, v in enumerate(value))


def _ledger(table: Any, settings: Settings) -> LedgerSettings:
    """The ``[ledger]`` table; its response target is the intelligence setting's unless set."""
    if not isinstance(table, Mapping):
        raise ConfigError("ledger", problem("must_be", kind="table"))
    return LedgerSettings.from_mapping(table, reply_within_h=settings.reply_within_h)


def _writeback(table: Any, where: str) -> WritebackConfig:
    if not isinstance(table, Mapping):
        raise ConfigError("writeback", problem("must_be", kind="table"), where)
    default = WritebackConfig()
    names: dict[str, str] = {}
    colours = dict(default.colours)
    todo_list = default.todo_list
    for key, value in table.items():
        if key == "categories":
            names.update(_per_tier(f"writeback.{key}", value, str, where))
        elif key == "colours":
            colours.update(_per_tier(f"writeback.{key}", value, int, where))
        elif key == "todo_list":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError("writeback.todo_list", problem("not_empty"), where)
            todo_list = value.strip()
        else:
            raise ConfigError(f"writeback.{key}", problem("unknown_key"), where)
    for tier, name in names.items():
        # Outlook and Graph join categories with commas/semicolons in places; keep names plain.
        if not name.strip() or any(c in name for c in ",;"):
            raise ConfigError(f"writeback.categories.{tier}", problem("category_name"), where)
        names[tier] = name.strip()
    # Checked against the English defaults here; the whole scheme, in the user's language, is
    # checked again when it is built (outlook_networking.i18n.category_scheme).
    complete = {**DEFAULT_CATEGORY_NAMES, **names}
    if len({n.casefold() for n in complete.values()}) != len(complete):
        raise ConfigError("writeback.categories", problem("category_names_distinct"), where)
    for tier, colour in colours.items():
        if not -1 <= colour <= 24:
            raise ConfigError(f"writeback.colours.{tier}", problem("colour_preset"), where)
    return WritebackConfig(category_names=names, colours=colours, todo_list=todo_list)


def _brief(table: Any, where: str) -> BriefConfig:
    if not isinstance(table, Mapping):
        raise ConfigError("brief", problem("must_be", kind="table"), where)
    write, zone = BriefConfig.write, BriefConfig.time_zone
    for key, value in table.items():
        if key == "write":
            if value not in BRIEF_WRITES:
                raise ConfigError("brief.write", problem("one_of", choices=BRIEF_WRITES), where)
            write = value
        elif key == "time_zone":
            if not isinstance(value, str) or (value and not _known_zone(value)):
                raise ConfigError("brief.time_zone", problem("time_zone"), where)
            zone = value
        else:
            raise ConfigError(f"brief.{key}", problem("unknown_key"), where)
    return BriefConfig(write=write, time_zone=zone)


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _folders(table: Any, where: str) -> FoldersConfig:
    if not isinstance(table, Mapping):
        raise ConfigError("folders", problem("must_be", kind="table"), where)
    lists: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        if key not in ("include", "exclude"):
            raise ConfigError(f"folders.{key}", problem("unknown_key"), where)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"folders.{key}", problem("folder_patterns"), where)
        lists[key] = tuple(v.strip() for v in value)
    return FoldersConfig(**lists)


def _per_tier(key: str, value: Any, kind: type, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(key, problem("per_tier_table"), where)
    out: dict[str, Any] = {}
    for tier, item in value.items():
        if tier.upper() not in TIERS:
            raise ConfigError(f"{key}.{tier}", problem("unknown_tier", tier=tier), where)
        if not isinstance(item, kind) or isinstance(item, bool):
            wanted = "string" if kind is str else "integer"
            raise ConfigError(f"{key}.{tier}", problem("must_be", kind=wanted), where)
        out[tier.upper()] = item
    return out


class _Reader:
    """Typed access to one ``[[accounts]]`` table, remembering which keys were used."""

    def __init__(self, index: int, table: Mapping[str, Any], where: str) -> None:
        self.prefix = f"accounts[{index}]"
        self.table = table
        self.where = where
        self.used: set[str] = set()

    def error(self, key: str, wrong: Problem) -> ConfigError:
        return ConfigError(f"{self.prefix}.{key}", wrong, self.where)

    def has(self, key: str) -> bool:
        return key in self.table

    def _get(self, key: str, kind: type, kind_name: str) -> Any:
        """The value of ``key``, None when missing; ``kind_name`` is its VALUE_KINDS name."""
        self.used.add(key)
        value = self.table.get(key)
        # bool is an int in Python; TOML keeps them apart and so do we.
        if value is not None and (
            not isinstance(value, kind) or (kind is int and isinstance(value, bool))
        ):
            raise self.error(key, problem("wrong_kind", kind=kind_name, found=_toml_type(value)))
        return value

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self._get(key, str, "string")
        if value is None:
            return default
        value = value.strip()
        if not value:
            raise self.error(key, problem("not_empty"))
        return str(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, bool, "boolean")
        return default if value is None else bool(value)

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._get(key, int, "integer")
        if value is None:
            return default
        if not low <= value <= high:
            raise self.error(key, problem("between_not", low=low, high=high, value=value))
        return int(value)

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(key, default)
        assert value is not None
        if value.lower() not in choices:
            raise self.error(key, problem("unknown_value", value=value, choices=choices))
        return value.lower()

    def string_list(self, key: str) -> list[str]:
        value = self._get(key, list, "strings")
        if value is None:
            return []
        if not all(isinstance(item, str) for item in value):
            raise self.error(key, problem("must_be", kind="strings"))
        return [str(item) for item in value]


def _toml_type(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    for kind, name in names.items():
        if type(value) is kind:
            return name
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return "date"


def _account(index: int, table: Mapping[str, Any], where: str) -> AccountConfig:
    """One ``[[accounts]]`` table, validated step by step; the first problem is a ConfigError."""
    r = _Reader(index, table, where)
    for key, secret in _SECRET_KEYS.items():
        if key in table:
            raise r.error(key, problem(secret))
    name, address, auth = _mailbox(r)
    connector, endpoint, autodiscover, graph_url = _server(r, address)
    username, client_id, tenant, authority = _sign_in(r, address, auth)
    impersonation, certificate, thumbprint = _application(r, auth, connector)
    mailbox, writeback = _shared(r, auth, connector)
    tiers = [t.upper() for t in r.string_list("create_contacts_for_tiers")]
    for tier in tiers:
        if tier not in TIERS:
            raise r.error("create_contacts_for_tiers", problem("unknown_tier", tier=tier))
    tag_tiers = _tag_tiers(r)

    account = AccountConfig(
        name=name,
        address=address,
        connector=connector,
        endpoint=endpoint,
        autodiscover=autodiscover,
        auth=auth,
        username=username,
        client_id=client_id,
        tenant=tenant,
        authority=authority,
        graph_url=graph_url,
        impersonation=impersonation,
        certificate_path=Path(certificate).expanduser() if certificate else None,
        certificate_thumbprint=thumbprint,
        include_subfolders=r.boolean("include_subfolders", False),
        tag_messages=r.boolean("tag_messages", False),
        tag_message_tiers=tag_tiers,
        tag_message_days=r.integer("tag_message_days", DEFAULT_TAG_DAYS, 1, 3650),
        followups_as=_followups_as(r),
        since_months=r.integer("since_months", DEFAULT_SINCE_MONTHS, 1, 600),
        create_contacts_for_tiers=tuple(sorted(set(tiers))),
        writeback=writeback,
        mailbox=mailbox,
    )
    unknown = sorted(set(table) - r.used)
    if unknown:
        raise r.error(unknown[0], problem("unknown_key"))
    return account


def _tag_tiers(r: _Reader) -> tuple[str, ...]:
    """``tag_message_tiers``: the tiers whose messages carry their category."""
    raw = r.string_list("tag_message_tiers")
    if r.has("tag_message_tiers") and not raw:
        raise r.error("tag_message_tiers", problem("tag_tiers_empty"))
    tiers = [t.upper() for t in raw] or list(DEFAULT_TAG_TIERS)
    for tier in tiers:
        if tier not in TIERS:
            raise r.error("tag_message_tiers", problem("unknown_tier", tier=tier))
    return tuple(sorted(set(tiers)))


def _followups_as(r: _Reader) -> tuple[tuple[str, str], ...]:
    """``followups_as = { owed_reply = "flag", ... }``: the defaults, with the file's changes."""
    from .core.followups import KINDS

    r.used.add("followups_as")
    table = r.table.get("followups_as")
    modes = dict(DEFAULT_FOLLOWUPS_AS)
    if table is None:
        return tuple(sorted(modes.items()))
    if not isinstance(table, Mapping):
        raise r.error("followups_as", problem("followups_as_table"))
    for kind, mode in table.items():
        key = f"followups_as.{kind}"
        if kind not in KINDS:
            raise r.error(key, problem("unknown_followup_kind", choices=KINDS))
        if not isinstance(mode, str) or mode.lower() not in FOLLOWUP_MODES:
            raise r.error(key, problem("followup_mode"))
        if mode.lower() != "task" and kind not in FLAGGABLE_KINDS:
            raise r.error(key, problem("flag_kinds_only", choices=FLAGGABLE_KINDS))
        modes[kind] = mode.lower()
    return tuple(sorted(modes.items()))


def _mailbox(r: _Reader) -> tuple[str, str, str]:
    """The account's name, the mailbox's address and the sign-in method."""
    address = r.string("address")
    if address is None:
        raise r.error("address", problem("address_missing"))
    if not _is_address(address):
        raise r.error("address", problem("not_address", value=address))
    name = r.string("name", address)
    assert name is not None
    auth = r.choice("auth", "oauth", AUTH_METHODS)
    return name, address, auth


def _server(r: _Reader, address: str) -> tuple[str, str | None, bool, str]:
    """The connector and where its server is: the EWS endpoint (or autodiscover), the Graph URL."""
    endpoint = r.string("endpoint")
    autodiscover = r.boolean("autodiscover", False)
    connector = r.choice("connector", _default_connector(address, endpoint), CONNECTORS)
    if connector == "graph" and not r.has("connector"):
        # Exchange Online, found from the address or endpoint: Graph needs neither key.
        endpoint, autodiscover = None, False
    if connector == "ews":
        if endpoint is None and not autodiscover:
            raise r.error("endpoint", problem("endpoint_missing"))
        if endpoint is not None and autodiscover:
            raise r.error("autodiscover", problem("endpoint_and_autodiscover"))
        if endpoint is not None:
            _check_url(r, "endpoint", endpoint)
    else:
        if endpoint is not None:
            raise r.error("endpoint", problem("endpoint_ews_only"))
        if autodiscover:
            raise r.error("autodiscover", problem("autodiscover_ews_only"))
    graph_url = r.string("graph_url", DEFAULT_GRAPH_URL)
    assert graph_url is not None
    _check_url(r, "graph_url", graph_url)
    return connector, endpoint, autodiscover, graph_url.rstrip("/")


def _sign_in(r: _Reader, address: str, auth: str) -> tuple[str, str, str, str]:
    """Who signs in where: the user name, the app registration, the tenant and its authority."""
    username = r.string("username", address)
    assert username is not None
    client_id = r.string("client_id", PLACEHOLDER_CLIENT_ID)
    assert client_id is not None
    tenant = r.string("tenant", DEFAULT_TENANT)
    assert tenant is not None
    if not _GUID_OR_DOMAIN.match(tenant):
        raise r.error("tenant", problem("tenant", value=tenant))
    authority = r.string("authority")
    if authority is None:
        authority = f"{DEFAULT_AUTHORITY_HOST}/{tenant}"
    else:
        parts = urlsplit(authority)
        if parts.scheme != "https" or not parts.hostname or parts.path.strip("/") == "":
            raise r.error("authority", problem("authority_url"))
        authority = authority.rstrip("/")
    if auth == "app" and tenant.lower() in _MULTI_TENANTS and not r.has("authority"):
        raise r.error("tenant", problem("app_needs_tenant", value=tenant))
    return username, client_id, tenant, authority


def _application(r: _Reader, auth: str, connector: str) -> tuple[bool, str | None, str | None]:
    """App-only access: impersonation, and the certificate (path and thumbprint) it signs with."""
    impersonation = r.boolean("impersonation", False)
    if impersonation and (auth != "app" or connector != "ews"):
        raise r.error("impersonation", problem("impersonation_needs_app"))
    if auth == "app" and connector == "ews" and not impersonation:
        # An app-only token names no user: Exchange refuses every request without the
        # ExchangeImpersonation header ("ExchangeImpersonation SOAP header must be present for
        # this type of OAuth token", OfficeDev/ews-managed-api#245). Say so now, not at 3 a.m.
        raise r.error("impersonation", problem("app_needs_impersonation"))
    certificate = r.string("certificate_path")
    thumbprint = r.string("certificate_thumbprint")
    if (certificate is not None or thumbprint is not None) and auth != "app":
        key = "certificate_path" if certificate is not None else "certificate_thumbprint"
        raise r.error(key, problem("app_only"))
    if thumbprint is not None:
        thumbprint = thumbprint.replace(":", "").upper()
        if not re.fullmatch(r"[0-9A-F]{40}", thumbprint):
            raise r.error("certificate_thumbprint", problem("thumbprint"))
        if certificate is None:
            raise r.error("certificate_path", problem("thumbprint_needs_certificate"))
    return impersonation, certificate, thumbprint


def _shared(r: _Reader, auth: str, connector: str) -> tuple[str | None, bool]:
    """A shared or delegated mailbox the signed-in user reads, and whether to write back."""
    mailbox = r.string("mailbox")
    if mailbox is not None:
        if not _is_address(mailbox):
            raise r.error("mailbox", problem("not_address", value=mailbox))
        if auth == "app":
            raise r.error("mailbox", problem("mailbox_with_app"))
    writeback = r.boolean("writeback", mailbox is None)
    if mailbox is not None and writeback and connector == "graph":
        # Graph's *.Shared permissions reach another mailbox's mail, calendar and contacts, but
        # not its master category list or its To Do lists (MailboxSettings and Tasks have no
        # shared variant), so the write-back could only be done halfway.
        raise r.error("writeback", problem("shared_graph_writeback"))
    return mailbox, writeback


def _is_address(text: str) -> bool:
    return "@" in text and not text.startswith("@") and not text.endswith("@")


def _default_connector(address: str, endpoint: str | None) -> str:
    """Graph for an Exchange Online mailbox (its EWS endpoint, or an onmicrosoft.com address)."""
    if endpoint is not None:
        return "graph" if is_exchange_online(endpoint) else "ews"
    return "graph" if address.lower().endswith(".onmicrosoft.com") else "ews"


def is_exchange_online(url: str) -> bool:
    """True for an EWS or Autodiscover URL on Exchange Online's public hosts."""
    return (urlsplit(url).hostname or "").lower() in EXCHANGE_ONLINE_HOSTS


def _check_url(r: _Reader, key: str, url: str) -> None:
    try:
        check_url(url, key)
    except ConfigError as exc:
        raise r.error(key, exc.problem) from None
