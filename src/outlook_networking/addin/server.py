"""The HTTPS server on 127.0.0.1 that serves the Outlook add-in's task pane and its card API.

Terminology:
    origin: ``https://127.0.0.1:<port>``, where Outlook loads the task pane from (the manifest
        says so). Only pages of this origin may use the API.
    secret: a random per-install key kept in ``<data_dir>/addin-secret`` (0600). The server writes
        it into the task pane's HTML as it serves it; the pane sends it back in the
        ``X-Outlook-Networking-Secret`` header.
    card: the JSON the pane renders for one address, produced by the ``card_for`` callable in
        the language the pane asks for (``lang=de``: its wording, reasons and follow-ups).
    words: the catalogs of every language as tables (``i18n.table.messages``), written into the
        task pane's HTML with the default language (the configured one) as it is served; the
        pane words itself in Outlook's display language when there is a catalog for it
        (``Office.context.displayLanguage``), else in the default.
    note: something the owner writes down about a person from the pane, kept by ``add_note``.

Why the secret travels in the HTML rather than a SameSite=Strict cookie: in Outlook on the web and
the new Outlook the pane is an iframe inside outlook.office.com, so every request it makes is
cross-site with respect to the top-level page, and browsers withhold SameSite=Strict (and, with
third-party cookie blocking, any) cookies there. Reading the HTML, on the other hand, needs the
same origin: another site can load the page but cannot read it, because the server sends no CORS
headers for foreign origins, and DNS rebinding fails on the ``Host`` check (and on the certificate,
which is only for 127.0.0.1 and localhost).

Who gets the page with the secret in it:
    - on Linux, only processes of the user running the server: every connection from a socket
      another user owns is closed before a byte is read (:mod:`.peer`, the kernel's socket table);
      other local users cannot read the secret file either;
    - only a browser navigating a window or frame to it: ``Sec-Fetch-Mode: navigate`` and
      ``Sec-Fetch-Dest: document`` or ``iframe`` (Fetch Metadata, sent by every current browser
      engine and never settable by a page's script). A plain HTTP client that sends no such headers
      gets 403. A local program can forge headers, so off Linux this keeps out casual clients, not
      a determined process of another user (docs/security.md says so).

Who may call ``GET /api/card?address=...``, ``GET /api/cards?address=...&address=...`` and
``POST /api/notes``:
    - the ``Host`` header must be the server's own authority (DNS rebinding);
    - ``Origin`` must equal the server's own origin, or, because browsers send no ``Origin`` on a
      same-origin GET, be absent with ``Sec-Fetch-Site: same-origin`` (which pages cannot forge);
      a POST must name the origin (every browser sends it on a POST);
    - the secret header must match.
    Anything else gets 403 with an empty body; an address ``card_for`` does not know gets 404 with
    an empty body, so a refused caller cannot tell known from unknown addresses.

``/api/cards`` answers up to ``MAX_CARDS`` addresses at once (a meeting's attendees; a message's
sender is a list of one): ``{"cards": [...]}`` in the order asked, an address ``card_for`` does
not know as ``{"address": ..., "known": false}``. The pane uses it for messages and appointments
alike; ``/api/card`` answers one address (scripts, and the checks above).

``POST /api/notes`` takes ``{"address": ..., "text": ...}`` as ``application/json`` (a type no
form can send, so a cross-site page would need a CORS preflight, which is refused) of at most
``MAX_NOTE_BODY`` bytes, announced by ``Content-Length`` (413 when larger, 411 without); the
note is kept by ``add_note`` (201 with the note), which refuses bad text with ``UsageError``
(400). The text is never interpreted: the pane, the report and the terminal show it as text.

Idle clients cannot pile up: at most ``MAX_CONNECTIONS`` connections are open (a newcomer cuts
the one that has waited longest for its next request), and each request must be read and answered
within ``REQUEST_DEADLINE_S`` in total, not per read (:mod:`.connections`).

``card_for`` runs on the server's worker threads, one call at a time (a lock serialises them), so
it must not depend on being called from the thread that created it (open SQLite with
``check_same_thread=False`` or per call).

Exports: ``serve``, ``AddinServer``, ``CardFor``, ``AddNote``, ``load_or_create_secret``,
``SECRET_FILENAME``, ``SECRET_HEADER``, ``MAX_CONNECTIONS``, ``REQUEST_DEADLINE_S``, ``MAX_CARDS``,
``MAX_NOTE_BODY``.
"""

from __future__ import annotations

import enum
import errno
import hmac
import importlib.resources
import json
import logging
import os
import re
import secrets
import socketserver
import ssl
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from outlook_networking.addin.cert import CERT_FILENAME, KEY_FILENAME
from outlook_networking.addin.connections import Connections
from outlook_networking.addin.manifest import DEFAULT_PORT, render_manifest
from outlook_networking.addin.peer import SUPPORTED as PEERS_KNOWN
from outlook_networking.addin.peer import peer_uid
from outlook_networking.app.wording import describe
from outlook_networking.errors import InputError, UsageError, problem
from outlook_networking.i18n import Wording
from outlook_networking.i18n.language import DEFAULT_LANGUAGE, LANGUAGES
from outlook_networking.i18n.table import messages

__all__ = [
    "MAX_CARDS",
    "MAX_CONNECTIONS",
    "MAX_NOTE_BODY",
    "REQUEST_DEADLINE_S",
    "SECRET_FILENAME",
    "SECRET_HEADER",
    "AddNote",
    "AddinServer",
    "CardFor",
    "load_or_create_secret",
    "serve",
]

CardFor = Callable[[str, str], Mapping[str, Any] | None]  # (address, language) -> card
AddNote = Callable[[str, str], Mapping[str, Any]]

SECRET_FILENAME = "addin-secret"
SECRET_HEADER = "X-Outlook-Networking-Secret"
_SECRET_PLACEHOLDER = b"__OUTLOOK_NETWORKING_SECRET__"
_WORDS_PLACEHOLDER = b"__OUTLOOK_NETWORKING_WORDS__"
_LANGUAGE_PLACEHOLDER = b"__OUTLOOK_NETWORKING_LANGUAGE__"
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")
_MAX_ADDRESS_LENGTH = 320  # RFC 3696 errata: 64 + 1 + 255
_HANDLER_TIMEOUT_S = 15.0  # per read; the deadline below bounds a whole request
MAX_CONNECTIONS = 32  # a pane opens a few; more are idle clients or an attack
REQUEST_DEADLINE_S = 10.0
MAX_CARDS = 50  # a meeting's attendees at once; Outlook's own limit for a meeting is far above
MAX_NOTE_BODY = 16 * 1024  # a note of 2,000 characters, each up to 4 bytes, and JSON around it
_API = ("/api/card", "/api/cards", "/api/notes")

_log = logging.getLogger(__name__)

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}

# Scripts only from here and from Microsoft's CDNs that Office.js loads itself from (some hosts
# pull MicrosoftAjax.js from ajax.aspnetcdn.com: OfficeDev/office-js#1005). Other directives stay
# open because Office.js injects styles and frames at run time and we cannot test every Outlook
# client's needs; script-src is what stops injected markup from running.
_CSP = (
    "script-src 'self' https://appsforoffice.microsoft.com https://ajax.aspnetcdn.com; "
    "object-src 'none'; base-uri 'none'; form-action 'none'"
)


def load_or_create_secret(data_dir: Path | str) -> str:
    """Return the per-install secret from ``<data_dir>/addin-secret``, creating it if needed.

    The file is created with mode 0600 (and tightened to 0600 if found looser).
    """
    directory = Path(data_dir)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / SECRET_FILENAME
    try:
        existing = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        existing = ""
    # The secret is written into HTML as it is served: accept only what token_urlsafe makes.
    if _SECRET_SHAPE.fullmatch(existing):
        if os.name == "posix" and path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return existing
    secret = secrets.token_urlsafe(32)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret


def _load_static() -> dict[str, bytes]:
    # Read the few static files once, into a whitelist keyed by URL path: nothing else on disk
    # can ever be served, so there is no path to traverse.
    files: dict[str, bytes] = {}
    static = importlib.resources.files("outlook_networking.addin") / "static"
    for entry in static.iterdir():
        suffix = Path(entry.name).suffix
        if entry.is_file() and suffix in _CONTENT_TYPES:
            files["/" + entry.name] = entry.read_bytes()
    return files


def _words_json(language: str) -> bytes:
    """The catalogs as the pane reads them, safe inside ``<script type="application/json">``
    (no ``<`` can end the element early)."""
    doc = {"language": language, "tables": {lang: messages(lang) for lang in LANGUAGES}}
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    return text.encode("utf-8")


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class _CardHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the listen backlog: a burst of connections waits, not fails
    # On Windows SO_REUSEADDR lets another process bind the same port and take over requests.
    allow_reuse_address = os.name != "nt"

    def __init__(
        self,
        address: tuple[str, int],
        *,
        card_for: CardFor,
        add_note: AddNote | None = None,
        secret: str,
        language: str = DEFAULT_LANGUAGE,
        public_host: str,
        context: ssl.SSLContext,
        max_connections: int = MAX_CONNECTIONS,
        request_deadline_s: float = REQUEST_DEADLINE_S,
    ) -> None:
        super().__init__(address, _CardHandler)
        # Wrap the listening socket but leave the handshake to the worker thread (see
        # _CardHandler.setup), so one slow client cannot stall accept().
        self.socket = context.wrap_socket(
            self.socket, server_side=True, do_handshake_on_connect=False
        )
        self.card_for = card_for
        self.add_note = add_note
        self.card_lock = threading.Lock()
        self.secret = secret.encode("ascii")
        self.language = language
        self.words = _words_json(language)
        self.authority = f"{public_host}:{self.server_address[1]}"
        self.origin = f"https://{self.authority}"
        self.static = _load_static()
        self.static["/manifest.xml"] = render_manifest(self.server_address[1]).encode("utf-8")
        self.connections = Connections(max_connections, request_deadline_s)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.connections.admit(request):
            _log.debug("refused a connection: every slot is busy")
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.connections.remove(request)
        super().shutdown_request(request)

    def service_actions(self) -> None:
        # serve_forever calls this between accepts (at least every poll interval).
        self.connections.cut_expired()

    def close_open_connections(self) -> None:
        # Browsers keep connections alive; without this a stopped server would go on answering
        # on them from its worker threads.
        self.connections.cut_all()

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look up the FQDN of 127.0.0.1, which can stall on DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = int(self.server_address[1])

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # 127.0.0.1 is open to every local user; where the kernel says who connected, only the
        # user running the server gets an answer. Unknown (not in the table) means refused.
        if not PEERS_KNOWN:
            return True
        uid = peer_uid(client_address, (self.server_name, self.server_port))
        if uid == os.geteuid():
            return True
        if uid is None:  # no readable /proc/net/tcp: say why the pane stays empty
            _log.warning("refused a connection: the kernel's socket table does not say whose it is")
        else:
            _log.debug("refused a connection from another user's process")
        return False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that refuse the certificate or hang up are routine; keep them out of stderr.
        _log.debug("request from %s failed", client_address, exc_info=True)


class _CardHandler(BaseHTTPRequestHandler):
    server: _CardHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "outlook-networking"
    sys_version = ""
    timeout = _HANDLER_TIMEOUT_S

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        self.connection.do_handshake()

    def parse_request(self) -> bool:
        complete = super().parse_request()
        if complete:
            self.server.connections.busy(self.connection)
        return complete

    def handle_one_request(self) -> None:
        super().handle_one_request()
        self.server.connections.idle(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        # Never log query strings: they hold the addresses people look at.
        _log.debug("%s " + format, self.client_address[0], *args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(self.path).path
        _log.debug("%s %s %s", self.command, path, code)

    # --- responses -------------------------------------------------------------------------

    def _send(
        self,
        status: HTTPStatus,
        body: bytes = b"",
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status: HTTPStatus = HTTPStatus.FORBIDDEN) -> None:
        self._send(status)

    # --- checks ----------------------------------------------------------------------------

    def _host_ok(self) -> bool:
        return self.headers.get("Host", "") == self.server.authority

    def _origin_ok(self) -> bool:
        origin = self.headers.get("Origin")
        if origin is not None:
            return origin == self.server.origin
        return self.headers.get("Sec-Fetch-Site") == "same-origin"

    def _navigation_ok(self) -> bool:
        # What a browser sends when it loads a page into a window or a frame; a page's script
        # cannot set Sec-Fetch-* headers.
        return self.headers.get("Sec-Fetch-Mode") == "navigate" and self.headers.get(
            "Sec-Fetch-Dest"
        ) in ("document", "iframe")

    def _secret_ok(self) -> bool:
        offered = self.headers.get(SECRET_HEADER, "").encode("ascii", "replace")
        return hmac.compare_digest(offered, self.server.secret)

    # --- methods ---------------------------------------------------------------------------

    def do_OPTIONS(self) -> None:
        # A same-origin pane never preflights, but answer correctly for our own origin.
        path = urlsplit(self.path).path
        if path not in _API or not self._host_ok():
            self._refuse()
            return
        if self.headers.get("Origin") != self.server.origin:
            self._refuse()
            return
        self._send(
            HTTPStatus.NO_CONTENT,
            headers={
                "Access-Control-Allow-Origin": self.server.origin,
                "Access-Control-Allow-Methods": "POST" if path == "/api/notes" else "GET",
                "Access-Control-Allow-Headers": f"{SECRET_HEADER}, Content-Type",
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            },
        )

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._host_ok():
            self._refuse()
            return
        parts = urlsplit(self.path)
        if parts.path == "/api/card":
            self._card(parts.query)
            return
        if parts.path == "/api/cards":
            self._cards(parts.query)
            return
        path = "/taskpane.html" if parts.path == "/" else parts.path
        body = self.server.static.get(path)
        if body is None:
            self._refuse(HTTPStatus.NOT_FOUND)
            return
        suffix = Path(path).suffix
        headers: dict[str, str] = {}
        if suffix == ".html":
            if not self._navigation_ok():
                self._refuse()
                return
            body = body.replace(_SECRET_PLACEHOLDER, self.server.secret)
            body = body.replace(_WORDS_PLACEHOLDER, self.server.words)
            body = body.replace(_LANGUAGE_PLACEHOLDER, self.server.language.encode("ascii"))
            headers["Content-Security-Policy"] = _CSP
        content_type = _CONTENT_TYPES.get(suffix, "application/xml; charset=utf-8")
        self._send(HTTPStatus.OK, body, content_type, headers)

    @property
    def _cors(self) -> dict[str, str]:
        return {"Access-Control-Allow-Origin": self.server.origin, "Vary": "Origin"}

    @staticmethod
    def _encoded(doc: object) -> bytes:
        return json.dumps(doc, default=_json_default, ensure_ascii=False).encode("utf-8")

    def _failed(self, what: str, exc: Exception) -> None:
        # Log (for the developer) what failed, a card, the cards or a note, without the address,
        # in the wording the CLI and the agent use; the pane shows a generic message. The
        # traceback only at debug level.
        _log.error(
            "%s request failed: %s", what, describe(exc), exc_info=_log.isEnabledFor(logging.DEBUG)
        )
        self._send(HTTPStatus.INTERNAL_SERVER_ERROR, headers=self._cors)

    def _language(self, query: Mapping[str, list[str]]) -> str:
        """The language the pane asks for (``lang``), else the server's."""
        asked = query.get("lang", [])
        return asked[0] if len(asked) == 1 and asked[0] in LANGUAGES else self.server.language

    @staticmethod
    def _address_ok(address: str) -> bool:
        return bool(address) and "@" in address and len(address) <= _MAX_ADDRESS_LENGTH

    def _card(self, query: str) -> None:
        if not self._origin_ok() or not self._secret_ok():
            self._refuse()
            return
        fields = parse_qs(query, max_num_fields=4)
        values = fields.get("address", [])
        address = values[0].strip() if len(values) == 1 else ""
        if not self._address_ok(address):
            self._send(HTTPStatus.BAD_REQUEST, headers=self._cors)
            return
        try:
            with self.server.card_lock:
                card = self.server.card_for(address, self._language(fields))
            doc = None if card is None else self._encoded(dict(card))
        except Exception as exc:
            self._failed("card", exc)
            return
        if doc is None:
            self._send(HTTPStatus.NOT_FOUND, headers=self._cors)
            return
        self._send(HTTPStatus.OK, doc, "application/json; charset=utf-8", self._cors)

    def _cards(self, query: str) -> None:
        if not self._origin_ok() or not self._secret_ok():
            self._refuse()
            return
        try:
            fields = parse_qs(query, max_num_fields=MAX_CARDS + 2)  # the addresses and lang
        except ValueError:  # more fields than that
            fields = {}
        values = fields.get("address", [])
        language = self._language(fields)
        addresses = list(dict.fromkeys(v.strip() for v in values))
        if not 0 < len(addresses) <= MAX_CARDS or not all(map(self._address_ok, addresses)):
            self._send(HTTPStatus.BAD_REQUEST, headers=self._cors)
            return
        try:
            with self.server.card_lock:
                found = [self.server.card_for(a, language) for a in addresses]
            cards = [
                dict(card) if card is not None else {"address": address, "known": False}
                for address, card in zip(addresses, found, strict=True)
            ]
            doc = self._encoded({"cards": cards})
        except Exception as exc:
            self._failed("cards", exc)
            return
        self._send(HTTPStatus.OK, doc, "application/json; charset=utf-8", self._cors)

    # --- writing a note --------------------------------------------------------------------

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if not self._host_ok() or parts.path != "/api/notes" or self.server.add_note is None:
            self._refuse(HTTPStatus.NOT_FOUND if self._host_ok() else HTTPStatus.FORBIDDEN)
            return
        # A POST always carries Origin in a browser; a missing one is no browser of ours.
        if self.headers.get("Origin") != self.server.origin or not self._secret_ok():
            self._refuse()
            return
        if self.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
            self._refuse()
            return
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            self._send(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, headers=self._cors)
            return
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            self._send(HTTPStatus.LENGTH_REQUIRED, headers=self._cors)
            return
        if int(length) > MAX_NOTE_BODY:
            self.close_connection = True  # the body stays unread
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, headers=self._cors)
            return
        try:
            doc = json.loads(self.rfile.read(int(length)).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # nesting deeper than the stack
            doc = None
        address = doc.get("address") if isinstance(doc, dict) else None
        text = doc.get("text") if isinstance(doc, dict) else None
        if not isinstance(address, str) or not isinstance(text, str):
            self._send(HTTPStatus.BAD_REQUEST, headers=self._cors)
            return
        if not self._address_ok(address.strip()):
            self._send(HTTPStatus.BAD_REQUEST, headers=self._cors)
            return
        try:
            with self.server.card_lock:
                note = self.server.add_note(address.strip(), text)
        except UsageError:
            self._send(HTTPStatus.BAD_REQUEST, headers=self._cors)
            return
        except Exception as exc:
            self._failed("note", exc)
            return
        self._send(HTTPStatus.CREATED, self._encoded(dict(note)),
                   "application/json; charset=utf-8", self._cors)


class AddinServer:
    """A running card server. ``url`` is the task pane's origin with a trailing slash."""

    def __init__(self, httpd: _CardHTTPServer) -> None:
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, name="addin-server", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return self._httpd.origin + "/"

    @property
    def origin(self) -> str:
        return self._httpd.origin

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server stops (or ``timeout`` passes); True if it has stopped."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def shutdown(self) -> None:
        """Stop serving and release the port. Safe to call twice."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()
        self._httpd.close_open_connections()

    def __enter__(self) -> AddinServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def serve(
    card_for: CardFor,
    *,
    add_note: AddNote | None = None,
    data_dir: Path | str,
    language: str = DEFAULT_LANGUAGE,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    cert: Path | str | None = None,
    key: Path | str | None = None,
    max_connections: int = MAX_CONNECTIONS,
    request_deadline_s: float = REQUEST_DEADLINE_S,
) -> AddinServer:
    """Start the card server in a background thread and return it.

    Parameters:
        card_for: returns the card for an address in a language (one of ``i18n.LANGUAGES``),
            or None if the store does not know it.
        language: the pane's language when Outlook's display language has no catalog (the
            configured one).
        add_note: keeps a note about an address and returns it (``UsageError`` for bad text);
            without it ``POST /api/notes`` is 404.
        data_dir: holds the secret file, and the certificate unless ``cert``/``key`` are given.
        host: ``127.0.0.1`` or ``localhost``; the server binds the IPv4 loopback either way.
        port: the TCP port (0 picks a free one, for tests); the manifest must name the same.
        cert: PEM chain to present; default ``<data_dir>/addin-cert.pem``.
        key: its private key; default ``<data_dir>/addin-key.pem``.
        max_connections: connections open at once (see :mod:`.connections`).
        request_deadline_s: the most one request may take, from waiting for it to answering it.

    Returns:
        The running server; call ``shutdown()`` to stop it.

    Raises:
        UsageError: ``host`` is not the loopback, or the port is out of range or in use.
        InputError: the certificate or key is missing or unreadable.
    """
    w = Wording(language)
    if host not in ("127.0.0.1", "localhost"):
        raise UsageError(
            w.gettext("the add-in server only listens on 127.0.0.1, not {host}").format(host=host)
        )
    if not 0 <= port < 65536:  # 0: any free port
        raise UsageError(
            w.gettext("the port must be between 1 and 65535, not {port}").format(port=port)
        )
    cert_path = Path(cert) if cert is not None else Path(data_dir) / CERT_FILENAME
    key_path = Path(key) if key is not None else Path(data_dir) / KEY_FILENAME
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_path, key_path)
    except FileNotFoundError as exc:
        raise InputError(str(exc.filename or cert_path), problem("file_not_found")) from exc
    except (OSError, ssl.SSLError) as exc:
        raise InputError(str(cert_path), problem("certificate_unusable", detail=str(exc))) from exc
    secret = load_or_create_secret(data_dir)
    try:
        httpd = _CardHTTPServer(
            ("127.0.0.1", port),
            card_for=card_for,
            add_note=add_note,
            secret=secret,
            language=language,
            public_host=host,
            context=context,
            max_connections=max_connections,
            request_deadline_s=request_deadline_s,
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                w.gettext("port {port} on 127.0.0.1 is already in use").format(port=port)
            ) from exc
        raise
    return AddinServer(httpd)
