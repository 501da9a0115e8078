"""The write-back reads only the product's tasks a plan needs (``app.pipeline``), and the mailbox
ends exactly as with a read of every task.

Two mailboxes go through the same story, the user doing the same to both: one behind a sink that
is asked for the few tasks the journal cannot vouch for, its twin behind a sink that answers every
such question with every task. After every write-back they show the same. The read of every task
still comes first, after a day, and where a task asked for is gone.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from outlook_networking.app.analysis import analyse_store
from outlook_networking.app.pipeline import desired_state, ingest_files, settle_owner, write_back
from outlook_networking.config import AccountConfig, Config, config_from_mapping
from outlook_networking.connectors.memory import MemoryMailbox, MemorySink
from outlook_networking.demo import generate
from outlook_networking.i18n import wording_for
from outlook_networking.ports import TaskState
from outlook_networking.store import Store

NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)
ACCOUNT = AccountConfig(name="memory", address="alex@example.com")
CONFIG = config_from_mapping({})
GERMAN = config_from_mapping({"language": "de"})


class AskedSink(MemorySink):
    """A memory sink that notes which tasks it was asked for (``None``: every one)."""

    def __init__(self, box: MemoryMailbox, *, every: bool = False) -> None:
        super().__init__(box)
        self.box = box
        self.asked: list[frozenset[str] | None] = []
        self.every = every

    def read_tasks(self, item_ids: Collection[str] | None = None) -> tuple[TaskState, ...]:
        self.asked.append(None if item_ids is None else frozenset(item_ids))
        return super().read_tasks(None if self.every else item_ids)


def test_reading_the_tasks_named_leaves_the_mailbox_as_reading_every_task(
    tmp_path: Path,
) -> None:
    truth = generate(tmp_path / "demo", now=NOW, messages=700)
    named, twin = AskedSink(MemoryMailbox()), AskedSink(MemoryMailbox(), every=True)
    stores = [Store.open(tmp_path / f"{n}.sqlite3") for n in ("named", "twin")]
    try:
        for store in stores:
            ingest_files(store, sorted((tmp_path / "demo").iterdir()), now=NOW)
            settle_owner(store, [truth.owner])

        def write(now: datetime, config: Config = CONFIG) -> None:
            for store, sink in zip(stores, (named, twin), strict=True):
                network = analyse_store(store, config, now).network
                _, report = write_back(store, config, network, ACCOUNT, sink)
                assert report is not None and report.complete
            assert _seen(named) == _seen(twin)

        def user(change: object) -> None:
            for sink in (named, twin):
                change(sink.box)  # type: ignore[operator]

        write(NOW)
        assert named.asked == [None]  # the first time: no read of every task yet
        made = len(named.box.tasks)
        assert made >= 4, "the demo's follow-ups make tasks"

        # The user retitles one task, completes another and deletes a third.
        first, second, third = sorted(named.box.tasks)[:3]
        user(lambda box: box.tasks.update({first: replace(box.tasks[first], subject="Mine")}))
        user(lambda box: box.tasks.update({second: replace(box.tasks[second], complete=True)}))
        user(lambda box: box.tasks.pop(third))
        for later in (timedelta(minutes=5), timedelta(hours=1)):
            named.asked.clear()
            write(NOW + later)
            (asked,) = named.asked  # only those the plan needs, not every task
            assert asked is not None and len(asked) < made // 2
        assert named.box.tasks[first].subject == "Mine"  # the user's edit stands
        assert named.box.tasks[second].complete and third not in named.box.tasks

        # Every task but the first goes, and the language changes: every task's wish changes,
        # so tasks asked for are gone, and every task is read instead.
        user(lambda box: [box.tasks.pop(t) for t in sorted(box.tasks) if t != first])
        named.asked.clear()
        write(NOW + timedelta(hours=20), GERMAN)
        asked, every = named.asked
        assert asked and every is None

        # A week on: a day since every task was read, so every task is read again.
        named.asked.clear()
        write(NOW + timedelta(days=7), GERMAN)
        assert named.asked == [None]
    finally:
        for store in stores:
            store.close()


def _seen(sink: AskedSink) -> list[tuple[str, str, object, str, bool]]:
    """The tasks as the user sees them, without the ids each mailbox gave them."""
    return sorted((t.key, t.subject, t.due, t.body, t.complete) for t in sink.box.tasks.values())


def test_a_tasks_text_stays_true_while_the_reason_ages(tmp_path: Path) -> None:
    """A task says when ("on 22 Nov 2026"), not how long ago: the follow-ups' reasons change
    within the day ("5 days ago", hours below two days), their tasks' texts do not, so the
    write-back does not rewrite every task every day."""
    truth = generate(tmp_path / "demo", now=NOW, messages=700)
    with Store.open(tmp_path / "network.sqlite3") as store:
        ingest_files(store, sorted((tmp_path / "demo").iterdir()), now=NOW)
        settle_owner(store, [truth.owner])
        for config in (CONFIG, GERMAN):
            words = wording_for(config)
            seen = []
            for now in (NOW, NOW + timedelta(hours=20)):
                network = analyse_store(store, config, now).network
                seen.append(
                    {
                        f.key: (words.phrase(f.reason), words.phrase(f.task_text))
                        for f in network.followups
                    }
                )
            both = seen[0].keys() & seen[1].keys()
            assert len(both) >= 4
            aged = {k for k in both if seen[0][k][0] != seen[1][k][0]}
            assert len(aged) >= 2, "reasons that say how long ago change within the day"
            assert all(seen[0][k][1] == seen[1][k][1] for k in both)
            tasks = desired_state(network, ACCOUNT, words).tasks
            assert {t.body for t in tasks} >= {seen[1][k][1] for k in aged}
