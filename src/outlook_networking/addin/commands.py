"""``outlook-networking addin cert | manifest | serve``, and the card server beside the agent.

The card for an address (``docs/json.md``, schema ``outlook-networking/card/1``) is
``contact --json``'s document (:func:`app.cards.contact_card`: the history, key dates, the
balance without its items and the owner's notes) plus ``is_owner``; for someone who is no contact
it is :func:`app.cards.stranger_card`'s, as ``contact ADDR --json`` prints it: the best path to
them (``{"address", "name", "known": false, "intro", "notes", ...}``), or only the owner's notes,
or no card at all. The analysis behind it is cached and recomputed only when the store has
changed (``Store.fingerprint``: new items, a new owner, identity corrections, dismissals,
introductions ``intro`` proposed, follow-ups marked done or snoozed, key dates entered), so a card
costs a lookup, not an analysis; notes are read fresh for every card. Beside the agent
(``agent --serve-addin``) each cycle hands its own analysis over, so the first card after a sync
needs no second one, and while the agent analyses the store its last analysis serves the cards.
A service with no analysis of the store as it is serves the answers kept in the store
(``app.answers``: the agent's, when it runs as its own process, or a reading command's) for
contacts and the owner, as ``contact ADDR --json`` shows them; only someone who is no contact
then needs an analysis.
:meth:`CardService.add_note` keeps a note written in the pane.

Exports: ``run``, ``start_background``, ``CardServer``, ``CardService``.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..app.analysis import Insight, analyse_store
from ..app.answers import kept, renewing
from ..app.cards import add_note, contact_card, note_json, stranger_card
from ..app.workspace import Workspace
from ..config import Config
from ..core.views import envelope
from ..errors import UsageError
from ..i18n import LANGUAGES, Wording, wording_for
from ..parsing.addresses import normalise
from ..store import Store
from .cert import CERT_FILENAME, ca_path, create_certificate, trust_instructions
from .manifest import write_manifest
from .server import AddinServer, serve

__all__ = ["CardServer", "CardService", "run", "start_background"]


class CardService:
    """``card_for`` over a store file: its own connection, a cached analysis; a card in the
    language asked for, else the configured one."""

    def __init__(
        self, db_path: Path, config: Config, now: Callable[[], datetime] | None = None
    ) -> None:
        self._db_path = db_path
        self._config = config
        self._now = now or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._fingerprint: tuple[Any, ...] | None = None
        self._insight: Insight | None = None
        self.words = wording_for(config)
        self._wordings = {language: Wording(language) for language in LANGUAGES}

    def _fresh(self, store: Store) -> Insight:
        now = self._now()
        own = self._own(store, now)
        if own is not None:
            return own
        fingerprint = (*store.fingerprint(), now.date())
        # The analysis it replaces was frozen out of the cyclic collector's sight
        # (app.analysis): it goes back to it as it is let go; this one is frozen in its place.
        self._insight = None
        gc.unfreeze()
        self._insight = analyse_store(store, self._config, now)
        self._fingerprint = fingerprint
        return self._insight

    def _own(self, store: Store, now: datetime) -> Insight | None:
        """This service's analysis (its own or one offered), if it holds for the store as it is
        today, or while the agent is analysing the store as it is (:meth:`_renewed`)."""
        if self._insight is None:
            return None
        if self._fingerprint == (*store.fingerprint(), now.date()) or self._renewed(store, now):
            return self._insight
        return None

    def _kept_card(self, store: Store, wanted: str, words: Wording) -> Mapping[str, Any] | None:
        """The card from the answers kept in the store (by the agent, or a command that read),
        if they hold: ``contact ADDR --json``'s card, as of the analysis they come from, without
        the balance's items. None for someone who is no contact (whom the owner may know them
        through needs the whole analysis) or when they do not hold (another language, a store
        changed since)."""
        answers = kept(store, self._config, words, self._now())
        if answers is None:
            return None
        if wanted in answers.owner:
            return {**envelope("card", answers.as_of), "address": wanted, "is_owner": True}
        card = answers.card(wanted)
        if card is None:
            return None
        balance = {k: v for k, v in card["balance"].items() if k != "items"}
        return {**envelope("card", answers.as_of), **card, "balance": balance, "is_owner": False}

    def _renewed(self, store: Store, now: datetime) -> bool:
        """The agent is analysing the store as it is now (at a million interactions, a minute
        after each sync that brings mail): the day's last analysis serves until it hands the
        new one over, rather than a second analysis here that every card would wait for
        (``app.answers.renewing``)."""
        return (
            self._fingerprint is not None
            and self._fingerprint[-1] == now.date()
            and renewing(store, now)
        )

    def offer(self, insight: Insight, fingerprint: tuple[object, ...], now: datetime) -> None:
        """Keep an analysis made elsewhere (the agent's cycle, beside which this serves):
        ``insight`` is ``analyse_store`` of the store whose ``Store.fingerprint()`` was
        ``fingerprint`` just before, as of ``now``. The next card uses it if the store has not
        changed since and it is still that day, exactly as if this service had made it, so the
        first card after a sync costs a lookup, not a second analysis.

        The analysis made its millions of objects with the cyclic collector off; the first
        collection after it scans them all (seconds at a million interactions). It runs here,
        in the offering thread, so that no card waits for it."""
        gc.collect()
        with self._lock:
            self._insight, self._fingerprint = insight, (*fingerprint, now.date())

    def __call__(self, address: str, language: str | None = None) -> Mapping[str, Any] | None:
        words = self._wordings.get(language or "", self.words)
        wanted = normalise(address)
        if not wanted:
            return None
        with self._lock, Store.open(self._db_path) as store:
            if self._own(store, self._now()) is None:  # no analysis of its own holds
                card = self._kept_card(store, wanted, words)
                if card is not None:
                    return card
            insight = self._fresh(store)
            network = insight.network
            now = self._now()
            if wanted in network.owner:
                return {**envelope("card", now), "address": wanted, "is_owner": True}
            view = network.find(wanted)
            if view is None:  # whom the owner may know them through, or only notes, or nothing
                stranger = stranger_card(insight, store, wanted)
                return None if stranger is None else {**envelope("card", now), **stranger}
            card = contact_card(insight, store, view, now, words)
            return {**envelope("card", now), **card, "is_owner": False}

    def add_note(self, address: str, text: str) -> Mapping[str, Any]:
        """Keep a note written in the pane (``UsageError`` for a bad address or text)."""
        with self._lock, Store.open(self._db_path) as store:
            return note_json(add_note(store, address, text, self._now()))


class CardServer:
    """The running card server and the service behind it (the caller shuts it down); beside
    the agent, :meth:`offer` hands it each cycle's analysis (:meth:`CardService.offer`)."""

    def __init__(self, server: AddinServer, service: CardService) -> None:
        self.server, self.service = server, service

    @property
    def url(self) -> str:
        return self.server.url

    def wait(self, timeout: float | None = None) -> bool:
        return self.server.wait(timeout)

    def shutdown(self) -> None:
        self.server.shutdown()

    def offer(self, insight: Insight, fingerprint: tuple[object, ...], now: datetime) -> None:
        self.service.offer(insight, fingerprint, now)


def start_background(workspace: Workspace, port: int = 48373) -> CardServer:
    """Start the card server for the workspace's store; the caller shuts it down."""
    directory = workspace.db_path.parent
    if not (directory / CERT_FILENAME).exists():
        raise UsageError(
            workspace.words.gettext(
                "no add-in certificate yet; run `outlook-networking addin cert` first"
            )
        )
    service = CardService(workspace.db_path, workspace.config, workspace.clock)
    server = serve(
        service,
        add_note=service.add_note,
        data_dir=directory,
        language=service.words.language,
        port=port,
    )
    return CardServer(server, service)


def run(
    workspace: Workspace,
    action: str,
    *,
    port: int,
    out: str | None,
    say: Callable[[str], None],
    force: bool = False,
) -> int:
    """One ``addin`` subcommand; returns the exit code.

    ``cert`` keeps a certificate that exists (the user may have trusted its CA) unless ``force``.
    """
    directory = workspace.db_path.parent
    w = workspace.words
    if action == "cert":
        existing = ca_path(directory)
        had = existing.exists()
        if had and not force:
            raise UsageError(
                w.gettext(
                    "a certificate already exists ({path}), and you may have trusted it; "
                    "`addin cert --force` replaces it, and then you trust the new one"
                ).format(path=existing)
            )
        directory.mkdir(parents=True, exist_ok=True)
        cert, _key = create_certificate(directory)
        created = (
            w.gettext(
                "Created {path} for https://127.0.0.1 and https://localhost (it replaces the old "
                "one: trust the new one, remove the old)."
            )
            if had
            else w.gettext("Created {path} for https://127.0.0.1 and https://localhost.")
        )
        say(created.format(path=cert))
        say(trust_instructions(ca_path(directory), w))
        return 0
    if action == "manifest":
        target = Path(out).expanduser() if out else directory / "manifest.xml"
        try:
            written = write_manifest(target, port=port, words=w)
        except OSError as exc:
            raise UsageError(
                w.gettext("cannot write {path}: {reason}").format(
                    path=target, reason=exc.strerror or exc
                )
            ) from exc
        say(
            w.gettext("Wrote {path}; sideload it in Outlook (see manifest/README.md).").format(
                path=written
            )
        )
        return 0
    server = start_background(workspace, port=port)
    say(w.gettext("Serving the add-in at {url} (Ctrl-C stops it).").format(url=server.url))
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0
