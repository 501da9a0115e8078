"""The agent's status, kept as a small document in the store for ``outlook-networking status``.

The agent writes the document under ``agent:status`` at the start and end of every cycle and
when it plans the next run; ``status`` reads it from another process (the store runs in WAL mode,
so reading never blocks the agent). Whether an agent is running right now is not taken from the
document, which a killed agent cannot update, but from the store's lock (:func:`.lock.holder`).

The document, as ``status --json`` prints it after its ``schema`` and ``as_of`` (every key
always present, ``null`` when unknown; ``docs/json.md``)::

    {
      "running": true,              # an agent holds the store's lock now
      "pid": 4242,                  # its process id (null when none runs)
      "state": "waiting",           # running | waiting | stopped | never run
      "last_run_start": "2026-...", # ISO 8601, UTC, with a Z
      "last_run_end": "2026-...",
      "result": "ok",               # ok | partial | failed | stopped
      "next_run": "2026-...",
      "last_error": null,           # one line: the latest error of any cycle (kept after
      "last_error_at": null,        #   later successes; ``result`` says how the last cycle went)
      "items_synced": 12,           # in the last cycle
      "actions_applied": 3,         # in the last cycle
      "consecutive_failures": 0,
      "accounts": {"work": {"items": 12, "applied": 3, "apply": "applied", "error": null,
                            "failures": 0, "retry_at": null}}
    }

The errors are kept as lines in every language of the catalogs too (``last_error_words``, an
account's ``error_words``: language -> line, not printed), so ``status`` shows them in the
language it is run in; a document written before that has only the agent's English line,
shown as it is.

Exports: ``STATUS_DOC``, ``StatusKeeper``, ``read_status``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from ..core.views import iso
from ..store import Store
from .cycle import CycleReport
from .lock import holder

__all__ = ["STATUS_DOC", "StatusKeeper", "read_status"]

STATUS_DOC = "agent:status"

_KEYS = (
    "running",
    "pid",
    "state",
    "last_run_start",
    "last_run_end",
    "result",
    "next_run",
    "last_error",
    "last_error_at",
    "items_synced",
    "actions_applied",
    "consecutive_failures",
    "accounts",
)


_TIMES = ("last_run_start", "last_run_end", "next_run", "last_error_at")
_WORDS = "last_error_words"  # last_error in every language (kept beside the keys above)
_ACCOUNT_WORDS = "error_words"  # an account's error in every language


def _in_language(line: Any, words: Any, language: str | None) -> Any:
    """The line stored in ``language`` if there is one, else the line as the agent wrote it."""
    if language and isinstance(words, dict) and isinstance(words.get(language), str):
        return words[language]
    return line


def _iso(moment: datetime | float | str | None) -> str | None:
    if isinstance(moment, (int, float)):
        moment = datetime.fromtimestamp(moment, UTC)
    elif isinstance(moment, str):  # written by an older version as "+00:00"
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return iso(moment)


def _account(entry: Any, language: str | None) -> Any:
    """An account's entry as ``status`` shows it: its error in ``language``, the other
    languages' lines left out."""
    if not isinstance(entry, dict):
        return entry
    shown = {key: value for key, value in entry.items() if key != _ACCOUNT_WORDS}
    if "error" in shown:
        shown["error"] = _in_language(shown["error"], entry.get(_ACCOUNT_WORDS), language)
    return shown


def read_status(store: Store, language: str | None = None) -> dict[str, Any]:
    """The status document with every key present, and ``running``/``pid`` from the lock; the
    errors in ``language`` where they were kept in it (None: as the agent wrote them)."""
    stored = store.get_doc(STATUS_DOC) or {}
    doc: dict[str, Any] = {key: stored.get(key) for key in _KEYS}
    doc["last_error"] = _in_language(doc["last_error"], stored.get(_WORDS), language)
    doc["state"] = stored.get("state") or "never run"
    doc["consecutive_failures"] = stored.get("consecutive_failures") or 0
    doc["accounts"] = {name: _account(entry, language)
                       for name, entry in (stored.get("accounts") or {}).items()}  # fmt: skip
    for key in _TIMES:
        doc[key] = _iso(doc[key])
    for account in doc["accounts"].values():
        if isinstance(account, dict) and account.get("retry_at"):
            account["retry_at"] = _iso(account["retry_at"])
    pid = holder(store.path) if str(store.path) != ":memory:" else None
    doc["running"] = pid is not None
    doc["pid"] = pid or None
    if pid is None and doc["state"] in ("running", "waiting"):
        # The agent that wrote this is gone without a clean stop (killed, or the machine died).
        doc["state"] = "stopped"
        doc["next_run"] = None
    return doc


class StatusKeeper:
    """Writes the status document as the agent goes."""

    def __init__(self, store: Store) -> None:
        self._store = store
        previous = store.get_doc(STATUS_DOC) or {}
        kept = (*_KEYS, _WORDS)
        self._doc: dict[str, Any] = {key: previous.get(key) for key in kept if key != "running"}
        self._doc["pid"] = os.getpid()
        self.consecutive_failures = int(previous.get("consecutive_failures") or 0)

    def _save(self) -> None:
        self._doc["consecutive_failures"] = self.consecutive_failures
        self._store.put_doc(STATUS_DOC, self._doc)

    def cycle_started(self, when: datetime) -> None:
        self._doc.update(state="running", last_run_start=_iso(when), next_run=None)
        self._save()

    def cycle_finished(self, report: CycleReport) -> None:
        previous: dict[str, Any] = dict(self._doc.get("accounts") or {})
        if report.failed:
            self.consecutive_failures += 1
        elif report.result == "ok":
            self.consecutive_failures = 0
        errors = report.errors
        self._doc.update(
            state="running",
            last_run_start=_iso(report.started),
            last_run_end=_iso(report.finished),
            result=report.result,
            items_synced=report.items_synced,
            actions_applied=report.actions_applied,
            accounts={
                a.account: (
                    {**previous.get(a.account, {}), "apply": "deferred"}
                    if a.deferred
                    else {"items": a.items, "applied": a.applied, "apply": a.apply,
                          "error": a.error, _ACCOUNT_WORDS: dict(a.error_words)}
                )
                for a in report.accounts
            },
        )
        if errors:
            self._doc["last_error"] = errors[0]
            self._doc[_WORDS] = dict(report.errors_words[0])
            self._doc["last_error_at"] = _iso(report.finished)
        self._save()

    def account_backoff(self, backoff: dict[str, tuple[int, float | None]]) -> None:
        """Each account's failures in a row and when it is tried again (None: next cycle)."""
        accounts = self._doc.setdefault("accounts", {}) or {}
        for name, (failures, retry_at) in backoff.items():
            entry = accounts.setdefault(name, {})
            entry["failures"] = failures
            entry["retry_at"] = _iso(retry_at)
        self._doc["accounts"] = accounts
        self._save()

    def waiting(self, next_run: float) -> None:
        self._doc.update(state="waiting", next_run=_iso(next_run))
        self._save()

    def stopped(self) -> None:
        self._doc.update(state="stopped", next_run=None)
        self._save()
