"""A person's card, one way for every front end: ``contact``, the add-in, ``brief``, the report.

:func:`contact_card` is ``contact ADDR --json``'s document and the add-in's card: the analysis's
view of the person (:func:`core.views.contact_json`, key dates included), the give-and-take
balance, the owner's notes about any of the person's addresses, and whether they are external.
:func:`stranger_card` is the card of an address that is no contact, for ``contact ADDR`` and the
add-in alike: whom the owner may know them through (the best path of :mod:`core.intro`) and the
owner's notes about it, or None when there is neither. :func:`attendee_card` is the compact form
the brief lists per meeting attendee, made from the full card (so kept answers serve the brief
too); someone the store does not know is ``{"address", "known": false, ...}`` with the owner's
notes about the address.

The owner's notes (:func:`add_note`, :func:`delete_note`) are checked here, once, for the
command line and the add-in alike: at most :data:`NOTE_MAX_CHARS` characters, no control
characters but line breaks and tabs (a note is shown in a terminal, a page and a task pane, and
escape sequences would reach the terminal), never empty.

Exports: ``NOTE_MAX_CHARS``, ``COMING_DAYS``, ``contact_card``, ``analysed_card``,
``with_notes``, ``stranger_card``,
``attendee_card``, ``unknown_card``, ``note_json``, ``notes_by_person``, ``add_note``,
``delete_note``, ``clean_note``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..core.brief import is_external, owner_domains
from ..core.contact import ContactView
from ..core.intro import find_paths, stranger_json
from ..core.ledger import balance_json
from ..core.phrase import Words
from ..core.views import contact_json, iso
from ..errors import UsageError
from ..i18n import Wording
from ..model import Note
from ..parsing.addresses import normalise
from ..store import Store
from .analysis import Insight

__all__ = [
    "COMING_DAYS",
    "NOTE_MAX_CHARS",
    "add_note",
    "analysed_card",
    "attendee_card",
    "clean_note",
    "contact_card",
    "delete_note",
    "note_json",
    "notes_by_person",
    "stranger_card",
    "unknown_card",
    "with_notes",
]

NOTE_MAX_CHARS = 2000
_ENGLISH = Wording("en")  # the add-in's default until it passes the pane's language
COMING_DAYS = 30  # key dates "coming up" in an attendee's card: within a month


def note_json(note: Note) -> dict[str, Any]:
    return {"id": note.id, "at": iso(note.at), "text": note.text}


def _notes(store: Store, addresses: Sequence[str]) -> list[dict[str, Any]]:
    return [note_json(n) for n in store.notes(addresses)]


def contact_card(
    insight: Insight,
    store: Store,
    view: ContactView,
    now: datetime,
    words: Words,
    *,
    with_items: bool = False,
) -> dict[str, Any]:
    """The full card of a contact (``contact ADDR --json``, the add-in), what the core explains
    in ``words``'s language."""
    return with_notes(analysed_card(insight, view, now, words, with_items=with_items), store)


def analysed_card(
    insight: Insight,
    view: ContactView,
    now: datetime,
    words: Words,
    *,
    with_items: bool = False,
    shown: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """:func:`contact_card` with no notes yet (``"notes": []``): what the analysis alone says,
    the answer ``app.answers`` keeps. ``shown``: ``contact_json(view, now, words)`` if the
    caller has it already (it becomes the card)."""
    doc = contact_json(view, now, words) if shown is None else shown
    doc["balance"] = balance_json(insight.ledger.balance(view.person.key), with_items=with_items)
    doc["notes"] = []
    doc["external"] = is_external(view.address, owner_domains(insight.network.owner))
    doc["known"] = True
    return doc


def with_notes(card: dict[str, Any], store: Store) -> dict[str, Any]:
    """``card`` (:func:`analysed_card`) with the owner's notes about any of its addresses, as
    they are now."""
    card["notes"] = _notes(store, card["addresses"])
    return card


def unknown_card(insight: Insight, store: Store, address: str) -> dict[str, Any]:
    """Someone the store does not know: only whether they are external and the owner's notes."""
    return _unknown(store, address, insight.network.owner)


def _unknown(store: Store, address: str, owner: Iterable[str]) -> dict[str, Any]:
    return {
        "address": address,
        "known": False,
        "external": is_external(address, owner_domains(owner)),
        "notes": _notes(store, [address]),
    }


def stranger_card(insight: Insight, store: Store, address: str) -> dict[str, Any] | None:
    """The card of ``address`` (normalised), no contact: the best path to them and the owner's
    notes (``core.intro.stranger_json`` plus :func:`unknown_card`); with no path, the notes
    alone; None when there is neither. ``is_owner`` is false in both: the caller asked for
    someone who is not the owner."""
    unknown = {**unknown_card(insight, store, address), "is_owner": False}
    network = insight.network
    found = find_paths(network, insight.ledger.items, address, limit=1).paths
    if found:
        return {**stranger_json(network, address, found[0]), **unknown}
    return unknown if unknown["notes"] else None


def attendee_card(
    card: Mapping[str, Any] | None, store: Store, address: str, owner: Iterable[str]
) -> dict[str, Any]:
    """The compact card of one meeting attendee (``brief``), made from ``card``, the full card
    of the contact ``address`` belongs to (``app.answers``' ``card``: kept or fresh, notes
    included), or None for someone who is no contact. ``owner``: the owner's addresses."""
    if card is None:
        return _unknown(store, address, owner)
    balance = card["balance"]
    return {
        "address": card["address"],
        "name": card["name"],
        "organisation": card["organisation"],
        "known": True,
        "external": is_external(address, owner_domains(owner)),
        "tier": card["tier"],
        "score": card["score"],
        "last_contact": card["last_contact"],
        "last_two_way": card["last_two_way"],
        "followups": card["followups"],
        "balance": {"given": balance["given"], "received": balance["received"]},
        # coming up within a month of the card's moment (its key dates are soonest first)
        "key_dates": [k for k in card["key_dates"] if k["in_days"] <= COMING_DAYS],
        "notes": card["notes"],
    }


def notes_by_person(insight: Insight, store: Store) -> dict[str, list[Note]]:
    """Every note by the person it is about (their key; the address for someone unknown)."""
    found: dict[str, list[Note]] = {}
    for note in store.notes():
        view = insight.network.find(note.address)
        found.setdefault(view.address if view is not None else note.address, []).append(note)
    return found


def clean_note(text: str, words: Wording = _ENGLISH) -> str:
    """The note as kept: trimmed, line breaks as ``\\n``; UsageError (in ``words``'s language)
    if it is not one."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise UsageError(words.gettext("a note needs some text"))
    if len(cleaned) > NOTE_MAX_CHARS:
        raise UsageError(
            words.gettext("a note is at most {count} characters").format(
                count=NOTE_MAX_CHARS
            )
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in cleaned):
        raise UsageError(words.gettext("a note cannot hold control characters"))
    return cleaned


def _address(raw: str, words: Wording) -> str:
    address = normalise(raw)
    if not address:
        raise UsageError(words.gettext("not an e-mail address: {value}").format(value=raw))
    return address


def add_note(
    store: Store, address: str, text: str, now: datetime, words: Wording = _ENGLISH
) -> Note:
    """Keep a note about ``address``; UsageError for a bad address or text."""
    return store.add_note(_address(address, words), clean_note(text, words), now)


def delete_note(
    store: Store,
    address: str,
    note_id: int,
    words: Wording = _ENGLISH,
    *,
    addresses: Iterable[str] = (),
) -> Note:
    """Remove note ``note_id``, which must be about ``address`` or one of ``addresses`` (every
    address of the person ``address`` belongs to: their card's)."""
    wanted = _address(address, words)
    mine = {n.id for n in store.notes({wanted, *addresses})}
    if note_id not in mine:
        raise UsageError(
            words.gettext("no note {id} about {address}; `note {address} --list` shows them")
            .format(id=note_id, address=wanted)
        )
    removed = store.delete_note(note_id)
    assert removed is not None
    return removed
