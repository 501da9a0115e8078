"""Address normalisation: one spelling for every address, readable names for every sender.

Two spellings of one address must compare equal everywhere in the product, so every address that
enters it goes through :func:`normalise`: surrounding noise stripped, lower case (Exchange treats
the local part case-insensitively, and so does every user), the domain in Unicode form (IDN
``xn--`` labels decoded) and NFC. Display names are decoded from RFC 2047 and unfolded.

Exports: ``normalise``, ``decode_name``, ``parse_mailboxes``, ``is_automated_address``.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from email.errors import MessageError
from email.header import decode_header, make_header
from email.utils import getaddresses

from ..model import Mailbox

__all__ = ["decode_name", "is_automated_address", "normalise", "parse_mailboxes"]

_AUTOMATED_LOCAL = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?"
    r"|notifications?|notify|auto[-_.]?confirm|automailer|daemon)([+\-_.].*)?$"
)


def normalise(address: str) -> str:
    """The canonical form of an address, or ``""`` when it is not one.

    >>> normalise(" <Jane.Doe@XN--BCHER-KVA.Example> ")
    'jane.doe@bücher.example'
    """
    text = address.strip().strip("<>").strip().strip("'\"").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in text):
        return ""
    domain = domain.rstrip(".").lower()
    if "xn--" in domain:
        # A malformed IDN label stays as written; it still compares consistently.
        with suppress(UnicodeError, ValueError):
            domain = domain.encode("ascii").decode("idna")
    return unicodedata.normalize("NFC", f"{local.lower()}@{domain}")


def decode_name(raw: str) -> str:
    """A display name decoded from RFC 2047 and unfolded; never raises."""
    if not raw:
        return ""
    text = raw
    if "=?" in raw:
        try:
            text = str(make_header(decode_header(raw)))
        except (UnicodeError, LookupError, ValueError, TypeError, AssertionError, MessageError):
            # An undecodable encoded-word (even a charset name that is not ASCII, which raises
            # CharsetError) is shown as it came.
            text = raw
    text = " ".join(text.split())
    return text.strip().strip("'\"").strip()


def parse_mailboxes(*values: str | None) -> tuple[Mailbox, ...]:
    """Every valid mailbox in the given header values, in order, without duplicates.

    Invalid entries (no ``@``, spaces inside the address) are dropped; group syntax and
    comments are handled by :func:`email.utils.getaddresses`.
    """
    seen: set[str] = set()
    result: list[Mailbox] = []
    for name, addr in getaddresses([v for v in values if v]):
        address = normalise(addr)
        if not address or address in seen:
            continue
        seen.add(address)
        result.append(Mailbox(address, decode_name(name)))
    return tuple(result)


def is_automated_address(address: str) -> bool:
    """No-reply, mailer-daemon and similar senders that no person reads."""
    return bool(_AUTOMATED_LOCAL.match(address.partition("@")[0]))
