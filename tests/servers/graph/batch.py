"""JSON batching (``POST /$batch``) for the Graph test server.

At most 20 requests per envelope (400 otherwise), unique ids, ``dependsOn`` only on earlier
requests (a failed dependency answers 424), a body needs a ``Content-Type``. Graph hands up to
four parts of a batch to Exchange at once, so a batch holds up to four of the mailbox's
concurrency slots while it runs; a mailbox with none free answers 429 for every part. Faults
armed with ``in_batch`` hit parts, which then answer 429/503 inside the batch.

Exports: ``serve_batch``, ``MAX_BATCH``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import routes
from .faults import RESYNC
from .protocol import RequestRecord

if TYPE_CHECKING:
    from .server import GraphServer

MAX_BATCH = 20


def serve_batch(server: GraphServer, body: Any, principal: str) -> tuple[int, dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise routes.GraphError(400, "BadRequest", "Invalid batch payload format.")
    requests = body["requests"]
    if len(requests) > MAX_BATCH:
        raise routes.GraphError(
            400, "BadRequest",
            f"Maximum number of requests exceeded. {MAX_BATCH} is the max number of requests "
            "allowed in a batch.",
        )  # fmt: skip
    if not requests:
        raise routes.GraphError(400, "BadRequest", "Invalid batch payload format.")
    seen: set[str] = set()
    for req in requests:
        if (
            not isinstance(req, dict)
            or not isinstance(req.get("id"), str)
            or not isinstance(req.get("method"), str)
            or not isinstance(req.get("url"), str)
        ):
            raise routes.GraphError(
                400, "BadRequest", "Each batch request needs id, method and url."
            )
        if req["id"] in seen:
            raise routes.GraphError(
                400, "BadRequest", f"Batch request id '{req['id']}' is not unique."
            )
        for dep in req.get("dependsOn") or []:
            if dep not in seen:
                raise routes.GraphError(
                    400, "BadRequest",
                    f"Request '{req['id']}' depends on '{dep}', which is not an earlier "
                    "request in the batch.",
                )  # fmt: skip
        seen.add(req["id"])
        if req["url"].lstrip("/").startswith("$batch"):
            raise routes.GraphError(400, "BadRequest", "Nested batches are not allowed.")
        if req["method"].upper() in ("POST", "PATCH", "PUT") and "body" in req:
            req_headers = {k.lower(): v for k, v in (req.get("headers") or {}).items()}
            if "content-type" not in req_headers:
                raise routes.GraphError(
                    400, "BadRequest",
                    f"Request '{req['id']}' has a body but no Content-Type header.",
                )  # fmt: skip
    with server._lock:
        server.counters["batches"] += 1

    # Graph hands up to four sub-requests of a batch to Exchange at once: the batch holds up
    # to four concurrency slots per mailbox; a mailbox with none free throttles them all.
    per_mailbox: Counter[str] = Counter()
    parsed = []
    for req in requests:
        url = req["url"] if req["url"].startswith("/") else "/" + req["url"]
        parts = urlsplit(url)
        sub_path = unquote(parts.path)
        if sub_path.startswith("/v1.0/"):
            sub_path = sub_path[len("/v1.0") :]
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        parsed.append((req, sub_path, query))
        try:
            mb, _, _ = server._resolve(principal, sub_path)
            per_mailbox[mb.upn] += 1
        except routes.GraphError:
            pass
    held = {
        upn: server._acquire(upn, min(n, server.concurrency_limit))
        for upn, n in per_mailbox.items()
    }
    try:
        if any(held.values()):
            server._wait_admitted()
        statuses: dict[str, int] = {}
        responses = []
        for req, sub_path, query in parsed:
            method = req["method"].upper()
            sub_headers = {k.lower(): v for k, v in (req.get("headers") or {}).items()}
            status, sub_body, extra = _sub_request(
                server, req, method, sub_path, query, sub_headers, principal, statuses, held
            )
            statuses[req["id"]] = status
            out: dict[str, Any] = {"id": req["id"], "status": status, "headers": extra}
            if sub_body is not None:
                out["body"] = sub_body
                extra.setdefault("Content-Type", "application/json")
            responses.append(out)
    finally:
        for upn, n in held.items():
            server._release(upn, n)
    return 200, {"responses": responses}


def _sub_request(
    server: GraphServer,
    req: dict[str, Any],
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    principal: str,
    statuses: dict[str, int],
    held: dict[str, int],
) -> tuple[int, Any, dict[str, str]]:
    status: int | str = 500
    mailbox_upn = None
    try:
        failed = [d for d in req.get("dependsOn") or [] if statuses.get(d, 0) >= 400]
        if failed:
            raise routes.GraphError(424, "BadRequest", "Failed dependency: " + ", ".join(failed))
        fault = server.faults.take(method, path, in_batch=True)
        if fault is not None and fault.status == RESYNC and not path.endswith("/delta"):
            fault = None
        if fault is not None:
            location = None
            if fault.status == RESYNC:
                call, _ = server._call(method, path, query, headers, None, principal)
                location = routes.resync_location(call)
            code, body, extra = server._fault_reply(fault, query, location)
            status = code
            return code, body, extra
        call, mb = server._call(method, path, query, headers, req.get("body"), principal)
        mailbox_upn = mb.upn
        if held.get(mb.upn, 0) == 0:
            raise server._throttled()
        reply = routes.dispatch(call)
        status = reply.status
        return reply.status, reply.body, dict(reply.headers)
    except routes.GraphError as exc:
        status = exc.status
        return exc.status, routes.error_body(exc.code, exc.message), dict(exc.headers)
    finally:
        server._record(RequestRecord(method, path, query, status, mailbox_upn, True, headers))
