"""From a configured account to its connector: sign-in material, then the EWS or Graph pair.

The one place that knows which connector and which sign-in an account uses, so the command line
and the agent never branch on it. It takes plain values (the account, the To Do list name, a
retry policy, a transport) and nothing of a front end. Nothing is sent to a server until the
source or sink is first used. :func:`adopt_immutable_ids` brings a store's Graph ids up to date
once, before the first sync of an account that was read before the connector asked for immutable
ids.

Exports: ``Connection``, ``connect``, ``login``, ``message_access``, ``adopt_immutable_ids``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from ..config import AccountConfig, FoldersConfig, is_exchange_online
from ..errors import ConfigError, problem
from ..i18n import Wording
from ..ports import RetryPolicy, Sink, Source
from ..store import Store

if TYPE_CHECKING:
    from ..connectors.graph import GraphSource

# The connectors and auth are imported where they are used: exchangelib, httpx and msal take a
# while to import, and most commands (contacts, followups, report ...) need none of them.

__all__ = ["Connection", "adopt_immutable_ids", "connect", "login", "message_access"]


def _ews_in_exchange_online(w: Wording) -> str:
    """Microsoft's retirement of EWS in Exchange Online ("Exchange Online EWS retirement",
    Exchange Team blog; Message center MC1191578 and its successors)."""
    return w.gettext(
        "note: in Exchange Online (Microsoft 365), EWS works from {allow_listed} only for apps "
        "the tenant allow-lists (Set-OrganizationConfig -EwsAllowedAppIDs) and only while "
        'EWSEnabled is true, and it is switched off for good on {off}: use connector = "graph" '
        "for this mailbox"
    ).format(allow_listed=w.date(date(2026, 10, 1)), off=w.date(date(2027, 4, 1)))


@dataclass
class Connection:
    """An account's source and sink, sharing one client (and so one connection pool)."""

    source: Source
    sink: Sink
    close: Callable[[], None] = field(default=lambda: None)


def _credentials(account: AccountConfig) -> tuple[Callable[[], str] | None, str | None]:
    """The token provider (oauth, app, token) or the password (ntlm, basic)."""
    from ..auth import default_token_cache_path, open_token_cache, password_for, token_provider

    if account.auth in ("ntlm", "basic"):
        return None, password_for(account)
    cache = None
    if account.auth == "oauth":
        cache, _encrypted, _warning = open_token_cache(default_token_cache_path())
    return token_provider(account, cache), None


def connect(
    account: AccountConfig,
    *,
    todo_list: str,
    since_months: int | None = None,
    retry: RetryPolicy | None = None,
    transport: Any = None,
    folders: FoldersConfig | None = None,
) -> Connection:
    """The source and sink for ``account`` as configured.

    Parameters:
        todo_list: the Microsoft To Do list the Graph sink keeps the product's tasks in.
        since_months: how far back a first sync reaches (default: the account's own setting).
        retry: how long one call may wait for the server to recover (default: two minutes).
        transport: the HTTP transport the Graph client sends through (an ``httpx`` transport,
            for tests); EWS talks through exchangelib's own sessions and takes none.
        folders: ``[folders]`` include / exclude, for the mail folders of the mailbox too.
    """
    rules = folders or FoldersConfig()
    if since_months:
        account = replace(account, since_months=since_months)
    policy = retry or RetryPolicy()
    token, password = _credentials(account)
    if account.connector == "ews":
        from ..connectors import ews

        if transport is not None:
            raise ValueError(f"{account.name}: an EWS account takes no HTTP transport")
        source, sink = ews.connect(
            account, token=token, password=password, max_wait_s=policy.max_wait_s,
            include=rules.include, exclude=rules.exclude,
        )  # fmt: skip
        return Connection(source, sink, close=source.close)
    if account.connector == "graph":
        from ..connectors import graph

        if token is None:
            raise ConfigError(
                f"accounts[{account.name}].auth", problem("graph_needs_oauth", method=account.auth)
            )
        pair = graph.connect_graph(
            account, token, todo_list=todo_list, retry=policy, transport=transport,
            include=rules.include, exclude=rules.exclude,
        )  # fmt: skip
        return Connection(pair.source, pair.sink, close=pair.close)
    raise ValueError(f"{account.name}: unknown connector {account.connector!r}")  # config refused


def adopt_immutable_ids(store: Store, source: GraphSource) -> None:
    """Once per Graph account: the ids stored before the connector asked Graph for immutable
    ids (``Prefer: IdType="ImmutableId"``) become immutable ones, in the store and in the
    write-back journal (so undo still finds the contacts it tagged), by
    ``translateExchangeIds``. A new account has nothing to translate and asks nothing."""
    done = f"graph-ids:{source.name}"
    if store.get_doc(done) == "immutable":
        return
    ids = sorted({*store.item_ids(source.name), *store.journal_item_ids(source.name)})
    if ids:
        renamed = source.immutable_ids(ids)
        store.rename_items(source.name, renamed)
        store.rename_journal_items(source.name, renamed)
    store.put_doc(done, "immutable")


def message_access(account: AccountConfig, w: Wording) -> str:
    """What the account's write-back needs of its messages, for ``login`` to say."""
    if not account.writes_messages:
        return w.gettext("messages are only read")
    graph = account.connector == "graph"
    if account.tag_messages and account.flag_kinds:
        if graph:
            return w.gettext(
                "categories and follow-up flags on messages: asking for Mail.ReadWrite "
                "(write access to mail)"
            )
        return w.gettext(
            "categories and follow-up flags on messages: written to the items (EWS access "
            "covers it)"
        )
    if account.tag_messages:
        if graph:
            return w.gettext(
                "categories on messages: asking for Mail.ReadWrite (write access to mail)"
            )
        return w.gettext("categories on messages: written to the items (EWS access covers it)")
    if graph:
        return w.gettext(
            "follow-up flags on messages: asking for Mail.ReadWrite (write access to mail)"
        )
    return w.gettext("follow-up flags on messages: written to the items (EWS access covers it)")


def _exchange_online_ews(account: AccountConfig) -> bool:
    """An EWS account that is, or may well be, in Exchange Online (autodiscover finds it there
    for every Microsoft 365 mailbox)."""
    if account.connector != "ews":
        return False
    return account.autodiscover or is_exchange_online(account.endpoint or "")


def login(
    account: AccountConfig,
    show: Callable[[str], None],
    *,
    words: Wording,
    device_code: bool = False,
) -> str:
    """Sign ``account`` in and say what happened, in one line in ``words``'s language; notes on
    the way go to ``show``, worded too (msal's device-code message is the sign-in service's).

    ``oauth`` signs in in the system browser (authorization code with PKCE) where one can be
    opened, else, or with ``device_code``, with a device code.
    """
    w = words
    show(f"{account.name}: {message_access(account, w)}")
    if _exchange_online_ews(account):
        show(_ews_in_exchange_online(w))
    if account.auth == "oauth":
        from ..auth import (
            BrowserUnavailable,
            browser_available,
            default_token_cache_path,
            login_device_code,
            login_interactive,
            open_token_cache,
        )

        cache, encrypted, warning = open_token_cache(default_token_cache_path())
        if warning:
            show(w.problem(warning))

        def show_address(url: str) -> None:
            show(
                w.gettext(
                    "Sign in in the browser window that opens. If none opens, open this "
                    "address: {url}"
                ).format(url=url)
            )

        browser = False
        if device_code or not browser_available():
            signed_in = login_device_code(account, cache, show)
        else:
            try:
                signed_in = login_interactive(account, cache, show_address)
                browser = True
            except BrowserUnavailable:
                show(w.gettext("no browser could be opened; signing in with a device code instead"))
                signed_in = login_device_code(account, cache, show)
        return _signed_in(w, browser, encrypted, signed_in.username, account.address)
    token, _ = _credentials(account)  # the password must be findable now, not at the first sync
    if account.auth == "app":
        assert token is not None
        token()
        return w.gettext(
            "application credentials work (client credentials, no user sign-in needed)"
        )
    if account.auth == "token":
        assert token is not None
        token()
        return w.gettext("using the bearer token from {env}").format(
            env="OUTLOOK_NETWORKING_ACCESS_TOKEN"
        )
    # TRANSLATORS: {method} is "ntlm" or "basic", {env} an environment variable
    return w.gettext("{method} password found (keyring or {env})").format(
        method=account.auth, env="OUTLOOK_NETWORKING_PASSWORD"
    )


def _signed_in(w: Wording, browser: bool, encrypted: bool, username: str, address: str) -> str:
    """The line ``login`` ends with: how, as whom (when not the account's address), and where
    the tokens are kept."""
    how = w.gettext("in the browser") if browser else w.gettext("with a device code")
    where = w.gettext("the encrypted token cache") if encrypted else w.gettext("a 0600 token file")
    if username.lower() != address.lower():
        # TRANSLATORS: {how} is "in the browser" or "with a device code"; {where} where the
        # tokens are kept
        return w.gettext(
            "signed in {how} (as {username}, not {address}); tokens kept in {where}"
        ).format(how=how, username=username, address=address, where=where)
    return w.gettext("signed in {how}; tokens kept in {where}").format(how=how, where=where)
