"""Who an EWS request acts for, and whether that caller may open the test server's mailbox.

Exchange authenticates the caller first and then checks the caller's rights on the mailbox a
request names. The test server models three callers:

- a user, by basic auth (the user name) or a bearer token the server issued to that user
  (``EWSServer.tokens``): acts as themselves. On their own mailbox everything is allowed; on
  another user's (a shared or delegated mailbox, reached with exchangelib's ``DELEGATE`` access
  and that mailbox's ``primary_smtp_address``) only when the owner granted them access (Full
  Access, or delegate/folder permissions: ``Mailbox.delegates``). Without it Exchange answers
  ``ErrorAccessDenied`` ("Access is denied. Check credentials and try again.") for the folder
  or item, per response message.
- an application with an app-only token (client credentials, ``EWSServer.app_tokens``): a token
  that names no user, so every request must say whom it acts for with the ``ExchangeImpersonation``
  SOAP header. Without it Exchange answers every request with a SOAP fault
  ``ErrorInvalidExchangeImpersonationHeaderData``, "ExchangeImpersonation SOAP header must be
  present for this type of OAuth token." (OfficeDev/ews-managed-api#245; ecederstrand/exchangelib
  #735 and #757 show the HTTP 500 and the message); with it, the app acts as the impersonated
  mailbox ("Impersonation and EWS in Exchange": ``full_access_as_app`` for OAuth apps).

Exports: ``APP_ONLY``, ``IMPERSONATION_REQUIRED``, ``ACCESS_DENIED``, ``impersonated``.
"""

from __future__ import annotations

from lxml import etree

from .schema import NS_S, NS_T

APP_ONLY = "app-only"
IMPERSONATION_REQUIRED = (
    "ExchangeImpersonation SOAP header must be present for this type of OAuth token."
)
ACCESS_DENIED = "Access is denied. Check credentials and try again."


def impersonated(envelope: etree._Element) -> str | None:
    """The mailbox an ``ExchangeImpersonation`` header names, or None without one."""
    header = envelope.find(f"{{{NS_S}}}Header")
    if header is None:
        return None
    sid = header.find(f"{{{NS_T}}}ExchangeImpersonation/{{{NS_T}}}ConnectingSID")
    if sid is None:
        return None
    for name in ("PrimarySmtpAddress", "SmtpAddress", "PrincipalName"):
        value = sid.findtext(f"{{{NS_T}}}{name}")
        if value:
            return value.strip()
    return None
