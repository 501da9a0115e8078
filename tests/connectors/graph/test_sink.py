"""Writing back over Graph: the user's things stay, ours are found by key, lost answers are safe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from outlook_networking.app.pipeline import apply_plan, undo
from outlook_networking.app.wording import describe
from outlook_networking.connectors.graph import (
    APPLICATION_NAME,
    TASK_LIST,
    GraphClient,
    GraphSink,
)
from outlook_networking.errors import Conflict, ConnectorError
from outlook_networking.i18n import Wording
from outlook_networking.ports import (
    NOT_FLAGGED,
    AddCategory,
    CompleteTask,
    CreateContact,
    CreateTask,
    DeleteContact,
    DeleteTask,
    FollowUpFlag,
    RemoveCategory,
    SetCategories,
    SetFlag,
    UpdateTask,
)
from outlook_networking.store import Store
from outlook_networking.writeback.plan import (
    CategoryScheme,
    Desired,
    DesiredContact,
    DesiredTask,
    WritebackPlan,
    plan,
)
from servers.graph import GraphServer

from .test_contract import user_view

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture()
def sink(client: GraphClient) -> GraphSink:
    return GraphSink(client, name="graph:work")


def _tasks(server: GraphServer) -> list[dict[str, object]]:
    snap = server.snapshot()
    return [
        task
        for entry in snap["todo"].values()
        if entry["list"]["displayName"] == TASK_LIST
        for task in entry["tasks"].values()
    ]


def test_master_categories_keep_the_users(server: GraphServer, sink: GraphSink) -> None:
    server.add_category("Customer", "preset7")
    server.add_category("Network A", "preset9")  # the user made one of our names already
    sink.apply(AddCategory("Network A", 0))
    sink.apply(AddCategory("Network B", 1))
    sink.apply(AddCategory("Network B", 1))  # a replay is harmless
    master = {c.name: c.color for c in sink.read_state().master_categories}
    assert master == {"Customer": 7, "Network A": 9, "Network B": 1}
    sink.apply(RemoveCategory("Network B"))
    assert [c.name for c in sink.read_state().master_categories] == ["Customer", "Network A"]


def test_every_colour_preset_and_no_colour_reach_the_master_list(
    server: GraphServer, sink: GraphSink
) -> None:
    # writeback.colours takes Outlook's presets 0..24, or -1 for none; Graph names them
    # preset0..preset24 and none (outlookCategory, property color: categoryColor).
    for name, colour in (("Network A", 0), ("Network B", 24), ("Network C", -1)):
        sink.apply(AddCategory(name, colour))
    stored = {c["displayName"]: c["color"] for c in server.mailbox(None).categories.values()}
    assert stored == {"Network A": "preset0", "Network B": "preset24", "Network C": "none"}
    master = {c.name: c.color for c in sink.read_state().master_categories}
    assert master == {"Network A": 0, "Network B": 24, "Network C": -1}


def test_master_list_writes_survive_a_dropped_connection_and_a_user_ahead_of_them(
    server: GraphServer, sink: GraphSink
) -> None:
    # A POST lost before it arrived is sent again; one whose answer was lost made the entry,
    # and the retry's 409 says so. A DELETE of an entry the user removed meanwhile answers 404.
    server.inject_drop(path="/outlook/masterCategories$", method="POST", times=1)
    sink.apply(AddCategory("Network A", 4))
    server.inject_drop(after=True, path="/outlook/masterCategories$", method="POST", times=1)
    sink.apply(AddCategory("Network B", 7))
    master = [(c.name, c.color) for c in sink.read_state().master_categories]
    assert master == [("Network A", 4), ("Network B", 7)]
    server.inject(404, path="/outlook/masterCategories/", method="DELETE", times=1)
    sink.apply(RemoveCategory("Network B"))  # no error


def test_categories_merge_with_what_the_user_did_since_planning(
    server: GraphServer, sink: GraphSink
) -> None:
    cid = server.add_contact(display_name="Ann", emails=["ann@x.example"], categories=["Customer"])
    planned = SetCategories("contact", cid, ("Customer",), ("Customer", "Network A"))
    server.update_contact(cid, categories=["Customer", "VIP"])  # the user, meanwhile
    sink.apply(planned)
    state = {c.item_id: c.categories for c in sink.read_state().contacts}
    assert state[cid] == ("Customer", "VIP", "Network A")
    sink.apply(SetCategories("contact", cid, ("Customer", "Network A"), ("Customer", "Network B")))
    state = {c.item_id: c.categories for c in sink.read_state().contacts}
    assert state[cid] == ("Customer", "VIP", "Network B")


def test_tagging_a_contact_the_user_deleted_meanwhile_is_no_error(
    server: GraphServer, client: GraphClient
) -> None:
    # Gone before the read (GET 404) or between the read and the write (PATCH 404): nothing
    # is left to tag, and the rest of the plan goes on.
    for read_first in (False, True):
        sink = GraphSink(client, name="graph:work")
        cid = server.add_contact(display_name="Ann", emails=["ann@x.example"])
        if read_first:
            sink.read_state()
        server.delete_contact(cid)
        applied = sink.apply(SetCategories("contact", cid, (), ("Network A",)))
        assert applied.item_id == cid


def test_lost_race_twice_is_a_conflict(server: GraphServer, sink: GraphSink) -> None:
    cid = server.add_contact(display_name="Ann", emails=["ann@x.example"])
    server.inject(412, path="/contacts/", method="PATCH", times=2)
    with pytest.raises(Conflict) as info:
        sink.apply(SetCategories("contact", cid, (), ("Network A",)))
    assert info.value.item_id == cid
    # Worded where it is shown, in the user's language.
    assert describe(info.value, Wording("de")) == (
        f"{info.value.account}: das Element wurde zweimal geändert, während es geschrieben wurde"
    )
    server.inject(412, path="/contacts/", method="PATCH", times=1)
    sink.apply(SetCategories("contact", cid, (), ("Network A",)))  # one lost race is retried
    assert server.snapshot()["contacts"][cid]["categories"] == ["Network A"]


def test_message_categories(server: GraphServer, sink: GraphSink) -> None:
    mid = server.add_message("inbox", subject="x", sender="ann@x.example", categories=["Mine"])
    sink.apply(SetCategories("message", mid, ("Mine",), ("Mine", "Network A")))
    assert server.snapshot()["messages"]["inbox"][mid]["categories"] == ["Mine", "Network A"]


def test_reading_marked_messages_leaves_out_the_deleted_and_reports_an_error(
    server: GraphServer, sink: GraphSink
) -> None:
    # What undo reads before taking our marks off: a message the user deleted (404) has none
    # of ours left and is left out; any other error is an error, never an unmarked message.
    kept = server.add_message("inbox", subject="a", sender="ann@x.example", categories=["Mine"])
    gone = server.add_message("inbox", subject="b", sender="ann@x.example")
    server.delete_message(gone)
    found = sink.read_messages([(kept, ""), (gone, "")])
    assert list(found) == [kept] and found[kept].categories == ("Mine",)
    server.inject(400, path=f"/messages/{kept}", in_batch=True, times=1)
    with pytest.raises(ConnectorError):
        sink.read_messages([(kept, "")])


@pytest.mark.parametrize(
    "path", ["/outlook/masterCategories", "/todo/lists", "/contacts", "/mailboxSettings/timeZone"]
)
def test_a_failed_read_of_the_mailbox_is_an_error_not_an_empty_mailbox(
    server: GraphServer, sink: GraphSink, path: str
) -> None:
    # A plan made against a mailbox read as empty would add again what is there (and undo
    # would miss it): any part of read_state's first $batch that fails fails the read.
    server.add_category("Customer", "preset7")
    server.inject(400, path=path, in_batch=True, times=1)
    with pytest.raises(ConnectorError):
        sink.read_state()


def test_tasks_are_linked_to_their_key(server: GraphServer, sink: GraphSink) -> None:
    applied = sink.apply(CreateTask("owed:ann:1", "Reply to Ann", DUE, "Ann asked"))
    again = sink.apply(CreateTask("owed:ann:1", "Reply to Ann", DUE, "Ann asked"))
    assert again.item_id == applied.item_id
    (task,) = _tasks(server)
    assert task["linkedResources"] == [
        {
            "id": task["linkedResources"][0]["id"],  # type: ignore[index]
            "applicationName": APPLICATION_NAME,
            "externalId": "owed:ann:1",
            "displayName": "Reply to Ann",
            "webUrl": None,
        }
    ]
    # To Do keeps the day only (the mailbox's zone is UTC here).
    assert task["dueDateTime"] == {"dateTime": "2026-11-30T00:00:00.0000000", "timeZone": "UTC"}
    sink.apply(
        UpdateTask("owed:ann:1", applied.item_id, "Reply to Ann!", DUE + timedelta(days=1), "b")
    )
    sink.apply(CompleteTask("owed:ann:1", applied.item_id))
    (state,) = sink.read_state().tasks
    assert (state.subject, state.due, state.body, state.complete) == (
        "Reply to Ann!",
        datetime(2026, 12, 1, tzinfo=UTC),
        "b",
        True,
    )


def test_users_own_tasks_in_our_list_are_not_ours(
    server: GraphServer, sink: GraphSink, client: GraphClient
) -> None:
    made = sink.apply(CreateTask("touch:carl", "Call Carl", None, ""))
    list_id = next(
        entry["id"]
        for entry in client.get("/me/todo/lists").body["value"]
        if entry["displayName"] == TASK_LIST
    )
    client.request("POST", f"/me/todo/lists/{list_id}/tasks", json={"title": "Buy milk"})
    assert [t.key for t in sink.read_state().tasks] == ["touch:carl"]
    sink.apply(DeleteTask("touch:carl", made.item_id))
    assert [t["title"] for t in _tasks(server)] == ["Buy milk"]  # the list stays for the user's


def test_a_users_task_linked_by_another_app_is_not_ours(
    server: GraphServer, sink: GraphSink, client: GraphClient
) -> None:
    # Outlook links a task made from a flagged mail to that mail (a linkedResource of its
    # own application): only a link with the product's applicationName makes a task ours.
    sink.apply(CreateTask("touch:carl", "Call Carl", None, ""))
    list_id = next(
        entry["id"]
        for entry in client.get("/me/todo/lists").body["value"]
        if entry["displayName"] == TASK_LIST
    )
    link = {"applicationName": "Microsoft Outlook", "externalId": "AAMkAGI2", "displayName": "Mail"}
    client.request(
        "POST", f"/me/todo/lists/{list_id}/tasks",
        json={"title": "Answer Bob", "linkedResources": [link]},
    )  # fmt: skip
    assert [t.key for t in sink.read_state().tasks] == ["touch:carl"]


def test_every_run_puts_its_tasks_in_the_one_list(server: GraphServer, client: GraphClient) -> None:
    # Each run is a new process with a new sink, and may write before reading the mailbox.
    GraphSink(client, name="graph:work").apply(CreateTask("touch:ann", "Call Ann", None, ""))
    later = GraphSink(client, name="graph:work")
    later.apply(CreateTask("touch:bob", "Call Bob", None, ""))
    later.apply(CreateTask("touch:cy", "Call Cy", None, ""))
    lists = [e for e in client.get("/me/todo/lists").body["value"] if e["displayName"] == TASK_LIST]
    assert len(lists) == 1
    assert sorted(t["title"] for t in _tasks(server)) == ["Call Ann", "Call Bob", "Call Cy"]


def test_a_new_run_completes_a_task_an_earlier_run_made(
    server: GraphServer, client: GraphClient
) -> None:
    made = GraphSink(client, name="graph:work").apply(CreateTask("touch:ann", "Call Ann", None, ""))
    GraphSink(client, name="graph:work").apply(CompleteTask("touch:ann", made.item_id))
    assert [t["status"] for t in _tasks(server)] == ["completed"]


def test_a_to_do_list_deleted_while_it_is_read_is_skipped(
    server: GraphServer, sink: GraphSink, client: GraphClient
) -> None:
    # The lists are read first, then their tasks: a list the user deletes in between answers
    # 404, and the tasks in the others are still read.
    sink.apply(CreateTask("touch:carl", "Call Carl", None, ""))
    groceries = client.request("POST", "/me/todo/lists", json={"displayName": "Groceries"})
    server.inject(404, path=f"/todo/lists/{groceries.body['id']}/tasks", in_batch=True, times=1)
    assert [t.key for t in sink.read_state().tasks] == ["touch:carl"]


def test_lost_answer_to_a_create_makes_no_duplicate(server: GraphServer, sink: GraphSink) -> None:
    sink.read_state()
    server.inject_drop(after=True, path="/tasks$", method="POST")
    applied = sink.apply(CreateTask("owed:ann:1", "Reply to Ann", DUE, ""))
    assert [t["id"] for t in _tasks(server)] == [applied.item_id]
    server.inject_drop(after=True, path="/contacts$", method="POST")
    contact = sink.apply(CreateContact("Dora New", ("dora@new.example",), ("Network B",)))
    made = [c for c in sink.read_state().contacts if c.product_owned]
    assert [c.item_id for c in made] == [contact.item_id]


def test_undo_deletes_only_contacts_the_product_made(server: GraphServer, sink: GraphSink) -> None:
    users = server.add_contact(display_name="Ann", emails=["ann@x.example"])
    ours = sink.apply(CreateContact("Dora New", ("dora@new.example",), ("Network B",)))
    owned = {c.item_id: c.product_owned for c in sink.read_state().contacts}
    assert owned == {users: False, ours.item_id: True}
    sink.apply(DeleteContact(users))  # refused quietly: not ours
    sink.apply(DeleteContact(ours.item_id))
    assert set(server.snapshot()["contacts"]) == {users}


def test_read_state_batches_its_first_reads(server: GraphServer, sink: GraphSink) -> None:
    for n in range(3):
        server.add_contact(display_name=f"P{n}", emails=[f"p{n}@x.example"])
    state = sink.read_state()
    assert len(state.contacts) == 3
    # One round trip for categories, lists, contacts and time zone; one for every list's tasks.
    assert server.count(path="/$batch") == 2 and server.count(in_batch=True) == 4 + 1


def test_tagging_after_read_state_costs_one_request_per_contact(
    server: GraphServer, sink: GraphSink, client: GraphClient
) -> None:
    ids = [server.add_contact(display_name=f"P{n}", emails=[f"p{n}@x.example"]) for n in range(10)]
    sink.read_state()
    server.update_contact(ids[0], categories=["VIP"])  # changed since: one 412 and a re-read
    sent = client.requests_sent
    for item_id in ids:
        sink.apply(SetCategories("contact", item_id, (), ("Network C",)))
    assert client.requests_sent - sent == 10 + 2
    snap = server.snapshot()["contacts"]
    assert snap[ids[0]]["categories"] == ["VIP", "Network C"]
    assert all(snap[i]["categories"] == ["Network C"] for i in ids[1:])


def test_soak_apply_and_undo_under_random_faults(
    server: GraphServer, make_client: Callable[..., GraphClient], store: Store
) -> None:
    """Every answer may be lost or refused; re-running converges without duplicates."""
    people = [
        server.add_contact(display_name=f"P{n}", emails=[f"p{n}@x.example"], categories=["Mine"])
        for n in range(12)
    ]
    server.add_category("Mine", "preset2")
    before = user_view(server)
    known = [DesiredContact((f"p{n}@x.example",), f"P{n}", "ABCD"[n % 4]) for n in range(12)]
    desired = Desired(
        contacts=(*known, DesiredContact(("new@x.example",), "New Person", "B")),
        tasks=tuple(
            DesiredTask(f"owed:{n}", f"Reply {n}", DUE + timedelta(days=n), f"body {n}")
            for n in range(8)
        ),
        create_contacts_for=frozenset({"B"}),
    )
    scheme = CategoryScheme()
    server.chaos(seed=4242, rate=0.2, retry_after=0)
    sink = GraphSink(make_client(), name="graph:work")
    for _run in range(40):
        try:
            actions = plan(desired, sink.read_state(), scheme)
        except ConnectorError:
            continue
        if not actions:
            break
        apply_plan(store, sink, actions, run_id=f"run{_run}")
    else:
        pytest.fail("apply never converged under faults")
    server.faults.clear()
    state = sink.read_state()
    assert sorted(t.key for t in state.tasks) == sorted(f"owed:{n}" for n in range(8))
    assert [c.full_name for c in state.contacts if c.product_owned] == ["New Person"]
    tiers = {c.item_id: c.categories for c in state.contacts}
    assert all(tiers[p][0] == "Mine" and len(tiers[p]) == 2 for p in people)
    assert len(server.faults.fired) > 5

    server.chaos(seed=99, rate=0.2, retry_after=0)
    for _run in range(40):
        try:
            if undo(store, sink, scheme).complete:
                break
        except ConnectorError:
            continue
    server.faults.clear()
    assert user_view(server) == before


def test_apply_twice_is_quiet_when_to_do_keeps_dates_only(
    server: GraphServer, sink: GraphSink, store: Store
) -> None:
    desired = Desired(contacts=(), tasks=(DesiredTask("owed:1", "Reply", DUE, "b"),))
    scheme = CategoryScheme()
    apply_plan(store, sink, plan(desired, sink.read_state(), scheme), run_id="1")
    assert plan(desired, sink.read_state(), scheme).actions == ()


LATE = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
EARLY = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "iana", "due", "day"),
    [
        # 23:30 UTC on 30 November is already 1 December in Berlin...
        ("W. Europe Standard Time", "Europe/Berlin", LATE, "2026-12-01"),
        ("Europe/Berlin", "Europe/Berlin", LATE, "2026-12-01"),
        # ... and 05:00 UTC on 1 December still 30 November in California.
        ("Pacific Standard Time", "America/Los_Angeles", EARLY, "2026-11-30"),
    ],
)
def test_due_dates_are_days_in_the_mailbox_time_zone(
    server: GraphServer,
    sink: GraphSink,
    store: Store,
    zone: str,
    iana: str,
    due: datetime,
    day: str,
) -> None:
    server.mailbox().time_zone = zone  # mailboxSettings.timeZone, Windows or IANA
    desired = Desired(contacts=(), tasks=(DesiredTask("owed:1", "Reply", due, "b"),))
    scheme = CategoryScheme()
    apply_plan(store, sink, plan(desired, sink.read_state(), scheme), run_id="1")
    (task,) = _tasks(server)
    # To Do reads a due date back as the midnight it keeps, in UTC (MS365-ToDo#29).
    kept = datetime.fromisoformat(task["dueDateTime"]["dateTime"][:19]).replace(tzinfo=UTC)
    local = kept.astimezone(ZoneInfo(iana))
    assert (local.date().isoformat(), local.time()) == (day, time(0))
    assert plan(desired, sink.read_state(), scheme).actions == ()  # and it stays that day


def test_a_task_the_user_moved_to_another_list_is_found_there(
    server: GraphServer, client: GraphClient, sink: GraphSink, store: Store
) -> None:
    desired = Desired(contacts=(), tasks=(DesiredTask("owed:1", "Reply to Ann", DUE, "b"),))
    scheme = CategoryScheme()
    apply_plan(store, sink, plan(desired, sink.read_state(), scheme), run_id="1")
    (task,) = _tasks(server)
    server.move_task(str(task["id"]), "Tasks")  # the user drags it into their own list
    again = GraphSink(client, name="graph:work")
    assert plan(desired, again.read_state(), scheme).actions == ()  # found, not made again
    done = Desired(contacts=(), tasks=())
    apply_plan(store, again, plan(done, again.read_state(), scheme), run_id="2")
    tasks = [
        (entry["list"]["displayName"], t["title"], t["status"])
        for entry in server.snapshot()["todo"].values()
        for t in entry["tasks"].values()
    ]
    assert tasks == [("Tasks", "Reply to Ann", "completed")]


def _version(server: GraphServer, item_id: str) -> str:
    return str(server.snapshot()["messages"]["inbox"][item_id]["changeKey"])


def test_messages_are_marked_twenty_to_a_batch_each_guarded_by_its_change_key(
    server: GraphServer, sink: GraphSink
) -> None:
    ids = [server.add_message("inbox", subject=f"m{n}", sender="ann@x.example") for n in range(45)]
    actions: list[SetCategories | SetFlag] = [
        SetCategories("message", i, (), ("Network B",), version=_version(server, i)) for i in ids
    ]
    flag = FollowUpFlag("flagged", start=DUE, due=DUE + timedelta(days=2))
    actions.insert(1, SetFlag(ids[0], NOT_FLAGGED, flag, version=_version(server, ids[0])))
    before = len(server.requests)
    outcome = sink.apply_batch(actions)
    assert outcome.error is None and len(outcome.applied) == 46
    sent = server.requests[before:]
    batches = [r for r in sent if not r.in_batch]
    patches = [r for r in sent if r.in_batch]
    # One PATCH per message (the flag rides with the categories), at most twenty per $batch.
    assert len(patches) == 45 and len(batches) == 4  # 3 $batch and the mailbox's time zone
    assert all(r.headers.get("if-match", "").startswith('W/"') for r in patches)
    first = server.snapshot()["messages"]["inbox"][ids[0]]
    assert first["categories"] == ["Network B"] and first["flag"]["flagStatus"] == "flagged"
    # What each message shows now comes back, for the store to keep until the next sync.
    marks = outcome.applied[0].marks
    assert marks is not None and marks.version == first["changeKey"]


def test_a_flag_the_user_set_meanwhile_stays_theirs(server: GraphServer, sink: GraphSink) -> None:
    mid = server.add_message("inbox", subject="q", sender="ann@x.example")
    seen = _version(server, mid)
    users = {"flagStatus": "complete"}
    server.update_message(mid, flag=users, categories=["Mine"])  # after the plan was made
    ours = FollowUpFlag("flagged", start=DUE, due=DUE + timedelta(days=2))
    outcome = sink.apply_batch([
        SetFlag(mid, NOT_FLAGGED, ours, version=seen),
        SetCategories("message", mid, (), ("Network B",), version=seen),
    ])  # fmt: skip
    assert outcome.error is None
    message = server.snapshot()["messages"]["inbox"][mid]
    assert message["flag"] == users and message["categories"] == ["Mine", "Network B"]


def test_a_message_failing_in_a_batch_fails_the_run_and_the_stale_one_waits(
    server: GraphServer, sink: GraphSink, store: Store
) -> None:
    # One sub-request of a $batch fails (each answers for itself: "JSON batching", Microsoft
    # Graph docs) while another answers 412 because the user changed that message since the
    # plan. The failure is the run's error: nothing more is written after it (the rest is
    # planned again next run), and only the message really marked counts as done.
    ids = [server.add_message("inbox", subject=f"m{n}", sender="ann@x.example") for n in range(3)]
    seen = {i: _version(server, i) for i in ids}
    server.update_message(ids[1], categories=["Mine"])  # the user, after the plan
    server.inject(400, path=f"/messages/{ids[2]}", method="PATCH", in_batch=True, times=1)
    tags = [SetCategories("message", i, (), ("Network B",), version=seen[i]) for i in ids]
    report = apply_plan(store, sink, WritebackPlan(tuple(tags)), run_id="run")
    assert not report.complete and isinstance(report.error, ConnectorError)
    assert [a.item_id for a in report.applied] == [ids[0]]
    shown = {i: m["categories"] for i, m in server.snapshot()["messages"]["inbox"].items()}
    assert shown == {ids[0]: ["Network B"], ids[1]: ["Mine"], ids[2]: []}


def test_a_message_changed_again_while_it_was_marked_is_a_conflict_the_rest_done(
    server: GraphServer, sink: GraphSink
) -> None:
    # Both guarded PATCHes of one message answer 412 (If-Match: its change key moved on, the
    # user busy with it): the sink gives up on that message, names it, and keeps the others.
    ids = [server.add_message("inbox", subject=f"m{n}", sender="ann@x.example") for n in range(3)]
    server.inject(412, path=f"/messages/{ids[1]}", method="PATCH", in_batch=True, times=2)
    outcome = sink.apply_batch(
        [SetCategories("message", i, (), ("Network B",), version=_version(server, i)) for i in ids]
    )
    assert isinstance(outcome.error, Conflict) and outcome.error.item_id == ids[1]
    assert describe(outcome.error, Wording("de")) == (
        f"{outcome.error.account}: die Nachricht wurde zweimal geändert, während sie markiert "
        "wurde"
    )
    assert [a.action.item_id for a in outcome.applied] == [ids[0], ids[2]]
    shown = {i: m["categories"] for i, m in server.snapshot()["messages"]["inbox"].items()}
    assert shown == {ids[0]: ["Network B"], ids[1]: [], ids[2]: ["Network B"]}


def test_a_message_of_no_known_version_deleted_meanwhile_leaves_the_run_complete(
    server: GraphServer, sink: GraphSink, store: Store
) -> None:
    # A message stored with no marks has no version to guard the write: it is read first. One
    # the user deleted since is nothing left to mark, not a run left incomplete.
    kept = server.add_message("inbox", subject="a", sender="ann@x.example")
    gone = server.add_message("inbox", subject="b", sender="ann@x.example")
    server.delete_message(gone)
    tags = [SetCategories("message", i, (), ("Network B",)) for i in (kept, gone)]
    report = apply_plan(store, sink, WritebackPlan(tuple(tags)), run_id="run")
    assert report.complete, report.error
    assert server.snapshot()["messages"]["inbox"][kept]["categories"] == ["Network B"]


def test_a_message_deleted_between_the_read_and_the_mark_leaves_the_run_complete(
    server: GraphServer, sink: GraphSink, store: Store
) -> None:
    # The guarded PATCH of a message the user deleted after the plan answers 404
    # (ErrorItemNotFound; "JSON batching": each sub-request answers for itself). Nothing is
    # left to mark: the run completes and the other message is marked.
    ids = [server.add_message("inbox", subject=f"m{n}", sender="ann@x.example") for n in range(2)]
    seen = {i: _version(server, i) for i in ids}
    server.delete_message(ids[0])
    tags = [SetCategories("message", i, (), ("Network B",), version=seen[i]) for i in ids]
    report = apply_plan(store, sink, WritebackPlan(tuple(tags)), run_id="run")
    assert report.complete, report.error
    assert server.snapshot()["messages"]["inbox"][ids[1]]["categories"] == ["Network B"]


def test_changing_or_undoing_what_the_user_already_deleted_is_quiet(
    server: GraphServer, client: GraphClient
) -> None:
    # The user deletes our task and our contact in Outlook after this run found them: the
    # update and the undo that follow meet 404 and carry on (nothing is left to change).
    sink = GraphSink(client, name="graph:work")
    sink.read_state()
    task = sink.apply(CreateTask("owed:ann:1", "Reply to Ann", DUE, ""))
    keep = sink.apply(CreateTask("owed:bob:1", "Reply to Bob", DUE, ""))
    contact = sink.apply(CreateContact("Dora New", ("dora@new.example",), ("Network B",)))
    (list_id,) = [k for k, e in server.snapshot()["todo"].items() if e["tasks"].get(task.item_id)]
    client.request("DELETE", f"/me/todo/lists/{list_id}/tasks/{task.item_id}")  # the user
    server.delete_contact(contact.item_id)  # the user
    sink.apply(UpdateTask("owed:ann:1", task.item_id, "Reply to Ann!", DUE, ""))
    sink.apply(DeleteTask("owed:ann:1", task.item_id))
    sink.apply(DeleteContact(contact.item_id))
    assert [t["id"] for t in _tasks(server)] == [keep.item_id]
    assert server.snapshot()["contacts"] == {}


def test_a_contact_deleted_between_the_check_and_the_delete_is_no_error(
    server: GraphServer, sink: GraphSink
) -> None:
    # Undo reads the contact to see it is ours, then deletes it; the user deleting it in
    # between makes the DELETE answer 404 (ErrorItemNotFound), which leaves nothing to do.
    ours = sink.apply(CreateContact("Dora New", ("dora@new.example",), ("Network B",)))
    server.inject(404, path=f"/contacts/{ours.item_id}", method="DELETE", times=1)
    assert sink.apply(DeleteContact(ours.item_id)).item_id == ours.item_id


@pytest.mark.parametrize(
    ("where", "method"), [(r"/tasks(\?|$)", "GET"), (r"/todo/lists/[^/]+$", "DELETE")]
)
def test_our_list_deleted_by_the_user_during_an_undo_is_no_error(
    server: GraphServer, sink: GraphSink, where: str, method: str
) -> None:
    # Undo deletes our last task, looks whether our list is now empty and deletes it; the user
    # may delete the list in between (404 ErrorItemNotFound on the look or on the delete).
    task = sink.apply(CreateTask("owed:ann:1", "Reply to Ann", DUE, ""))
    fault = server.inject(404, path=where, method=method, times=1)
    sink.apply(DeleteTask("owed:ann:1", task.item_id))
    assert fault.hits == 1 and _tasks(server) == []


def test_a_task_undone_in_this_run_is_made_afresh_when_asked_again(
    server: GraphServer, sink: GraphSink
) -> None:
    # The agent keeps one sink for its life: after undo deleted a task, an apply that wants it
    # again must make it, not take the deleted task's id from what the sink remembered.
    first = sink.apply(CreateTask("owed:ann:1", "Reply to Ann", DUE, ""))
    sink.apply(DeleteTask("owed:ann:1", first.item_id))
    again = sink.apply(CreateTask("owed:ann:1", "Reply to Ann", DUE, ""))
    assert again.item_id != first.item_id
    assert [t["id"] for t in _tasks(server)] == [again.item_id]


def test_a_lost_create_does_not_adopt_the_users_own_contact(
    server: GraphServer, sink: GraphSink
) -> None:
    # After a lost answer to our POST the sink looks for the contact it may have made: only a
    # contact the product marked counts, never the user's own card for the same address.
    users = server.add_contact(display_name="Dora", emails=["dora@new.example"])
    server.inject_drop(after=True, path="/contacts$", method="POST")
    ours = sink.apply(CreateContact("Dora New", ("dora@new.example",), ("Network B",)))
    assert ours.item_id != users
    owned = {c.item_id: c.product_owned for c in sink.read_state().contacts}
    assert owned == {users: False, ours.item_id: True}


def test_a_user_edit_between_the_contacts_read_and_its_write_wins(
    server: GraphServer, sink: GraphSink
) -> None:
    # No read_state first: the sink reads the contact (GET), and the user adds "VIP" before
    # the sink's PATCH. Guarded by the GET's etag, that PATCH answers 412, and the re-read
    # keeps the user's "VIP" next to ours; an unguarded one would have written over it.
    cid = server.add_contact(display_name="Ann", emails=["ann@x.example"], categories=["Customer"])

    def users_edit() -> None:
        server.update_contact(cid, categories=["Customer", "VIP"])

    server.after_answer("GET", f"/contacts/{cid}$", users_edit)
    sink.apply(SetCategories("contact", cid, ("Customer",), ("Customer", "Network A")))
    assert server.snapshot()["contacts"][cid]["categories"] == ["Customer", "VIP", "Network A"]
    patches = [r for r in server.requests if r.method == "PATCH"]
    assert [r.status for r in patches] == [412, 200]


def test_a_task_another_run_made_after_this_one_read_the_lists_is_found(
    server: GraphServer, client: GraphClient
) -> None:
    # The agent's run has read the task lists; a CLI apply (another sink) then makes a task,
    # and this run is asked to complete it: the id it has not seen is looked up afresh, not
    # taken for a task the user deleted.
    this_run = GraphSink(client, name="graph:work")
    assert this_run.read_state().tasks == ()
    made = GraphSink(client, name="graph:work").apply(CreateTask("touch:ann", "Call Ann", None, ""))
    this_run.apply(CompleteTask("touch:ann", made.item_id))
    assert [(t["id"], t["status"]) for t in _tasks(server)] == [(made.item_id, "completed")]


def test_a_task_body_reads_back_as_written_with_its_angle_brackets_and_ampersands(
    server: GraphServer, sink: GraphSink
) -> None:
    # The body goes out as itemBody contentType "text" (itemBody resource type: text or html);
    # text is the characters themselves, so "<...>" and "&amp;" are not markup to strip.
    body = "Ann Lee <ann@x.example> asked about R&D &amp; the <b>plan</b>"
    sink.apply(CreateTask("owed:ann:1", "Reply to Ann", None, body))
    (stored,) = _tasks(server)
    assert stored["body"] == {"content": body, "contentType": "text"}
    (state,) = sink.read_state().tasks
    assert state.body == body


def test_tasks_read_by_id_then_a_new_task_lists_no_task_list(
    server: GraphServer, client: GraphClient
) -> None:
    # A write-back that reads the tasks it needs (app.pipeline) must not list every task to
    # create one: the plan already knows no task of the product's has that key.
    GraphSink(client, name="graph:work").apply(CreateTask("owed:ann:1", "Reply to Ann", DUE, ""))
    sink = GraphSink(client, name="graph:work")  # a new process, as the agent's next cycle
    sink.read_state(tasks=False)
    assert sink.read_tasks([]) == ()  # the journal vouches for Ann's: nothing to read
    before = len(server.requests)
    sink.apply(CreateTask("owed:bob:2", "Reply to Bob", DUE, ""))
    listed = [
        r for r in server.requests[before:] if r.method == "GET" and r.path.endswith("/tasks")
    ]
    assert listed == []
    assert sorted(t["title"] for t in _tasks(server)) == ["Reply to Ann", "Reply to Bob"]
