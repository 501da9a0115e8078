"""The morning brief in the mailbox: one task per day listing the day's meetings and who is in
them, updated rather than duplicated, the day before's completed, removed by undo; written only
when ``[brief] write = "task"``. Through the write-back every account uses (plan, journal)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from outlook_networking.app.analysis import analyse_store
from outlook_networking.app.pipeline import ingest_files, settle_owner, undo, write_back
from outlook_networking.config import AccountConfig, Config, config_from_mapping
from outlook_networking.connectors.memory import MemoryMailbox, MemorySink
from outlook_networking.demo import DemoTruth, generate
from outlook_networking.i18n import Wording, category_scheme
from outlook_networking.model import Attendee, Interaction, Kind, Mailbox
from outlook_networking.ports import Batch
from outlook_networking.store import Store

NOW = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)  # 07:30 in Berlin: before the day's meetings
ACCOUNT = AccountConfig(name="memory", address="alex@example.com")
CONFIG = config_from_mapping(
    {
        "brief": {"write": "task", "time_zone": "Europe/Berlin"},
        "cadence": {"a_days": 3650, "b_days": 3650, "c_days": 3650},  # fewer tasks to plan
    }
)


def _brief_tasks(box: MemoryMailbox) -> list[tuple[str, str, str, bool]]:
    return sorted(
        (t.key, t.subject, t.body, t.complete) for t in box.tasks.values()
        if t.key.startswith("brief:")
    )  # fmt: skip


def _write(store: Store, sink: MemorySink, now: datetime, config: Config = CONFIG) -> list[str]:
    network = analyse_store(store, config, now).network
    actions, report = write_back(store, config, network, ACCOUNT, sink)
    assert report is not None and report.complete
    return [type(a).__name__ + " " + getattr(a, "key", "") for a in actions.actions
            if getattr(a, "key", "").startswith("brief:")]  # fmt: skip


def _add_late_meeting(store: Store, truth: DemoTruth) -> None:
    """A meeting added later that day, 18:00–18:30 in Berlin, with the mentor."""
    late = Interaction(
        "file", "ev:late", Kind.MEETING, datetime(2026, 11, 27, 17, tzinfo=UTC),
        Mailbox(truth.owner), attendees=(Attendee(Mailbox(truth.mentor[0])),),
        subject="Nachzügler", duration_s=1800,
    )  # fmt: skip
    store.apply_batch("file", Batch("late", (late,)))


def test_the_morning_brief_is_one_task_a_day_and_undo_removes_it(tmp_path: Path) -> None:
    truth = generate(tmp_path / "demo", now=NOW, messages=700)
    box = MemoryMailbox()
    sink = MemorySink(box)
    with Store.open(tmp_path / "network.sqlite3") as store:
        ingest_files(store, sorted((tmp_path / "demo").iterdir()), now=NOW)
        settle_owner(store, [truth.owner])
        names = dict(truth.people)

        assert _write(store, sink, NOW) == ["CreateTask brief:2026-11-27"]
        ((key, subject, body, done),) = _brief_tasks(box)
        assert (key, subject, done) == (
            "brief:2026-11-27", "Today's meetings (27 Nov): 2 meetings", False
        )  # fmt: skip
        (subject_1, people_1), (subject_2, people_2) = truth.today_meetings
        client, mentor, stranger = people_1
        awaiting, _ = people_2
        network = analyse_store(store, CONFIG, NOW).network
        tier = {a: network.find(a).tier.tier for a in (client, mentor, awaiting)}  # type: ignore[union-attr]
        assert body.splitlines() == [
            f"14:00–14:45 {subject_1}",
            f"  {names[client]} ({tier[client]}, organizer), {names[mentor]} ({tier[mentor]}), "
            f"{stranger} (not in your network)",
            f"16:00–16:30 {subject_2}",
            f"  {names[awaiting]} ({tier[awaiting]}), {names[mentor]} ({tier[mentor]})",
        ]
        assert truth.today_room not in body

        assert _write(store, sink, NOW + timedelta(hours=1)) == []  # nothing changed: no action

        # A meeting added later that day: the same task is updated, not a second one added.
        _add_late_meeting(store, truth)
        assert _write(store, sink, NOW + timedelta(hours=2)) == ["UpdateTask brief:2026-11-27"]
        ((_, subject, body, _),) = _brief_tasks(box)
        assert subject.endswith("3 meetings")
        assert body.splitlines()[-2:] == [
            "18:00–18:30 Nachzügler", f"  {names[mentor]} ({tier[mentor]})"
        ]

        # The next morning: that day's brief (none: a Saturday) and yesterday's completed.
        assert _write(store, sink, NOW + timedelta(days=1)) == ["CompleteTask brief:2026-11-27"]
        assert [t[3] for t in _brief_tasks(box)] == [True]

        report = undo(store, sink, category_scheme(CONFIG, Wording("en")))
        assert report.error is None
        assert box.tasks == {} and box.master == []


def test_no_brief_is_written_unless_asked_for(tmp_path: Path) -> None:
    truth = generate(tmp_path / "demo", now=NOW, messages=700)
    box = MemoryMailbox()
    with Store.open(tmp_path / "network.sqlite3") as store:
        ingest_files(store, sorted((tmp_path / "demo").iterdir()), now=NOW)
        settle_owner(store, [truth.owner])
        off = replace(CONFIG, brief=replace(CONFIG.brief, write="off"))
        assert _write(store, MemorySink(box), NOW, off) == []
        assert _brief_tasks(box) == []


def _brief_messages(box: MemoryMailbox) -> list[tuple[str, str, str]]:
    return sorted((m.key, m.subject, m.body) for m in box.inbox_messages.values())


def test_the_morning_brief_as_a_message_is_one_message_the_user_may_delete(
    tmp_path: Path,
) -> None:
    truth = generate(tmp_path / "demo", now=NOW, messages=700)
    box = MemoryMailbox()
    sink = MemorySink(box)
    as_message = replace(CONFIG, brief=replace(CONFIG.brief, write="message"))
    with Store.open(tmp_path / "network.sqlite3") as store:
        ingest_files(store, sorted((tmp_path / "demo").iterdir()), now=NOW)
        settle_owner(store, [truth.owner])

        assert _write(store, sink, NOW, as_message) == ["CreateInboxMessage brief:2026-11-27"]
        assert _brief_tasks(box) == []  # a message instead of the task, not both
        ((key, subject, body),) = _brief_messages(box)
        assert (key, subject) == ("brief:2026-11-27", "Today's meetings (27 Nov): 2 meetings")
        (subject_1, _), (subject_2, _) = truth.today_meetings
        assert [line for line in body.splitlines() if not line.startswith("  ")] == [
            f"14:00–14:45 {subject_1}", f"16:00–16:30 {subject_2}"
        ]  # fmt: skip
        assert _write(store, sink, NOW + timedelta(hours=1), as_message) == []

        _add_late_meeting(store, truth)
        assert _write(store, sink, NOW + timedelta(hours=2), as_message) == [
            "ReplaceInboxMessage brief:2026-11-27"
        ]
        ((_, subject, body),) = _brief_messages(box)  # replaced, not a second one
        assert subject.endswith("3 meetings") and "18:00–18:30 Nachzügler" in body

        box.inbox_messages.clear()  # the user deletes it: not put back that day
        assert _write(store, sink, NOW + timedelta(hours=3), as_message) == []
        assert _brief_messages(box) == []

        report = undo(store, sink, category_scheme(as_message, Wording("en")))
        assert report.error is None and box.inbox_messages == {}


def test_the_morning_brief_speaks_german(tmp_path: Path) -> None:
    truth = generate(tmp_path / "demo", now=NOW, messages=700)
    box = MemoryMailbox()
    german = replace(CONFIG, language="de")
    with Store.open(tmp_path / "network.sqlite3") as store:
        ingest_files(store, sorted((tmp_path / "demo").iterdir()), now=NOW)
        settle_owner(store, [truth.owner])
        _write(store, MemorySink(box), NOW, german)
        ((_, subject, body, _),) = _brief_tasks(box)
        assert subject == "Heutige Besprechungen (27. Nov.): 2 Besprechungen"
        assert "(nicht in Ihrem Netzwerk)" in body and "Organisator)" in body
