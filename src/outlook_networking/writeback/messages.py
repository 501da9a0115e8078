"""Marks on messages: tier categories and follow-up flags, planned against what the product wrote.

Pure: the account's messages as the store holds them, the journal's message entries, the marks
the user declined, the network's tiers and follow-ups and ``now`` in; actions and the declines
newly seen out. Three views of a message meet here:

- **now**: what the message shows (:class:`~..ports.StoredMessage`: as last synced, or
  as the last apply wrote it, whichever is newer; for undo, as the sink reads it);
- **ours**: what the product wrote there and still owns, folded from the journal
  (:func:`product_marks`): the categories it added and has not taken off since, the last flag
  it set and the flag the message had before. A begun entry (a crash between journal and
  answer) counts only when the message shows it;
- **declined**: a mark of ours the user took off (a category gone from the message, a flag of
  ours cleared or completed by the user): remembered in the store, never put back.

The rules:

- a message in the window, received from a person of a tagged tier or sent by the owner to one,
  carries that tier's category (the best tier among its people); a category of ours that no
  longer fits (the person changed tier) goes; the user's own categories stay, in their order,
  and ours go after them; a declined category is not put back;
- a message is one interaction with a copy per folder it sits in (:class:`~..ports.StoredMessage`);
  categories go on each copy in the window, each written once; the marks the journal names under
  an id that is gone (the message moved) belong to the copies it moved to;
- a follow-up that flags its message: an unflagged message gets the flag on one copy (start: the
  message's time; due: the follow-up's due time), found in this account whichever source stored
  the message first; a message the user flagged (any copy) is left as it is, and so is a flag of
  ours the user cleared or completed; a flag of ours still standing when the follow-up is
  over (the owner replied) is set to complete;
- a former name of the product's (its name in another language, ``CategoryScheme.former``) is
  the product's wherever it is: on a message in the window it goes like any category of ours
  that no longer fits (the tier's current name takes its place where the rules want one), on
  any other message it becomes the tier's current name; a former name the user had put there
  is remembered as taken (:func:`product_marks`), and undo gives it back;
- undo (:func:`plan_message_undo`) takes off the categories of ours still there, puts back a
  category of the user's that a rename took, and gives a flag of ours, still as we left it,
  back what it was before; what the user changed since stays.

Exports: ``DesiredMessages``, ``WantedFlag``, ``ProductMarks``, ``MessagePlan``,
``ContactMarks``, ``message_key``, ``product_marks``, ``plan_messages``, ``plan_message_undo``,
``by_contact``.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..ports import (
    Action,
    FollowUpFlag,
    MessageState,
    SetCategories,
    SetFlag,
    StoredMessage,
)
from .plan import CategoryScheme, JournalEntry

__all__ = [
    "ContactMarks",
    "DesiredMessages",
    "MessagePlan",
    "ProductMarks",
    "WantedFlag",
    "by_contact",
    "message_key",
    "plan_message_undo",
    "plan_messages",
    "product_marks",
]

FLAG_MARK = "flag"


def _category_mark(name: str) -> str:
    return f"category:{name}"


def message_key(message_id: str, item_id: str) -> str:
    """How the store remembers a message's declines: its Internet Message-ID (which survives a
    move, unlike an EWS item id), else its item id."""
    return message_id or f"id:{item_id}"


@dataclass(frozen=True, slots=True)
class WantedFlag:
    """A follow-up that should flag its message (``interaction``: the stored message's
    ``source:item_id``, as the follow-up names it, whichever source stored it first)."""

    interaction: str
    key: str
    contact: str
    due: datetime


@dataclass(frozen=True, slots=True)
class DesiredMessages:
    """What the network wants on the account's messages.

    ``person_of`` maps every known address to its person; ``tier`` maps people to tiers;
    ``since`` is the start of the tagging window (``None``: no categories on messages);
    ``flags`` are keyed by the interaction each follow-up is about.
    """

    owner: frozenset[str]
    person_of: Mapping[str, str]
    tier: Mapping[str, str]
    tag_tiers: frozenset[str] = frozenset()
    since: datetime | None = None
    flags: Mapping[str, WantedFlag] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProductMarks:
    """What the product wrote on one message (by the item id it wrote to) and still owns."""

    item_id: str
    message_id: str = ""
    categories: frozenset[str] = frozenset()
    taken: frozenset[str] = frozenset()  # the user's categories the product took off (a rename)
    flag: FollowUpFlag | None = None  # the last flag the product set there
    flag_before: FollowUpFlag | None = None  # the flag before the product's first one


@dataclass(frozen=True, slots=True)
class MessagePlan:
    """The actions for the account's messages, and the declines seen (``(message, mark)``)."""

    actions: tuple[Action, ...] = ()
    declined: frozenset[tuple[str, str]] = frozenset()
    unflagged: frozenset[str] = frozenset()  # wanted flags (interactions) this account lacks


def _shows(state: MessageState | None, action: Action) -> bool:
    """Whether the message shows what a begun (maybe never sent) action would have done."""
    if state is None:
        return False
    if isinstance(action, SetFlag):
        return state.flag.status == action.after.status
    assert isinstance(action, SetCategories)
    have = set(state.categories)
    return set(action.after) - set(action.before) <= have and not (
        (set(action.before) - set(action.after)) & have
    )


def product_marks(
    entries: Iterable[JournalEntry], current: Mapping[str, MessageState]
) -> dict[str, ProductMarks]:
    """Fold the journal's message entries, oldest first, into what the product owns on each
    message, keyed by the item id the journal names; ``current`` (by the same ids) decides
    whether a begun entry took effect."""
    out: dict[str, ProductMarks] = {}
    for entry in entries:
        action = entry.action
        if not isinstance(action, SetCategories | SetFlag) or (
            isinstance(action, SetCategories) and action.item_kind != "message"
        ):
            continue
        if not entry.done and not _shows(current.get(action.item_id), action):
            continue
        marks = out.get(action.item_id) or ProductMarks(action.item_id, action.message_id)
        if isinstance(action, SetFlag):
            marks = replace(
                marks,
                flag=action.after,
                flag_before=marks.flag_before if marks.flag_before is not None else action.before,
            )
        else:
            added = set(action.after) - set(action.before)
            removed = set(action.before) - set(action.after)
            # A name given back to the user is theirs again, not ours.
            taken = (marks.taken | (removed - marks.categories)) - added
            given_back = added & marks.taken
            marks = replace(
                marks,
                categories=frozenset((marks.categories - removed) | (added - given_back)),
                taken=frozenset(taken),
            )
        out[action.item_id] = marks
    return out


def _resolve(
    journal: Sequence[JournalEntry], messages: Sequence[StoredMessage]
) -> dict[str, ProductMarks]:
    """What the product owns on each copy, by the copy's item id.

    A journalled id names its copy; one that is gone (an EWS message moved and got a new id)
    stands for the copies with its Message-ID that the journal names under no id of their own:
    the one such copy, or where the user keeps several (moved one, copied it), those that show
    a mark of ours (all of them when none does: the user took it off everywhere)."""
    by_id = {m.item_id: m for m in messages}
    by_mid: dict[str, list[StoredMessage]] = {}
    for m in messages:
        if m.state.message_id:
            by_mid.setdefault(m.state.message_id, []).append(m)
    journalled = {
        e.action.item_id for e in journal if isinstance(e.action, SetCategories | SetFlag)
    }
    moved: dict[str, list[StoredMessage]] = {}
    current: dict[str, MessageState] = {}
    for entry in journal:
        action = entry.action
        if not isinstance(action, SetCategories | SetFlag) or action.item_id in current:
            continue
        found = by_id.get(action.item_id)
        if found is not None:
            current[action.item_id] = found.state
            continue
        copies = [m for m in by_mid.get(action.message_id, ()) if m.item_id not in journalled]
        if copies:
            moved[action.item_id] = copies
            current[action.item_id] = copies[0].state
    out: dict[str, ProductMarks] = {}
    for journal_id, owned in product_marks(journal, current).items():
        if journal_id in by_id:
            out[journal_id] = owned
            continue
        copies = moved.get(journal_id, [])
        showing = [m for m in copies if _shows_ours(m.state, owned)]
        for m in showing or copies:
            out[m.item_id] = owned  # a later move's marks win
    return out


def _shows_ours(state: MessageState, owned: ProductMarks) -> bool:
    """Whether a copy shows a mark the product owns on the message (a category, its flag)."""
    return bool(owned.categories & set(state.categories)) or (
        owned.flag is not None and owned.flag.flagged and state.flag.status == owned.flag.status
    )


def _declined(mark: tuple[str, str], *sets: Container[tuple[str, str]]) -> bool:
    return any(mark in marks for marks in sets)


def _people(message: StoredMessage, owner: frozenset[str]) -> list[str]:
    """Whom a message is with: its sender if the owner received it, else its recipients."""
    if message.sender and message.sender not in owner:
        return [message.sender]
    return [a for a in message.recipients if a not in owner]


def plan_messages(
    desired: DesiredMessages,
    messages: Sequence[StoredMessage],
    journal: Sequence[JournalEntry],
    declined: frozenset[tuple[str, str]],
    scheme: CategoryScheme,
    now: datetime,
) -> MessagePlan:
    """The category and flag actions for the account's messages (see the module docstring).

    Categories go on every copy in the window (each is an item of its own in the mailbox); a
    follow-up's flag (``desired.flags``, by the interaction it is about) on one copy only."""
    ours = _resolve(journal, messages)  # by the copy's item id
    seen: set[tuple[str, str]] = set()
    for message in messages:
        seen.update(_taken_off(message.state, ours.get(message.item_id)))
    actions: list[Action] = []
    for message in messages:
        if desired.since is not None and message.at >= desired.since:
            actions.extend(
                _tag(message, desired, ours.get(message.item_id), declined, seen, scheme)
            )
        else:
            actions.extend(_rename(message, scheme))
    stored = {m.item_id: m for m in messages}
    copies: dict[str, list[StoredMessage]] = {}
    for m in messages:
        copies.setdefault(m.interaction, []).append(m)
    unflagged: set[str] = set()
    for interaction, wanted in desired.flags.items():
        if interaction not in copies:
            unflagged.add(interaction)
            continue
        actions.extend(_flag(copies[interaction], wanted, ours, declined, seen))
    for item_id, owned in ours.items():
        if stored[item_id].interaction not in desired.flags:
            actions.extend(_complete(stored[item_id], owned, desired, now))
    # A message's actions side by side: a sink writes them in one request for that message.
    by_message: dict[str, list[Action]] = {}
    for action in actions:
        assert isinstance(action, SetCategories | SetFlag)
        by_message.setdefault(action.item_id, []).append(action)
    ordered = tuple(a for group in by_message.values() for a in group)
    return MessagePlan(ordered, frozenset(seen - declined), frozenset(unflagged))


def _taken_off(state: MessageState, owned: ProductMarks | None) -> set[tuple[str, str]]:
    """The marks of ours the user took off: categories gone, a flag cleared or completed."""
    if owned is None:
        return set()
    key = message_key(state.message_id, state.item_id)
    gone = {(key, _category_mark(c)) for c in owned.categories if c not in state.categories}
    if owned.flag is not None and owned.flag.flagged and not state.flag.flagged:
        gone.add((key, FLAG_MARK))
    return gone


def _tag(
    message: StoredMessage,
    desired: DesiredMessages,
    owned: ProductMarks | None,
    declined: Container[tuple[str, str]],
    seen: Container[tuple[str, str]],
    scheme: CategoryScheme,
) -> list[Action]:
    """The category change one message in the window needs, if any."""
    state = message.state
    key = message_key(state.message_id, state.item_id)
    people = [desired.person_of[a] for a in _people(message, desired.owner)
              if a in desired.person_of]  # fmt: skip
    tiers = sorted(
        (desired.tier[p], p) for p in people if desired.tier.get(p) in desired.tag_tiers
    )
    # A mark declined under any of the tier's names (before a rename too) stays declined.
    wanted = {
        scheme.for_tier(tier)
        for tier in ([tiers[0][0]] if tiers else [])
        if not any(
            _declined((key, _category_mark(c)), declined, seen) for c in scheme.names_of(tier)
        )
    }
    current = tuple(state.categories)
    mine = owned.categories if owned else frozenset()
    drop = ((mine | scheme.former_names) & set(current)) - wanted
    add = sorted(wanted - set(current))
    if not drop and not add:
        return []
    after = tuple(c for c in current if c not in drop) + tuple(add)
    contact = tiers[0][1] if tiers else (people[0] if people else "")
    return [
        SetCategories(
            "message", state.item_id, current, after,
            message_id=state.message_id, version=state.version, contact=contact,
        )
    ]  # fmt: skip


def _rename(message: StoredMessage, scheme: CategoryScheme) -> list[Action]:
    """A message outside the tagging: its former names become the current ones, nothing else
    (whose a name was, the journal's entry for the rename keeps: :func:`product_marks`)."""
    state = message.state
    current = tuple(state.categories)
    old = {name: new for name in current if (new := scheme.renamed(name)) is not None}
    if not old:
        return []
    kept = tuple(c for c in current if c not in old)
    after = kept + tuple(dict.fromkeys(new for new in old.values() if new not in kept))
    return [
        SetCategories(
            "message", state.item_id, current, after,
            message_id=state.message_id, version=state.version,
        )
    ]  # fmt: skip


def _flag(
    copies: Sequence[StoredMessage],
    wanted: WantedFlag,
    ours: Mapping[str, ProductMarks],
    declined: Container[tuple[str, str]],
    seen: Container[tuple[str, str]],
) -> list[Action]:
    """Flag the message a follow-up is about (its first copy), unless a copy has a flag (ours or
    the user's) or the user declined ours."""
    message = copies[0]
    state = message.state
    key = message_key(state.message_id, state.item_id)
    if _declined((key, FLAG_MARK), declined, seen):
        return []
    for copy in copies:
        owned = ours.get(copy.item_id)
        if (owned is not None and owned.flag) or copy.state.flag.status != "notFlagged":
            return []  # ours, or the user's own flag
    return [
        SetFlag(
            state.item_id, state.flag, FollowUpFlag("flagged", start=message.at, due=wanted.due),
            message_id=state.message_id, version=state.version, key=wanted.key,
            contact=wanted.contact,
        )
    ]  # fmt: skip


def _complete(
    message: StoredMessage, owned: ProductMarks, desired: DesiredMessages, now: datetime
) -> list[Action]:
    """Complete a flag of ours still standing on a message whose follow-up is over."""
    state = message.state
    if owned.flag is None or not owned.flag.flagged or not state.flag.flagged:
        return []
    people = _people(message, desired.owner)
    return [
        SetFlag(
            state.item_id, state.flag, FollowUpFlag("complete", completed=now),
            message_id=state.message_id, version=state.version,
            contact=desired.person_of.get(people[0], "") if people else "",
        )
    ]  # fmt: skip


def plan_message_undo(
    journal: Sequence[JournalEntry], states: Mapping[str, MessageState]
) -> list[Action]:
    """Take off the categories of ours still on each message, and give a flag of ours, still as
    we left it, back what it was before; ``states`` are the messages as they are now, keyed by
    the item id the journal names (a moved message's state carries its new id)."""
    actions: list[Action] = []
    for journal_id, marks in product_marks(journal, states).items():
        state = states.get(journal_id)
        if state is None:
            continue  # gone: nothing of ours is left on it
        current = tuple(state.categories)
        drop = marks.categories & set(current)
        back = sorted(marks.taken - set(current))
        if drop or back:
            after = tuple(c for c in current if c not in drop) + tuple(back)
            actions.append(
                SetCategories(
                    "message", state.item_id, current, after,
                    message_id=state.message_id, version=state.version,
                )
            )  # fmt: skip
        if (
            marks.flag is not None
            and marks.flag_before is not None
            and state.flag.status == marks.flag.status
            and state.flag.status != marks.flag_before.status
        ):
            actions.append(
                SetFlag(
                    state.item_id, state.flag, marks.flag_before,
                    message_id=state.message_id, version=state.version,
                )
            )  # fmt: skip
    return actions


@dataclass
class ContactMarks:
    """The message actions for one contact, counted, for the dry-run listing."""

    contact: str
    messages: int = 0
    added: dict[str, int] = field(default_factory=dict)  # category -> messages
    removed: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)  # new status -> messages


def by_contact(actions: Iterable[Action]) -> list[ContactMarks]:
    """Message actions grouped per contact (most messages first), with counts."""
    groups: dict[str, ContactMarks] = {}
    touched: dict[str, set[str]] = {}
    for action in actions:
        if isinstance(action, SetCategories) and action.item_kind == "message":
            group = groups.setdefault(action.contact, ContactMarks(action.contact))
            for name in set(action.after) - set(action.before):
                group.added[name] = group.added.get(name, 0) + 1
            for name in set(action.before) - set(action.after):
                group.removed[name] = group.removed.get(name, 0) + 1
        elif isinstance(action, SetFlag):
            group = groups.setdefault(action.contact, ContactMarks(action.contact))
            status = action.after.status
            group.flags[status] = group.flags.get(status, 0) + 1
        else:
            continue
        touched.setdefault(action.contact, set()).add(action.item_id)
    for contact, items in touched.items():
        groups[contact].messages = len(items)
    return sorted(groups.values(), key=lambda g: (-g.messages, g.contact))
