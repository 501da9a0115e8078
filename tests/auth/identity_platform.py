"""A small Microsoft identity platform on 127.0.0.1 over HTTPS, for msal to talk to unpatched.

It serves what msal uses for the flows the product runs, in the shapes Entra ID answers with:

- ``GET /{tenant}/v2.0/.well-known/openid-configuration``: the endpoints below;
- ``GET /{tenant}/oauth2/v2.0/authorize``: the browser's step of the authorization code flow.
  The user is taken to have signed in (``browser_answer = "approve"``) or cancelled
  (``"decline"``: ``error=access_denied``); either way the answer goes to the ``redirect_uri``
  with ``state``: with ``response_mode=form_post`` as a page whose form the browser posts
  there, else as a 302 with the answer in the query. PKCE is required (``code_challenge``,
  ``S256``; "Microsoft identity platform and OAuth 2.0 authorization code flow"), and the
  redirect URI must be registered: loopback ones (``http://127.0.0.1``) match on any port
  ("Redirect URI restrictions", localhost exceptions), anything else answers ``AADSTS50011``;
- ``POST /{tenant}/oauth2/v2.0/devicecode``: a device code, user code and message;
- ``POST /{tenant}/oauth2/v2.0/token`` with the grants ``authorization_code`` (once per code,
  the same ``redirect_uri``, a ``code_verifier`` whose S256 is the challenge, else
  ``invalid_grant``; the ID token carries the authorize request's ``nonce``), ``device_code``
  (``authorization_pending`` until the test approves the code), ``refresh_token`` (rotating; a
  revoked one gives ``invalid_grant`` with AADSTS70008) and ``client_credentials`` (a client
  secret, or a ``client_assertion`` JWT verified against the registered certificate's public
  key).

Tokens are opaque random strings; the id token is an unsigned JWT with the user's claims, and
``client_info`` carries ``uid``/``utid`` as Entra does (msal builds the account id from it).
TLS uses a throwaway local CA (``ca_file``): point ``REQUESTS_CA_BUNDLE`` at it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from outlook_networking.addin.cert import ca_path, create_certificate

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
RESERVED = {"openid", "profile", "offline_access"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    scopes: list[str]
    approved: bool = False
    declined: bool = False
    pending_polls: int = 0  # answers authorization_pending this many times even once approved


@dataclass
class AuthorizationCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    scopes: list[str]
    nonce: str


@dataclass
class RefreshToken:
    client_id: str
    revoked: bool = False


@dataclass
class User:
    preferred_username: str = "me@example.com"
    name: str = "Mia Example"
    oid: str = field(default_factory=lambda: str(uuid.uuid4()))
    tid: str = field(default_factory=lambda: str(uuid.uuid4()))


class IdentityPlatform:
    """The fake platform's state; tests read and change it directly."""

    def __init__(self, directory: Path) -> None:
        self.cert_file, self.key_file = create_certificate(directory)
        self.ca_file = ca_path(directory)
        self.user = User()
        self.expires_in = 3600
        self.devices: dict[str, DeviceCode] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.access_tokens: list[str] = []
        self.client_secrets: dict[str, str] = {}
        self.client_certificates: dict[str, x509.Certificate] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.redirect_uris: set[str] = {"http://127.0.0.1"}  # the app registration's
        self.browser_answer = "approve"  # what the user does on the sign-in page
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, form)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- what tests do -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def authority(self, tenant: str = "organizations") -> str:
        return f"{self.base_url}/{tenant}"

    def approve(self, user_code: str, pending_polls: int = 0) -> None:
        """The user entered the code in a browser and signed in."""
        with self._lock:
            for device in self.devices.values():
                if device.user_code == user_code:
                    device.approved = True
                    device.pending_polls = pending_polls
                    return
        raise KeyError(user_code)

    def decline(self, user_code: str) -> None:
        with self._lock:
            for device in self.devices.values():
                if device.user_code == user_code:
                    device.declined = True

    def revoke_all(self) -> None:
        """An administrator revoked the user's sessions (or the refresh token expired)."""
        with self._lock:
            for token in self.refresh_tokens.values():
                token.revoked = True

    def grants(self, grant_type: str) -> list[dict[str, str]]:
        """The token requests made with ``grant_type``."""
        return [
            form
            for method, path, form in self.requests
            if method == "POST" and path.endswith("/token") and form.get("grant_type") == grant_type
        ]

    # --- serving -------------------------------------------------------------------------

    def start(self) -> None:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet tests

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                platform._record("GET", url.path, query)
                parts = url.path.strip("/").split("/")
                if parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
                    self._json(200, platform._openid_configuration(parts[0]))
                elif parts[1:] == ["oauth2", "v2.0", "authorize"]:
                    status, location, page = platform._authorize(query)
                    self.send_response(status)
                    if location:
                        self.send_header("Location", location)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                platform._record("POST", self.path, form)
                path = urlsplit(self.path).path
                tenant = path.strip("/").split("/")[0]
                if path.endswith("/oauth2/v2.0/devicecode"):
                    status, payload = platform._device_code(form)
                elif path.endswith("/oauth2/v2.0/token"):
                    status, payload = platform._token(tenant, form)
                else:
                    status, payload = 404, {"error": "not_found"}
                self._json(status, payload)

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _record(self, method: str, path: str, form: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((method, path, form))

    def _openid_configuration(self, tenant: str) -> dict[str, Any]:
        base = f"{self.base_url}/{tenant}"
        return {
            "issuer": f"{self.base_url}/{self.user.tid}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "response_types_supported": ["code", "id_token", "code id_token"],
        }

    def _registered(self, redirect_uri: str) -> bool:
        parts = urlsplit(redirect_uri)
        loopback = parts.hostname in ("127.0.0.1", "localhost")
        # Loopback redirect URIs match whatever the port ("localhost exceptions").
        bare = f"{parts.scheme}://{parts.hostname}" if loopback else redirect_uri
        return bare.rstrip("/") in {u.rstrip("/") for u in self.redirect_uris}

    def _authorize(self, query: dict[str, str]) -> tuple[int, str | None, bytes]:
        """The sign-in page's outcome: (status, Location, page)."""
        redirect_uri = query.get("redirect_uri", "")
        if not self._registered(redirect_uri):
            return 400, None, b"AADSTS50011: The redirect URI does not match the registration."
        state = query.get("state", "")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            answer = {
                "error": "invalid_request",
                "error_description": "AADSTS9002325: Proof Key for Code Exchange is required",
            }
        elif query.get("response_type") != "code":
            answer = {"error": "unsupported_response_type", "error_description": "AADSTS700054"}
        elif self.browser_answer != "approve":
            answer = {
                "error": "access_denied",
                "error_description": "AADSTS65004: User declined to consent to access the app.",
            }
        else:
            code = "code-" + secrets.token_urlsafe(16)
            with self._lock:
                self.codes[code] = AuthorizationCode(
                    client_id=query.get("client_id", ""),
                    redirect_uri=redirect_uri,
                    code_challenge=query["code_challenge"],
                    scopes=[s for s in query.get("scope", "").split() if s not in RESERVED],
                    nonce=query.get("nonce", ""),
                )
            answer = {"code": code, "session_state": str(uuid.uuid4())}
        answer["state"] = state
        if query.get("response_mode") == "form_post":
            fields = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in answer.items()
            )
            page = (
                '<html><body onload="document.forms[0].submit()">'
                f'<form method="POST" action="{html.escape(redirect_uri)}">{fields}</form>'
                "</body></html>"
            )
            return 200, None, page.encode()
        separator = "&" if "?" in redirect_uri else "?"
        return 302, redirect_uri + separator + urlencode(answer), b""

    def _redeem(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        code = self.codes.pop(form.get("code", ""), None)
        if code is None:
            return _error("invalid_grant", "AADSTS70000: The provided code is invalid or used.")
        verifier = form.get("code_verifier", "")
        challenge = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
        if challenge != code.code_challenge:
            return _error(
                "invalid_grant",
                "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in "
                "the authorization request.",
            )
        if form.get("redirect_uri") != code.redirect_uri:
            return _error("invalid_grant", "AADSTS70000: redirect_uri does not match.")
        return 200, self._user_tokens(code.client_id, code.scopes, nonce=code.nonce)

    def _device_code(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        scopes = form.get("scope", "").split()
        device = DeviceCode(
            device_code=secrets.token_urlsafe(24),
            user_code=secrets.token_hex(4).upper(),
            client_id=form.get("client_id", ""),
            scopes=scopes,
        )
        with self._lock:
            self.devices[device.device_code] = device
        return 200, {
            "device_code": device.device_code,
            "user_code": device.user_code,
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": 1,
            "message": "To sign in, use a web browser to open the page "
            f"https://microsoft.com/devicelogin and enter the code {device.user_code} "
            "to authenticate.",
        }

    def _token(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type")
        scopes = [s for s in form.get("scope", "").split() if s not in RESERVED]
        with self._lock:
            if grant == "authorization_code":
                return self._redeem(form)
            if grant == DEVICE_GRANT:
                device = self.devices.get(form.get("device_code", ""))
                if device is None:
                    return _error("bad_verification_code", "AADSTS70019: unknown code")
                if device.declined:
                    return _error("authorization_declined", "AADSTS70000: declined")
                if not device.approved or device.pending_polls > 0:
                    device.pending_polls = max(0, device.pending_polls - 1)
                    return _error("authorization_pending", "AADSTS70016: pending")
                del self.devices[device.device_code]
                # This grant does not repeat the scopes: they are the device code's.
                granted = [s for s in device.scopes if s not in RESERVED]
                return 200, self._user_tokens(device.client_id, granted)
            if grant == "refresh_token":
                token = self.refresh_tokens.get(form.get("refresh_token", ""))
                if token is None or token.revoked:
                    return _error(
                        "invalid_grant",
                        "AADSTS70008: The provided authorization code or refresh token has "
                        "expired due to inactivity.",
                    )
                token.revoked = True  # Entra rotates refresh tokens
                return 200, self._user_tokens(token.client_id, scopes)
            if grant == "client_credentials":
                return self._client_credentials(tenant, form, scopes)
        return _error("unsupported_grant_type", f"AADSTS70003: {grant}")

    def _user_tokens(self, client_id: str, scopes: list[str], nonce: str = "") -> dict[str, Any]:
        access = "at-" + secrets.token_urlsafe(16)
        refresh = "rt-" + secrets.token_urlsafe(16)
        self.access_tokens.append(access)
        self.refresh_tokens[refresh] = RefreshToken(client_id=client_id)
        claims = {
            "iss": f"{self.base_url}/{self.user.tid}/v2.0",
            "aud": client_id,
            "sub": self.user.oid,
            "oid": self.user.oid,
            "tid": self.user.tid,
            "preferred_username": self.user.preferred_username,
            "name": self.user.name,
        }
        if nonce:
            claims["nonce"] = nonce
        id_token = ".".join(
            [_b64(b'{"alg":"none","typ":"JWT"}'), _b64(json.dumps(claims).encode()), ""]
        )
        return {
            "token_type": "Bearer",
            "scope": " ".join(scopes),
            "expires_in": self.expires_in,
            "ext_expires_in": self.expires_in,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": id_token,
            "client_info": _b64(
                json.dumps({"uid": self.user.oid, "utid": self.user.tid}).encode()
            ),
        }

    def _client_credentials(
        self, tenant: str, form: dict[str, str], scopes: list[str]
    ) -> tuple[int, dict[str, Any]]:
        client_id = form.get("client_id", "")
        if "client_assertion" in form:
            certificate = self.client_certificates.get(client_id)
            if certificate is None:
                return _error("invalid_client", "AADSTS700027: no certificate registered")
            header = jwt.get_unverified_header(form["client_assertion"])
            known = {
                "x5t#S256": _b64(certificate.fingerprint(hashes.SHA256())),
                "x5t": _b64(certificate.fingerprint(hashes.SHA1())),
            }
            # msal keeps base64's "=" padding; Entra accepts both.
            if not any(
                str(header.get(name, "")).rstrip("=") == value for name, value in known.items()
            ):
                return _error("invalid_client", "AADSTS700027: unknown certificate thumbprint")
            try:
                claims = jwt.decode(
                    form["client_assertion"],
                    certificate.public_key(),  # type: ignore[arg-type]
                    algorithms=["RS256", "PS256"],
                    audience=f"{self.base_url}/{tenant}/oauth2/v2.0/token",
                )
            except jwt.PyJWTError as exc:
                return _error("invalid_client", f"AADSTS700027: {exc}")
            if claims.get("iss") != client_id or claims.get("sub") != client_id:
                return _error("invalid_client", "AADSTS700027: wrong issuer")
        elif self.client_secrets.get(client_id) != form.get("client_secret"):
            return _error("invalid_client", "AADSTS7000215: Invalid client secret provided.")
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            return _error("invalid_scope", "AADSTS1002012: client credentials need /.default")
        access = "app-" + secrets.token_urlsafe(16)
        self.access_tokens.append(access)
        return 200, {
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "ext_expires_in": self.expires_in,
            "access_token": access,
        }


def _error(code: str, description: str) -> tuple[int, dict[str, Any]]:
    return 400, {
        "error": code,
        "error_description": description,
        "error_codes": [int(description[6:].split(":")[0])] if description[6:7].isdigit() else [],
        "correlation_id": str(uuid.uuid4()),
    }
