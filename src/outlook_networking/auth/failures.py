"""msal's and keyring's failures, mapped into the product's exception tree at this edge.

msal reports most failures as a result dict with ``error`` and ``error_description`` (OAuth 2
error codes, Entra's ``AADSTS…`` numbers in the description), raises ``ValueError`` when the
authority cannot be discovered, and lets ``requests`` exceptions (``OSError`` subclasses)
through for the network.

Exports: ``raise_for_result``, ``from_network``, ``from_discovery``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from ..errors import AuthError, ConnectionFailed, LoginRequired, problem

__all__ = ["from_discovery", "from_network", "raise_for_result"]

# Codes after which only a person can help: the refresh token is revoked or expired, consent or
# MFA is needed again. Everything else is a fault the user cannot fix by signing in.
_NEEDS_LOGIN = {"invalid_grant", "interaction_required", "consent_required", "login_required"}
_USER_STEP = {
    "authorization_declined": "signin_declined",
    "access_denied": "signin_cancelled",
    "expired_token": "signin_code_expired",
    "bad_verification_code": "signin_code_unknown",
}


def raise_for_result(account: str, result: Mapping[str, Any]) -> NoReturn:
    """Raise the product's error for an msal result dict that carries ``error``."""
    code = str(result.get("error", "unknown_error"))
    description = _first_line(str(result.get("error_description") or ""))
    if code in _NEEDS_LOGIN:
        raise LoginRequired(account, problem("login_required", detail=code + _aadsts(description)))
    if code in _USER_STEP:
        raise AuthError(account, problem(_USER_STEP[code]))
    if code == "invalid_client":
        raise AuthError(
            account, problem("client_credentials_refused", detail=description)
        )
    if code == "unauthorized_client":
        raise AuthError(
            account, problem("signin_not_allowed", detail=description)
        )
    raise AuthError(account, problem("signin_failed", error=code, detail=description))


def from_network(account: str, exc: OSError) -> ConnectionFailed:
    """The sign-in service could not be reached (DNS, TLS, refused, timed out)."""
    return ConnectionFailed(account, problem("signin_unreachable", detail=_first_line(str(exc))))


def from_discovery(account: str, exc: ValueError) -> AuthError:
    """msal could not read the authority's OpenID configuration."""
    return AuthError(account, problem("authority_unusable", detail=_first_line(str(exc))))


def _aadsts(description: str) -> str:
    # Entra's descriptions start with the code that support articles are indexed by.
    head = description.split(":", 1)[0]
    return f", {head}" if head.startswith("AADSTS") else ""


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:300] if lines else ""
