"""Microsoft To Do for the Graph test server: lists, tasks and their linked resources.

Exports: ``todo_lists``, ``todo_list``, ``todo_tasks``, ``todo_task``, ``linked_resources``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from .mailbox import Item, TodoList, change_key, iso
from .protocol import (
    DEFAULT_TASK_PAGE,
    Call,
    Reply,
    bad_request,
    check_if_match,
    list_paged,
    not_found,
    string_list,
)
from .resources import IMPORTANCE, TASK_STATUSES, parse_graph_datetime, render, zone_named


def _etag_bump(item: Item) -> None:
    version = int(item.get("_v", 0)) + 1
    item["_v"] = version
    item["_etag"] = change_key(item["id"], version)


def _list_json(todo: TodoList) -> dict[str, Any]:
    return render(todo.data, None, odata_type="#microsoft.graph.todoTaskList")


def todo_lists(call: Call) -> Reply:
    mb = call.mailbox
    if call.method == "GET":
        return Reply(
            200,
            {
                "@odata.context": f"{call.base}/$metadata#users('{mb.upn}')/todo/lists",
                "value": [_list_json(t) for t in mb.todo.values()],
            },
        )
    body = call.body
    if not isinstance(body, dict) or not isinstance(body.get("displayName"), str):
        raise bad_request("The displayName property is required.", "invalidRequest")
    list_id = mb.new_id("todolist")
    data = {
        "id": list_id,
        "displayName": body["displayName"],
        "isOwner": True,
        "isShared": False,
        "wellknownListName": "none",
    }
    _etag_bump(data)
    mb.todo[list_id] = TodoList(data)
    return Reply(201, _list_json(mb.todo[list_id]))


def todo_list(call: Call, list_id: str) -> Reply:
    todo = call.mailbox.todo.get(list_id)
    if todo is None:
        raise not_found()
    if call.method == "GET":
        return Reply(200, _list_json(todo))
    if call.method == "DELETE":
        if todo.data.get("wellknownListName") == "defaultList":
            raise bad_request("The default task list cannot be deleted.", "invalidRequest")
        del call.mailbox.todo[list_id]
        return Reply(204)
    body = call.body if isinstance(call.body, dict) else {}
    if set(body) - {"displayName"}:
        raise bad_request("Only displayName can be updated on a todoTaskList.", "invalidRequest")
    if "displayName" in body:
        todo.data["displayName"] = body["displayName"]
        _etag_bump(todo.data)
    return Reply(200, _list_json(todo))


TASK_WRITABLE = frozenset(
    {
        "title", "status", "importance", "body", "dueDateTime", "startDateTime",
        "reminderDateTime", "isReminderOn", "completedDateTime", "categories", "recurrence",
    }
)  # fmt: skip
LINK_FIELDS = frozenset({"webUrl", "applicationName", "displayName", "externalId"})


def _date_time_tz(value: Any, name: str) -> dict[str, str] | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("dateTime"), str)
        or not isinstance(value.get("timeZone"), str)
    ):
        raise bad_request(f"Property '{name}' must be a dateTimeTimeZone.", "invalidRequest")
    try:
        parse_graph_datetime(value["dateTime"])
    except ValueError:
        raise bad_request(f"Invalid dateTime in '{name}'.", "invalidRequest") from None
    return {"dateTime": value["dateTime"], "timeZone": value["timeZone"]}


def _due_date(value: dict[str, str]) -> dict[str, str]:
    """What To Do keeps of a due date: the day in the zone it was given, read back as that
    day's midnight there, in UTC. A time is dropped ("2020-07-25T04:10" GMT reads back as
    "2020-07-25T00:00:00" UTC, microsoftgraph/microsoft-graph-docs#16991); a day given in UTC-10
    reads back as 10:00 UTC that day, one given in UTC+14 as 10:00 UTC the day before
    (RogerSelwyn/MS365-ToDo#29)."""
    try:
        zone = zone_named(value["timeZone"])
    except ValueError:
        raise bad_request(f"Invalid time zone '{value['timeZone']}'.", "invalidRequest") from None
    day = date.fromisoformat(value["dateTime"][:10])
    midnight = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    return {"dateTime": midnight.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _apply_task_fields(call: Call, task: Item, body: dict[str, Any]) -> None:
    for key, value in body.items():
        if key.startswith("@odata"):
            continue
        if key not in TASK_WRITABLE:
            raise bad_request(
                f"Invalid property '{key}' for microsoft.graph.todoTask.", "invalidRequest"
            )
        if key == "status":
            if value not in TASK_STATUSES:
                raise bad_request(f"Invalid status '{value}'.", "invalidRequest")
            was_done = task.get("status") == "completed"
            task["status"] = value
            if value == "completed" and not was_done and "completedDateTime" not in body:
                task["completedDateTime"] = {
                    "dateTime": call.now.astimezone(UTC).strftime("%Y-%m-%dT00:00:00.0000000"),
                    "timeZone": "UTC",
                }
            elif value != "completed":
                task.pop("completedDateTime", None)
        elif key == "importance":
            if value not in IMPORTANCE:
                raise bad_request(f"Invalid importance '{value}'.", "invalidRequest")
            task[key] = value
        elif key in ("dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime"):
            parsed = _date_time_tz(value, key)
            if parsed is None:
                task.pop(key, None)
            else:
                task[key] = _due_date(parsed) if key == "dueDateTime" else parsed
        elif key == "body":
            if (
                not isinstance(value, dict)
                or not isinstance(value.get("content", ""), str)
                or value.get("contentType", "text") not in ("text", "html")
            ):
                raise bad_request("Property 'body' must be an itemBody.", "invalidRequest")
            task["body"] = {
                "content": value.get("content", ""),
                "contentType": value.get("contentType", "text"),
            }
            task["bodyLastModifiedDateTime"] = iso(call.now)
        elif key == "categories":
            task[key] = string_list(value, key)
        elif key == "title":
            if not isinstance(value, str):
                raise bad_request("Property 'title' must be a string.", "invalidRequest")
            task[key] = value
        elif key == "isReminderOn":
            if not isinstance(value, bool):
                raise bad_request("Property 'isReminderOn' must be a Boolean.", "invalidRequest")
            task[key] = value
        else:
            task[key] = value


def _new_link(call: Call, value: Any) -> Item:
    if not isinstance(value, dict):
        raise bad_request("A linkedResource must be an object.", "invalidRequest")
    unknown = set(value) - LINK_FIELDS - {"@odata.type"}
    if unknown:
        raise bad_request(f"Invalid linkedResource properties: {sorted(unknown)}", "invalidRequest")
    for key in LINK_FIELDS:
        if key in value and value[key] is not None and not isinstance(value[key], str):
            raise bad_request(f"linkedResource '{key}' must be a string.", "invalidRequest")
    link = {
        "id": str(uuid.uuid4()),
        "webUrl": value.get("webUrl"),
        "applicationName": value.get("applicationName"),
        "displayName": value.get("displayName"),
        "externalId": value.get("externalId"),
    }
    return link


def _task_json(todo: TodoList, task: Item, expand: bool) -> dict[str, Any]:
    out = render(task, None, odata_type="#microsoft.graph.todoTask")
    if expand:
        out["linkedResources"] = [
            {"@odata.type": "#microsoft.graph.linkedResource", **link}
            for link in todo.linked.get(task["id"], {}).values()
        ]
    return out


def _task_filter(raw: str | None) -> Callable[[Item], bool]:
    if not raw:
        return lambda task: True
    tests: list[Callable[[Item], bool]] = []
    for clause in re.split(r"\s+and\s+", raw.strip(), flags=re.I):
        m = re.fullmatch(r"(status|title|importance)\s+(eq|ne)\s+'([^']*)'", clause.strip())
        if m is None:
            raise bad_request(f"Unsupported $filter clause: {clause}", "invalidRequest")
        tests.append(_comparison(m.group(1), m.group(2) == "eq", m.group(3)))
    return lambda task: all(test(task) for test in tests)


def _comparison(prop: str, equal: bool, literal: str) -> Callable[[Item], bool]:
    return lambda task: (task.get(prop) == literal) == equal


def _expands_links(call: Call) -> bool:
    raw = call.query.get("$expand", "")
    names = {part.strip().lower() for part in raw.split(",") if part.strip()}
    unknown = names - {"linkedresources"}
    if unknown:
        raise bad_request(f"Unsupported $expand: {sorted(unknown)}", "invalidRequest")
    return "linkedresources" in names


def todo_tasks(call: Call, list_id: str) -> Reply:
    todo = call.mailbox.todo.get(list_id)
    if todo is None:
        raise not_found()
    if call.method == "GET":
        expand = _expands_links(call)
        wanted = _task_filter(call.query.get("$filter"))
        rendered = [_task_json(todo, t, expand) for t in todo.tasks.values() if wanted(t)]
        return list_paged(
            call, rendered, f"/todo/lists/{list_id}/tasks", DEFAULT_TASK_PAGE,
            "microsoft.graph.todoTask",
        )  # fmt: skip
    body = call.body
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.", "invalidRequest")
    links_in = body.get("linkedResources", [])
    if not isinstance(links_in, list):
        raise bad_request("linkedResources must be a collection.", "invalidRequest")
    links = [_new_link(call, v) for v in links_in]
    task_id = call.mailbox.new_id("task")
    now = iso(call.now)
    task: Item = {
        "id": task_id,
        "importance": "normal",
        "isReminderOn": False,
        "status": "notStarted",
        "title": "",
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "bodyLastModifiedDateTime": now,
        "hasAttachments": False,
        "categories": [],
        "body": {"content": "", "contentType": "text"},
    }
    _apply_task_fields(call, task, {k: v for k, v in body.items() if k != "linkedResources"})
    _etag_bump(task)
    todo.tasks[task_id] = task
    todo.linked[task_id] = {link["id"]: link for link in links}
    out = _task_json(todo, task, expand=bool(links))
    return Reply(201, out)


def todo_task(call: Call, list_id: str, task_id: str) -> Reply:
    todo = call.mailbox.todo.get(list_id)
    if todo is None:
        raise not_found()
    task = todo.tasks.get(task_id)
    if task is None:
        raise not_found()
    if call.method == "GET":
        return Reply(200, _task_json(todo, task, _expands_links(call)))
    if call.method == "DELETE":
        del todo.tasks[task_id]
        todo.linked.pop(task_id, None)
        return Reply(204)
    if not isinstance(call.body, dict):
        raise bad_request("Empty Payload. JSON content expected.", "invalidRequest")
    check_if_match(call, task)
    _apply_task_fields(call, task, call.body)
    task["lastModifiedDateTime"] = iso(call.now)
    _etag_bump(task)
    return Reply(200, _task_json(todo, task, expand=False))


def linked_resources(call: Call, list_id: str, task_id: str, link_id: str | None = None) -> Reply:
    todo = call.mailbox.todo.get(list_id)
    if todo is None or task_id not in todo.tasks:
        raise not_found()
    links = todo.linked.setdefault(task_id, {})
    if link_id is None:
        if call.method == "GET":
            return Reply(
                200,
                {
                    "@odata.context": f"{call.base}/$metadata#Collection(microsoft.graph."
                    "linkedResource)",
                    "value": [
                        {"@odata.type": "#microsoft.graph.linkedResource", **v}
                        for v in links.values()
                    ],
                },
            )
        link = _new_link(call, call.body)
        links[link["id"]] = link
        return Reply(201, {"@odata.type": "#microsoft.graph.linkedResource", **link})
    existing = links.get(link_id)
    if existing is None:
        raise not_found()
    if call.method == "GET":
        return Reply(200, {"@odata.type": "#microsoft.graph.linkedResource", **existing})
    if call.method == "DELETE":
        del links[link_id]
        return Reply(204)
    update = _new_link(call, call.body)
    for key in LINK_FIELDS:
        if isinstance(call.body, dict) and key in call.body:
            existing[key] = update[key]
    return Reply(200, {"@odata.type": "#microsoft.graph.linkedResource", **existing})
