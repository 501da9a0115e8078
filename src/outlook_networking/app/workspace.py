"""What every command needs: the store, the configuration, the time, and the analysed network.

Exports: ``Context``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..store import Store, default_db_path

if TYPE_CHECKING:
    from ..config import Config
    from ..core.ledger import Ledger
    from ..core.network import Network
    from .analysis import Insight

__all__ = ["Context"]


@dataclass
class Context:
    """The parsed global options, opened lazily."""

    args: argparse.Namespace
    _store: Store | None = field(default=None, init=False)

    @property
    def now(self) -> datetime:
        now: datetime = self.args.now
        return now

    @property
    def debug(self) -> bool:
        return bool(getattr(self.args, "debug", False))

    @property
    def db_path(self) -> Path:
        return Path(self.args.db).expanduser() if self.args.db else default_db_path()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.db_path)
        return self._store

    @cached_property
    def config(self) -> Config:
        from ..config import load_config

        path = Path(self.args.config).expanduser() if self.args.config else None
        return load_config(path)

    @cached_property
    def insight(self) -> Insight:
        """The store analysed as of ``now``: the network and the give-and-take ledger."""
        from .analysis import analyse_store

        return analyse_store(self.store, self.config, self.now)

    @property
    def network(self) -> Network:
        """The analysed network; its follow-ups include the ledger's."""
        return self.insight.network

    @property
    def ledger(self) -> Ledger:
        return self.insight.ledger

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @staticmethod
    def interactive() -> bool:
        """Progress bars only on a terminal: quiet when piped or in CI."""
        return sys.stderr.isatty()
