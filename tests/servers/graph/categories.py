"""The master category list (``/outlook/masterCategories``) of the Graph test server.

Names are unique (case-insensitively, as Outlook treats them): a duplicate answers 409. Colours
are ``none`` or ``preset0``..``preset24``.

Exports: ``list_categories``, ``create_category``, ``category_by_id``.
"""

from __future__ import annotations

import uuid
from typing import Any

from .mailbox import Item
from .protocol import Call, GraphError, Reply, bad_request, not_found
from .resources import CATEGORY_COLORS


def _category_json(call: Call, cat: Item) -> dict[str, Any]:
    return {"id": cat["id"], "displayName": cat["displayName"], "color": cat["color"]}


def list_categories(call: Call) -> Reply:
    return Reply(
        200,
        {
            "@odata.context": f"{call.base}/$metadata#users('{call.mailbox.upn}')"
            "/outlook/masterCategories",
            "value": [_category_json(call, c) for c in call.mailbox.categories.values()],
        },
    )


def create_category(call: Call) -> Reply:
    body = call.body
    if not isinstance(body, dict):
        raise bad_request("Empty Payload. JSON content expected.", "BadRequest")
    name = body.get("displayName")
    color = body.get("color", "none")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("The displayName property is required.", "ErrorInvalidProperty")
    if color not in CATEGORY_COLORS:
        raise bad_request(f"'{color}' is not a valid categoryColor.", "ErrorInvalidProperty")
    unknown = set(body) - {"displayName", "color"}
    if unknown:
        raise bad_request(f"Unknown properties: {sorted(unknown)}", "RequestBroker--ParseUri")
    if any(
        c["displayName"].casefold() == name.casefold() for c in call.mailbox.categories.values()
    ):
        raise GraphError(
            409, "ErrorAlreadyExists", "A category with the same display name already exists."
        )
    cat_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{call.mailbox.upn}/cat/{name}/{call.now}"))
    cat = {"id": cat_id, "displayName": name, "color": color}
    call.mailbox.categories[cat_id] = cat
    return Reply(201, {"@odata.context": f"{call.base}/$metadata#outlookCategory",
                       **_category_json(call, cat)})  # fmt: skip


def category_by_id(call: Call, cat_id: str) -> Reply:
    cat = call.mailbox.categories.get(cat_id)
    if cat is None:
        raise not_found()
    if call.method == "GET":
        return Reply(200, _category_json(call, cat))
    if call.method == "DELETE":
        del call.mailbox.categories[cat_id]
        return Reply(204)
    body = call.body if isinstance(call.body, dict) else {}
    if set(body) - {"color"}:
        raise bad_request(
            "Only color can be updated on an outlookCategory.", "ErrorInvalidProperty"
        )
    if "color" in body:
        if body["color"] not in CATEGORY_COLORS:
            raise bad_request(
                f"'{body['color']}' is not a valid categoryColor.", "ErrorInvalidProperty"
            )
        cat["color"] = body["color"]
    return Reply(200, _category_json(call, cat))
