"""``outlook-networking addin cert | manifest | serve``, and the card server beside the agent.

The card for an address is ``contact --json``'s document plus ``balance`` and ``is_owner``; for
someone who is no contact yet but whom the owner may know through someone, it is
``{"address", "name", "is_owner": false, "known": false, "intro"}`` with the best path
(``core.intro.stranger_json``); for anyone else there is no card. The analysis behind it is
cached and recomputed only when the store has changed (``Store.fingerprint``: new items, a new
owner, identity corrections, dismissals, introductions ``intro`` proposed), so a card costs a
lookup, not an analysis.

Exports: ``run``, ``start_background``, ``CardService``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..app.analysis import Insight, analyse_store
from ..app.workspace import Workspace
from ..config import Config
from ..core.intro import find_paths, stranger_json
from ..core.ledger import balance_json
from ..core.views import contact_json
from ..errors import UsageError
from ..i18n import wording_for
from ..parsing.addresses import normalise
from ..store import Store
from .cert import CERT_FILENAME, ca_path, create_certificate, trust_instructions
from .manifest import write_manifest
from .server import AddinServer, serve

__all__ = ["CardService", "run", "start_background"]


class CardService:
    """``card_for`` over a store file: its own connection, a cached analysis."""

    def __init__(
        self, db_path: Path, config: Config, now: Callable[[], datetime] | None = None
    ) -> None:
        self._db_path = db_path
        self._config = config
        self._now = now or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._fingerprint: tuple[Any, ...] | None = None
        self._insight: Insight | None = None
        self._words = wording_for(config)

    def _fresh(self, store: Store) -> Insight:
        fingerprint = (*store.fingerprint(), self._now().date())
        if self._insight is None or fingerprint != self._fingerprint:
            self._insight = analyse_store(store, self._config, self._now())
            self._fingerprint = fingerprint
        return self._insight

    def __call__(self, address: str) -> Mapping[str, Any] | None:
        wanted = normalise(address)
        if not wanted:
            return None
        with self._lock, Store.open(self._db_path) as store:
            insight = self._fresh(store)
            network = insight.network
            if wanted in network.owner:
                return {"address": wanted, "is_owner": True}
            view = network.find(wanted)
            if view is None:
                found = find_paths(network, insight.ledger.items, wanted, limit=1).paths
                return stranger_json(network, wanted, found[0]) if found else None
            card = contact_json(view, self._now(), self._words)
            card["is_owner"] = False
            card["balance"] = balance_json(insight.ledger.balance(view.person.key))
            return card


def start_background(workspace: Workspace, port: int = 48373) -> AddinServer:
    """Start the card server for the workspace's store; the caller shuts it down."""
    directory = workspace.db_path.parent
    if not (directory / CERT_FILENAME).exists():
        raise UsageError("no add-in certificate yet; run `outlook-networking addin cert` first")
    service = CardService(workspace.db_path, workspace.config, workspace.clock)
    return serve(service, data_dir=directory, port=port)


def run(
    workspace: Workspace,
    action: str,
    *,
    port: int,
    out: str | None,
    say: Callable[[str], None],
) -> int:
    """One ``addin`` subcommand; returns the exit code."""
    directory = workspace.db_path.parent
    if action == "cert":
        directory.mkdir(parents=True, exist_ok=True)
        cert, _key = create_certificate(directory)
        say(f"Created {cert} for https://127.0.0.1 and https://localhost.")
        say(trust_instructions(ca_path(directory)))
        return 0
    if action == "manifest":
        target = Path(out).expanduser() if out else directory / "manifest.xml"
        try:
            written = write_manifest(target, port=port)
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
        say(f"Wrote {written}; sideload it in Outlook (see manifest/README.md).")
        return 0
    server = start_background(workspace, port=port)
    say(f"Serving the add-in at {server.url} (Ctrl-C stops it).")
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0
