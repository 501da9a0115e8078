"""msal's and keyring's failures, mapped into the product's exception tree at this edge.

msal reports most failures as a result dict with ``error`` and ``error_description`` (OAuth 2
error codes, Entra's ``AADSTS…`` numbers in the description), raises ``ValueError`` when the
authority cannot be discovered, and lets ``requests`` exceptions (``OSError`` subclasses)
through for the network.

Exports: ``raise_for_result``, ``from_network``, ``from_discovery``, ``LOGIN_HINT``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from ..errors import AuthError, ConnectionFailed, LoginRequired

__all__ = ["LOGIN_HINT", "from_discovery", "from_network", "raise_for_result"]

LOGIN_HINT = "sign-in expired; run `outlook-networking login`"

# Codes after which only a person can help: the refresh token is revoked or expired, consent or
# MFA is needed again. Everything else is a fault the user cannot fix by signing in.
_NEEDS_LOGIN = {"invalid_grant", "interaction_required", "consent_required", "login_required"}
_USER_STEP = {
    "authorization_declined": "the sign-in was declined in the browser",
    "access_denied": "the sign-in was cancelled or refused in the browser",
    "expired_token": "the sign-in code expired before it was entered; run login again",
    "bad_verification_code": "the sign-in code was not recognised; run login again",
}


def raise_for_result(account: str, result: Mapping[str, Any]) -> NoReturn:
    """Raise the product's error for an msal result dict that carries ``error``."""
    code = str(result.get("error", "unknown_error"))
    description = _first_line(str(result.get("error_description") or ""))
    if code in _NEEDS_LOGIN:
        raise LoginRequired(account, f"{LOGIN_HINT} ({code}{_aadsts(description)})")
    if code in _USER_STEP:
        raise AuthError(account, _USER_STEP[code])
    if code == "invalid_client":
        raise AuthError(
            account, f"the app registration refused the client credentials: {description}"
        )
    if code == "unauthorized_client":
        raise AuthError(
            account, f"the app registration does not allow this sign-in: {description}"
        )
    detail = f": {description}" if description else ""
    raise AuthError(account, f"sign-in failed ({code}){detail}")


def from_network(account: str, exc: OSError) -> ConnectionFailed:
    """The sign-in service could not be reached (DNS, TLS, refused, timed out)."""
    return ConnectionFailed(account, f"cannot reach the sign-in service: {_first_line(str(exc))}")


def from_discovery(account: str, exc: ValueError) -> AuthError:
    """msal could not read the authority's OpenID configuration."""
    return AuthError(account, f"the sign-in authority is not usable: {_first_line(str(exc))}")


def _aadsts(description: str) -> str:
    # Entra's descriptions start with the code that support articles are indexed by.
    head = description.split(":", 1)[0]
    return f", {head}" if head.startswith("AADSTS") else ""


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:300] if lines else ""
