"""What could not be read, after ``ingest``, in the user's language: real Outlook files from
``../shared``, one cut short in a temporary folder, read by the real command line with
``language = "de"`` (German words, no English left, no traceback), and under the pseudo-locale
(every word of those lines came through the catalogs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.connectors.graph.mapping import (
    interaction_from_event,
    interaction_from_message,
)
from outlook_networking.i18n import Wording
from outlook_networking.ports import Problem

from .pseudo import PseudoWording, has_words, unmarked

# a real .msg whose sender Outlook kept only as an Exchange-internal (X.500) address
EXCHANGE_ONLY = "outlook-msg/TheConfusedCat__msgparser__plain_chain.msg"


def _files(shared_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    # a real .pst cut off inside its 16-byte header ([MS-PST] 2.2.2.6)
    cut = tmp_path / "archive.pst"
    cut.write_bytes((shared_dir / "fixtures" / "outlook-pst" / "32-bit.pst").read_bytes()[:11])
    return cut, shared_dir / "fixtures" / EXCHANGE_ONLY


def _ingest(tmp_path: Path, config: str, *files: Path, words: Wording | None = None) -> int:
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    db = tmp_path / "db.sqlite3"
    args = ["--config", str(path), "--db", str(db), "--debug", "ingest", *map(str, files)]
    return main(args, words=words)


def test_unreadable_files_and_parts_are_counted_in_german(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut, exchange_only = _files(shared_dir, tmp_path)

    code = _ingest(tmp_path, 'language = "de"\n', cut, exchange_only)

    err = capsys.readouterr().err
    assert code == 1  # a file could not be read at all
    assert "Traceback" not in err
    lines = err.splitlines()
    assert f"{cut} kann nicht gelesen werden: abgeschnitten: der Dateikopf ist unvollständig" in (
        lines
    )
    assert "1 Teil konnte nicht gelesen werden und wurde übersprungen" in lines
    assert (
        f"  {exchange_only.name}: der Absender hat nur eine Exchange-interne Adresse" in lines
    )
    for english in ("truncated", "header", "incomplete", "sender", "address", "only", "part"):
        assert not re.search(rf"\b{english}\b", err, re.IGNORECASE), (english, err)


def test_unreadable_files_and_parts_are_worded_through_the_catalogs(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cut, exchange_only = _files(shared_dir, tmp_path)

    code = _ingest(tmp_path, "", cut, exchange_only, words=PseudoWording())

    err = capsys.readouterr().err
    assert code == 1
    problems = [line for line in err.splitlines() if str(cut) in line or exchange_only.name in line]
    assert len(problems) == 2, err
    for line in problems:
        # what is left outside the marks is the file's name (data)
        left = unmarked(line).replace(str(cut), "").replace(exchange_only.name, "")
        assert not re.search(r"[^\W\d_]", left), (left, line)


# Graph's message and event resources as the service returns them when a field is null
# (learn.microsoft.com/graph/api/resources/message, .../event: from, sender, sentDateTime,
# receivedDateTime and start are nullable); each is a counted problem, worded in German.
GRAPH_ITEMS = [
    ({"id": "m1", "from": None, "sender": None, "sentDateTime": "2026-11-02T09:00:00Z"},
     "no_sender", "kein Absender"),
    ({"id": "m2", "from": {"emailAddress": {"address": "ann@example.com", "name": "Ann"}},
      "sentDateTime": None, "receivedDateTime": None},
     "no_sent_time", "weder Sende- noch Zustellzeit"),
    ({"id": "e1", "type": "singleInstance", "start": None,
      "end": {"dateTime": "2026-11-02T10:00:00.0000000", "timeZone": "UTC"}},
     "appointment_no_start", "Termin ohne Beginn"),
]  # fmt: skip


@pytest.mark.parametrize(("item", "code", "german"), GRAPH_ITEMS)
def test_a_graph_item_that_cannot_be_read_is_a_coded_problem(
    item: dict[str, object], code: str, german: str
) -> None:
    if "type" in item:
        made = interaction_from_event(item, source="graph:work")
    else:
        made = interaction_from_message(item, source="graph:work", folder="inbox")

    assert isinstance(made, Problem) and made.where == item["id"]
    assert made.reason.code == code
    assert Wording("de").problem(made.reason) == german
    assert not has_words(PseudoWording().problem(made.reason))
