"""HTTP to Microsoft Graph: the only place that talks httpx, and where its errors become ours.

One :class:`GraphClient` per account holds one ``httpx.Client`` (connection reuse, HTTP/1.1
keep-alive, timeouts) and enforces the mailbox limits Microsoft documents: at most four requests
in flight (a ``$batch`` counts as four, since Graph runs up to four of its parts at once), and
``$batch`` envelopes of at most 20 requests. ``429``/``503`` (and, for requests that are safe to
repeat, ``5xx`` and dropped connections) are retried after ``Retry-After`` or a backoff, within a
bounded total wait per call; past it the caller gets :class:`~outlook_networking.errors.Throttled`
or :class:`~outlook_networking.errors.ConnectionFailed`.

Error mapping (HTTP → :mod:`outlook_networking.errors`)::

    transport errors, timeouts      ConnectionFailed   (after retries, if the call may repeat)
    401 (twice, with a fresh token) AuthError
    410                             SyncStateInvalid   (reason: Graph's code)
    412                             Conflict
    429, 503 beyond the wait        Throttled(retry_after_s)
    5xx beyond the wait             ConnectionFailed
    any other 4xx/5xx               ServerFault(code)

Every request, each part of a ``$batch`` included, carries ``Prefer: IdType="ImmutableId"``: the
header applies only to the request it comes with, and without it an item's id changes when the
item moves to another folder (Outlook immutable identifiers).

Authentication comes in as a token provider (``Callable[[], str]``) that returns a bearer token;
it is asked for every request so it can refresh silently. After a 401 it is asked to refresh for
real: a provider with ``token(force_refresh=True)`` (the msal ones in ``auth``) gets that call,
since msal would otherwise hand back the same cached token the server just refused.

Exports: ``GraphClient``, ``GraphResponse``, ``BatchRequest``, ``RetryPolicy``,
``TokenProvider``.

``graph_url`` and every link the server sends back go through
:func:`outlook_networking.endpoints.check_url`: the token goes only to the origin httpx really
connects to, and only over https unless the host is loopback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from ...endpoints import check_url
from ...errors import (
    AuthError,
    ConfigError,
    Conflict,
    ConnectionFailed,
    ConnectorError,
    ServerFault,
    SyncStateInvalid,
    Throttled,
    problem,
)
from ...ports import RetryPolicy

__all__ = [
    "BatchRequest",
    "GraphClient",
    "GraphResponse",
    "RetryPolicy",
    "TokenProvider",
]

MAX_BATCH = 20
MAILBOX_CONCURRENCY = 4
IMMUTABLE_IDS = 'IdType="ImmutableId"'
TokenProvider = Callable[[], str]
_IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE", "HEAD"})


@dataclass(frozen=True, slots=True)
class GraphResponse:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def error_code(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return str(self.body["error"].get("code", ""))
        return ""

    @property
    def error_message(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return str(self.body["error"].get("message", ""))
        return ""


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """One part of a ``$batch``; ``url`` is relative to the version root (``/me/...``)."""

    id: str
    method: str
    url: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "method": self.method, "url": self.url}
        headers = dict(self.headers)
        if self.body is not None:
            out["body"] = self.body
            headers.setdefault("Content-Type", "application/json")
        if headers:
            out["headers"] = headers
        if self.depends_on:
            out["dependsOn"] = list(self.depends_on)
        return out


class _Slots:
    """A counting semaphore that takes several permits at once (a ``$batch`` takes four)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._free = size
        self._cond = threading.Condition()

    def acquire(self, n: int) -> int:
        n = min(n, self._size)
        with self._cond:
            self._cond.wait_for(lambda: self._free >= n)
            self._free -= n
        return n

    def release(self, n: int) -> None:
        with self._cond:
            self._free += n
            self._cond.notify_all()


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("retry-after") or headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


class GraphClient:
    """One account's connection to Graph (see the module docstring)."""

    def __init__(
        self,
        graph_url: str,
        token_provider: TokenProvider,
        *,
        account: str,
        timeout_s: float = 30.0,
        max_concurrency: int = MAILBOX_CONCURRENCY,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        endpoint = check_url(graph_url, "graph_url")
        self.base = endpoint.url.rstrip("/")
        self._origin = endpoint.origin
        self.account = account
        self._token_provider = token_provider
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._slots = _Slots(max(1, min(max_concurrency, MAILBOX_CONCURRENCY)))
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            limits=httpx.Limits(
                max_connections=MAILBOX_CONCURRENCY, max_keepalive_connections=MAILBOX_CONCURRENCY
            ),
            headers={"Accept": "application/json"},
            transport=transport,
        )
        self.waited_s = 0.0  # total time spent honouring Retry-After, for reports and tests
        self.requests_sent = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ URLs

    def url(self, path_or_url: str) -> str:
        """An absolute URL on this Graph endpoint; refuses links to any other origin."""
        if path_or_url.startswith(("http://", "https://")):
            if not self.owns(path_or_url):
                raise ServerFault(self.account, problem("link_outside"), "ForeignLink")
            return path_or_url
        return self.base + (path_or_url if path_or_url.startswith("/") else "/" + path_or_url)

    def owns(self, url: str) -> bool:
        """Whether ``url`` is on this endpoint (a token must never go anywhere else)."""
        try:
            return check_url(url, "link").origin == self._origin
        except ConfigError:
            return False

    # ------------------------------------------------------------------ requests

    def _token(self, *, force_refresh: bool = False) -> str:
        refresh = getattr(self._token_provider, "token", None)
        if force_refresh and callable(refresh):
            token = str(refresh(force_refresh=True))
        else:
            token = self._token_provider()
        if not token:
            raise AuthError(self.account, problem("no_access_token"))
        return token

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        weight: int,
        force_refresh: bool,
    ) -> httpx.Response:
        all_headers = with_immutable_ids(headers)
        all_headers["Authorization"] = f"Bearer {self._token(force_refresh=force_refresh)}"
        taken = self._slots.acquire(weight)
        try:
            self.requests_sent += 1
            return self._http.request(method, url, params=params, json=json, headers=all_headers)
        finally:
            self._slots.release(taken)

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        ok: Sequence[int] = (),
        weight: int = 1,
    ) -> GraphResponse:
        """Send one request with retries; statuses in ``ok`` come back instead of raising."""
        method = method.upper()
        url = self.url(path_or_url)
        may_repeat = method in _IDEMPOTENT if idempotent is None else idempotent
        waited = 0.0
        backoff = self._retry.backoff_s
        refreshed = force_refresh = False
        attempt = 0
        while True:
            attempt += 1
            try:
                resp = self._send(
                    method, url, params=params, json=json, headers=headers, weight=weight,
                    force_refresh=force_refresh,
                )  # fmt: skip
            except httpx.TransportError as exc:
                reason = problem("server_unreachable", detail=f"{type(exc).__name__}: {exc}")
                if not may_repeat or attempt >= self._retry.max_attempts:
                    raise ConnectionFailed(self.account, reason) from exc
                wait = min(backoff, self._retry.max_backoff_s)
                if waited + wait > self._retry.max_wait_s:
                    raise ConnectionFailed(self.account, reason) from exc
                self._pause(wait)
                waited += wait
                backoff *= 2
                continue
            except httpx.HTTPError as exc:  # malformed URL, undecodable body, ...
                detail = f"{type(exc).__name__}: {exc}"
                raise ConnectionFailed(
                    self.account, problem("server_unreachable", detail=detail)
                ) from exc
            result = _response(resp)
            status = result.status
            if status < 400 or status in ok:
                return result
            force_refresh = False
            if status == 401 and not refreshed:
                refreshed = force_refresh = True  # the next attempt asks for a new token
                continue
            retryable = status in (429, 503) or (may_repeat and status in (500, 502, 504))
            if retryable and attempt < self._retry.max_attempts:
                hint = _retry_after(result.headers)
                wait = hint if hint is not None else min(backoff, self._retry.max_backoff_s)
                if waited + wait <= self._retry.max_wait_s:
                    self._pause(wait)
                    waited += wait
                    backoff *= 2
                    continue
            raise self.error_for(result)

    def _pause(self, seconds: float) -> None:
        self.waited_s += seconds
        if seconds > 0:
            self._sleep(seconds)

    def error_for(self, result: GraphResponse) -> ConnectorError:
        """The exception an error answer maps to (see the module docstring)."""
        status, code = result.status, result.error_code
        reason = f"HTTP {status} {code}: {result.error_message}".strip()
        if status == 401:
            return AuthError(self.account, reason)
        if status == 410:
            return SyncStateInvalid(self.account, code or "Gone")
        if status == 412:
            return Conflict(self.account, reason)
        if status in (429, 503):
            return Throttled(self.account, reason, _retry_after(result.headers) or 0.0)
        if status >= 500:
            return ConnectionFailed(self.account, reason)
        return ServerFault(self.account, reason, code)

    def get(self, path_or_url: str, **kwargs: Any) -> GraphResponse:
        return self.request("GET", path_or_url, **kwargs)

    def pages(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every page of a collection, following ``@odata.nextLink``."""
        resp = self.get(path_or_url, params=params, headers=headers)
        while True:
            body = resp.body if isinstance(resp.body, dict) else {}
            yield body
            link = body.get("@odata.nextLink")
            if not isinstance(link, str):
                return
            resp = self.get(link, headers=headers)

    # ------------------------------------------------------------------ $batch

    def batch(self, requests: Sequence[BatchRequest]) -> dict[str, GraphResponse]:
        """Run requests as ``$batch`` envelopes of at most 20; parts throttled inside a batch
        (429/503, a 5xx for a part that may repeat, and what failed only because it depended on
        one) are sent again after ``Retry-After``, within the same bounded wait as single
        requests.
        """
        results: dict[str, GraphResponse] = {}
        for start in range(0, len(requests), MAX_BATCH):
            results.update(self._batch_chunk(list(requests[start : start + MAX_BATCH])))
        return results

    def _batch_chunk(self, chunk: list[BatchRequest]) -> dict[str, GraphResponse]:
        results: dict[str, GraphResponse] = {}
        pending = chunk
        waited = 0.0
        backoff = self._retry.backoff_s
        for _attempt in range(self._retry.max_attempts):
            resp = self.request(
                "POST",
                "/$batch",
                json={
                    "requests": [
                        replace(r, headers=with_immutable_ids(r.headers)).to_json()
                        for r in pending
                    ]
                },
                idempotent=all(r.method.upper() in _IDEMPOTENT for r in pending),
                weight=MAILBOX_CONCURRENCY,
            )
            parts = resp.body.get("responses", []) if isinstance(resp.body, dict) else []
            by_id = {str(p.get("id")): p for p in parts if isinstance(p, dict)}
            retry: list[BatchRequest] = []
            hint = 0.0
            for req in pending:
                part = by_id.get(req.id)
                if part is None:
                    raise ServerFault(
                        self.account, problem("batch_part_missing", id=req.id), "BatchError"
                    )
                headers = {str(k): str(v) for k, v in (part.get("headers") or {}).items()}
                sub = GraphResponse(int(part.get("status", 500)), part.get("body"), headers)
                again = sub.status in (429, 503) or (
                    sub.status in (500, 502, 504) and req.method.upper() in _IDEMPOTENT
                )
                if again or (sub.status == 424 and req.depends_on):
                    retry.append(req)
                    hint = max(hint, _retry_after(headers) or 0.0)
                else:
                    results[req.id] = sub
            if not retry:
                return results
            retry_ids = {r.id for r in retry}
            pending = [
                BatchRequest(
                    r.id,
                    r.method,
                    r.url,
                    r.body,
                    r.headers,
                    tuple(d for d in r.depends_on if d in retry_ids),
                )
                for r in retry
            ]
            wait = hint or min(backoff, self._retry.max_backoff_s)
            if waited + wait > self._retry.max_wait_s:
                break
            self._pause(wait)
            waited += wait
            backoff *= 2
        raise Throttled(self.account, problem("batch_throttled"), backoff)


def with_immutable_ids(headers: Mapping[str, str] | None) -> dict[str, str]:
    """``headers`` with ``IdType="ImmutableId"`` added to its ``Prefer`` preferences."""
    out = dict(headers or {})
    key = next((k for k in out if k.lower() == "prefer"), "Prefer")
    out[key] = ", ".join(p for p in (IMMUTABLE_IDS, out.get(key, "")) if p)
    return out


def _response(resp: httpx.Response) -> GraphResponse:
    body: Any = None
    if resp.content:
        try:
            body = resp.json()
        except ValueError:
            body = None
    return GraphResponse(resp.status_code, body, dict(resp.headers))
