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
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import routes
from .faults import DROP, DROP_AFTER, RESYNC, Fault, FaultPlan
from .mailbox import Item, Mailbox, iso
from .resources import new_contact, new_event, new_message, render

DEFAULT_TOKEN = "graph-test-token"
DEFAULT_UPN = "owner@example.com"
APP_PRINCIPAL = "app-only"
MAX_BATCH = 20
MAILBOX_CONCURRENCY = 4


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (sub-requests of a ``$batch`` too)."""

    method: str
    path: str  # after /v1.0, unquoted, without query
    query: dict[str, str]
    status: int | str  # HTTP status, or "drop"
    mailbox: str | None
    in_batch: bool
    headers: dict[str, str]


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


class GraphServer:
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
        self.expired_tokens: set[str] = set()
        self.token = token
        self.max_page_size = max_page_size
        self.concurrency_limit = concurrency_limit
        self.concurrency_retry_after = concurrency_retry_after
        self.latency = 0.0
        self._gate: threading.Event | None = None
        self._now = now or (lambda: datetime.now(UTC))
        self.faults = FaultPlan()
        self.requests: list[RequestRecord] = []
        self.counters: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.peak_in_flight: Counter[str] = Counter()
        # True: To Do keeps only the due date, as the real service is documented to ("the date
        # in the specified time zone that the task is to be finished").
        self.todo_due_dates_only = False
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

    def add_token(self, token: str, principal: str | None = None) -> None:
        """Accept ``token`` for ``principal`` (a UPN; ``"app-only"`` for an app-only token)."""
        self.tokens[token] = principal or self.upn

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

    # ------------------------------------------------------------------ seeding

    def add_message(
        self,
        folder: str = "inbox",
        *,
        subject: str = "",
        sender: str | tuple[str, str] = "someone@example.com",
        to: Iterable[str | tuple[str, str]] = (),
        cc: Iterable[str | tuple[str, str]] = (),
        bcc: Iterable[str | tuple[str, str]] = (),
        sent: datetime | None = None,
        received: datetime | None = None,
        internet_message_id: str | None = None,
        conversation_id: str | None = None,
        in_reply_to: str | None = None,
        references: Iterable[str] = (),
        headers: list[dict[str, str]] | str | None = "auto",
        categories: Iterable[str] = (),
        is_read: bool = True,
        mailbox: str | None = None,
    ) -> str:
        """Add a message; returns its id.

        ``headers="auto"`` synthesises ``internetMessageHeaders`` (Message-ID, In-Reply-To,
        References, ...) for every folder but Sent Items, where Graph often has none.
        """
        mb = self.mailbox(mailbox)
        with mb.lock:
            folder_id = mb.folder_id(folder)
            if folder_id is None:
                raise KeyError(folder)
            item_id = mb.new_id("message")
            moment = sent or self._now()
            mid = internet_message_id or f"<{item_id[4:20]}@example.com>"
            refs = list(references)
            if headers == "auto":
                if folder.lower() == "sentitems" or folder_id == mb.folder_alias["sentitems"]:
                    header_list = None
                else:
                    address = sender if isinstance(sender, str) else sender[0]
                    header_list = [
                        {"name": "Received", "value": "from mx.example.com by example.com"},
                        {"name": "Message-ID", "value": mid},
                        {"name": "From", "value": address},
                        {"name": "Subject", "value": subject},
                        {"name": "Date", "value": moment.strftime("%a, %d %b %Y %H:%M:%S +0000")},
                    ]
                    if in_reply_to:
                        header_list.append({"name": "In-Reply-To", "value": in_reply_to})
                    if refs or in_reply_to:
                        chain = refs or [in_reply_to or ""]
                        header_list.append({"name": "References", "value": " ".join(chain)})
            else:
                header_list = headers  # type: ignore[assignment]
            item = new_message(
                item_id=item_id,
                folder_id=folder_id,
                subject=subject,
                sender=sender,
                to=to,
                cc=cc,
                bcc=bcc,
                sent=moment,
                received=received or moment,
                internet_message_id=mid,
                conversation_id=conversation_id or mb.new_id("conversation"),
                headers=header_list,
                categories=categories,
                is_read=is_read,
                created=received or moment,
            )
            mb.messages[folder_id].put(item)
            mb.message_folder[item_id] = folder_id
        return item_id

    def update_message(self, message_id: str, mailbox: str | None = None, **fields: Any) -> None:
        """Change stored fields (Graph names, e.g. ``categories=[...]``) as a user would."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            found = mb.find_message(message_id)
            if found is None:
                raise KeyError(message_id)
            coll, item = found
            item.update(fields)
            item["lastModifiedDateTime"] = iso(self._now())
            coll.put(item)

    def delete_message(self, message_id: str, mailbox: str | None = None) -> None:
        mb = self.mailbox(mailbox)
        with mb.lock:
            folder_id = mb.message_folder.pop(message_id)
            mb.messages[folder_id].remove(message_id)

    def move_message(self, message_id: str, folder: str, mailbox: str | None = None) -> str:
        """Move as Exchange does: removed from the source, new id in the target."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            source = mb.message_folder.pop(message_id)
            item = mb.messages[source].remove(message_id)
            target = mb.folder_id(folder)
            if item is None or target is None:
                raise KeyError(message_id)
            new_id = mb.new_id("message")
            item = {**item, "id": new_id, "parentFolderId": target}
            mb.messages[target].put(item)
            mb.message_folder[new_id] = target
        return new_id

    def messages(self, folder: str = "inbox", mailbox: str | None = None) -> list[Item]:
        mb = self.mailbox(mailbox)
        with mb.lock:
            folder_id = mb.folder_id(folder)
            assert folder_id is not None
            return [copy.deepcopy(m) for m in mb.messages[folder_id]]

    def add_event(
        self,
        *,
        subject: str = "",
        start: datetime,
        end: datetime | None = None,
        organizer: str | tuple[str, str] | None = None,
        attendees: Iterable[tuple[str, str] | tuple[str, str, str]] = (),
        is_cancelled: bool = False,
        event_type: str = "singleInstance",
        series_master_id: str | None = None,
        ical_uid: str | None = None,
        categories: Iterable[str] = (),
        is_all_day: bool = False,
        mailbox: str | None = None,
    ) -> str:
        """Add an event; ``attendees`` are ``(address, response[, type])``; returns its id."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            item_id = mb.new_id("event")
            org = organizer or mb.upn
            org_address = org if isinstance(org, str) else org[0]
            item = new_event(
                item_id=item_id,
                subject=subject,
                start=start,
                end=end or start + timedelta(hours=1),
                organizer=org,
                attendees=attendees,
                is_cancelled=is_cancelled,
                event_type=event_type,
                series_master_id=series_master_id,
                ical_uid=ical_uid or "040000008200E00074C5B7101A82E008" + item_id[4:36].upper(),
                is_organizer=org_address.lower() == mb.upn.lower(),
                categories=categories,
                is_all_day=is_all_day,
                created=self._now(),
            )
            mb.events.put(item)
        return item_id

    def update_event(self, event_id: str, mailbox: str | None = None, **fields: Any) -> None:
        """Change an event; ``start``/``end`` take datetimes, other keys are Graph names."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            item = mb.events.items[event_id]
            for key, value in fields.items():
                if key in ("start", "end"):
                    item["_" + key] = value.astimezone(UTC)
                else:
                    item[key] = value
            item["lastModifiedDateTime"] = iso(self._now())
            mb.events.put(item)

    def delete_event(self, event_id: str, mailbox: str | None = None) -> None:
        mb = self.mailbox(mailbox)
        with mb.lock:
            mb.events.remove(event_id)

    def add_contact(
        self,
        *,
        display_name: str,
        emails: Iterable[str | tuple[str, str]] = (),
        given_name: str | None = None,
        surname: str | None = None,
        company: str | None = None,
        job_title: str | None = None,
        categories: Iterable[str] = (),
        folder: str | None = None,
        mailbox: str | None = None,
    ) -> str:
        """Add a contact (``emails`` as addresses or ``(address, name)``); returns its id."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            coll = mb.contact_folder(folder)
            if coll is None:
                raise KeyError(folder)
            folder_id = coll.key.split(":", 1)[1]
            item_id = mb.new_id("contact")
            coll.put(
                new_contact(
                    item_id=item_id,
                    folder_id=folder_id,
                    display_name=display_name,
                    emails=emails,
                    given_name=given_name,
                    surname=surname,
                    company=company,
                    job_title=job_title,
                    categories=categories,
                    created=self._now(),
                )
            )
        return item_id

    def add_contact_folder(self, name: str, mailbox: str | None = None) -> str:
        from .mailbox import Collection

        mb = self.mailbox(mailbox)
        with mb.lock:
            folder_id = mb.new_id("contactfolder")
            mb.contacts[folder_id] = Collection(f"contacts:{folder_id}", self._clock)
            mb.contact_folder_names[folder_id] = name
        return folder_id

    def update_contact(self, contact_id: str, mailbox: str | None = None, **fields: Any) -> None:
        mb = self.mailbox(mailbox)
        with mb.lock:
            found = mb.find_contact(contact_id)
            if found is None:
                raise KeyError(contact_id)
            coll, item = found
            item.update(fields)
            item["lastModifiedDateTime"] = iso(self._now())
            coll.put(item)

    def delete_contact(self, contact_id: str, mailbox: str | None = None) -> None:
        mb = self.mailbox(mailbox)
        with mb.lock:
            found = mb.find_contact(contact_id)
            if found is None:
                raise KeyError(contact_id)
            found[0].remove(contact_id)

    def add_category(self, name: str, color: str = "preset0", mailbox: str | None = None) -> str:
        """A category the user made themselves (the product must keep it)."""
        mb = self.mailbox(mailbox)
        with mb.lock:
            cat_id = str(uuid.uuid4())
            mb.categories[cat_id] = {"id": cat_id, "displayName": name, "color": color}
        return cat_id

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
                raise routes.GraphError(403, "ErrorAccessDenied", "Access is denied.")
            return mb, f"/users/{ident}", ("/" + rest if rest else "")
        raise routes.GraphError(
            400, "BadRequest", f"Resource not found for the segment '{path.strip('/')}'."
        )

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
            todo_due_dates_only=self.todo_due_dates_only,
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
            try:
                body = json.loads(raw_body) if raw_body else None
            except ValueError:
                raise routes.GraphError(400, "BadRequest", "Invalid JSON payload.") from None
            if path == "/$batch":
                if method != "POST":
                    raise routes.GraphError(405, "BadRequest", "Use POST for $batch.")
                status, reply_body = self._batch(body, principal)
                result: tuple[int, Any, dict[str, str]] = (status, reply_body, {})
            else:
                call, mb = self._call(method, path, query, headers, body, principal)
                mailbox_upn = mb.upn
                result = self._admitted(call, mb)
                status = result[0]
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

    def _batch(self, body: Any, principal: str) -> tuple[int, dict[str, Any]]:
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
        with self._lock:
            self.counters["batches"] += 1

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
                mb, _, _ = self._resolve(principal, sub_path)
                per_mailbox[mb.upn] += 1
            except routes.GraphError:
                pass
        held = {
            upn: self._acquire(upn, min(n, self.concurrency_limit))
            for upn, n in per_mailbox.items()
        }
        try:
            if any(held.values()):
                self._wait_admitted()
            statuses: dict[str, int] = {}
            responses = []
            for req, sub_path, query in parsed:
                method = req["method"].upper()
                sub_headers = {k.lower(): v for k, v in (req.get("headers") or {}).items()}
                status, sub_body, extra = self._sub_request(
                    req, method, sub_path, query, sub_headers, principal, statuses, held
                )
                statuses[req["id"]] = status
                out: dict[str, Any] = {"id": req["id"], "status": status, "headers": extra}
                if sub_body is not None:
                    out["body"] = sub_body
                    extra.setdefault("Content-Type", "application/json")
                responses.append(out)
        finally:
            for upn, n in held.items():
                self._release(upn, n)
        return 200, {"responses": responses}

    def _sub_request(
        self,
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
                raise routes.GraphError(
                    424, "BadRequest", "Failed dependency: " + ", ".join(failed)
                )
            fault = self.faults.take(method, path, in_batch=True)
            if fault is not None and fault.status == RESYNC and not path.endswith("/delta"):
                fault = None
            if fault is not None:
                location = None
                if fault.status == RESYNC:
                    call, _ = self._call(method, path, query, headers, None, principal)
                    location = routes.resync_location(call)
                code, body, extra = self._fault_reply(fault, query, location)
                status = code
                return code, body, extra
            call, mb = self._call(method, path, query, headers, req.get("body"), principal)
            mailbox_upn = mb.upn
            if held.get(mb.upn, 0) == 0:
                raise self._throttled()
            reply = routes.dispatch(call)
            status = reply.status
            return reply.status, reply.body, dict(reply.headers)
        except routes.GraphError as exc:
            status = exc.status
            return exc.status, routes.error_body(exc.code, exc.message), dict(exc.headers)
        finally:
            self._record(RequestRecord(method, path, query, status, mailbox_upn, True, headers))


def _public(item: Item) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if not k.startswith("_")}
    if "_etag" in item:
        out["@odata.etag"] = f'W/"{item["_etag"]}"'
    return out


__all__ = ["APP_PRINCIPAL", "DEFAULT_TOKEN", "DEFAULT_UPN", "GraphServer", "RequestRecord"]
