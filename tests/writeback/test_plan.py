"""The write-back planner, pure: desired state and the mailbox as it is in, actions out.

Every test states a mailbox the way a user would see it and checks the actions against what the
product promises: it touches only its own categories, tasks and contacts, keeps the user's own
categories in their order, never reopens a task the user completed, and undo gives back exactly
what was there before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from outlook_networking.ports import (
    AddCategory,
    CompleteTask,
    ContactState,
    CreateContact,
    CreateTask,
    DeleteContact,
    DeleteTask,
    MailboxState,
    MasterCategory,
    RemoveCategory,
    SetCategories,
    TaskState,
    UpdateTask,
)
from outlook_networking.writeback.plan import (
    CategoryScheme,
    Desired,
    DesiredContact,
    DesiredTask,
    JournalEntry,
    plan,
    plan_undo,
)

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SCHEME = CategoryScheme(names={"A": "Inner", "B": "Warm", "C": "Wide", "D": "Fading"})
ANN = DesiredContact(("ann@partner.example",), "Ann Partner", "A")
BOB = DesiredContact(("bob@client.example", "bob@home.example"), "Bob Client", "C")


def _contact(item_id: str, address: str, *categories: str, owned: bool = False) -> ContactState:
    return ContactState(item_id, address.split("@")[0], (address,), categories, owned)


def test_our_category_goes_after_the_users_own_and_replaces_only_ours() -> None:
    state = MailboxState(
        master_categories=(MasterCategory("Customer", 3), MasterCategory("Inner", 4)),
        contacts=(
            _contact("c1", "ann@partner.example", "Customer", "Wide", "Golf"),
            _contact("c2", "BOB@home.example"),  # any of the person's addresses, any case
            _contact("c3", "stranger@x.example", "Fading", "Customer"),
        ),
    )
    actions = plan(Desired(contacts=(ANN, BOB), tasks=()), state, SCHEME).actions
    assert actions == (
        AddCategory("Wide", SCHEME.colours["C"]),  # "Inner" is on the master list already
        SetCategories("contact", "c1", ("Customer", "Wide", "Golf"), ("Customer", "Golf", "Inner")),
        SetCategories("contact", "c2", (), ("Wide",)),
        SetCategories("contact", "c3", ("Fading", "Customer"), ("Customer",)),
    )


def test_tasks_are_created_updated_and_completed_but_a_users_completion_stands() -> None:
    due = T0 + timedelta(days=2)
    state = MailboxState(
        tasks=(
            TaskState("t1", "owed:1", "Reply to Ann", due, "Ann wrote", False),
            TaskState("t2", "touch:bob", "Old subject", due, "180 d", False),
            TaskState("t3", "cooling:eve", "Eve went quiet", due, "", True),  # done by the user
            TaskState("t4", "await:carl", "Carl owes an answer", due, "", False),
        )
    )
    desired = Desired(
        contacts=(),
        tasks=(
            DesiredTask("owed:1", "Reply to Ann", due.replace(hour=9), "Ann wrote"),  # same day
            DesiredTask("touch:bob", "Get in touch with Bob", due, "180 d"),
            DesiredTask("cooling:eve", "Eve went quiet", due + timedelta(days=9), "later"),
            DesiredTask("review:2026", "Annual review", None, ""),
        ),
    )
    assert plan(desired, state, SCHEME).actions == (
        UpdateTask("touch:bob", "t2", "Get in touch with Bob", due, "180 d"),
        CreateTask("review:2026", "Annual review", None, ""),
        CompleteTask("await:carl", "t4"),
    )


def test_a_task_the_user_deleted_is_not_made_again_until_an_undo() -> None:
    due = T0 + timedelta(days=2)
    desired = Desired(contacts=(), tasks=(DesiredTask("owed:1", "Reply to Ann", due, "Ann wrote"),))
    made = CreateTask("owed:1", "Reply to Ann", due, "Ann wrote")
    create = plan(desired, MailboxState(), SCHEME).actions
    assert create == (made,)
    # Made (journalled as done), then deleted by the user: the mailbox no longer has it.
    assert plan(desired, MailboxState(), SCHEME, [JournalEntry(made, "t1", True)]).actions == ()
    # Begun but not known done (a crash): it may never have been made, so it is made.
    assert plan(desired, MailboxState(), SCHEME, [JournalEntry(made, "", False)]).actions == create
    # Another task's record says nothing about this one.
    other = CreateTask("owed:2", "Reply to Bob", due, "")
    others = [JournalEntry(other, "t2", True)]
    assert plan(desired, MailboxState(), SCHEME, others).actions == create


def test_contacts_are_created_only_for_the_chosen_tiers_and_only_once() -> None:
    desired = Desired(contacts=(ANN, BOB), tasks=(), create_contacts_for=frozenset({"A", "C"}))
    state = MailboxState(
        master_categories=(MasterCategory("Inner", 4), MasterCategory("Wide", 3)),
        contacts=(_contact("c2", "bob@client.example", "Wide"),),
    )
    assert plan(desired, state, SCHEME).actions == (
        CreateContact("Ann Partner", ("ann@partner.example",), ("Inner",)),
    )


def test_undo_gives_back_what_was_there_before_the_first_change_and_only_ours_goes() -> None:
    journal = [
        JournalEntry(AddCategory("Inner", 4), "", True),
        JournalEntry(SetCategories("contact", "c1", ("Customer", "Wide"), ("Customer", "Inner")),
                     "c1", True),
        JournalEntry(SetCategories("contact", "c1", ("Customer", "Inner"), ("Customer",)), "c1",
                     True),
        JournalEntry(SetCategories("contact", "gone", (), ("Wide",)), "gone", True),
        JournalEntry(CreateTask("owed:1", "Reply to Ann", T0, ""), "t1", False),  # crashed
        JournalEntry(CreateContact("Ann", ("ann@partner.example",), ("Inner",)), "c9", True),
    ]
    state = MailboxState(
        master_categories=(MasterCategory("Customer", 3), MasterCategory("Inner", 4),
                           MasterCategory("Wide", 3)),  # "Wide" was the user's before us
        contacts=(
            _contact("c1", "ann@old.example", "Customer", "Golf"),  # the user added "Golf"
            _contact("c9", "ann@partner.example", "Inner", owned=True),
        ),
        tasks=(TaskState("t1", "owed:1", "Reply to Ann", T0, "", False),),
    )
    assert plan_undo(journal, state, SCHEME).actions == (
        SetCategories("contact", "c1", ("Customer", "Golf"), ("Customer", "Golf", "Wide")),
        DeleteTask("owed:1", "t1"),
        DeleteContact("c9"),
        RemoveCategory("Inner", 4),
    )


def test_a_mailbox_that_shows_what_is_wanted_needs_nothing() -> None:
    desired = Desired(
        contacts=(ANN,),
        tasks=(DesiredTask("owed:1", "Reply to Ann", T0, "Ann wrote"),),
    )
    state = MailboxState(
        master_categories=(MasterCategory("Inner", 4),),
        contacts=(_contact("c1", "ann@partner.example", "Customer", "Inner"),),
        tasks=(TaskState("t1", "owed:1", "Reply to Ann", T0, "Ann wrote", False),),
    )
    assert not plan(desired, state, SCHEME)


# Graph's categoryColor presets (https://learn.microsoft.com/graph/api/resources/outlookcategory);
# EWS's master category list numbers the same colours the same way.
_PRESET_COLOURS = {
    -1: "none", 0: "red", 1: "orange", 2: "brown", 3: "yellow", 4: "green", 5: "teal",
    6: "olive", 7: "blue", 8: "purple", 9: "cranberry", 10: "steel", 11: "dark steel",
    12: "grey", 13: "dark grey", 14: "black", 15: "dark red",
}  # fmt: skip


def test_the_default_categories_get_the_documented_colours() -> None:
    # docs/config.md, [writeback] colours: "(green, blue, yellow, grey)" for tiers A to D.
    people = [
        DesiredContact((f"{tier.lower()}@x.example",), tier, tier) for tier in ("A", "B", "C", "D")
    ]
    actions = plan(Desired(contacts=tuple(people), tasks=()), MailboxState(), CategoryScheme())
    added = {
        a.name: _PRESET_COLOURS[a.color] for a in actions.actions if isinstance(a, AddCategory)
    }
    assert added == {
        "Network A": "green",
        "Network B": "blue",
        "Network C": "yellow",
        "Network D": "grey",
    }


def test_a_due_date_given_or_taken_away_is_an_update_and_no_due_date_is_none() -> None:
    due = T0 + timedelta(days=2)
    state = MailboxState(
        tasks=(
            TaskState("t1", "owed:1", "Reply to Ann", None, "", False),  # no due date yet
            TaskState("t2", "touch:bob", "Get in touch with Bob", due, "", False),
            TaskState("t3", "review:2026", "Annual review", None, "", False),
        )
    )
    desired = Desired(
        contacts=(),
        tasks=(
            DesiredTask("owed:1", "Reply to Ann", due, ""),
            DesiredTask("touch:bob", "Get in touch with Bob", None, ""),
            DesiredTask("review:2026", "Annual review", None, ""),  # neither has one: as wanted
        ),
    )
    assert plan(desired, state, SCHEME).actions == (
        UpdateTask("owed:1", "t1", "Reply to Ann", due, ""),
        UpdateTask("touch:bob", "t2", "Get in touch with Bob", None, ""),
    )


def test_a_tier_without_a_colour_gets_none() -> None:
    # docs/config.md: "-1 is no colour"; a colours table may leave tiers out.
    scheme = CategoryScheme(names=SCHEME.names, colours={"A": 9})
    desired = Desired(contacts=(ANN, BOB), tasks=())
    added = [a for a in plan(desired, MailboxState(), scheme).actions if isinstance(a, AddCategory)]
    assert added == [AddCategory("Inner", 9), AddCategory("Wide", -1)]


def test_undo_deletes_a_contact_the_product_made_without_first_rewriting_its_categories() -> None:
    journal = [
        JournalEntry(CreateContact("Ann", ("ann@partner.example",), ("Inner",)), "c9", True),
        JournalEntry(SetCategories("contact", "c9", ("Inner",), ("Wide",)), "c9", True),  # A → C
    ]
    state = MailboxState(contacts=(_contact("c9", "ann@partner.example", "Wide", owned=True),))
    assert plan_undo(journal, state, SCHEME).actions == (DeleteContact("c9"),)


def test_a_due_date_compares_by_the_day_in_the_mailboxs_zone() -> None:
    # To Do keeps a date in the mailbox's zone: 30 Nov in Sydney is 29 Nov 23:00 UTC.
    sydney = timezone(timedelta(hours=10))
    have = datetime(2026, 11, 30, 9, 0, tzinfo=sydney)
    state = MailboxState(tasks=(TaskState("t1", "owed:1", "Reply to Ann", have, "", False),))
    same_day = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # 30 Nov 09:30 in Sydney
    desired = Desired(contacts=(), tasks=(DesiredTask("owed:1", "Reply to Ann", same_day, ""),))
    assert not plan(desired, state, SCHEME)


def test_a_tier_category_the_user_took_off_a_contact_stays_off_until_the_tier_changes() -> None:
    ann = _contact("c1", "ann@partner.example", "Customer")
    added = SetCategories("contact", "c1", ("Customer",), ("Customer", "Inner"))
    master = (MasterCategory("Inner", 4), MasterCategory("Warm", 7))
    state = MailboxState(master_categories=master, contacts=(ann,))  # the user took "Inner" off
    desired = Desired(contacts=(ANN,), tasks=())
    assert plan(desired, state, SCHEME).actions == (added,)  # no journal: as if never written
    assert plan(desired, state, SCHEME, [JournalEntry(added, "c1", True)]).actions == ()
    # Begun, not known done: "Inner" may never have been there, so nobody took it off.
    assert plan(desired, state, SCHEME, [JournalEntry(added, "c1", False)]).actions == (added,)
    # Put back by the user themselves: theirs stays, and nothing is planned.
    back = MailboxState(master, (_contact("c1", ANN.addresses[0], "Inner", "Customer"),))
    assert plan(desired, back, SCHEME, [JournalEntry(added, "c1", True)]).actions == ()
    # Ann moves to tier B: a judgement the user has not refused, so "Warm" goes on...
    warm = Desired(contacts=(DesiredContact(ANN.addresses, ANN.name, "B"),), tasks=())
    to_warm = SetCategories("contact", "c1", ("Customer",), ("Customer", "Warm"))
    journal = [JournalEntry(added, "c1", True)]
    assert plan(warm, state, SCHEME, journal).actions == (to_warm,)
    # ... and back in tier A, "Inner" stays refused: "Warm" goes, "Inner" does not come back.
    journal.append(JournalEntry(to_warm, "c1", True))
    warmed = MailboxState(master, (_contact("c1", ANN.addresses[0], "Customer", "Warm"),))
    assert plan(desired, warmed, SCHEME, journal).actions == (
        SetCategories("contact", "c1", ("Customer", "Warm"), ("Customer",)),
    )


def test_a_refusal_holds_under_the_tiers_name_in_another_language() -> None:
    german = CategoryScheme(names={"A": "Innen", "B": "Warm", "C": "Wide", "D": "Fading"},
                            former={"A": ("Inner",)})  # fmt: skip
    added = SetCategories("contact", "c1", (), ("Inner",))
    state = MailboxState(master_categories=(MasterCategory("Innen", 4),),
                         contacts=(_contact("c1", "ann@partner.example"),))  # fmt: skip
    desired = Desired(contacts=(ANN,), tasks=())
    assert plan(desired, state, german, [JournalEntry(added, "c1", True)]).actions == ()


def test_a_contact_the_product_made_that_the_user_deleted_is_not_made_again() -> None:
    desired = Desired(contacts=(ANN,), tasks=(), create_contacts_for=frozenset({"A"}))
    master = MailboxState(master_categories=(MasterCategory("Inner", 4),))
    made = CreateContact("Ann Partner", ("ann@partner.example",), ("Inner",))
    assert plan(desired, master, SCHEME).actions == (made,)
    assert plan(desired, master, SCHEME, [JournalEntry(made, "c9", True)]).actions == ()
    assert plan(desired, master, SCHEME, [JournalEntry(made, "", False)]).actions == (made,)
    # Made by us, kept, and its category taken off by the user: it stays off.
    kept = MailboxState(master_categories=master.master_categories,
                        contacts=(_contact("c9", "ann@partner.example", owned=True),))  # fmt: skip
    assert plan(desired, kept, SCHEME, [JournalEntry(made, "c9", True)]).actions == ()
