"""The balance: given against received per contact over a window, the one-sided relationships,
and the "thank or return the favour" follow-ups.

Only items inside the window (``now - window_days`` to ``now``) and not dismissed by the user
count. A relationship is **one-sided** when one side has at least ``one_sided_min_items`` items and
the other none. A contact is owed a **thank or return the favour** when, in the window, they
introduced the owner to someone or gave at least ``thank_min_help`` items, and the owner gave them
nothing; the follow-up is due ``thank_due_days`` after the latest help and resolves itself once the
owner gives anything back (or the help leaves the window). An introduction the owner asked for
(``LedgerItem.proposed``) calls for thanks whatever the balance: its follow-up is due
``thank_due_days`` after it and resolves once the owner gives the introducer anything later.

The follow-ups are :class:`~outlook_networking.core.followups.FollowUp` values of kind
``thank_or_return`` with the key ``thank_or_return:<contact>`` (stable while the situation lasts)
and ``item`` the latest help's message; the ids of all the help behind one are the contact's
received items (``Ledger.balance(contact).received``).

Exports: ``Balance``, ``Ledger``, ``THANK_OR_RETURN``, ``build_ledger``, ``summarise``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ...model import Interaction
from ..followups import FollowUp
from ..phrase import phrase
from ..threads import Threads
from .detect import detect_items
from .items import Asked, ItemKind, LedgerItem, Side
from .rules import LedgerSettings

__all__ = ["THANK_OR_RETURN", "Balance", "Ledger", "build_ledger", "summarise"]

THANK_OR_RETURN = "thank_or_return"


@dataclass(frozen=True, slots=True)
class Balance:
    """Given against received for one contact, with the items behind each number (time order)."""

    contact: str
    given: tuple[LedgerItem, ...] = ()
    received: tuple[LedgerItem, ...] = ()

    @property
    def given_count(self) -> int:
        return len(self.given)

    @property
    def received_count(self) -> int:
        return len(self.received)

    @property
    def name(self) -> str:
        """The latest display name the contact's items carry ("" when none)."""
        items = sorted((*self.given, *self.received), key=lambda i: i.at, reverse=True)
        return next((i.name for i in items if i.name), "")

    @property
    def net(self) -> int:
        """Positive: the owner gave more than they received."""
        return len(self.given) - len(self.received)

    def by_kind(self, side: Side) -> dict[ItemKind, int]:
        """How many items of each kind on one side."""
        return dict(Counter(i.kind for i in (self.given if side is Side.GIVEN else self.received)))


@dataclass(frozen=True)
class Ledger:
    """The give-and-take ledger as of ``now``.

    Attributes:
        now: the moment of the run.
        since: the start of the window.
        items: every item in the window that is not dismissed, in time order.
        balances: per contact with at least one item, keyed and ordered by contact.
        invests_without_return: contacts the owner gives to without anything back, most
            given first.
        gives_without_return: contacts who give to the owner without anything back, most
            received first (whom to thank or help).
        followups: "thank or return the favour" suggestions, earliest due first.
        dismissed: the ids of detected items in the window that the user dismissed.
    """

    now: datetime
    since: datetime
    items: tuple[LedgerItem, ...]
    balances: Mapping[str, Balance]
    invests_without_return: tuple[Balance, ...]
    gives_without_return: tuple[Balance, ...]
    followups: tuple[FollowUp, ...]
    dismissed: tuple[str, ...] = ()

    def balance(self, contact: str) -> Balance:
        """The contact's balance (empty when the ledger has nothing on them)."""
        return self.balances.get(contact) or Balance(contact)

    def item(self, item_id: str) -> LedgerItem | None:
        """The item with this id, if it is in the window and not dismissed."""
        return next((i for i in self.items if i.id == item_id), None)

    def top_givers(self, limit: int = 10) -> tuple[Balance, ...]:
        """The contacts who gave the owner most, for the annual review and the report."""
        ranked = sorted(
            (b for b in self.balances.values() if b.received),
            key=lambda b: (-b.received_count, b.contact),
        )
        return tuple(ranked[:limit])


def build_ledger(
    interactions: Iterable[Interaction],
    owner: Collection[str],
    *,
    now: datetime,
    settings: LedgerSettings | None = None,
    people: Mapping[str, str] | None = None,
    dismissed: frozenset[str] = frozenset(),
    threads: Threads | None = None,
    excluded: Callable[[str], bool] | None = None,
    asked: Iterable[Asked] = (),
) -> Ledger:
    """Detect the items and balance them (see :mod:`.detect` for the rules).

    Parameters:
        interactions: every stored interaction, any order.
        owner: the owner's addresses.
        now: the moment of the run (timezone-aware).
        settings: the ``[ledger]`` settings; defaults when ``None``.
        people: address → person key (identity resolution); unknown addresses stand alone.
        dismissed: item ids the user marked wrong (``ledger dismiss ID``).
        threads: the reply pairing if the caller computed it already.
        excluded: addresses that are never a person: the user's exclusions
            (``Settings.is_excluded``) and list addresses (``Identities.lists``).
        asked: the introductions the product proposed (``intro``), so the one asked for is
            recognised when it comes.

    Returns:
        The ledger as of ``now``.
    """
    settings = settings or LedgerSettings()
    found = detect_items(
        interactions,
        owner,
        now=now,
        settings=settings,
        people=people,
        threads=threads,
        excluded=excluded,
        asked=asked,
    )
    return summarise(found, now=now, settings=settings, dismissed=dismissed)


def summarise(
    found: Iterable[LedgerItem],
    *,
    now: datetime,
    settings: LedgerSettings,
    dismissed: frozenset[str] = frozenset(),
) -> Ledger:
    """Balance detected items as of ``now``: window, dismissals, one-sided lists, follow-ups."""
    since = now - timedelta(days=settings.window_days)
    items: list[LedgerItem] = []
    gone: list[str] = []
    for item in found:
        if not since <= item.at <= now:
            continue
        if item.id in dismissed:
            gone.append(item.id)
        else:
            items.append(item)
    items.sort(key=lambda i: (i.at, i.id))

    sides: dict[str, tuple[list[LedgerItem], list[LedgerItem]]] = {}
    for item in items:
        given, received = sides.setdefault(item.contact, ([], []))
        (given if item.side is Side.GIVEN else received).append(item)
    balances = {
        contact: Balance(contact, tuple(g), tuple(r)) for contact, (g, r) in sorted(sides.items())
    }
    minimum = settings.one_sided_min_items
    invests = sorted(
        (b for b in balances.values() if b.given_count >= minimum and not b.received),
        key=lambda b: (-b.given_count, b.contact),
    )
    gives = sorted(
        (b for b in balances.values() if b.received_count >= minimum and not b.given),
        key=lambda b: (-b.received_count, b.contact),
    )
    followups = sorted(
        (f for b in balances.values() if (f := _thank_or_return(b, settings)) is not None),
        key=lambda f: (f.due, f.contact),
    )
    return Ledger(
        now=now,
        since=since,
        items=tuple(items),
        balances=balances,
        invests_without_return=tuple(invests),
        gives_without_return=tuple(gives),
        followups=tuple(followups),
        dismissed=tuple(sorted(gone)),
    )


def _thank_or_return(balance: Balance, settings: LedgerSettings) -> FollowUp | None:
    asked = [i for i in balance.received if i.proposed]
    if asked and not any(g.at > asked[-1].at for g in balance.given):
        return _thank_for_asked(balance, asked[-1], settings)
    if balance.given or not balance.received:
        return None
    introductions = [i for i in balance.received if i.kind is ItemKind.INTRODUCTION_RECEIVED]
    if not introductions and balance.received_count < settings.thank_min_help:
        return None
    latest = balance.received[-1]
    name = balance.name or balance.contact
    counts = balance.by_kind(Side.RECEIVED)
    reason = phrase(
        "thank_or_return",
        name=name,
        introductions=counts.get(ItemKind.INTRODUCTION_RECEIVED, 0),
        forwards=counts.get(ItemKind.FORWARD_RECEIVED, 0),
        answers=counts.get(ItemKind.ANSWER_RECEIVED, 0),
        days=settings.window_days,
        introduced=tuple(sorted({o for i in introductions for o in i.others})),
    )
    return FollowUp(
        key=f"{THANK_OR_RETURN}:{balance.contact}",
        kind=THANK_OR_RETURN,
        contact=balance.contact,
        due=latest.at + timedelta(days=settings.thank_due_days),
        reason=reason,
        subject=phrase("task_thank_or_return", name=name),
        item=latest.messages[-1],
    )


def _thank_for_asked(
    balance: Balance, item: LedgerItem, settings: LedgerSettings
) -> FollowUp:
    name = balance.name or balance.contact
    return FollowUp(
        key=f"{THANK_OR_RETURN}:{balance.contact}",
        kind=THANK_OR_RETURN,
        contact=balance.contact,
        due=item.at + timedelta(days=settings.thank_due_days),
        reason=phrase("thank_for_asked", name=name, introduced=item.others),
        subject=phrase("task_thank_for_asked", name=name),
        item=item.messages[-1],
    )
