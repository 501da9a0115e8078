"""What every command, the agent and the add-in work on: the store, the configuration and ``now``.

A :class:`Workspace` is opened from plain values (a store path, a config path, a time) by any
front end; the store, the configuration and the analysis are opened on first use and the store
is closed when the workspace is (use it as a context manager). Whoever waits for an analysis can
follow it (``progress``: :data:`.analysis.Progress`); :meth:`Workspace.rebuild` analyses the store
afresh, whatever answers are kept, and keeps its own.

Exports: ``Rebuilt``, ``Workspace``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from ..config import AccountConfig, Config, load_config
from ..core.ledger import Ledger
from ..core.network import Network
from ..errors import StoreEmpty
from ..i18n import Wording, category_scheme, wording_for
from ..ports import RetryPolicy
from ..store import Store, default_db_path
from .analysis import DONE, Insight, Progress, analyse_store
from .answers import Answers, answered, current, fresh, kept
from .connect import Connection, adopt_immutable_ids, connect

__all__ = ["Rebuilt", "Workspace"]


@dataclass(frozen=True)
class Rebuilt:
    """What :meth:`Workspace.rebuild` did: the interactions it read, the contacts and open
    follow-ups it found, whether their answers were kept for the next question, and how long
    it took."""

    interactions: int
    contacts: int
    followups: int
    kept: bool
    seconds: float


class Workspace:
    """One run's store, configuration and time, opened lazily.

    Parameters:
        db_path: the store (default: ``$OUTLOOK_NETWORKING_DB`` or the user data directory).
        config_path: the TOML file (default: the platform's config directory; missing is fine).
        now: the time the analysis takes as "now" (``--now``); without it, the clock's.
        retry: how long one call to a mail server may wait for it to recover.
        create: make the store if there is none; a command that only reads passes False and
            gets :class:`~outlook_networking.errors.StoreMissing` instead (nothing is created).
        words: the language, when the front end has chosen it already (default: the
            configuration's, else the system's).
        progress: told how an analysis advances, if one is needed (a bar on a terminal).

    ``keeping``: whether :attr:`insight` keeps its analysis's answers; a command that writes
    what an analysis reads right after it (``intro``'s proposals, ``ledger dismiss``) sets it
    False, those answers ending with its write.
    """

    keeping = True

    def __init__(
        self,
        db_path: Path | None = None,
        config_path: Path | None = None,
        *,
        now: datetime | None = None,
        retry: RetryPolicy | None = None,
        create: bool = True,
        words: Wording | None = None,
        config: Config | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.db_path = db_path if db_path is not None else default_db_path()
        self.config_path = config_path
        self.now_given = now is not None  # long-running servers follow the clock otherwise
        self.now = now if now is not None else datetime.now(UTC).replace(microsecond=0)
        self.retry = retry
        self.create = create
        self.progress = progress
        self._store: Store | None = None
        if words is not None:  # a front end that chose the language before (the command line)
            self.__dict__["words"] = words
        if config is not None:  # the configuration it read to choose it, from config_path
            self.__dict__["config"] = config

    def clock(self) -> datetime:
        """``now`` if it was given (a replayed past stays put), else the time it is."""
        return self.now if self.now_given else datetime.now(UTC)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.db_path, create=self.create)
        return self._store

    def require_data(self) -> None:
        """Check, before anything is analysed, that the configuration is valid and that the
        store exists and holds something: a reading command on an empty store would otherwise
        answer with an empty list that looks like an answer."""
        self.config  # noqa: B018 - a configuration error comes first, as a usage error
        if self.store.is_empty():
            raise StoreEmpty(str(self.db_path))

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @cached_property
    def words(self) -> Wording:
        """The user's language: the configuration's ``language``, else the system's."""
        return wording_for(self.config)

    @property
    def category_names(self) -> dict[str, str]:
        """The product's category per tier, as the mailbox shows them (language and
        ``[writeback]``)."""
        return dict(category_scheme(self.config, self.words).names)

    @cached_property
    def insight(self) -> Insight:
        """The store analysed as of ``now``: the network and the give-and-take ledger.

        Where no answers valid as of the clock are kept, this analysis's are (as :attr:`answers`
        keeps them, unless :attr:`keeping` says not): the report, a review or the ledger at a
        million interactions then leave the next ``contacts``, ``followups`` or ``contact`` a
        lookup rather than the same analysis again."""
        try:
            if (
                self.keeping
                and "answers" not in self.__dict__
                and not current(self.store, self.config, self.words)
            ):
                self._keep(keeping=True)  # (none are current: a replay's may be kept too)
                self.store.release()  # (the answers are not read: this command wants the analysis)
            return self._analysed()
        finally:
            self._done()

    def _analysed(self) -> Insight:
        """The analysis, kept as :attr:`insight` (its progress not ended: answers follow)."""
        if "insight" not in self.__dict__:
            self.__dict__["insight"] = analyse_store(
                self.store, self.config, self.now, progress=self.progress
            )
        return self.__dict__["insight"]  # type: ignore[no-any-return]

    def _done(self) -> None:
        if self.progress is not None:
            self.progress(DONE, 0, None)

    @cached_property
    def answers(self) -> Answers:
        """What ``contacts``, ``followups`` and ``contact`` answer: the answers kept from the
        last analysis while they hold (:mod:`.answers`), else this one's, kept for the next
        question (unless the store is read-only or busy: keeping them is only a saving; or this
        is a replay, ``--now``, and answers valid as of the clock would be replaced)."""
        if "insight" in self.__dict__:  # analysed already: when the store was, is not known
            return fresh(self.insight, self.store, self.words)
        found = kept(self.store, self.config, self.words, self.now, replay=self.now_given)
        if found is not None:
            return found
        return self._answered()

    def _answered(self) -> Answers:
        """This workspace's analysis, and its answers kept where they may be."""
        keeping = not self.now_given or not current(self.store, self.config, self.words)
        try:
            return self._keep(keeping=keeping)
        finally:
            self._done()

    def _keep(self, *, keeping: bool) -> Answers:
        """:meth:`_answered`, its progress not ended."""
        generation = self.store.generation()
        return answered(
            self.store, self._analysed(), self.config, self.words, generation,
            keeping=keeping, progress=self.progress,
        )  # fmt: skip

    def rebuild(self) -> Rebuilt:
        """Analyse the store afresh from its interactions, whatever answers or folds are kept
        (:mod:`.derived`), and keep this analysis's answers for the next question (as
        :attr:`answers` would, so not those of a replay, ``--now``, while answers valid as of
        the clock are kept)."""
        started = time.perf_counter()
        self.reanalyse()
        # From every interaction, not from what an earlier analysis derived (app.derived).
        self.__dict__["insight"] = analyse_store(
            self.store, self.config, self.now, progress=self.progress, afresh=True
        )
        answers = self._answered()
        self.__dict__["answers"] = answers
        network = self.insight.network
        return Rebuilt(
            interactions=self.store.interaction_count(),
            contacts=len(network.contacts),
            followups=len(network.followups),
            kept=answers.kept,
            seconds=time.perf_counter() - started,
        )

    def done_reading(self) -> None:
        """The answers are read in full: end the moment of the store they were read from
        (:meth:`Store.hold`), so that a pager left open does not keep the agent's writes in the
        store's write-ahead log, which cannot be folded back into the file past a reader."""
        if self._store is not None:
            self._store.release()

    def reanalyse(self) -> None:
        """Drop the analysis: the next use analyses the store again (after a change to it)."""
        self.__dict__.pop("insight", None)
        self.__dict__.pop("answers", None)

    @property
    def network(self) -> Network:
        """The analysed network; its follow-ups include the ledger's."""
        return self.insight.network

    @property
    def ledger(self) -> Ledger:
        return self.insight.ledger

    def connect(self, account: AccountConfig, *, since_months: int | None = None) -> Connection:
        """The source and sink of a configured account, with this workspace's retry policy (a
        Graph account's stored ids brought up to date first)."""
        connection = connect(
            account,
            todo_list=self.config.writeback.todo_list,
            since_months=since_months,
            retry=self.retry,
            folders=self.config.folders,
        )
        if account.connector == "graph":
            try:
                adopt_immutable_ids(self.store, connection.source)  # type: ignore[arg-type]
            except BaseException:
                connection.close()
                raise
        return connection

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
