"""Undo across many write-back runs: a Hypothesis state machine over the in-memory mailbox and
both test servers (vdirsyncer tests its sync the same way).

The machine plays the product and the user in random order: write-back runs (complete, stopped by
a dropped connection after k actions, or killed after the sink acted but before the journal said
so), tier changes, new mail that owes a reply and answers that settle it, the user's own edits
(adding and removing categories on contacts, the product's names included; renaming contacts;
completing and retitling tasks), changes of language (English, German: the product's categories
are renamed, and a master-list entry of the user's under the other language's name goes), and
undo (complete, or itself interrupted).

It keeps its own model of what the user made: each contact's categories as the user gave them,
its name, the user's own tasks and master categories. The promises checked:

- at every step: the user's own categories keep their order, names and the user's tasks are
  untouched (the product only ever changes what it owns);
- after a complete apply: planning again changes nothing, and a product name the user took off a
  contact since the product's last (known) write to it is not on it again;
- after a complete undo: every contact the user made equals its last user-made state (their own
  categories in their order, the product's names exactly as the user put them there), the
  product's contacts and tasks are gone, the master list is the user's (an entry a language
  change took away is back in its colour), and a second undo has nothing to do.

The server-backed variants run few examples (each step is real HTTP through exchangelib or
httpx); the in-memory one takes the profile's count (docs/testing.md).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from outlook_networking.app.pipeline import ApplyReport, apply_plan, undo
from outlook_networking.config import config_from_mapping
from outlook_networking.errors import ConnectionFailed
from outlook_networking.i18n import LANGUAGES, Wording, category_scheme
from outlook_networking.ports import (
    Action,
    AddCategory,
    Applied,
    MailboxState,
    RemoveCategory,
    SetCategories,
    Sink,
    TaskState,
)
from outlook_networking.store import Store
from outlook_networking.writeback.plan import (
    Desired,
    DesiredContact,
    DesiredTask,
    JournalEntry,
    plan,
)

from .worlds import EwsWorld, GraphWorld, MemoryWorld, TaskSeen, World

SCHEMES = {
    language: category_scheme(config_from_mapping({}), Wording(language)) for language in LANGUAGES
}
SCHEME = SCHEMES["en"]
OWNED = tuple(sorted(SCHEME.owned))  # "Network A" .. "Network D", "Netzwerk A" .. "Netzwerk D"
OWN = ("Customer", "Family", "Golf", "VIP")
PEOPLE = {
    "ann@partner.example": "Ann Partner",
    "ben@client.example": "Ben Client",
    "cy@old.example": "Cy Old",
    "dora@new.example": "Dora New",  # no contact: the product makes one for some tiers
    "eve@far.example": "Eve Far",
}
WITH_CONTACTS = tuple(PEOPLE)[:3]
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
_pick = st.integers(min_value=0, max_value=999)
_tier = st.sampled_from("ABCD")


class Died(Exception):
    """The process was killed: nothing in apply_plan or undo catches this."""


@dataclass
class CrashingSink:
    """A sink that fails at action number ``after`` (counting from 0).

    ``die`` false: the connection drops before that action, which a sink reports as a
    ``ConnectorError``. ``die`` true: the sink carries the action out and the process dies before
    the journal can say so, leaving an entry begun but not done.
    """

    inner: Sink
    after: int
    die: bool
    asked: list[Action] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.inner.name

    def read_state(self, *, tasks: bool = True) -> MailboxState:
        return self.inner.read_state(tasks=tasks)

    def read_tasks(self, item_ids: Collection[str] | None = None) -> tuple[TaskState, ...]:
        return self.inner.read_tasks(item_ids)

    def apply(self, action: Action) -> Applied:
        self.asked.append(action)
        if len(self.asked) > self.after:
            if self.die:
                self.inner.apply(action)
                raise Died
            raise ConnectionFailed(self.inner.name, "the connection dropped")
        return self.inner.apply(action)


class UndoMachine(RuleBasedStateMachine):
    """The product and the user taking turns on one mailbox; see the module docstring."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.sink = world.sink()
        self.folder = Path(tempfile.mkdtemp(prefix="undo-machine-"))
        self.store = Store.open(self.folder / "network.sqlite3")
        self.runs = 0
        self.scheme = SCHEME
        self.mails = 0
        self.tiers: dict[str, str] = {}
        self.create_for: frozenset[str] = frozenset()
        self.tasks: dict[str, DesiredTask] = {}
        # The model of what the user made.
        self.categories: dict[str, list[str]] = {}  # the user's contact -> categories they gave
        self.names: dict[str, str] = {}
        self.own_tasks: dict[str, TaskSeen] = {}
        self.master: dict[str, int] = {}
        # The product's names an interrupted write was changing on a contact. Until a later write
        # to that contact is done, nobody can tell whether the write happened: had the user put
        # such a name on or taken it off meanwhile, undo could not know it was the user's doing
        # (the journal says "begun, maybe applied"). The user here leaves those names alone.
        self.uncertain: dict[str, set[str]] = {}
        self.master_added: set[str] = set()  # names the journal says the product added
        self.master_taken: set[str] = set()  # names of the user's the product took off the list
        # Per contact: the product's names on it after the product's last write to it, and the
        # product's names the user changed since, each with whether it was the user's before.
        self.left: dict[str, set[str]] = {}
        self.since: dict[str, dict[str, bool]] = {}
        # Per contact: the product's names on it after the product's last write known to be done
        # since the last undo (the journal's knowledge, which an undo wipes).
        self.wrote: dict[str, set[str]] = {}

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.world.close()

    # the starting mailbox -------------------------------------------------------------------
    @initialize(
        categories=st.lists(
            st.lists(st.sampled_from(OWN + OWNED), unique=True, max_size=3),
            min_size=len(WITH_CONTACTS),
            max_size=len(WITH_CONTACTS),
        ),
        tiers=st.dictionaries(st.sampled_from(tuple(PEOPLE)), _tier),
        create_for=st.frozensets(_tier),
        master=st.dictionaries(st.sampled_from(OWNED), st.integers(0, 24), max_size=3),
    )
    def mailbox(
        self,
        categories: list[list[str]],
        tiers: dict[str, str],
        create_for: frozenset[str],
        master: dict[str, int] | None = None,
    ) -> None:
        """The user's contacts; their master list: "Customer", and maybe entries of their own
        under the product's names in either language (from trying it once before, say)."""
        self.master = {"Customer": 7, **(master or {})}
        for name, colour in self.master.items():
            self.world.add_master_category(name, colour)
        for address, given in zip(WITH_CONTACTS, categories, strict=True):
            item = self.world.add_contact(PEOPLE[address], address, tuple(given))
            self.categories[item] = list(given)
            self.left[item] = {c for c in given if c in OWNED}
            self.names[item] = PEOPLE[address]
        if self.world.user_tasks:
            item = self.world.add_task("Pay the invoice")
            self.own_tasks[item] = ("Pay the invoice", False)
        self.tiers = tiers
        self.create_for = create_for

    # what the network says -------------------------------------------------------------------
    def desired(self) -> Desired:
        return Desired(
            contacts=tuple(
                DesiredContact((address,), PEOPLE[address], tier)
                for address, tier in sorted(self.tiers.items())
            ),
            tasks=tuple(self.tasks.values()),
            create_contacts_for=self.create_for,
        )

    @rule(person=st.sampled_from(tuple(PEOPLE)), tier=st.none() | _tier)
    def tier_changes(self, person: str, tier: str | None) -> None:
        if tier is None:
            self.tiers.pop(person, None)  # dropped out of the network
        else:
            self.tiers[person] = tier

    @rule(days=st.integers(min_value=0, max_value=30))
    def new_mail_owes_a_reply(self, days: int) -> None:
        self.mails += 1
        key = f"owed:mail{self.mails}"
        due = T0 + timedelta(days=days)
        self.tasks[key] = DesiredTask(key, f"Reply to mail {self.mails}", due, "They asked")

    @precondition(lambda self: self.tasks)
    @rule(pick=_pick)
    def the_reply_is_sent(self, pick: int) -> None:
        del self.tasks[sorted(self.tasks)[pick % len(self.tasks)]]

    @precondition(lambda self: self.tasks)
    @rule(pick=_pick, days=st.integers(min_value=1, max_value=9))
    def they_write_again(self, pick: int, days: int) -> None:
        key = sorted(self.tasks)[pick % len(self.tasks)]
        task = self.tasks[key]
        due = (task.due or T0) + timedelta(days=days)
        self.tasks[key] = replace(task, due=due, body=task.body + ", and again")

    # the user ------------------------------------------------------------------------------
    def _contact(self, pick: int) -> tuple[str, tuple[str, ...]]:
        item = sorted(self.categories)[pick % len(self.categories)]
        return item, self.world.contacts()[item][1]

    def _edit(self, item: str, current: tuple[str, ...], name: str, *, on: bool) -> None:
        """The user puts ``name`` on the contact or takes it off, and the model follows.

        The user's own names are theirs whatever happens. For the product's names, what counts is
        the difference the user leaves between two of the product's writes: a name the product
        took off, put back and taken off again by the user before the next write, is a change
        nobody can see afterwards, so it is no change.
        """
        after = (*current, name) if on else tuple(c for c in current if c != name)
        self.world.set_categories(item, after)
        given = self.categories[item]
        member = on
        if name in OWNED:
            since = self.since.setdefault(item, {})
            since.setdefault(name, name in given)
            if on == (name in self.left[item]):
                member = since[name]
        if member and name not in given:
            given.append(name)
        elif not member and name in given:
            given.remove(name)

    @precondition(lambda self: self.categories)
    @rule(pick=_pick, name=st.sampled_from(OWN + OWNED))
    def user_adds_a_category(self, pick: int, name: str) -> None:
        item, current = self._contact(pick)
        if name not in current and name not in self.uncertain.get(item, ()):
            self._edit(item, current, name, on=True)

    @precondition(lambda self: self.categories)
    @rule(pick=_pick, which=_pick)
    def user_removes_a_category(self, pick: int, which: int) -> None:
        item, current = self._contact(pick)
        removable = [c for c in current if c not in self.uncertain.get(item, ())]
        if removable:
            self._edit(item, current, removable[which % len(removable)], on=False)

    @precondition(lambda self: self.categories)
    @rule(pick=_pick, name=st.sampled_from(["Ann P.", "Dr. Ben Client", "Cy"]))
    def user_renames_a_contact(self, pick: int, name: str) -> None:
        item, _ = self._contact(pick)
        self.world.rename_contact(item, name)
        self.names[item] = name

    def _product_task(self, pick: int) -> str | None:
        ours = sorted(i for i in self.world.tasks() if i not in self.own_tasks)
        return ours[pick % len(ours)] if ours else None

    @rule(pick=_pick)
    def user_completes_a_task(self, pick: int) -> None:
        item = self._product_task(pick)
        if item is not None:
            self.world.complete_task(item)

    @rule(pick=_pick, subject=st.sampled_from(["Call Ann instead", "Later"]))
    def user_retitles_a_task(self, pick: int, subject: str) -> None:
        item = self._product_task(pick)
        if item is not None:
            self.world.retitle_task(item, subject)

    @precondition(lambda self: self.own_tasks)
    @rule()
    def user_completes_their_own_task(self) -> None:
        for item, (subject, _) in self.own_tasks.items():
            self.world.complete_task(item)
            self.own_tasks[item] = (subject, True)

    @rule(name=st.sampled_from(OWN + OWNED), colour=st.integers(min_value=0, max_value=24))
    def user_adds_a_master_category(self, name: str, colour: int) -> None:
        # A name the product added since the last undo is left alone: had the user deleted it and
        # made it again, nothing could tell their entry from ours. Nor is an entry of the user's
        # the product took away (a language change) made again: deleted once more before the
        # next write-back, nobody could tell the user's deletion from the product's removal.
        if name in self.world.master() or name in self.master_added | self.master_taken:
            return
        self.world.add_master_category(name, colour)
        self.master[name] = colour

    @rule(pick=_pick)
    def user_removes_a_master_category(self, pick: int) -> None:
        # Nor is an entry of the user's the product took away (a language change) and that is
        # there again: made again by a change back, or a removal that may not have happened. The
        # journal tells undo the product removed it; the user's deletion would look the same.
        present = sorted(set(self.world.master()) - self.master_taken)
        if present:
            name = present[pick % len(present)]
            self.world.remove_master_category(name)
            self.master.pop(name, None)

    # write-back ----------------------------------------------------------------------------
    def _product_wrote(self, item: str, categories: Sequence[str]) -> None:
        self.since.pop(item, None)
        self.left[item] = {c for c in categories if c in OWNED}

    def _written(self, done: Sequence[Action], interrupted: Action | None = None) -> None:
        """Note what the journal knows: a write journalled as done tells undo exactly what the
        product left on the contact; the interrupted one may or may not have happened."""
        for action in [*done, *([interrupted] if interrupted else [])]:
            if isinstance(action, AddCategory):
                self.master_added.add(action.name)
            elif isinstance(action, RemoveCategory) and action.name in self.master:
                self.master_taken.add(action.name)
        seen = self.world.contacts()
        for action in [*done, *([interrupted] if interrupted else [])]:
            if isinstance(action, SetCategories) and action.item_id in self.categories:
                self._product_wrote(action.item_id, seen[action.item_id][1])
        for action in done:
            if isinstance(action, SetCategories):
                self.uncertain.pop(action.item_id, None)
                if action.item_id in self.categories:
                    self.wrote[action.item_id] = {c for c in seen[action.item_id][1] if c in OWNED}
        if isinstance(interrupted, SetCategories):
            changed = set(interrupted.before) ^ set(interrupted.after)
            self.uncertain[interrupted.item_id] = {c for c in changed if c in OWNED}
            self.wrote.pop(interrupted.item_id, None)

    def _interrupted(self, run: Callable[[Sink], object], after: int, die: bool) -> None:
        sink = CrashingSink(self.sink, after, die)
        try:
            run(sink)
        except Died:
            self.sink = self.world.sink()  # the restarted process
        if sink.asked[after:]:
            self._written(sink.asked[:after], sink.asked[after])
        else:
            self._written(sink.asked)  # fewer actions than the crash waited for: all done

    def _apply(self, sink: Sink) -> ApplyReport:
        self.runs += 1
        actions = plan(self.desired(), sink.read_state(), self.scheme, self.journal())
        return apply_plan(self.store, sink, actions, run_id=f"run{self.runs}")

    def journal(self) -> list[JournalEntry]:
        return self.store.journal(self.sink.name)

    @rule()
    def apply(self) -> None:
        seen = self.world.contacts()
        refused = {
            item: names - set(seen[item][1]) - self.uncertain.get(item, set())
            for item, names in self.wrote.items()
        }
        report = self._apply(self.sink)
        assert report.complete, report.error
        self._written(report.applied)
        again = plan(self.desired(), self.sink.read_state(), self.scheme, self.journal())
        assert again.actions == (), again.actions
        seen = self.world.contacts()
        for item, names in refused.items():
            assert not names & set(seen[item][1]), "what the user took off stays off"
        master = self.world.master()
        assert not self.scheme.former_names & set(master), "no name left behind"
        for tier in set(self.tiers.values()):
            assert self.scheme.for_tier(tier) in master

    @rule(language=st.sampled_from(LANGUAGES))
    def language_changes(self, language: str) -> None:
        """The configuration's language: the next write-back renames the product's categories."""
        self.scheme = SCHEMES[language]

    @rule(after=st.integers(min_value=0, max_value=6), die=st.booleans())
    def apply_is_interrupted(self, after: int, die: bool) -> None:
        self._interrupted(self._apply, after, die)

    @rule()
    def undo(self) -> None:
        report = undo(self.store, self.sink, self.scheme)
        assert report.complete, report.error
        self.uncertain.clear()  # every entry is undone: the next write starts afresh
        self.master_added.clear()
        self.master_taken.clear()
        self.wrote.clear()
        for item, (_, categories) in self.world.contacts().items():
            if item in self.categories:
                self._product_wrote(item, categories)
        self.check_undone()
        assert undo(self.store, self.sink, self.scheme).planned == 0

    @rule(after=st.integers(min_value=0, max_value=4), die=st.booleans())
    def undo_is_interrupted(self, after: int, die: bool) -> None:
        self._interrupted(lambda sink: undo(self.store, sink, self.scheme), after, die)
        if not self.journal():  # it had fewer actions than the crash waited for: undone
            self.wrote.clear()

    # what must hold ------------------------------------------------------------------------
    @invariant()
    def the_users_own_things_are_untouched(self) -> None:
        seen = self.world.contacts()
        for item, given in self.categories.items():
            name, have = seen[item]
            assert name == self.names[item]
            assert [c for c in have if c not in OWNED] == [c for c in given if c not in OWNED]
        tasks = self.world.tasks()
        for item, task in self.own_tasks.items():
            assert tasks[item] == task

    def check_undone(self) -> None:
        seen = self.world.contacts()
        assert set(seen) == set(self.categories), "the product's contacts are gone, ours stay"
        for item, given in self.categories.items():
            have = seen[item][1]
            assert sorted(c for c in have if c in OWNED) == sorted(c for c in given if c in OWNED)
        assert self.world.tasks() == self.own_tasks
        assert self.world.master() == self.master


def _run(world: Callable[[], World], **limits: int) -> None:
    run_state_machine_as_test(
        lambda: UndoMachine(world()),
        settings=settings(suppress_health_check=[HealthCheck.too_slow], **limits),  # type: ignore[arg-type]
    )


@pytest.mark.hypothesis  # a state machine: Hypothesis's plugin marks only @given
def test_undo_on_the_in_memory_mailbox() -> None:
    _run(MemoryWorld, stateful_step_count=40)


@pytest.mark.hypothesis
def test_undo_on_the_ews_server() -> None:
    _run(EwsWorld, max_examples=8, stateful_step_count=20)


@pytest.mark.hypothesis
def test_undo_on_the_graph_server() -> None:
    _run(GraphWorld, max_examples=15, stateful_step_count=25)


def _applied() -> UndoMachine:
    """Ann, tier A, on a fresh in-memory mailbox with three contacts, written back once."""
    machine = UndoMachine(MemoryWorld())
    machine.mailbox([[], [], []], {"ann@partner.example": "A"}, frozenset())
    machine.apply()
    return machine


def test_the_issues_scenarios_step_by_step() -> None:
    """The sequences the issue names, as fixed examples beside the random ones: each loses the
    user's data under one of the two undo bugs the machine must catch."""
    # Tier A, then B, then undo: restoring the last write's "before" would leave Network A.
    machine = _applied()
    machine.tier_changes("ann@partner.example", "B")
    machine.apply()
    machine.undo()
    machine.teardown()
    # Apply, undo, the user tags Ann "Network B" themselves, apply, undo: Network B stays.
    machine = _applied()
    machine.undo()
    machine.user_adds_a_category(0, "Network B")
    machine.apply()
    machine.undo()
    machine.teardown()
    # Apply adds Network A to the master list, undo removes it, the user makes their own
    # "Network A", undo again: undoing entries already undone would delete the user's entry.
    machine = _applied()
    machine.undo()
    machine.user_adds_a_master_category("Network A", 3)
    machine.undo()
    machine.teardown()


def test_a_language_change_and_back_is_undone_exactly() -> None:
    """The user's own "Network A" (colour 9, on Ann's contact); German renames it away; the user
    deletes the German entry; English makes "Network A" again, now in the product's colour. Undo
    gives back the user's entry in their colour and their name on Ann (check_undone)."""
    machine = UndoMachine(MemoryWorld())
    machine.mailbox(
        [["Network A"], [], []], {"ann@partner.example": "A"}, frozenset(), {"Network A": 9}
    )
    machine.apply()
    machine.language_changes("de")
    machine.apply()
    assert machine.world.master() == {"Customer": 7, "Netzwerk A": 9}
    assert set(machine.world.contacts()[sorted(machine.categories)[0]][1]) == {"Netzwerk A"}
    machine.user_removes_a_master_category(1)  # "Netzwerk A"
    machine.language_changes("en")
    machine.apply()
    assert machine.world.master() == {"Customer": 7, "Network A": SCHEME.colours["A"]}
    machine.undo()
    assert machine.world.master() == {"Customer": 7, "Network A": 9}
    machine.teardown()


def test_a_users_entry_named_as_ours_in_the_new_language_keeps_its_colour_through_a_crash() -> None:
    # Found by a random run: the user has "Netzwerk B" (colour 0) of their own before the
    # language changes to German, whose name for tier B it is; the write-back dies after its
    # first action and is undone. The user's entry must keep its colour.
    machine = UndoMachine(MemoryWorld())
    try:
        machine.mailbox(categories=[[], [], []], tiers={}, create_for=frozenset(),
                        master={"Network A": 0, "Network B": 1})  # fmt: skip
        machine.user_adds_a_master_category(colour=0, name="Netzwerk B")
        machine.apply()
        machine.language_changes(language="de")
        machine.apply_is_interrupted(after=1, die=True)
        machine.the_users_own_things_are_untouched()
        machine.undo()
    finally:
        machine.teardown()
