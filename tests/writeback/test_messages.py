"""The message planner on its own: categories and flags from data, journal and declines in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outlook_networking.ports import (
    NOT_FLAGGED,
    FollowUpFlag,
    MessageState,
    SetCategories,
    SetFlag,
    StoredMessage,
)
from outlook_networking.writeback.messages import (
    DesiredMessages,
    WantedFlag,
    by_contact,
    plan_message_undo,
    plan_messages,
)
from outlook_networking.writeback.plan import CategoryScheme, JournalEntry

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
ME = "me@example.com"
SCHEME = CategoryScheme()
PEOPLE = {"ann@a.example": "ann@a.example", "ann@home.example": "ann@a.example",
          "bob@b.example": "bob@b.example", "cy@c.example": "cy@c.example"}  # fmt: skip
TIERS = {"ann@a.example": "B", "bob@b.example": "A", "cy@c.example": "C"}


def _msg(item_id: str, sender: str, to: tuple[str, ...] = (ME,), *, days: float = 5,
         categories: tuple[str, ...] = (), flag: FollowUpFlag = NOT_FLAGGED,
         mid: str | None = None) -> StoredMessage:  # fmt: skip
    return StoredMessage(
        MessageState(item_id, mid if mid is not None else f"{item_id}@x", categories, flag, "v1"),
        NOW - timedelta(days=days),
        sender,
        to,
        interaction=item_id,  # one copy per message unless a test says otherwise
    )


def _desired(**changes: object) -> DesiredMessages:
    base = {
        "owner": frozenset({ME}),
        "person_of": PEOPLE,
        "tier": TIERS,
        "tag_tiers": frozenset({"A", "B"}),
        "since": NOW - timedelta(days=90),
    }
    base.update(changes)
    return DesiredMessages(**base)  # type: ignore[arg-type]


def _done(*actions: SetCategories | SetFlag) -> list[JournalEntry]:
    return [JournalEntry(a, a.item_id, True) for a in actions]


def _categories(plan_actions: tuple[object, ...]) -> dict[str, tuple[str, ...]]:
    return {a.item_id: a.after for a in plan_actions if isinstance(a, SetCategories)}


def test_messages_with_tiered_people_in_the_window_carry_the_best_tier() -> None:
    messages = [
        _msg("in-ann", "ann@home.example"),  # another address of Ann's
        _msg("out-ann-bob", ME, ("ann@a.example", "bob@b.example")),  # A beats B
        _msg("in-cy", "cy@c.example"),  # C is not tagged
        _msg("cc-bob", "cy@c.example", (ME, "bob@b.example")),  # Bob is only a co-recipient
        _msg("old", "ann@a.example", days=120),  # before the window
        _msg("stranger", "who@nowhere.example"),
        _msg("mine", "ann@a.example", categories=("Customer", "Network B", "Zebra")),
    ]
    plan = plan_messages(_desired(), messages, [], frozenset(), SCHEME, NOW)
    assert _categories(plan.actions) == {
        "in-ann": ("Network B",),
        "out-ann-bob": ("Network A",),
    }
    grouped = {g.contact: (g.messages, g.added) for g in by_contact(plan.actions)}
    assert grouped == {
        "ann@a.example": (1, {"Network B": 1}),
        "bob@b.example": (1, {"Network A": 1}),
    }


def test_a_tier_change_swaps_only_our_category_and_keeps_the_users() -> None:
    wrote = SetCategories("message", "m1", ("Customer",), ("Customer", "Network B"), "m1@x")
    messages = [
        _msg("m1", "bob@b.example", categories=("Customer", "Network B", "Later")),
        # "Network B" put on by the user: not ours to take off, even though it is our name.
        _msg("m2", "bob@b.example", categories=("Network B",)),
    ]
    plan = plan_messages(_desired(), messages, _done(wrote), frozenset(), SCHEME, NOW)
    assert _categories(plan.actions) == {
        "m1": ("Customer", "Later", "Network A"),
        "m2": ("Network B", "Network A"),
    }


def test_a_category_the_user_took_off_is_declined_and_not_put_back() -> None:
    wrote = SetCategories("message", "m1", (), ("Network B",), "m1@x")
    messages = [_msg("m1", "ann@a.example", categories=("Customer",))]
    plan = plan_messages(_desired(), messages, _done(wrote), frozenset(), SCHEME, NOW)
    assert plan.actions == ()
    assert plan.declined == {("m1@x", "category:Network B")}
    # Remembered: even once the journal is gone (after undo), it is not put back.
    again = plan_messages(_desired(), messages, [], plan.declined, SCHEME, NOW)
    assert again.actions == () and again.declined == frozenset()


def test_a_begun_entry_counts_only_when_the_message_shows_it() -> None:
    wrote = SetCategories("message", "m1", (), ("Network B",), "m1@x")
    begun = [JournalEntry(wrote, "", False)]
    never_sent = [_msg("m1", "ann@a.example")]
    plan = plan_messages(_desired(), never_sent, begun, frozenset(), SCHEME, NOW)
    assert plan.declined == frozenset()  # not a decline: it never reached the server
    assert _categories(plan.actions) == {"m1": ("Network B",)}
    sent = [_msg("m1", "ann@a.example", categories=("Network B",))]
    plan = plan_messages(_desired(), sent, begun, frozenset(), SCHEME, NOW)
    assert plan.actions == ()  # there, and ours: no second write


def test_owed_messages_are_flagged_completed_and_the_users_flags_left_alone() -> None:
    due = NOW - timedelta(days=1)
    wanted = {
        "q1": WantedFlag("q1", "owed:s:q1", "ann@a.example", due),
        "q2": WantedFlag("q2", "owed:s:q2", "bob@b.example", due),
        "gone": WantedFlag("gone", "owed:s:gone", "bob@b.example", due),
    }
    users_own = FollowUpFlag("flagged", start=NOW, due=NOW)
    messages = [
        _msg("q1", "ann@a.example", days=3),
        _msg("q2", "bob@b.example", days=3, flag=users_own),
    ]
    plan = plan_messages(_desired(since=None, flags=wanted), messages, [], frozenset(),
                         SCHEME, NOW)  # fmt: skip
    (flag,) = [a for a in plan.actions if isinstance(a, SetFlag)]
    assert flag.item_id == "q1" and flag.key == "owed:s:q1"
    assert flag.after == FollowUpFlag("flagged", start=NOW - timedelta(days=3), due=due)
    assert plan.unflagged == {"gone"}  # not in this mailbox: a task stands for it instead

    # The owner replied: the follow-up is over, and our flag completes.
    flagged = [_msg("q1", "ann@a.example", days=3, flag=flag.after)]
    plan = plan_messages(_desired(since=None), flagged, _done(flag), frozenset(), SCHEME, NOW)
    (done,) = plan.actions
    assert isinstance(done, SetFlag) and done.after == FollowUpFlag("complete", completed=NOW)


def test_a_flag_the_user_cleared_or_completed_is_not_set_again() -> None:
    flag = SetFlag("q1", NOT_FLAGGED, FollowUpFlag("flagged", start=NOW, due=NOW), "q1@x")
    wanted = {"q1": WantedFlag("q1", "owed:s:q1", "ann@a.example", NOW)}
    for now_shows in (NOT_FLAGGED, FollowUpFlag("complete", completed=NOW)):
        messages = [_msg("q1", "ann@a.example", days=3, flag=now_shows)]
        plan = plan_messages(_desired(since=None, flags=wanted), messages, _done(flag),
                             frozenset(), SCHEME, NOW)  # fmt: skip
        assert plan.actions == () and plan.declined == {("q1@x", "flag")}
        again = plan_messages(_desired(since=None, flags=wanted), messages, [], plan.declined,
                              SCHEME, NOW)  # fmt: skip
        assert again.actions == ()


def test_history_follows_a_message_that_moved_and_got_a_new_id() -> None:
    wrote = SetCategories("message", "old-id", (), ("Network B",), "m1@x")
    # Ann is now C: our B goes, from the message under its new id.
    messages = [_msg("new-id", "ann@a.example", categories=("Network B",), mid="m1@x")]
    plan = plan_messages(_desired(tier={**TIERS, "ann@a.example": "C"}), messages,
                         _done(wrote), frozenset(), SCHEME, NOW)  # fmt: skip
    assert _categories(plan.actions) == {"new-id": ()}


def _copy(item_id: str, of: str, **changes: object) -> StoredMessage:
    """A copy of the message ``of`` (by its stable name) under its own item id."""
    from dataclasses import replace

    return replace(_msg(item_id, "ann@a.example", days=3, mid=f"{of}@x", **changes),  # type: ignore[arg-type]
                   interaction=f"file:{of}")  # fmt: skip


def test_a_message_in_two_folders_is_tagged_on_each_copy_and_flagged_once() -> None:
    """The message was stored first from an export (``file:q1``); the account holds it in two
    folders. Each copy is an item of its own and carries the category once; the follow-up's
    flag goes on one copy, and stays the only one on the next plan and when it completes."""
    wanted = {"file:q1": WantedFlag("file:q1", "owed:file:q1", "ann@a.example", NOW)}
    copies = [_copy("inbox-q1", "q1"), _copy("kept-q1", "q1")]
    plan = plan_messages(_desired(flags=wanted), copies, [], frozenset(), SCHEME, NOW)
    assert _categories(plan.actions) == {"inbox-q1": ("Network B",), "kept-q1": ("Network B",)}
    (flag,) = [a for a in plan.actions if isinstance(a, SetFlag)]
    assert flag.item_id == "inbox-q1" and plan.unflagged == frozenset()
    assert len(plan.actions) == len({(type(a), a.item_id) for a in plan.actions})

    tagged = [a for a in plan.actions if isinstance(a, SetCategories)]
    after = [
        _copy("inbox-q1", "q1", categories=("Network B",), flag=flag.after),
        _copy("kept-q1", "q1", categories=("Network B",)),
    ]
    again = plan_messages(_desired(flags=wanted), after, _done(*tagged, flag), frozenset(),
                          SCHEME, NOW)  # fmt: skip
    assert again.actions == () and again.declined == frozenset()
    # The user filed the flagged copy elsewhere (a new id): still no second flag.
    moved = [replace_id(after[0], "filed-q1"), after[1]]
    again = plan_messages(_desired(flags=wanted), moved, _done(*tagged, flag), frozenset(),
                          SCHEME, NOW)  # fmt: skip
    assert again.actions == () and again.declined == frozenset()
    # The owner replied: the one flag of ours completes, where it now is.
    over = plan_messages(_desired(), moved, _done(*tagged, flag), frozenset(), SCHEME, NOW)
    (done,) = over.actions
    assert isinstance(done, SetFlag) and done.item_id == "filed-q1"
    assert done.after.status == "complete"


def replace_id(message: StoredMessage, item_id: str) -> StoredMessage:
    from dataclasses import replace

    return replace(message, state=replace(message.state, item_id=item_id))


def test_marks_of_a_moved_message_follow_it_and_no_copy_is_written_twice() -> None:
    """Tagged under ``old``, the message moved (``moved``) and the user copied it (``copy``);
    a third copy was tagged under its own id. Ann is C now: our B comes off each copy once."""
    wrote = [
        SetCategories("message", "old", (), ("Network B",), "m1@x"),
        SetCategories("message", "own", (), ("Network B",), "m1@x"),
    ]
    copies = [
        _copy("copy", "m1", categories=("Network B",)),
        _copy("moved", "m1", categories=("Mine", "Network B")),
        _copy("own", "m1", categories=("Network B",)),
    ]
    plan = plan_messages(_desired(tier={**TIERS, "ann@a.example": "C"}), copies, _done(*wrote),
                         frozenset(), SCHEME, NOW)  # fmt: skip
    assert [(a.item_id, a.after) for a in plan.actions if isinstance(a, SetCategories)] == [
        ("copy", ()),
        ("moved", ("Mine",)),
        ("own", ()),
    ]
    assert plan.declined == frozenset()
    # The user took ours off the moved copy only: a decline for the message, seen once.
    copies[1] = _copy("moved", "m1", categories=("Mine",))
    plan = plan_messages(_desired(), copies, _done(*wrote), frozenset(), SCHEME, NOW)
    assert plan.declined == frozenset()  # the other copy still shows it: that one is ours
    copies[0] = _copy("copy", "m1")
    plan = plan_messages(_desired(), copies, _done(*wrote), frozenset(), SCHEME, NOW)
    assert plan.declined == {("m1@x", "category:Network B")}
    assert [a.item_id for a in plan.actions] == ["own"]  # declined: ours comes off "own" too


def test_undo_takes_off_ours_and_leaves_what_the_user_changed() -> None:
    tagged = SetCategories("message", "m1", ("Customer",), ("Customer", "Network B"), "m1@x")
    swapped = SetCategories("message", "m2", (), ("Network B",), "m2@x")
    swapped_again = SetCategories("message", "m2", ("Network B",), ("Network A",), "m2@x")
    flagged = SetFlag("q1", NOT_FLAGGED, FollowUpFlag("flagged", start=NOW, due=NOW), "q1@x")
    completed = SetFlag("q2", NOT_FLAGGED, FollowUpFlag("flagged", start=NOW, due=NOW), "q2@x")
    journal = _done(tagged, swapped, swapped_again, flagged, completed)
    states = {
        "m1": MessageState("m1", "m1@x", ("Customer", "Network B", "Mine")),
        "m2": MessageState("m2", "m2@x", ("Network A", "Network B")),  # B: the user's, since
        "q1": MessageState("q1", "q1@x", flag=FollowUpFlag("flagged", start=NOW, due=NOW)),
        "q2": MessageState("q2", "q2@x", flag=FollowUpFlag("complete", completed=NOW)),
    }
    actions = plan_message_undo(journal, states)
    assert {a.item_id: a.after for a in actions if isinstance(a, SetCategories)} == {
        "m1": ("Customer", "Mine"),
        "m2": ("Network B",),
    }
    # q1 still shows our flag: it goes; q2 the user completed: theirs stays.
    assert [(a.item_id, a.after) for a in actions if isinstance(a, SetFlag)] == [
        ("q1", NOT_FLAGGED)
    ]


def test_undo_passes_over_a_message_the_user_deleted() -> None:
    journal = _done(
        SetCategories("message", "m1", (), ("Network B",), "m1@x"),
        SetCategories("message", "gone", (), ("Network B",), "gone@x"),
    )
    states = {"m1": MessageState("m1", "m1@x", ("Network B",))}  # "gone" is read no more
    actions = plan_message_undo(journal, states)
    assert [(a.item_id, a.after) for a in actions if isinstance(a, SetCategories)] == [("m1", ())]


def test_a_crashed_write_on_one_copy_is_judged_by_that_copy() -> None:
    """The run tagged the inbox copy and died before the journal knew; the copy in another
    folder was never written. Ann is A now: our B on the inbox copy is ours to swap."""
    begun = [JournalEntry(SetCategories("message", "inbox-q1", (), ("Network B",), "q1@x"),
                          "", False)]  # fmt: skip
    copies = [_copy("inbox-q1", "q1", categories=("Network B",)), _copy("kept-q1", "q1")]
    plan = plan_messages(_desired(tier={**TIERS, "ann@a.example": "A"}), copies, begun,
                         frozenset(), SCHEME, NOW)  # fmt: skip
    assert _categories(plan.actions) == {"inbox-q1": ("Network A",), "kept-q1": ("Network A",)}


def test_our_flag_on_a_moved_and_copied_message_completes_on_the_copy_showing_it() -> None:
    flag = SetFlag("old", NOT_FLAGGED, FollowUpFlag("flagged", start=NOW, due=NOW), "q1@x")
    copies = [_copy("copy-q1", "q1"), _copy("moved-q1", "q1", flag=flag.after)]
    plan = plan_messages(_desired(since=None), copies, _done(flag), frozenset(), SCHEME, NOW)
    assert [(a.item_id, a.after.status) for a in plan.actions if isinstance(a, SetFlag)] == [
        ("moved-q1", "complete")
    ]


def test_a_category_declined_under_its_former_name_stays_declined() -> None:
    # The user took off "Netzwerk B" when the product spoke German; English now calls the tier
    # "Network B", and it is still the mark the user said no to.
    scheme = CategoryScheme(former={"B": ("Netzwerk B",)})
    messages = [_msg("m1", "ann@a.example")]
    declined = frozenset({("m1@x", "category:Netzwerk B")})
    plan = plan_messages(_desired(), messages, [], declined, scheme, NOW)
    assert plan.actions == ()


def test_the_dry_run_lists_a_message_under_the_person_whose_tier_it_carries() -> None:
    sent = [_msg("s1", ME, ("ann@a.example", "bob@b.example"))]  # Ann is B, Bob A
    plan = plan_messages(_desired(), sent, [], frozenset(), SCHEME, NOW)
    assert _categories(plan.actions) == {"s1": ("Network A",)}
    (listed,) = by_contact(plan.actions)
    assert (listed.contact, listed.added) == ("bob@b.example", {"Network A": 1})


ANN = "ann@a.example"


def test_the_dry_run_counts_no_contacts_category_as_a_message() -> None:
    # by_contact is handed the whole plan: contacts' categories and tasks are listed elsewhere.
    flagged = FollowUpFlag("flagged", start=NOW, due=NOW)
    plan = [
        SetCategories("contact", "c1", (), ("Network B",)),
        SetCategories("message", "m1", (), ("Network B",), "m1@x", contact=ANN),
        SetCategories("message", "m2", ("Network A",), ("Network B",), "m2@x", contact=ANN),
        SetFlag("m2", NOT_FLAGGED, flagged, "m2@x", contact=ANN),
    ]
    (listed,) = by_contact(plan)
    assert (listed.contact, listed.messages) == (ANN, 2)
    assert (listed.added, listed.removed, listed.flags) == (
        {"Network B": 2}, {"Network A": 1}, {"flagged": 1}
    )
