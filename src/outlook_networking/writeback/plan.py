"""The write-back plan: desired state against the mailbox as it is, as a list of actions.

Pure: no sink, no store, no clock. :func:`plan` compares what the network says (each person's
tier, the open follow-ups) with a :class:`~outlook_networking.ports.MailboxState` and
returns the actions that close the gap; :func:`plan_undo` returns the actions that remove what
the product wrote. Both only ever touch what the product owns:

- category names the product owns (one per tier, configurable); a user's own categories on an item
  are kept, in their order, and ours go after them;
- the product's former names (its names in another language, :attr:`CategoryScheme.former`):
  after a language change they are renamed in one plan, the master list's entry re-created under
  the new name with the old entry's colour, every contact carrying the old name given the new
  one, and the old entry removed last (:func:`plan` puts the removals at the end, after which
  no item carries the old name);
- master-list entries the product added (known from the journal);
- tasks and contacts the product created (the sink finds them by the product's marker); a task
  or contact the user deleted is not made again (the journal says the product made it).

What the user takes away stays away until an ``undo`` (which marks the journal undone, so the
next apply starts afresh): a tier's category the user took off a contact is not put back while
the person stays in that tier or returns to it (under any of the tier's names, a rename to
another language included), just as a declined category on a message
(:mod:`.messages`). A move to another tier is a new judgement the user has not refused: that
tier's category is written, and the old tier's goes as usual. Tasks alike: a task the user
completed stays completed, one the user edited keeps the user's title, due date and text until
the product's own wish for it changes (the journal says what the product last wrote), and one
the product completed that the user opened again stays open. So :func:`tasks_to_read` can name
the few tasks a plan needs to see, and reading those gives the plan reading all would.

Running :func:`plan` again on the state it produced yields no actions (idempotence), which the
tests check on every sink.

Exports: ``DEFAULT_CATEGORY_NAMES``, ``CategoryScheme``, ``DesiredContact``, ``DesiredTask``,
``Desired``, ``WritebackPlan``, ``JournalEntry``, ``plan``, ``plan_undo``, ``tasks_to_read``
(``i18n.actions`` words each action for the dry-run listing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

from ..model import TIERS
from ..ports import (
    Action,
    AddCategory,
    CompleteTask,
    CreateContact,
    CreateTask,
    DeleteContact,
    DeleteTask,
    MailboxState,
    RemoveCategory,
    SetCategories,
    UpdateTask,
)

__all__ = [
    "DEFAULT_CATEGORY_NAMES",
    "CategoryScheme",
    "Desired",
    "DesiredContact",
    "DesiredTask",
    "JournalEntry",
    "WritebackPlan",
    "plan",
    "plan_undo",
    "tasks_to_read",
]

DEFAULT_CATEGORY_NAMES: Mapping[str, str] = MappingProxyType({t: f"Network {t}" for t in TIERS})
# Outlook's colour presets (EWS ``color`` n, Graph ``presetN``): green, blue, yellow, grey.
_DEFAULT_COLOURS = {"A": 4, "B": 7, "C": 3, "D": 12}


@dataclass(frozen=True, slots=True)
class CategoryScheme:
    """The category names (and colours) the product owns, one per tier, and its former names.

    The application builds it for the user's language (:func:`outlook_networking.i18n.
    category_scheme`); the defaults here are the English names, "Network A" … "Network D".
    ``former`` maps a tier to names the product used for it before (its names in the other
    languages): an item or master-list entry carrying one is renamed to the tier's name.
    """

    names: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CATEGORY_NAMES))
    colours: Mapping[str, int] = field(default_factory=lambda: dict(_DEFAULT_COLOURS))
    former: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def owned(self) -> frozenset[str]:
        """Every name that is the product's: the current ones and the former ones."""
        return frozenset(self.names.values()) | self.former_names

    @property
    def former_names(self) -> frozenset[str]:
        return frozenset(n for names in self.former.values() for n in names) - frozenset(
            self.names.values()
        )

    def for_tier(self, tier: str) -> str:
        return self.names[tier]

    def renamed(self, name: str) -> str | None:
        """The current name for a former name (None for any other name)."""
        if name not in self.former_names:
            return None
        return next(self.names[t] for t, names in self.former.items() if name in names)

    def names_of(self, tier: str) -> tuple[str, ...]:
        """The tier's name and its former names."""
        return (self.names[tier], *(n for n in self.former.get(tier, ()) if n in self.owned))


@dataclass(frozen=True, slots=True)
class DesiredContact:
    """A person of the network: their addresses, name and tier."""

    addresses: tuple[str, ...]
    name: str
    tier: str


@dataclass(frozen=True, slots=True)
class DesiredTask:
    """An open follow-up, as the task that should stand for it."""

    key: str
    subject: str
    due: datetime | None
    body: str


@dataclass(frozen=True, slots=True)
class Desired:
    """What the mailbox should show."""

    contacts: tuple[DesiredContact, ...]
    tasks: tuple[DesiredTask, ...]
    create_contacts_for: frozenset[str] = frozenset()  # tiers whose people get a contact made


@dataclass(frozen=True, slots=True)
class WritebackPlan:
    """The actions, in the order they must run (master list before the items that use it), and
    the marks the user was seen to take off messages (``(message, mark)``), which applying the
    plan remembers in the store."""

    actions: tuple[Action, ...]
    declined: frozenset[tuple[str, str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.actions)

    def __len__(self) -> int:
        return len(self.actions)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """An action the product applied (or began to apply: ``done`` false after a crash)."""

    action: Action
    item_id: str
    done: bool


def _with_ours(
    current: Sequence[str], owned: frozenset[str], ours: Iterable[str]
) -> tuple[str, ...]:
    """The item's categories with exactly ``ours`` of the product's names.

    Everything else stays where it is; a wanted name already present keeps its place, and a
    missing one goes last: never reorder or drop a user's own category.
    """
    wanted = list(dict.fromkeys(ours))
    kept = [c for c in current if c not in owned or c in wanted]
    kept.extend(name for name in wanted if name not in kept)
    return tuple(kept)


def _same_day(have: datetime | None, want: datetime | None) -> bool:
    """Due dates compare by day, in the zone the mailbox gave ``have`` in: Microsoft To Do
    keeps only the date (of the mailbox's zone), so a time would make every run plan an
    update, and the UTC day is the wrong one on the other side of midnight."""
    if have is None or want is None:
        return have is want
    return have.date() == want.astimezone(have.tzinfo or UTC).date()


def plan(
    desired: Desired,
    state: MailboxState,
    scheme: CategoryScheme,
    journal: Sequence[JournalEntry] = (),
) -> WritebackPlan:
    """The actions that bring ``state`` to ``desired``, touching only what the product owns.

    A task or contact the ``journal`` says the product made (and has not undone since) that the
    mailbox no longer holds was deleted by the user: it is not made again, whoever wants it. A
    tier's category the journal shows the user took off a contact is not put back (see the
    module docstring).
    """
    owned = scheme.owned
    actions: list[Action] = []

    used_tiers = {c.tier for c in desired.contacts}
    master = {c.name: c for c in state.master_categories}
    for tier in TIERS:
        name = scheme.for_tier(tier)
        if name in master:
            continue
        old = next((master[n] for n in scheme.names_of(tier)[1:] if n in master), None)
        if tier in used_tiers or old is not None:
            colour = old.color if old is not None else scheme.colours.get(tier, -1)
            actions.append(AddCategory(name, colour))

    by_address: dict[str, DesiredContact] = {}
    for person in desired.contacts:
        for address in person.addresses:
            by_address.setdefault(address.lower(), person)

    writes = _contact_writes(journal)
    covered: set[int] = set()
    for contact in state.contacts:
        match = next(
            (by_address[a.lower()] for a in contact.addresses if a.lower() in by_address), None
        )
        ours: list[str] = []
        if match is not None:
            covered.add(id(match))
            name = scheme.for_tier(match.tier)
            item_writes = writes.get(contact.item_id)
            refused = (
                _fold(item_writes, contact.categories, owned)[1] if item_writes else frozenset()
            )
            # Taken off by the user under any of the tier's names: theirs to put back, not ours.
            if name in contact.categories or not refused & set(scheme.names_of(match.tier)):
                ours = [name]
        after = _with_ours(contact.categories, owned, ours)
        if after != tuple(contact.categories):
            actions.append(SetCategories("contact", contact.item_id, contact.categories, after))

    made_for = {
        a.lower()
        for e in journal
        if e.done and isinstance(e.action, CreateContact)
        for a in e.action.addresses
    }
    for person in desired.contacts:
        if (
            person.tier in desired.create_contacts_for
            and id(person) not in covered
            # made by us and gone: the user deleted it, and wins
            and not made_for & {a.lower() for a in person.addresses}
        ):
            actions.append(
                CreateContact(person.name, person.addresses, (scheme.for_tier(person.tier),))
            )

    current_tasks = {t.key: t for t in state.tasks}
    wanted = {t.key: t for t in desired.tasks}
    made = {e.action.key for e in journal if e.done and isinstance(e.action, CreateTask)}
    last = _last_task_writes(journal)
    for key, task in wanted.items():
        have = current_tasks.get(key)
        if have is None:
            if key not in made:  # made by us and gone: the user deleted it, and wins
                actions.append(CreateTask(key, task.subject, task.due, task.body))
        elif (
            not have.complete
            and not _as_written(last.get(key), task)
            and (
                have.subject != task.subject
                or not _same_day(have.due, task.due)
                or have.body != task.body
            )
        ):
            actions.append(UpdateTask(key, have.item_id, task.subject, task.due, task.body))
        # A task the user completed stays completed: their judgement wins over ours. And what
        # the user changed on a task stays until the product's wish for it changes.
    for key, have in current_tasks.items():
        if key not in wanted and not have.complete and not _closed_by_us(last.get(key)):
            # (One the product closed and the user opened again is the user's to close.)
            actions.append(CompleteTask(key, have.item_id))
    # Last: a former name leaves the master list once no item of ours carries it any more.
    for name in sorted(scheme.former_names & set(master)):
        actions.append(RemoveCategory(name, master[name].color))
    return WritebackPlan(tuple(actions))


def tasks_to_read(desired: Desired, journal: Sequence[JournalEntry]) -> frozenset[str] | None:
    """The item ids of the product's tasks :func:`plan` needs to see for ``desired``, or None
    where it needs every one.

    The journal says what the product last wrote to each task. A task whose wish is exactly
    what the product last wrote gets no action whatever the user did to it since (completed,
    edited, deleted: the user wins), nor does one the product completed and no longer wants:
    :func:`plan` with only the other tasks plans what it plans with all of them. A task the
    product completed and wants again is read (the user may have opened it again). Only what
    the journal cannot vouch for needs every task: an action begun and not known to be done (a
    crash), or a write without the item it touched. A task of the product's that the journal
    does not name (made by another installation, or before the store was lost) is seen only by
    a read of every task, which the application does now and then (``app.pipeline``).
    """
    wanted = {t.key: t for t in desired.tasks}
    ids: set[str] = set()
    for key, entry in _last_task_writes(journal).items():
        if not entry.done or not entry.item_id:
            return None
        task = wanted.get(key)
        if task is None and _closed_by_us(entry):
            continue
        if not _as_written(entry, task):
            ids.add(entry.item_id)
    return frozenset(ids)


_TASK_ACTIONS = (CreateTask, UpdateTask, CompleteTask, DeleteTask)


def _last_task_writes(journal: Sequence[JournalEntry]) -> dict[str, JournalEntry]:
    """Each task's last write by the product, by key; one begun and not known to be done
    vouches for nothing (:func:`_as_written`, :func:`_closed_by_us` ask for ``done``)."""
    last: dict[str, JournalEntry] = {}
    for entry in journal:
        if isinstance(entry.action, _TASK_ACTIONS):
            last[entry.action.key] = entry
    return last


def _as_written(entry: JournalEntry | None, task: DesiredTask | None) -> bool:
    """Whether the product's last write (``entry``) left the task exactly as ``task`` wants."""
    if entry is None or task is None or not entry.done:
        return False
    action = entry.action
    if not isinstance(action, CreateTask | UpdateTask):
        return False
    return action.subject == task.subject and action.due == task.due and action.body == task.body


def _closed_by_us(entry: JournalEntry | None) -> bool:
    """Whether the product's last write completed the task (or, in an undo, deleted it)."""
    return entry is not None and entry.done and isinstance(entry.action, CompleteTask | DeleteTask)


def _contact_writes(
    journal: Sequence[JournalEntry],
) -> dict[str, list[tuple[SetCategories, bool]]]:
    """The product's category writes to each contact, by item id, oldest first, each with
    whether it is known to be done; a contact the product made counts as a write from nothing
    to the categories it made it with."""
    writes: dict[str, list[tuple[SetCategories, bool]]] = {}
    for entry in journal:
        action = entry.action
        if isinstance(action, CreateContact) and entry.done:
            action = SetCategories("contact", entry.item_id, (), action.categories)
        if isinstance(action, SetCategories) and action.item_kind == "contact":
            writes.setdefault(action.item_id, []).append((action, entry.done))
    return writes


def _fold(
    writes: Sequence[tuple[SetCategories, bool]], current: Sequence[str], owned: frozenset[str]
) -> tuple[list[str], frozenset[str]]:
    """The product-owned names the user gave an item, and those the user took off it, from the
    product's writes to it (each with whether it is known to be done, in order) and the item as
    it is now.

    They start as the names the item had before the product's first write, and nothing taken
    off. Between two writes (and since the last), a name the item gained that the product's
    write had not left there is the user's addition (which also withdraws an earlier removal),
    and a name the product's write had left there that is gone was removed by the user. A write
    begun but not known to be done may or may not have happened, so only what holds either way
    counts.
    """

    def names(categories: Iterable[str]) -> frozenset[str]:
        return frozenset(c for c in categories if c in owned)

    theirs = [c for c in writes[0][0].before if c in owned]
    removed: frozenset[str] = frozenset()
    for n, (action, done) in enumerate(writes):
        # What this write may have left on the item, and what the next one (or now) found there.
        left = [names(action.after)] if done else [names(action.after), names(action.before)]
        found = names(writes[n + 1][0].before if n + 1 < len(writes) else current)
        gone = frozenset.intersection(*left) - found
        gained = found - frozenset.union(*left)
        theirs = [c for c in theirs if c not in gone]
        theirs.extend(sorted(gained - set(theirs)))
        removed = (removed | gone) - gained
    return theirs, removed


def _master_list_changes(
    journal: Sequence[JournalEntry],
) -> tuple[set[str], dict[str, int], dict[str, int], dict[str, int]]:
    """What the product did to the master list: the entries it made; the user's entries it took
    away (a former name on a language change), each with the user's colour; of those, the ones
    it made again since (a change of language back), each with the colour it gave them; and the
    ones it began to make again without knowing whether that happened (a crash mid-action).

    A name is the product's when the product's first word on it was to add it; any other name
    the product removed was the user's. A removal tells the user's colour only when the entry
    removed was the user's, not the product's own re-addition. An addition that may not have
    happened (begun, not known to be done) leaves the entry counted as taken.
    """
    added: set[str] = set()
    users: dict[str, int] = {}
    again: dict[str, int] = {}
    begun: dict[str, int] = {}
    for entry in journal:
        match entry.action:
            case AddCategory(name, colour) if name in users:
                (again if entry.done else begun)[name] = colour
            case AddCategory(name):
                added.add(name)
            case RemoveCategory(name, colour) if name not in added:
                if name not in users or name not in again:
                    users[name] = colour
                again.pop(name, None)
                begun.pop(name, None)
    return added, users, again, begun


def plan_undo(
    journal: Sequence[JournalEntry], state: MailboxState, scheme: CategoryScheme
) -> WritebackPlan:
    """The actions that remove everything the product wrote, and nothing else.

    Tasks and contacts the product created carry its marker, so they are found in ``state`` even
    when a crash kept their journal entry from being completed. Categories on contacts keep the
    user's own categories as they are, and get back the product-owned names the user gave them
    (see :func:`_fold`). Master-list entries go only if the product added them; an entry
    the product removed that it had not added (a former name the user had) comes back with its
    colour. Messages are :func:`.messages.plan_message_undo`'s.
    """
    owned = scheme.owned
    actions: list[Action] = []

    present = {c.name: c for c in state.master_categories}
    added, users, again, begun = _master_list_changes(journal)
    for name, colour in sorted(users.items()):
        made = again.get(name, begun.get(name))
        if name not in again and name not in present:
            actions.append(AddCategory(name, colour))  # the user's entry, taken by a rename
        elif (
            made is not None
            and made != colour
            and name in present
            and present[name].color == made
        ):
            # Made again by a rename back (or begun before a crash, and there: it happened), in
            # another colour: the user's colour comes back (the removal runs first, see
            # pipeline's ordering).
            actions.extend((RemoveCategory(name, made), AddCategory(name, colour)))

    writes = _contact_writes(journal)
    contact_categories = {c.item_id: c.categories for c in state.contacts}
    deleted_contacts = {c.item_id for c in state.contacts if c.product_owned}
    for item_id, item_writes in writes.items():
        if item_id in deleted_contacts:
            continue
        current = contact_categories.get(item_id)
        if current is None:
            continue  # the item is gone: nothing of ours is left on it
        restored = _with_ours(current, owned, _fold(item_writes, current, owned)[0])
        if restored != tuple(current):
            actions.append(SetCategories("contact", item_id, tuple(current), restored))

    for task in state.tasks:
        actions.append(DeleteTask(task.key, task.item_id))
    for item_id in sorted(deleted_contacts):
        actions.append(DeleteContact(item_id))

    for name in sorted(added & set(present)):
        actions.append(RemoveCategory(name, present[name].color))
    return WritebackPlan(tuple(actions))
