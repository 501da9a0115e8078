"""A Microsoft Graph v1.0 test server on loopback: real HTTP, in-memory mailboxes.

``GraphServer`` runs a stdlib ``ThreadingHTTPServer`` (HTTP/1.1 keep-alive) on 127.0.0.1 with a
random free port in a background thread. It checks bearer tokens, limits each mailbox to four
requests in flight (429 ``ApplicationThrottled``, "MailboxConcurrency"), serves ``$batch`` (at
most 20 sub-requests, ``dependsOn``, per-request statuses), injects faults (see ``faults.py``)
and logs every request for assertions.

Usage::

    with GraphServer() as server:
        server.add_message("inbox", subject="Hi", sender="ann@example.com", to=[server.upn])
        client = httpx.Client(base_url=server.url, headers=server.auth_headers())
        client.get("/me/mailFolders/inbox/messages/delta")

Exports: ``GraphServer``, ``RequestRecord``, ``DEFAULT_TOKEN``, ``DEFAULT_UPN``.
"""

from __future__ import annotations

import copy
import json
import re
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import routes
from .batch import serve_batch
from .faults import DROP, DROP_AFTER, RESYNC, Fault, FaultPlan
from .mailbox import Item, Mailbox
from .protocol import RequestRecord
from .resources import render
from .seeding import Seeding

DEFAULT_TOKEN = "graph-test-token"
DEFAULT_UPN = "owner@example.com"
APP_PRINCIPAL = "app-only"
MAILBOX_CONCURRENCY = 4


class _Drop(Exception):
    """Close the connection without answering."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Small JSON replies on a keep-alive connection stall on Nagle + delayed ACK otherwise.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        graph = self.server.graph
        with graph._lock:
            graph.connections += 1

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        graph = self.server.graph
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, body, extra = graph.handle(self.command, self.path, headers, raw)
        except _Drop:
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"HTTP/1.1 {status} {_reason(status)}"]
        if body is not None:
            lines.append("Content-Type: application/json; odata.metadata=minimal; charset=utf-8")
        lines.append(f"Content-Length: {len(payload)}")
        lines.append(f"request-id: {uuid.uuid4()}")
        for key, value in extra.items():
            lines.append(f"{key}: {value}")
        if headers.get("connection", "").lower() == "close":
            self.close_connection = True
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + payload)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    graph: GraphServer


class GraphServer(Seeding):
    """The test server; see the module docstring. Thread-safe seeding while it runs."""

    def __init__(
        self,
        *,
        upn: str = DEFAULT_UPN,
        display_name: str = "Mailbox Owner",
        token: str = DEFAULT_TOKEN,
        max_page_size: int = 1000,
        concurrency_limit: int = MAILBOX_CONCURRENCY,
        concurrency_retry_after: int = 1,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self.upn = upn
        self.mailboxes: dict[str, Mailbox] = {}
        self.add_mailbox(upn, display_name)
        # token -> principal: a UPN for delegated tokens, APP_PRINCIPAL for app-only ones.
        self.tokens: dict[str, str] = {token: upn}
        # Shared and delegated mailboxes (see _check_shared): mailbox UPN -> the users its owner
        # let in, and the delegated permissions (scp) of the tokens that name theirs.
        self.shared_with: dict[str, set[str]] = {}
        self.token_scopes: dict[str, frozenset[str]] = {}
        self._request_scopes = threading.local()
        self.expired_tokens: set[str] = set()
        self.token = token
        self.max_page_size = max_page_size
        self.concurrency_limit = concurrency_limit
        self.concurrency_retry_after = concurrency_retry_after
        self.latency = 0.0
        self._gate: threading.Event | None = None
        self._now = now or (lambda: datetime.now(UTC))
        self.faults = FaultPlan()
        # (method, path pattern, what happens): see after_answer.
        self._after_answer: list[tuple[str, re.Pattern[str], Callable[[], None]]] = []
        self.requests: list[RequestRecord] = []
        self.counters: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.peak_in_flight: Counter[str] = Counter()
        # The gateway's time budget for one page, in bytes of JSON: "returning a page with
        # hundreds of messages each with a full response payload may trigger the gateway
        # timeout (HTTP 504)" (List messages, learn.microsoft.com/graph/api/user-list-messages).
        # 3 MB is about 750 messages with the internet headers of the SpamAssassin corpus
        # (Exchange Online adds far more headers of its own); None turns the timeout off.
        self.gateway_page_bytes: int | None = 3_000_000
        self.connections = 0  # TCP connections accepted: keep-alive keeps this small
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> GraphServer:
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.graph = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._gate is not None:
            self._gate.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> GraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL to use as ``graph_url`` (like ``https://graph.microsoft.com/v1.0``)."""
        return f"http://127.0.0.1:{self.port}/v1.0"

    def auth_headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    # ------------------------------------------------------------------ accounts and tokens

    def _clock(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def add_mailbox(self, upn: str, display_name: str | None = None) -> Mailbox:
        mb = Mailbox(upn, display_name or upn.split("@")[0], self._clock)
        self.mailboxes[upn.lower()] = mb
        return mb

    def mailbox(self, upn: str | None = None) -> Mailbox:
        return self.mailboxes[(upn or self.upn).lower()]

    def add_token(
        self, token: str, principal: str | None = None, scopes: Iterable[str] = ()
    ) -> None:
        """Accept ``token`` for ``principal`` (a UPN; ``"app-only"`` for an app-only token),
        carrying the delegated permissions ``scopes``."""
        self.tokens[token] = principal or self.upn
        self.token_scopes[token] = frozenset(scopes)

    def expire_token(self, token: str | None = None) -> None:
        self.expired_tokens.add(token or self.token)

    # ------------------------------------------------------------------ faults and timing

    def inject(self, status: int | str, **kwargs: Any) -> Fault:
        """Arm a fault (see ``faults.Fault``): ``inject(429, path="/delta", retry_after=1)``."""
        return self.faults.add(status, **kwargs)

    def inject_drop(self, *, after: bool = False, **kwargs: Any) -> Fault:
        return self.faults.add(DROP_AFTER if after else DROP, **kwargs)

    def inject_resync(self, **kwargs: Any) -> Fault:
        """The next matching delta request answers 410 ``resyncRequired`` with a Location."""
        kwargs.setdefault("path", r"/delta$")
        return self.faults.add(RESYNC, **kwargs)

    def after_answer(self, method: str, path: str, change: Callable[[], None]) -> None:
        """Run ``change`` (a user's edit, say) once, right after the server has answered the next
        plain request matching ``method`` and ``path`` (searched as ``Fault.path`` is) and before
        the client reads that answer: the user acting between a client's GET and its PATCH. A PATCH
        guarded by the GET's etag then meets the change as ``check_if_match`` answers it (412
        Precondition Failed: a precondition such as an If-Match header no longer matches the
        resource's current state, learn.microsoft.com/graph/errors)."""
        with self._lock:
            self._after_answer.append((method.upper(), re.compile(path), change))

    def _take_after_answer(self, method: str, path: str) -> Callable[[], None] | None:
        with self._lock:
            for n, (wanted, pattern, change) in enumerate(self._after_answer):
                if wanted == method.upper() and pattern.search(path):
                    del self._after_answer[n]
                    return change
        return None

    def chaos(self, seed: int, rate: float, **kwargs: Any) -> None:
        """Random 429/503/500/dropped connections at ``rate``, reproducible by ``seed``."""
        self.faults.set_chaos(seed, rate, **kwargs)

    def expire_delta_tokens(self, upn: str | None = None) -> None:
        """Every delta/skip token issued so far answers 410 ``SyncStateNotFound`` from now on."""
        mb = self.mailbox(upn)
        with mb.lock:
            mb.delta_generation += 1

    @contextmanager
    def paused(self) -> Iterator[threading.Event]:
        """Admitted requests wait (holding their concurrency slot) until the block ends."""
        gate = threading.Event()
        self._gate = gate
        try:
            yield gate
        finally:
            gate.set()
            self._gate = None

    # ------------------------------------------------------------------ introspection

    def count(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | str | None = None,
        in_batch: bool | None = None,
    ) -> int:
        """How many logged requests match (``path`` is a substring of the logged path)."""
        with self._lock:
            records = list(self.requests)
        return sum(
            1
            for r in records
            if (method is None or r.method == method.upper())
            and (path is None or path in r.path)
            and (status is None or r.status == status)
            and (in_batch is None or r.in_batch == in_batch)
        )

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.counters.clear()

    def snapshot(self, upn: str | None = None) -> dict[str, Any]:
        """Every item of a mailbox as plain JSON data, for before/after comparison."""
        mb = self.mailbox(upn)
        with mb.lock:
            folders = {}
            for folder_id, coll in mb.messages.items():
                name = next((k for k, v in mb.folder_alias.items() if v == folder_id), folder_id)
                folders[name] = {
                    i: render(m, None, odata_type="#microsoft.graph.message")
                    for i, m in coll.items.items()
                }
            todo = {}
            for list_id, todo_list in mb.todo.items():
                todo[list_id] = {
                    "list": _public(todo_list.data),
                    "tasks": {
                        tid: {
                            **_public(task),
                            "linkedResources": sorted(
                                (dict(v) for v in todo_list.linked.get(tid, {}).values()),
                                key=lambda v: v["id"],
                            ),
                        }
                        for tid, task in todo_list.tasks.items()
                    },
                }
            return copy.deepcopy(
                {
                    "messages": folders,
                    "events": {
                        i: render(e, None, odata_type="#microsoft.graph.event")
                        for i, e in mb.events.items.items()
                    },
                    "contacts": {
                        i: {
                            **render(c, None, odata_type="#microsoft.graph.contact"),
                            "singleValueExtendedProperties": dict(c.get("_ext", {})),
                        }
                        for coll in mb.contacts.values()
                        for i, c in coll.items.items()
                    },
                    "masterCategories": sorted(
                        (dict(c) for c in mb.categories.values()), key=lambda c: c["displayName"]
                    ),
                    "todo": todo,
                }
            )

    # ------------------------------------------------------------------ request handling

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)
            self.counters["requests"] += 1
            self.counters[f"status:{record.status}"] += 1
            if record.in_batch:
                self.counters["batch_subrequests"] += 1

    def _authenticate(self, headers: dict[str, str]) -> str:
        auth = headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise routes.GraphError(
                401, "InvalidAuthenticationToken", "Access token is empty.",
                {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
            )  # fmt: skip
        token = token.strip()
        if token in self.expired_tokens:
            raise routes.GraphError(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
                {"WWW-Authenticate": 'Bearer realm="", error="invalid_token", '
                 'error_description="The access token is expired"'},
            )  # fmt: skip
        principal = self.tokens.get(token)
        if principal is None:
            raise routes.GraphError(
                401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed.",
                {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
            )  # fmt: skip
        return principal

    def _resolve(self, principal: str, path: str) -> tuple[Mailbox, str, str]:
        """The mailbox, the prefix as written, and the rest of the path."""
        if path == "/me" or path.startswith("/me/"):
            if principal == APP_PRINCIPAL:
                raise routes.GraphError(
                    400, "BadRequest",
                    "/me request is only valid with delegated authentication flow.",
                )  # fmt: skip
            return self.mailbox(principal), "/me", path[3:]
        if path.startswith("/users/"):
            ident, _, rest = path[len("/users/") :].partition("/")
            mb = self.mailboxes.get(ident.lower()) or next(
                (m for m in self.mailboxes.values() if m.user_id == ident), None
            )
            if mb is None:
                raise routes.GraphError(
                    404, "ErrorInvalidUser",
                    f"The requested user '{ident}' is invalid.",
                )  # fmt: skip
            if principal != APP_PRINCIPAL and principal.lower() != mb.upn.lower():
                self._check_shared(principal, mb, rest)
            return mb, f"/users/{ident}", ("/" + rest if rest else "")
        raise routes.GraphError(
            400, "BadRequest", f"Resource not found for the segment '{path.strip('/')}'."
        )

    def _check_shared(self, principal: str, mb: Mailbox, rest: str) -> None:
        """403 unless the owner shared ``mb`` with ``principal`` and the token carries the
        ``*.Shared`` permission for the resource. Graph reaches shared and delegated mailboxes
        through /users/{id} with Mail.Read.Shared ("Get Outlook messages in a shared or
        delegated folder"), Calendars.Read.Shared and Contacts.Read.Shared ("Get shared contacts
        folders"); nothing else (master categories, To Do) has a shared permission."""
        family = _SHARED_FAMILIES.get(rest.split("/", 1)[0])
        scopes = getattr(self._request_scopes, "scopes", frozenset())
        shared = {u.lower() for u in self.shared_with.get(mb.upn.lower(), ())}
        needed = {f"{family}.Read.Shared", f"{family}.ReadWrite.Shared"}
        if not (principal.lower() in shared and family and scopes & needed):
            raise routes.GraphError(403, "ErrorAccessDenied", "Access is denied.")

    def _fault_reply(
        self, fault: Fault, call_query: dict[str, str], location: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if fault.status == RESYNC:
            headers = {"Location": location} if location else {}
            body = routes.error_body(
                fault.code or "resyncRequired",
                fault.message
                or "Resync required. Replace any local cached data with the "
                "data returned by the new delta request.",
            )
            return 410, body, headers
        assert isinstance(fault.status, int)
        code, message = fault.error_body()
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        return fault.status, routes.error_body(code, message), headers

    def _acquire(self, upn: str, slots: int = 1) -> int:
        """Take up to ``slots`` concurrency slots of a mailbox without waiting; returns how many."""
        with self._lock:
            free = self.concurrency_limit - self.in_flight[upn]
            got = max(0, min(free, slots))
            self.in_flight[upn] += got
            self.peak_in_flight[upn] = max(self.peak_in_flight[upn], self.in_flight[upn])
            return got

    def _release(self, upn: str, slots: int) -> None:
        with self._lock:
            self.in_flight[upn] -= slots

    def _wait_admitted(self) -> None:
        gate = self._gate
        if gate is not None:
            gate.wait(timeout=30)
        if self.latency:
            time.sleep(self.latency)

    def _throttled(self) -> routes.GraphError:
        return routes.GraphError(
            429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.",
            {"Retry-After": str(self.concurrency_retry_after)},
        )  # fmt: skip

    def _call(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
        principal: str,
    ) -> tuple[routes.Call, Mailbox]:
        mb, prefix, rest = self._resolve(principal, path)
        call = routes.Call(
            method=method,
            prefix=prefix,
            rest=rest,
            query=query,
            headers=headers,
            body=body,
            mailbox=mb,
            base=self.url,
            max_page_size=self.max_page_size,
            now=self._now(),
            gateway_page_bytes=self.gateway_page_bytes,
        )
        return call, mb

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        """Serve one HTTP request: (status, JSON body or None, extra headers); may raise _Drop."""
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        status: int | str = 500
        mailbox_upn: str | None = None
        if path.startswith("/v1.0"):
            path = path[len("/v1.0") :] or "/"
        try:
            fault = self.faults.take(method, path, in_batch=False)
            if fault is not None and fault.status == DROP:
                status = DROP
                raise _Drop()
            if fault is not None and fault.status == RESYNC and not path.endswith("/delta"):
                fault = None
            if fault is not None and fault.status != DROP_AFTER:
                location = None
                if fault.status == RESYNC:
                    try:
                        principal = self._authenticate(headers)
                        call, _ = self._call(method, path, query, headers, None, principal)
                        location = routes.resync_location(call)
                    except routes.GraphError:
                        location = None
                code, body, extra = self._fault_reply(fault, query, location)
                status = code
                return code, body, extra
            principal = self._authenticate(headers)
            token = headers.get("authorization", "").partition(" ")[2].strip()
            self._request_scopes.scopes = self.token_scopes.get(token, frozenset())
            try:
                payload = json.loads(raw_body) if raw_body else None
            except ValueError:
                raise routes.GraphError(400, "BadRequest", "Invalid JSON payload.") from None
            if path == "/$batch":
                if method != "POST":
                    raise routes.GraphError(405, "BadRequest", "Use POST for $batch.")
                status, reply_body = serve_batch(self, payload, principal)
                result: tuple[int, Any, dict[str, str]] = (status, reply_body, {})
            else:
                call, mb = self._call(method, path, query, headers, payload, principal)
                mailbox_upn = mb.upn
                result = self._admitted(call, mb)
                status = result[0]
                change = self._take_after_answer(method, path)
                if change is not None:
                    change()
            if fault is not None and fault.status == DROP_AFTER:
                status = DROP_AFTER
                raise _Drop()
            return result
        except routes.GraphError as exc:
            status = exc.status
            return exc.status, routes.error_body(exc.code, exc.message), exc.headers
        finally:
            safe_headers = {k: v for k, v in headers.items() if k != "authorization"}
            self._record(
                RequestRecord(method, path, query, status, mailbox_upn, False, safe_headers)
            )

    def _admitted(self, call: routes.Call, mb: Mailbox) -> tuple[int, Any, dict[str, str]]:
        if self._acquire(mb.upn) == 0:
            raise self._throttled()
        try:
            self._wait_admitted()
            reply = routes.dispatch(call)
        finally:
            self._release(mb.upn, 1)
        return reply.status, reply.body, reply.headers

    # ------------------------------------------------------------------ $batch


_SHARED_FAMILIES = {
    "mailFolders": "Mail",
    "messages": "Mail",
    "calendarView": "Calendars",
    "events": "Calendars",
    "contacts": "Contacts",
    "contactFolders": "Contacts",
}


def _public(item: Item) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if not k.startswith("_")}
    if "_etag" in item:
        out["@odata.etag"] = f'W/"{item["_etag"]}"'
    return out


__all__ = ["APP_PRINCIPAL", "DEFAULT_TOKEN", "DEFAULT_UPN", "GraphServer", "RequestRecord"]
