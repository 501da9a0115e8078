"""vCard 3.0 export of the network: one file per contact plus one combined file.

Outlook imports only the first card of a ``.vcf``, so every contact gets a file of its own; the
combined ``all.vcf`` is for address books that take many cards at once. Each card carries FN, N,
every known address as EMAIL (the person's key address first), ORG, the tier as CATEGORIES under
the product's category name (``Network A``), a NOTE with the tier's reasons and the owner's own
notes (each with its day), the birthday as BDAY (a day without a year as Apple writes it,
``BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15``, which vCard 3.0 importers read) and the anniversary
as Outlook's ``X-MS-ANNIVERSARY``, and a UID derived from the person key so a re-import updates
the card instead of duplicating it.

File names come from the contact's name (or address) reduced to ``[a-z0-9._-]``: no path
separators, no leading dots, no Windows device names, unique without regard to case.

Exports: ``ALL_CARDS``, ``safe_file_stem``, ``vcard_text``, ``vcard_files``.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence

import vobject

from ..core.contact import ContactView
from ..i18n import Wording
from ..model import KeyDate, Note
from ..writeback.plan import DEFAULT_CATEGORY_NAMES

__all__ = ["ALL_CARDS", "safe_file_stem", "vcard_files", "vcard_text"]

ALL_CARDS = "all.vcf"
MAX_STEM = 60
# The stable namespace of every UID the product writes (cards and tasks).
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "outlook-networking.invalid")
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(10)
}
_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def safe_file_stem(text: str, fallback: str = "contact") -> str:
    """A file name stem that is safe on every platform and cannot leave the target folder."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("-", ascii_text.casefold()).strip("-._")
    stem = re.sub(r"[-.]{2,}", "-", stem)[:MAX_STEM].strip("-._")
    if not stem:
        stem = fallback
    head, dot, tail = stem.partition(".")
    if head in _WINDOWS_DEVICES:  # Windows reserves "nul" with any extension, too
        stem = f"{head}-contact{dot}{tail}"
    return stem


def _split_name(name: str) -> tuple[str, str]:
    """(family, given): the last word is the family name, as most Western address books guess."""
    words = name.split()
    if len(words) < 2:
        return name, ""
    return words[-1], " ".join(words[:-1])


_OMIT_YEAR = 1604  # Apple's placeholder year for a day without one (X-APPLE-OMIT-YEAR)


def _add_key_date(card: vobject.base.Component, key_date: KeyDate) -> None:
    year = key_date.year if key_date.year is not None else _OMIT_YEAR
    value = f"{year:04d}-{key_date.month:02d}-{key_date.day:02d}"
    if key_date.kind == "birthday":
        line = card.add("bday")
        line.value = value
        if key_date.year is None:
            line.params["X-APPLE-OMIT-YEAR"] = [str(_OMIT_YEAR)]
    elif key_date.year is not None:  # Outlook's property takes full dates only
        card.add("x-ms-anniversary").value = value.replace("-", "")


def vcard_text(
    view: ContactView,
    category_names: Mapping[str, str],
    notes: Sequence[Note] = (),
    words: Wording | None = None,
) -> str:
    """One contact as a vCard 3.0 (CRLF line ends, as vobject writes them)."""
    card = vobject.vCard()
    card.add("uid").value = f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, 'contact:' + view.address)}"
    name = view.name.strip()
    card.add("fn").value = name or view.address
    family, given = _split_name(name) if name else ("", "")
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    addresses = [view.address, *(a for a in view.addresses if a != view.address)]
    for address in addresses:
        email = card.add("email")
        email.value = address
        email.type_param = "INTERNET"
    if view.organisation:
        card.add("org").value = [view.organisation]
    tier = view.tier.tier
    card.add("categories").value = [category_names.get(tier, DEFAULT_CATEGORY_NAMES[tier])]
    for key_date in view.key_dates:
        _add_key_date(card, key_date)
    written = [(words or Wording()).summary(tier, view.reasons)] if view.reasons else []
    written += [f"{n.at:%Y-%m-%d}: {n.text}" for n in notes]
    if written:
        card.add("note").value = "\n\n".join(written)
    text: str = card.serialize()
    return text


def vcard_files(
    contacts: Iterable[ContactView],
    category_names: Mapping[str, str],
    notes: Mapping[str, Sequence[Note]] | None = None,
    words: Wording | None = None,
) -> dict[str, str]:
    """File name → vCard text: one file per contact, plus :data:`ALL_CARDS` with every card.

    Names are unique without regard to case (``anna-meier.vcf``, ``anna-meier-2.vcf``) and never
    :data:`ALL_CARDS`; contacts keep the order given (the network's, by score).
    """
    files: dict[str, str] = {}
    taken = {ALL_CARDS.casefold()}
    cards: list[str] = []
    for view in contacts:
        text = vcard_text(view, category_names, (notes or {}).get(view.address, ()), words)
        stem = safe_file_stem(view.name or view.address.replace("@", "-at-"))
        candidate, n = f"{stem}.vcf", 2
        while candidate.casefold() in taken:
            candidate, n = f"{stem}-{n}.vcf", n + 1
        taken.add(candidate.casefold())
        files[candidate] = text
        cards.append(text)
    files[ALL_CARDS] = "".join(cards)
    return files
