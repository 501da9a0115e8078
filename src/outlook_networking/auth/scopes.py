"""Which permissions to ask Microsoft's identity platform for, per connector.

One access token covers one resource, so EWS and Graph are asked for separately; the refresh
token from one sign-in serves both. The resource is the host of the URL the token is used
against: Exchange Online (``outlook.office365.com``), an on-premises server with Hybrid Modern
Authentication (its external EWS host, registered in Entra ID as a service principal name),
Graph or a national cloud's Graph. A loopback test server stands for the public services.

Never ask for ``offline_access``, ``openid`` or ``profile``: msal adds them itself and refuses
them from callers.

Graph's mail permission is ``Mail.Read`` unless the account's write-back marks messages
(``tag_messages``, or follow-ups as flags): then ``Mail.ReadWrite``, asked for only then. EWS's
``EWS.AccessAsUser.All`` covers reading and writing items alike.

A shared or delegated mailbox (``mailbox`` in the config) is reached through Graph with the
``*.Shared`` delegated permissions ("Get Outlook messages in a shared or delegated folder":
Mail.Read.Shared; the same for calendars and contacts), read-only: Graph has no shared variant
for the master category list or To Do. Through EWS, ``EWS.AccessAsUser.All`` already covers
delegate access; Exchange checks the mailbox permissions.

Exports: ``delegated_scopes``, ``app_scopes``, ``graph_scopes``, ``EWS_SCOPES``,
``GRAPH_SCOPES``, ``GRAPH_SHARED_SCOPES``, ``EWS_APP_SCOPE``, ``MAIL_WRITE``.
"""

from __future__ import annotations

from ..config import AccountConfig
from ..endpoints import check_url

__all__ = [
    "EWS_APP_SCOPE",
    "EWS_SCOPES",
    "GRAPH_SCOPES",
    "GRAPH_SHARED_SCOPES",
    "MAIL_WRITE",
    "app_scopes",
    "delegated_scopes",
    "graph_scopes",
]

EWS_RESOURCE = "https://outlook.office365.com"
EWS_SCOPES = (f"{EWS_RESOURCE}/EWS.AccessAsUser.All",)
EWS_APP_SCOPE = f"{EWS_RESOURCE}/.default"
GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_SCOPES = (
    "Mail.Read",
    "Calendars.Read",
    "Contacts.ReadWrite",
    "Tasks.ReadWrite",
    "MailboxSettings.ReadWrite",
    "User.Read",  # translateExchangeIds, once, to adopt immutable ids
)
MAIL_WRITE = "Mail.ReadWrite"  # categories and follow-up flags on messages
GRAPH_SHARED_SCOPES = ("Mail.Read.Shared", "Calendars.Read.Shared", "Contacts.Read.Shared")


def _ews_resource(account: AccountConfig) -> str:
    """Exchange Online's resource, or an on-premises server's own host under Hybrid Modern Auth."""
    if account.endpoint is None:  # autodiscover: Exchange Online, the common case
        return EWS_RESOURCE
    endpoint = check_url(account.endpoint, "endpoint")
    if endpoint.loopback:
        return EWS_RESOURCE
    return f"https://{endpoint.host}"


def _graph_resource(account: AccountConfig) -> str:
    """The Graph resource the token must be for: national clouds have their own host."""
    endpoint = check_url(account.graph_url, "graph_url")
    if endpoint.loopback:
        # A loopback test server stands in for the public Graph.
        return GRAPH_RESOURCE
    return endpoint.origin


def graph_scopes(account: AccountConfig) -> tuple[str, ...]:
    """Graph's delegated permissions for ``account``: write access to mail only when its
    write-back marks messages."""
    if not account.writes_messages:
        return GRAPH_SCOPES
    return tuple(MAIL_WRITE if s == "Mail.Read" else s for s in GRAPH_SCOPES)


def delegated_scopes(account: AccountConfig) -> list[str]:
    """Scopes for the signed-in user (``auth = "oauth"``)."""
    if account.connector == "ews":
        return [f"{_ews_resource(account)}/EWS.AccessAsUser.All"]
    resource = _graph_resource(account)
    scopes = GRAPH_SHARED_SCOPES if account.mailbox is not None else graph_scopes(account)
    if resource == GRAPH_RESOURCE:
        return list(scopes)  # bare names mean the public Graph
    return [f"{resource}/{scope}" for scope in scopes]


def app_scopes(account: AccountConfig) -> list[str]:
    """The ``.default`` scope of the application permissions granted (``auth = "app"``)."""
    if account.connector == "ews":
        return [f"{_ews_resource(account)}/.default"]
    return [f"{_graph_resource(account)}/.default"]
