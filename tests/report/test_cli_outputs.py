"""`report --html FILE` and `export --vcf DIR | --ics FILE` against the demo store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
import vobject

from outlook_networking.cli import main
from outlook_networking.core.followups import FollowUp
from outlook_networking.core.phrase import phrase
from outlook_networking.export import ALL_CARDS, todo_calendar, todo_uid

from .conftest import NOW, Demo


def tasks(path: Path) -> list[icalendar.Component]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VTODO"))


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


def test_report_writes_one_page(demo: Demo, tmp_path: Path) -> None:
    target = tmp_path / "out" / "network.html"
    target.parent.mkdir()  # a missing folder is refused (tests/hostile/test_outputs.py)
    assert main(demo.argv("report", "--html", str(target))) == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<svg class="graph wide"' in page
    name = demo.network.identities.persons[demo.network.key_persons[0].person].name
    assert name in page
    assert [p.name for p in target.parent.iterdir()] == ["network.html"]  # no temp files left


@pytest.mark.parametrize("where", ["under-a-file", "a-folder"])
def test_report_to_a_bad_path_is_one_line(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    target = blocker / "report.html" if where == "under-a-file" else tmp_path
    assert main(demo.argv("report", "--html", str(target))) == 2
    assert "cannot write" in one_line_error(capsys)


def test_export_vcf_writes_a_card_per_contact_and_all(demo: Demo, tmp_path: Path) -> None:
    target = tmp_path / "cards"
    assert main(demo.argv("export", "--vcf", str(target))) == 0
    files = sorted(p.name for p in target.iterdir())
    assert len(files) == len(demo.network.contacts) + 1 and ALL_CARDS in files
    cards = list(vobject.readComponents((target / ALL_CARDS).read_text(encoding="utf-8")))
    assert len(cards) == len(demo.network.contacts)
    mentor = demo.network.find(demo.truth.mentor[0])
    assert mentor is not None
    card = next(c for c in cards if c.email.value == mentor.address)
    assert card.categories.value == [f"Network {mentor.tier.tier}"]


def test_export_vcf_into_a_file_is_one_line(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    assert main(demo.argv("export", "--vcf", str(blocker))) == 2
    assert "not a folder" in one_line_error(capsys)


def test_export_ics_writes_the_follow_ups_and_closes_resolved_ones(
    demo: Demo, tmp_path: Path
) -> None:
    target = tmp_path / "followups.ics"
    # A task from an earlier export whose situation has since resolved.
    gone = FollowUp(
        "owed:long-answered", "owed_reply", "x@example.org", NOW,
        phrase("owed_reply", name="X", subject="old", ago=timedelta(days=9),
               target=timedelta(hours=48)),
        phrase("task_owed_reply", name="X", subject="old"),
    )  # fmt: skip
    target.write_bytes(todo_calendar([gone], now=NOW))
    assert main(demo.argv("export", "--ics", str(target))) == 0
    todos = {str(t["uid"]): t for t in tasks(target)}
    open_keys = [f.key for f in (*demo.network.followups, *demo.ledger.followups)]
    for key in open_keys:
        assert str(todos[todo_uid(key)]["status"]) == "NEEDS-ACTION"
    assert str(todos[todo_uid(gone.key)]["status"]) == "COMPLETED"
    assert len(todos) == len(open_keys) + 1

    # The same UIDs next time.
    assert main(demo.argv("export", "--ics", str(target))) == 0
    again = {str(t["uid"]) for t in tasks(target)}
    assert again == set(todos)


def test_export_ics_to_a_folder_is_one_line(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(demo.argv("export", "--ics", str(tmp_path))) == 2
    assert "cannot write" in one_line_error(capsys)


def test_export_needs_exactly_one_target(demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(demo.argv("export"))
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(demo.argv("export", "--vcf", "a", "--ics", "b"))
    assert exited.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
