"""One call from a configured account to its EWS source and sink, sharing one exchangelib
``Account`` (and so one connection pool and one back-off state).

Exports: ``connect``, ``source_name``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from exchangelib.errors import EWSError

from ...config import AccountConfig
from .account import open_account
from .edge import Edge, map_error
from .sink import EwsSink
from .source import FOLDERS, EwsSource

__all__ = ["connect", "source_name"]

DAYS_PER_MONTH = 30.44


def source_name(account: AccountConfig) -> str:
    """The source name stored with every item of this account (``"ews:<name>"``)."""
    return f"ews:{account.name}"


def connect(
    account: AccountConfig,
    *,
    token: Callable[[], str] | None = None,
    password: str | None = None,
    build: tuple[int, ...] | None = None,
    max_wait_s: float = 120.0,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> tuple[EwsSource, EwsSink]:
    """The source and sink for ``account``; nothing is sent until the first read or write
    (except the autodiscover requests, for an account without an endpoint).

    ``token`` is the provider from :func:`outlook_networking.auth.token_provider` (oauth, app,
    token); ``password`` is for ntlm and basic. ``build`` pins the server version (no probe).
    ``include`` / ``exclude``: the ``[folders]`` patterns (see :mod:`..folders`).
    """
    name = source_name(account)
    try:
        # With autodiscover = true, exchangelib talks to the network already here.
        ews = open_account(
            account, token=token, password=password, build=build, max_wait_s=max_wait_s
        )
    except (EWSError, OSError) as exc:
        raise map_error(name, exc) from exc
    edge = Edge(name, credentials=ews.protocol.credentials, protocol=ews.protocol)
    since = timedelta(days=round(account.since_months * DAYS_PER_MONTH))
    source = EwsSource(
        ews,
        name,
        edge=edge,
        folders=FOLDERS,
        since=since,
        include=include,
        exclude=exclude,
    )
    return source, EwsSink(ews, name, edge=edge)
