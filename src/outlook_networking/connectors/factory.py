"""From a configured account to its connector: sign-in material, then the EWS or Graph pair.

The one place that knows which connector and which sign-in an account uses, so the CLI and the
agent never branch on it. Nothing is sent to a server until the source or sink is first used.

Exports: ``Connection``, ``connect``, ``login``, ``adopt_immutable_ids``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..config import AccountConfig
from ..errors import UsageError
from .base import Sink, Source

if TYPE_CHECKING:
    from ..cli.context import Context
    from ..store import Store
    from .graph import GraphSource

__all__ = ["Connection", "adopt_immutable_ids", "connect", "login"]

DAYS_PER_MONTH = 30.44


@dataclass
class Connection:
    """An account's source and sink, sharing one client (and so one connection pool)."""

    source: Source
    sink: Sink
    close: Callable[[], None] = field(default=lambda: None)


def _token_cache() -> Any:
    from ..auth import default_token_cache_path, open_token_cache

    cache, _encrypted, _warning = open_token_cache(default_token_cache_path())
    return cache


def _credentials(account: AccountConfig) -> tuple[Callable[[], str] | None, str | None]:
    """The token provider (oauth, app, token) or the password (ntlm, basic)."""
    from ..auth import password_for, token_provider

    if account.auth in ("ntlm", "basic"):
        return None, password_for(account)
    cache = _token_cache() if account.auth == "oauth" else None
    return token_provider(account, cache), None


def connect(
    ctx: Context | None, account: AccountConfig, *, since_months: int | None = None
) -> Connection:
    """The source and sink for ``account`` as configured."""
    if since_months:
        account = replace(account, since_months=since_months)
    months = account.since_months
    token, password = _credentials(account)
    if account.connector == "ews":
        from .ews import connect as ews_connect

        source, sink = ews_connect(account, token=token, password=password)
        return Connection(source, sink, close=source.close)
    if account.connector == "graph":
        from .graph import GraphClient, GraphSink, GraphSource

        if token is None:
            raise UsageError(
                f"{account.name}: the Graph connector signs in with oauth, app or token, "
                "not a password"
            )
        user = account.address if account.auth == "app" else None
        client = GraphClient(account.graph_url, token, account=account.name)
        name = f"graph:{account.name}"
        task_list = ctx.config.writeback.todo_list if ctx is not None else "Networking"
        graph_source = GraphSource(
            client,
            name=name,
            user=user,
            calendar_past=timedelta(days=round(months * DAYS_PER_MONTH)),
        )
        if ctx is not None:
            try:
                adopt_immutable_ids(ctx.store, graph_source)
            except BaseException:
                client.close()
                raise
        return Connection(
            graph_source,
            GraphSink(client, name=name, user=user, task_list=task_list),
            close=client.close,
        )
    raise UsageError(f"{account.name}: unknown connector {account.connector!r}")


def adopt_immutable_ids(store: Store, source: GraphSource) -> None:
    """Once per Graph account: the ids stored before the connector asked Graph for immutable
    ids (``Prefer: IdType="ImmutableId"``) become immutable ones, in the store and in the
    write-back journal (so undo still finds the contacts it tagged), by
    ``translateExchangeIds``. A new account has nothing to translate and asks nothing."""
    from ..writeback.journal import Journal

    done = f"graph-ids:{source.name}"
    if store.get_doc(done) == "immutable":
        return
    journal = Journal(store, source.name)
    ids = sorted({*store.item_ids(source.name), *journal.outlook_item_ids()})
    if ids:
        renamed = source.immutable_ids(ids)
        store.rename_items(source.name, renamed)
        journal.rename_items(renamed)
    store.put_doc(done, "immutable")


def login(ctx: Context, account: AccountConfig, show: Callable[[str], None]) -> str:
    """Sign ``account`` in (device code for oauth) and say what happened, in one line."""
    if account.auth == "oauth":
        from ..auth import default_token_cache_path, login_device_code, open_token_cache

        cache, encrypted, warning = open_token_cache(default_token_cache_path())
        if warning:
            show(warning)
        signed_in = login_device_code(account, cache, show)
        where = "encrypted token cache" if encrypted else "0600 token file"
        note = ""
        if signed_in.username.lower() != account.address.lower():
            note = f" (as {signed_in.username}, not {account.address})"
        return f"signed in{note}; tokens kept in the {where}"
    if account.auth == "app":
        token, _ = _credentials(account)
        assert token is not None
        token()
        return "application credentials work (client credentials, no user sign-in needed)"
    if account.auth == "token":
        token, _ = _credentials(account)
        assert token is not None
        token()
        return "using the bearer token from OUTLOOK_NETWORKING_ACCESS_TOKEN"
    _credentials(account)  # the password must be findable now, not at the first sync
    return f"{account.auth} password found (keyring or OUTLOOK_NETWORKING_PASSWORD)"
