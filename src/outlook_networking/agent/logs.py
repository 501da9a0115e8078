"""The agent's log: JSON lines in a rotating file, ``key=value`` lines on the console.

Every record is an event name plus fields (``log_event(logger, "cycle.end", items=12)``). What may
appear in a field is decided where the event is logged: counts, account names, durations, error
kinds and one-line error texts. Never tokens, subjects or bodies; addresses only at debug level.
As a second line of defence :func:`redact` removes anything shaped like a bearer token or a
``token=``/``password=`` pair from every message and field before it is written.

The file is ``agent.log`` in ``platformdirs.user_log_dir("outlook-networking")`` (override:
``$OUTLOOK_NETWORKING_LOG_DIR``), rotated at 1 MiB with 5 old files kept. Only the user can read
them: the directory is created 0700 (the default one is tightened to 0700 if found looser), and
every log file, new, rotated or left looser by an older version, is 0600. In the foreground the
same events go to stderr, which systemd's journal and launchd's log file capture.

Only the ``outlook_networking`` logger tree is configured; libraries keep their own (silent)
defaults, so exchangelib's or httpx's debug output, which can contain headers and bodies, never
reaches these handlers.

Exports: ``configure_logging``, ``close_logging``, ``log_event``, ``redact``,
``default_log_dir``, ``LOGGER_NAME``, ``ENV_LOG_DIR``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.handlers
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "ENV_LOG_DIR",
    "LOGGER_NAME",
    "close_logging",
    "configure_logging",
    "default_log_dir",
    "log_event",
    "redact",
]

LOGGER_NAME = "outlook_networking"
ENV_LOG_DIR = "OUTLOOK_NETWORKING_LOG_DIR"
LOG_FILE = "agent.log"
_MAX_BYTES = 1 << 20
_BACKUPS = 5
_MAX_TEXT = 300

_SECRETS = re.compile(
    r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"
    r"|((?:access_token|refresh_token|token|password|secret|client_secret)[\"']?\s*[:=]\s*[\"']?)"
    r"[^\s\"'&,;]+"
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # a JWT anywhere
)


def redact(text: str) -> str:
    """``text`` on one line, at most 300 characters, with anything token-like removed."""

    def _hide(match: re.Match[str]) -> str:
        prefix = match.group(1) or match.group(2) or ""
        return prefix + "[redacted]"

    one_line = " ".join(text.split())
    cleaned = _SECRETS.sub(_hide, one_line)
    return cleaned if len(cleaned) <= _MAX_TEXT else cleaned[: _MAX_TEXT - 1] + "…"


def default_log_dir() -> Path:
    """``$OUTLOOK_NETWORKING_LOG_DIR`` or the platform's user log directory for the product."""
    env = os.environ.get(ENV_LOG_DIR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_log_dir("outlook-networking", appauthor=False))


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    if not isinstance(fields, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, str):
            value = redact(value)
        elif not isinstance(value, (int, float, bool)) and value is not None:
            value = redact(str(value))
        out[key] = value
    return out


class _PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files only the user can read (0600), after rotation too."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if os.name == "posix":
            os.fchmod(fd, 0o600)  # a file an older version created readable for all
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time, level, event, fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": redact(record.getMessage()),
            "pid": record.process,
        }
        doc.update(_fields(record))
        return json.dumps(doc, ensure_ascii=False, sort_keys=False)


class KeyValueFormatter(logging.Formatter):
    """``HH:MM:SS level event key=value ...`` for people watching the console or the journal."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        parts = [moment, record.levelname.lower(), redact(record.getMessage())]
        for key, value in _fields(record).items():
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else value
            if isinstance(value, str) and " " not in value and '"' not in value and value:
                text = value
            parts.append(f"{key}={text}")
        return " ".join(str(p) for p in parts)


def configure_logging(
    *, log_dir: Path | None = None, console: bool = True, debug: bool = False
) -> Path:
    """Attach the agent's handlers to the ``outlook_networking`` logger; returns the log file.

    Calling it again replaces the handlers it attached before (tests run several agents).
    """
    directory = log_dir if log_dir is not None else default_log_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        if log_dir is None and ENV_LOG_DIR not in os.environ:
            directory.chmod(0o700)  # our own directory; one the user named is theirs to set
        for old in directory.glob(LOG_FILE + "*"):
            if old.is_file() and not old.is_symlink():
                with contextlib.suppress(OSError):  # not ours to change
                    old.chmod(0o600)
    path = directory / LOG_FILE
    close_logging()
    logger = logging.getLogger(LOGGER_NAME)
    file_handler = _PrivateFileHandler(
        path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8", delay=True
    )
    file_handler.setFormatter(JsonLinesFormatter())
    handlers: list[logging.Handler] = [file_handler]
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(KeyValueFormatter())
        handlers.append(stream)
    for handler in handlers:
        handler._agent_handler = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    return path


def close_logging() -> None:
    """Detach and close the handlers :func:`configure_logging` attached."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if getattr(handler, "_agent_handler", False):
            logger.removeHandler(handler)
            handler.close()


def log_event(
    logger: logging.Logger, event: str, *, level: int = logging.INFO, **fields: Any
) -> None:
    """Log ``event`` with ``fields`` (see the module docstring for what may go in them)."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={"fields": fields})
