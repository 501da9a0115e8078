"""Routing for the Graph test server: which operation serves which path.

``dispatch(call)`` routes a mailbox-scoped request (the part after ``/me`` or ``/users/{id}``)
to its handler under the mailbox's lock. HTTP plumbing, authentication, throttling and
``$batch`` live in ``server.py``.

Exports: ``dispatch``, ``ROUTES``, and (for the server) ``Call``, ``Reply``, ``GraphError``,
``error_body``, ``resync_location``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import categories, items, todo
from .deltas import resync_location
from .protocol import Call, GraphError, Reply, error_body

__all__ = ["ROUTES", "Call", "GraphError", "Reply", "dispatch", "error_body", "resync_location"]


def _me(call: Call) -> Reply:
    mb = call.mailbox
    return Reply(
        200,
        {
            "@odata.context": f"{call.base}/$metadata#users/$entity",
            "id": mb.user_id,
            "displayName": mb.display_name,
            "mail": mb.upn,
            "userPrincipalName": mb.upn,
        },
    )


# --------------------------------------------------------------------------- routing

Handler = Callable[..., Reply]
Route = tuple[frozenset[str], re.Pattern[str], Handler]
_ID = "([^/]+)"  # one path segment, captured and passed to the handler
_IN_FOLDER = "(?:mailFolders/[^/]+/)?"
_IN_CONTACTS = "(?:contactFolders/[^/]+/)?"
_LIST = f"/todo/lists/{_ID}"
_TASK = f"{_LIST}/tasks/{_ID}"


def _route(methods: str, pattern: str, handler: Handler) -> Route:
    return frozenset(methods.split()), re.compile(pattern), handler


# The rest of the path after /me or /users/{id}, matched whole.
ROUTES: list[Route] = [
    _route("GET", "", _me),
    _route("GET", f"/mailFolders/{_ID}/messages/delta", items.message_delta),
    _route("GET", "/mailFolders", items.list_folders),
    _route("GET", f"/mailFolders/{_ID}", items.get_folder),
    _route("GET", f"/mailFolders/{_ID}/childFolders", items.list_child_folders),
    _route("GET POST", f"/mailFolders/{_ID}/messages", items.list_messages),
    _route("GET DELETE", f"/{_IN_FOLDER}messages/{_ID}", items.get_message),
    _route("PATCH", f"/{_IN_FOLDER}messages/{_ID}", items.patch_message),
    _route("GET", "/calendarView/delta", items.calendar_delta),
    _route("GET", f"/(?:calendar/)?events/{_ID}", items.get_event),
    _route("GET", "/contacts/delta", items.contacts_delta),
    _route("GET", f"/contactFolders/{_ID}/contacts/delta", items.contacts_delta),
    _route("GET POST", "/contacts", items.list_contacts),
    _route("GET POST", f"/contactFolders/{_ID}/contacts", items.list_contacts),
    _route("GET DELETE", f"/{_IN_CONTACTS}contacts/{_ID}", items.get_contact),
    _route("PATCH", f"/{_IN_CONTACTS}contacts/{_ID}", items.patch_contact),
    _route("GET", "/outlook/masterCategories", categories.list_categories),
    _route("POST", "/outlook/masterCategories", categories.create_category),
    _route("GET PATCH DELETE", f"/outlook/masterCategories/{_ID}", categories.category_by_id),
    _route("POST", "/translateExchangeIds", items.translate_ids),
    _route("GET", "/mailboxSettings/timeZone", items.mailbox_time_zone),
    _route("GET POST", "/todo/lists", todo.todo_lists),
    _route("GET PATCH DELETE", _LIST, todo.todo_list),
    _route("GET POST", f"{_LIST}/tasks", todo.todo_tasks),
    _route("GET PATCH DELETE", _TASK, todo.todo_task),
    _route("GET POST", f"{_TASK}/linkedResources", todo.linked_resources),
    _route("GET PATCH DELETE", f"{_TASK}/linkedResources/{_ID}", todo.linked_resources),
]


def dispatch(call: Call) -> Reply:
    """Route one mailbox-scoped call; raises ``GraphError`` for error replies."""
    path_known = False
    for methods, pattern, handler in ROUTES:
        m = pattern.fullmatch(call.rest)
        if m is None:
            continue
        path_known = True
        if call.method in methods:
            with call.mailbox.lock:
                return handler(call, *m.groups())
    if path_known:
        raise GraphError(405, "Request_BadRequest", f"Method {call.method} is not allowed here.")
    raise GraphError(
        400,
        "BadRequest",
        f"Resource not found for the segment '{call.rest.strip('/').split('/')[0]}'.",
    )
