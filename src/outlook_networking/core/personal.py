"""Which stored items are the owner's own interactions: the counting rule for lists and bulk mail.

Noise flags (:mod:`outlook_networking.parsing.noise`) are evidence of how a message travelled;
whether it counts for a relationship is decided here, because only the core knows the owner's
addresses:

- a message the **owner wrote** is always the owner's: a post to a list or a mail to many is
  still the owner writing to the people named in To/Cc/Bcc. Only an automated one (an
  out-of-office reply) is not.
- **someone else's** message counts when it carries no flag, or only the list flag and the owner
  is named in To or Cc: a list reply that names the owner is a direct message from its sender,
  while one that reached the owner only through the list is no interaction.
- bulk mail (newsletters, mass mailings, spam verdicts) and automated mail never count.
- a **meeting** counts unless it carries a flag (sources set none today); whether a cancelled
  meeting counts is the caller's rule.

A list address is never a person: that is :mod:`.identity`'s rule (``ListAddresses``), so the
people of a list message are its sender and the people it names, never the list.

Exports: ``is_personal``, ``names_owner``.
"""

from __future__ import annotations

from collections.abc import Collection

from ..model import Flag, Interaction, Kind

__all__ = ["is_personal", "names_owner"]

_LIST_ONLY = frozenset({Flag.LIST})


def names_owner(item: Interaction, owner: Collection[str]) -> bool:
    """The owner's address is in To or Cc (addressed by name, not through a list or Bcc)."""
    return any(m.address in owner for m in item.to) or any(m.address in owner for m in item.cc)


def is_personal(item: Interaction, owner: Collection[str]) -> bool:
    """Whether the item is one of the owner's interactions (see the module docstring)."""
    flags = item.flags
    if not flags:
        return True
    if item.kind is Kind.MEETING:
        return False
    if item.sender is not None and item.sender.address in owner:
        return Flag.AUTOMATED not in flags
    return flags == _LIST_ONLY and names_owner(item, owner)
