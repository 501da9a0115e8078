"""A real EWS SOAP server on 127.0.0.1 that exchangelib talks to over plain HTTP, unpatched.

``EWSServer`` runs a ``ThreadingHTTPServer`` on a random free port in a background thread. Each
POST is authenticated (bearer token or basic), checked against Microsoft's schema (the body's
operation element and the header elements), answered from the in-memory ``Mailbox`` and the
answer checked against the schema too. Schema violations, in either direction, are recorded in
``schema_errors``; a request that violates the schema is answered with an ErrorSchemaValidation
SOAP fault, as Exchange does.

Callers (see ``access``): the users in ``users`` (basic auth) and ``tokens`` (bearer token ->
user; ``token`` is the mailbox owner's), app-only tokens in ``app_tokens`` (they must
impersonate), and ``mailbox.delegates``, the users the owner let into the mailbox.

Introspection for tests: ``requests`` (one ``RequestRecord`` per HTTP request: the operation,
the status, ids asked for, ids answered and the bytes of the answer), ``counts`` (per
operation), ``mailbox`` (seeding helpers, ``snapshot()``), ``faults`` (see ``faults``).

Validation costs about 4 ms per item in a response (xmlschema is pure Python): the test suite
keeps it on; a benchmark seeding ~20,000 messages may pass ``validate_responses=False`` (requests
are still validated) to measure the client rather than the validator.

Clients should pin the server version (``Version(build=Build(15, 1, 2507, 6))``); a client that
probes with ConvertId also works, the answer carries ``ServerVersionInfo``.

Exports: ``EWSServer``, ``RequestRecord``, ``SERVER_BUILD``.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from lxml import etree

from .access import APP_ONLY, IMPERSONATION_REQUIRED, impersonated
from .faults import Fault, FaultQueue
from .mailbox import Mailbox
from .operations import OPERATIONS, sync_error
from .replies import ItemError, response
from .schema import NS_E, NS_M, NS_S, NS_T, validation_errors

SERVER_BUILD = (15, 1, 2507, 6)
SERVER_API_VERSION = "Exchange2016"
XML = "text/xml; charset=utf-8"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request: the EWS operation, the HTTP status answered, the fault injected, the
    item ids the request named (``asked``) and the answer returned (``items``), and the size of
    the answer in bytes."""

    operation: str
    status: int
    fault: str | None = None
    items: int = 0
    asked: int = 0
    bytes: int = 0


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    ews: EWSServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        del format, args  # quiet: tests read server.requests instead

    def setup(self) -> None:
        super().setup()
        self.server.ews._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.ews._track(self.connection, add=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.ews._handle(self, body)

    def do_GET(self) -> None:
        self.send_answer(405, b"", "text/plain")

    def send_answer(
        self,
        status: int,
        payload: bytes,
        content_type: str = XML,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class EWSServer:
    """The test server. Use as a context manager, or call ``start()`` and ``close()``."""

    def __init__(
        self,
        *,
        address: str = "me@example.com",
        token: str | None = "test-token",
        users: dict[str, str] | None = None,
        validate_requests: bool = True,
        validate_responses: bool = True,
        version: tuple[tuple[int, int, int, int], str] = (SERVER_BUILD, SERVER_API_VERSION),
    ) -> None:
        self.mailbox = Mailbox(address)
        # What every answer's ServerVersionInfo header states (the build, and the schema version
        # it speaks: "ServerVersionInfo", EWS reference on learn.microsoft.com); exchangelib
        # adopts it whatever the client pinned. An older server is, e.g., Exchange 2010 SP3:
        # ``((14, 3, 123, 4), "Exchange2010_SP2")`` (SP3 brought no schema of its own).
        self.version = version
        self.faults = FaultQueue()
        self.expected_token = token  # the mailbox owner's bearer token
        self.tokens: dict[str, str] = {}  # more bearer tokens -> the user each was issued to
        self.app_tokens: set[str] = set()  # app-only tokens (client credentials)
        self.users = dict(users if users is not None else {"me@example.com": "secret"})
        self.validate_requests = validate_requests
        self.validate_responses = validate_responses
        self.schema_errors: list[str] = []
        # Called with the operation name just before the server answers it (after auth and
        # validation): lets a test change the mailbox "between" a client's read and its write.
        self.before_operation: Callable[[str], None] | None = None
        self.unsupported: list[str] = []
        self.requests: list[RequestRecord] = []
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle --------------------------------------------------------------------------------
    def start(self) -> EWSServer:
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.ews = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            name="ews-test-server",
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        with self._lock:
            for conn in list(self._connections):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> EWSServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/EWS/Exchange.asmx"

    @property
    def open_connections(self) -> int:
        """The client connections open now: a client that closes its sessions hangs up."""
        with self._lock:
            return len(self._connections)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # introspection ----------------------------------------------------------------------------
    def operations(self) -> list[str]:
        """The EWS operation of every request so far, in order."""
        with self._lock:
            return [r.operation for r in self.requests]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.counts.clear()

    # request handling -------------------------------------------------------------------------
    def _record(
        self,
        operation: str,
        status: int,
        fault: str | None = None,
        items: int = 0,
        asked: int = 0,
        size: int = 0,
    ) -> None:
        with self._lock:
            self.requests.append(RequestRecord(operation, status, fault, items, asked, size))
            self.counts[operation] += 1

    def _caller(self, header: str | None) -> str | None:
        """Who is calling: a user's address, ``APP_ONLY``, or None when not authenticated."""
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            token = value.strip()
            if self.expected_token is not None and token == self.expected_token:
                return self.mailbox.address
            if token in self.app_tokens:
                return APP_ONLY
            return self.tokens.get(token)
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value.strip()).decode().partition(":")
            except ValueError:
                return None
            return user if self.users.get(user) == password else None
        return None

    def _handle(self, handler: _Handler, body: bytes) -> None:
        try:
            envelope = etree.fromstring(body, _PARSER)
            soap_body = envelope.find(f"{{{NS_S}}}Body")
            request = soap_body[0] if soap_body is not None and len(soap_body) else None
        except (etree.XMLSyntaxError, IndexError):
            envelope, request = None, None
        operation = etree.QName(request).localname if request is not None else "?"

        fault = self.faults.take(operation)
        if fault is not None and fault.kind not in ("invalid_sync_state", "drop_answer"):
            self._inject(handler, operation, fault)
            return
        caller = self._caller(handler.headers.get("Authorization"))
        if caller is None:
            self._record(operation, 401)
            handler.send_answer(
                401,
                b"",
                "text/plain",
                {"WWW-Authenticate": 'Bearer realm="ews", Basic realm="ews"'},
            )
            return
        if envelope is None or request is None:
            self._record(operation, 500)
            handler.send_answer(500, _fault_envelope("ErrorInvalidRequest", "Malformed SOAP."))
            return

        problems = self._check_request(envelope, request) if self.validate_requests else []
        if problems:
            with self._lock:
                self.schema_errors.extend(f"request {operation}: {p}" for p in problems)
            self._record(operation, 500)
            handler.send_answer(500, _fault_envelope("ErrorSchemaValidation", "; ".join(problems)))
            return
        if caller == APP_ONLY:
            # An app-only token names no user: it must say whom it acts for (see ``access``).
            caller = impersonated(envelope)
            if caller is None:
                self._record(operation, 500, "no_impersonation")
                handler.send_answer(
                    500,
                    _fault_envelope(
                        "ErrorInvalidExchangeImpersonationHeaderData", IMPERSONATION_REQUIRED
                    ),
                )
                return
        run = OPERATIONS.get(operation)
        if run is None:
            with self._lock:
                self.unsupported.append(operation)
            self._record(operation, 500)
            handler.send_answer(
                500,
                _fault_envelope(
                    "ErrorInvalidOperation", f"The test server does not implement {operation}."
                ),
            )
            return
        if self.before_operation is not None:
            self.before_operation(operation)
        with self.mailbox.lock:
            self.mailbox.caller = caller
            try:
                if fault is not None and fault.kind == "invalid_sync_state":
                    answer = _invalid_sync_state(request)
                else:
                    answer = run(self.mailbox, request)
            finally:
                self.mailbox.caller = None
        if self.validate_responses:
            problems = validation_errors(answer)
            if problems:
                with self._lock:
                    self.schema_errors.extend(f"response {operation}: {p}" for p in problems)
        asked = _count_ids(request)
        if fault is not None and fault.kind == "drop_answer":
            self._record(operation, 0, fault.kind, _count_ids(answer), asked)
            handler.drop()
            return
        payload = _envelope(answer, self.version)
        self._record(
            operation, 200, fault.kind if fault else None, _count_ids(answer), asked, len(payload)
        )
        handler.send_answer(200, payload)

    def _check_request(self, envelope: etree._Element, request: etree._Element) -> list[str]:
        problems = list(validation_errors(request))
        header = envelope.find(f"{{{NS_S}}}Header")
        for elem in header if header is not None else ():
            if not isinstance(elem.tag, str):
                continue
            problems.extend(validation_errors(elem))
        return problems

    def _inject(self, handler: _Handler, operation: str, fault: Fault) -> None:
        retry = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
        if fault.kind == "drop":
            self._record(operation, 0, fault.kind)
            handler.drop()
        elif fault.kind == "server_busy":
            self._record(operation, 500, fault.kind)
            handler.send_answer(
                500,
                _fault_envelope(
                    "ErrorServerBusy",
                    "The server cannot service this request right now. Try again later.",
                    back_off_ms=fault.back_off_ms,
                ),
            )
        elif fault.kind == "http_500":
            self._record(operation, 500, fault.kind)
            handler.send_answer(
                500,
                b"<html><body><h1>Server Error in '/EWS' Application.</h1></body></html>",
                "text/html",
                retry,
            )
        elif fault.kind == "http_503":
            self._record(operation, 503, fault.kind)
            handler.send_answer(503, b"Service Unavailable", "text/plain", retry)
        elif fault.kind == "unauthorized":
            self._record(operation, 401, fault.kind)
            handler.send_answer(
                401, b"", "text/plain", {"WWW-Authenticate": 'Bearer realm="ews"', **retry}
            )
        elif fault.kind == "forbidden":
            self._record(operation, 403, fault.kind)
            handler.send_answer(403, b"", "text/plain")
        else:
            raise AssertionError(fault.kind)


def _count_ids(element: etree._Element) -> int:
    return sum(1 for _ in element.iter(f"{{{NS_T}}}ItemId"))


def _invalid_sync_state(request: etree._Element) -> etree._Element:
    root, messages = response("SyncFolderItems")
    sync_error(
        messages,
        ItemError(
            "ErrorInvalidSyncStateData",
            "Synchronization state data is corrupt or otherwise invalid.",
        ),
        request.findtext(f"{{{NS_M}}}SyncState"),
    )
    return root


def _server_version(version: tuple[tuple[int, int, int, int], str]) -> etree._Element:
    (major, minor, build, revision), api_version = version
    return etree.Element(
        f"{{{NS_T}}}ServerVersionInfo",
        {
            "MajorVersion": str(major),
            "MinorVersion": str(minor),
            "MajorBuildNumber": str(build),
            "MinorBuildNumber": str(revision),
            "Version": api_version,
        },
        nsmap={"t": NS_T},
    )


def _envelope(answer: etree._Element, version: tuple[tuple[int, int, int, int], str]) -> bytes:
    envelope = etree.Element(f"{{{NS_S}}}Envelope", nsmap={"s": NS_S, "m": NS_M, "t": NS_T})
    etree.SubElement(envelope, f"{{{NS_S}}}Header").append(_server_version(version))
    etree.SubElement(envelope, f"{{{NS_S}}}Body").append(answer)
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def _fault_envelope(code: str, text: str, back_off_ms: int | None = None) -> bytes:
    """A SOAP fault in Exchange's layout (exchangelib reads detail/e:ResponseCode)."""
    envelope = etree.Element(f"{{{NS_S}}}Envelope", nsmap={"s": NS_S})
    body = etree.SubElement(envelope, f"{{{NS_S}}}Body")
    fault = etree.SubElement(body, f"{{{NS_S}}}Fault")
    code_elem = etree.SubElement(fault, "faultcode", nsmap={"a": NS_T})
    code_elem.text = f"a:{code}"
    etree.SubElement(fault, "faultstring").text = text
    detail = etree.SubElement(fault, "detail")
    etree.SubElement(detail, f"{{{NS_E}}}ResponseCode", nsmap={"e": NS_E}).text = code
    etree.SubElement(detail, f"{{{NS_E}}}Message", nsmap={"e": NS_E}).text = text
    if back_off_ms is not None:
        xml = etree.SubElement(detail, f"{{{NS_T}}}MessageXml", nsmap={"t": NS_T})
        etree.SubElement(xml, f"{{{NS_T}}}Value", Name="BackOffMilliseconds").text = str(
            back_off_ms
        )
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def wait_until(predicate: Any, timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until true (for tests that wait on the server thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())
