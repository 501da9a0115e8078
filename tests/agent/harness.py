"""Pieces of the agent's fault-injection tests: servers, a kill switch, agent runs, comparisons.

- :func:`ews_server`: an EWS test server whose ids are the same on every run (fixed nonce), so
  the store of an interrupted run can be compared with the store of a clean one digest for digest.
- :class:`KillSwitch`: hooks the server's request handling; when the run's n-th request of a
  kind arrives it SIGKILLs the agent, either before the server acts on it or after (the write is
  done but the agent never hears of it).
- :class:`Agents`: runs the command line (``agent --once``, ``undo``) as a separate process,
  forked from a pre-imported zygote (see ``zygote.py``), and reports how it ended.
- :func:`ews_connection`: an EWS source and sink in this process (build pinned, small pages).
- :func:`normalised`: the mailbox as a user sees it, without server ids, as a multiset, so a
  duplicated task or category shows as a difference.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from lxml import etree

from servers.ews import SERVER_BUILD, EWSServer

HERE = Path(__file__).resolve().parent
TOKEN = "test-token"
SYNC_OPS = frozenset({"SyncFolderItems", "GetItem"})
WRITE_OPS = frozenset({
    "CreateItem", "UpdateItem", "DeleteItem", "CreateUserConfiguration", "UpdateUserConfiguration",
    "DeleteUserConfiguration",
})


@dataclass
class EwsConnection:
    source: Any
    sink: Any


def ews_connection(account: Any, *, token: str = TOKEN, page: int = 512,
                   max_wait_s: float = 20, pause_s: float = 0.5) -> EwsConnection:
    """An EWS source and sink for ``account`` on the test server (build pinned, no probing)."""
    from outlook_networking.connectors.ews import Edge, EwsSink, EwsSource, open_account

    exchange = open_account(account, token=lambda: token, build=SERVER_BUILD,
                            max_wait_s=max_wait_s)
    name = f"ews:{account.name}"
    edge = Edge(name, credentials=exchange.protocol.credentials, protocol=exchange.protocol,
                pause_s=pause_s)
    return EwsConnection(EwsSource(exchange, name, edge=edge, page_size=page, get_batch=page),
                         EwsSink(exchange, name, edge=edge))


@contextlib.contextmanager
def ews_server(**kwargs: Any) -> Iterator[EWSServer]:
    """An EWS test server whose item ids do not depend on chance."""
    with mock.patch.object(secrets, "token_hex", lambda n=16: "5eed" * (n // 2)):
        server = EWSServer(**kwargs)
    with server:
        quiet_resets(server._httpd)
        yield server


def quiet_resets(httpd: Any) -> None:
    """A killed agent's keep-alive connection resets: that is the test, not a server fault."""
    assert httpd is not None
    report = httpd.handle_error

    def handle_error(request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            report(request, client_address)

    httpd.handle_error = handle_error


def ews_config(path: Path, server: EWSServer, **extra: Any) -> Path:
    lines = [
        "[[accounts]]",
        'name = "work"',
        'address = "me@example.com"',
        'connector = "ews"',
        f'endpoint = "{server.url}"',
        'auth = "token"',
    ]
    lines += [f"{key} = {json.dumps(value)}" for key, value in extra.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class KillSwitch:
    """Signals ``pid`` at the run's ``nth`` request among ``ops`` (``when``: before/after it acts).

    SIGKILL "before" drops the request unanswered; any other signal lets the request through.
    """

    server: EWSServer
    pid: int | None = None
    ops: frozenset[str] = frozenset()
    nth: int = 0
    when: str = "before"
    signum: int = signal.SIGKILL
    seen: int = 0
    fired: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        original = self.server._handle

        def handle(handler: Any, body: bytes) -> None:
            with self.lock:
                fire = False
                if self.pid is not None and not self.fired and _operation(body) in self.ops:
                    self.seen += 1
                    fire = self.seen == self.nth
                if fire:
                    self.fired = True
                    os.kill(self.pid, self.signum)
            if fire and self.when == "before" and self.signum == signal.SIGKILL:
                handler.drop()
                return
            with contextlib.suppress(OSError):  # the client is gone; its socket may be too
                original(handler, body)

        self.server._handle = handle  # type: ignore[method-assign]

    def arm(self, pid: int, ops: frozenset[str], nth: int, when: str,
            signum: int = signal.SIGKILL) -> None:
        with self.lock:
            self.pid, self.ops, self.nth, self.when = pid, ops, nth, when
            self.signum = signum
            self.seen, self.fired = 0, False

    def disarm(self) -> None:
        with self.lock:
            self.pid, self.ops = None, frozenset()


def _operation(body: bytes) -> str:
    """The EWS operation a request asks for (the first element of the SOAP body)."""
    try:
        envelope = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return "?"
    soap_body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    if soap_body is None or not len(soap_body):
        return "?"
    return str(etree.QName(soap_body[0]).localname)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class Agents:
    """A zygote process that forks agent runs on request."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.output = workdir / "agent-output.log"
        self.env = env
        self._proc = subprocess.Popen(
            [sys.executable, str(HERE / "zygote.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )

    def start(self, argv: list[str]) -> int:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        request = {"argv": argv, "env": self.env, "output": str(self.output)}
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        return int(json.loads(self._proc.stdout.readline())["pid"])

    def wait(self) -> int:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the zygote died; see " + str(self.output))
        return int(json.loads(line)["returncode"])

    def run(self, argv: list[str], on_start: Callable[[int], None] | None = None) -> int:
        """``outlook-networking ARGV`` in a child; its exit code (negative: killed by signal)."""
        pid = self.start(argv)
        if on_start is not None:
            on_start(pid)
        return self.wait()

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=30)
        if self._proc.stdout is not None:
            self._proc.stdout.close()

    def tail(self, lines: int = 40) -> str:
        if not self.output.exists():
            return ""
        return "\n".join(self.output.read_text(errors="replace").splitlines()[-lines:])


def normalised(server: EWSServer) -> Counter[str]:
    """Every item as a user sees it (no server ids), counted: duplicates show up."""
    out: Counter[str] = Counter()
    for item in server.mailbox.snapshot().values():
        doc = {key: value for key, value in item.items() if key != "id"}
        doc["extended"] = _extended(item)
        out[json.dumps(doc, sort_keys=True, default=str)] += 1
    return out


def _extended(item: dict[str, Any]) -> dict[str, Any]:
    # Extended properties are keyed by (property set, name, type) tuples.
    return {"|".join(map(str, key)): value for key, value in item["extended"].items()}


def product_problems(server: EWSServer, owned: frozenset[str]) -> list[str]:
    """Duplicated tasks (by the product's key) or categories: what a kill must never leave."""
    problems: list[str] = []
    keys: Counter[str] = Counter()
    for item in server.mailbox.snapshot().values():
        categories = list(item["categories"])
        if len(categories) != len(set(categories)):
            problems.append(f"{item['id']}: duplicated category in {categories}")
        if item["type"] == "Task" and item["extended"]:
            keys[json.dumps(_extended(item), sort_keys=True, default=str)] += 1
    problems += [f"task {key} exists {n} times" for key, n in keys.items() if n > 1]
    master = server.mailbox.category_list() or b""
    for name in owned:
        if master.count(f'name="{name}"'.encode()) > 1:
            problems.append(f"master list has {name} twice")
    return problems
