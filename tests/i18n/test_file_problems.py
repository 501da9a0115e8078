"""A file or folder that cannot be read, and the broken parts of a calendar or an address book,
after ``ingest`` in the user's language: real exports from ``../shared`` damaged in a temporary
folder (cut short, over the configured limit, a broken card), a binary file and a folder that
holds nothing but a symbolic link back to itself, read by the real command line with
``language = "de"`` (one German line, no English left, no traceback) and under the pseudo-locale
(every word of the line came through the catalogs)."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.i18n import Wording

from .pseudo import PseudoWording, unmarked

OUTLOOK = "outlook"
CALENDAR = "jens-maus_node-ical__ms_timezones.ics"  # exported by Exchange
CARDS = "mangstadt_ez-vcard__John_Doe_MS_OUTLOOK.vcf"  # exported by Outlook


def _ingest(
    tmp_path: Path, config: str, *paths: Path, words: Wording | None = None, debug: bool = False
) -> int:
    """``ingest`` as a user runs it; ``debug`` lists the broken parts (and would print an
    error's traceback for the developer)."""
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    db = tmp_path / "db.sqlite3"
    args = ["--config", str(path), "--db", str(db), *(["--debug"] if debug else [])]
    return main([*args, "ingest", *map(str, paths)], words=words)


def _cut_calendar(shared: Path, tmp_path: Path) -> Path:
    # a real Exchange calendar cut off before its END:VCALENDAR
    text = (shared / "fixtures" / OUTLOOK / CALENDAR).read_text(encoding="utf-8")
    end = text.rindex("END:VCALENDAR")
    assert end > 0
    path = tmp_path / "cut.ics"
    path.write_text(text[:end], encoding="utf-8")
    return path


def _large_cards(shared: Path, tmp_path: Path) -> Path:
    # a real Outlook vCard repeated past 1 MB once decompressed (files.max_cards_mb = 1)
    card = (shared / "fixtures" / OUTLOOK / CARDS).read_bytes()
    path = tmp_path / "contacts.vcf.gz"
    path.write_bytes(gzip.compress(card * (1_100_000 // len(card) + 1)))
    return path


def _binary(shared: Path, tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" * 100)  # a JPEG's start
    return path


def _loop(shared: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "again").symlink_to(folder, target_is_directory=True)
    return folder


# how the damaged input is made, the config, and the German reason (``{path}``: the file's)
CASES: dict[str, tuple[Callable[[Path, Path], Path], str, str]] = {
    "cut calendar": (_cut_calendar, "", "der Kalender ist abgeschnitten: END:VCALENDAR fehlt"),
    "over the limit": (
        _large_cards,
        "[files]\nmax_cards_mb = 1\n",
        "entpackt größer als 1 MB; die Grenze legt files.max_cards_mb fest",
    ),
    "binary": (_binary, "", "Binärdatei, weder E-Mail noch Kalender noch Kontakte"),
    "only a loop": (
        _loop,
        "",
        "in diesem Ordner ist nichts lesbar: {path}/again: Schleife symbolischer Verknüpfungen "
        "(zurück zu {path}); nicht doppelt gelesen",
    ),
}
ENGLISH_WORDS = ("calendar", "missing", "larger", "limit", "binary", "folder", "symbolic", "loop",
                 "read", "file", "cannot")  # fmt: skip


def _refused(
    case: str, shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], german: bool
) -> tuple[Path, list[str]]:
    """The damaged input of ``case`` and the lines naming it, after an ``ingest`` that fails
    (in German, or under the pseudo-locale) without a traceback."""
    make, config, _ = CASES[case]
    path = make(shared, tmp_path)
    if german:
        code = _ingest(tmp_path, f'language = "de"\n{config}', path)
    else:
        code = _ingest(tmp_path, config, path, words=PseudoWording())
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    return path, [line for line in err.splitlines() if str(path) in line]


@pytest.mark.parametrize("case", CASES)
def test_a_file_that_cannot_be_read_is_one_german_line(
    case: str, shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, lines = _refused(case, shared_dir, tmp_path, capsys, german=True)

    reason = CASES[case][2]
    expected = f"{path} kann nicht gelesen werden: {reason.format(path=path)}"
    assert lines == [f"outlook-networking: {expected}"]
    rest = lines[0].replace(str(path), "").replace("files.max_cards_mb", "")
    for english in ENGLISH_WORDS:
        assert not re.search(rf"\b{english}\b", rest, re.IGNORECASE), (english, lines)


@pytest.mark.parametrize("case", CASES)
def test_a_file_that_cannot_be_read_is_worded_through_the_catalogs(
    case: str, shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, lines = _refused(case, shared_dir, tmp_path, capsys, german=False)

    assert len(lines) == 1, lines
    # what is left outside the marks is the program's name and the paths (data), the setting
    left = unmarked(lines[0]).replace("outlook-networking", "").replace(str(path), "")
    left = left.replace("files.max_cards_mb", "")
    assert not re.search(r"[^\W\d_]", left), (left, lines[0])


def _broken_parts(shared: Path, tmp_path: Path) -> tuple[Path, Path]:
    # a real Outlook vCard, then one whose birthday is no day and one with a line vobject
    # refuses; a real Exchange calendar (one of its meetings has an empty DTSTART) with one
    # more meeting that has none
    cards = tmp_path / "contacts.vcf"
    cards.write_bytes(
        (shared / "fixtures" / OUTLOOK / CARDS).read_bytes()
        + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nBDAY:sometime\r\nEND:VCARD\r\n"
        + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nno colon here\r\nEND:VCARD\r\n"
    )
    text = (shared / "fixtures" / OUTLOOK / CALENDAR).read_text(encoding="utf-8")
    end = text.rindex("END:VCALENDAR")
    calendar = tmp_path / "calendar.ics"
    calendar.write_text(
        text[:end] + "BEGIN:VEVENT\r\nUID:no-start\r\nSUMMARY:Jour fixe\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
        encoding="utf-8",
    )
    return cards, calendar


def test_broken_cards_and_meetings_are_counted_in_german(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cards, calendar = _broken_parts(shared_dir, tmp_path)

    code = _ingest(tmp_path, 'language = "de"\n', cards, calendar, debug=True)

    err = capsys.readouterr().err
    assert code == 0  # the files are read; their broken parts are counted
    assert "Traceback" not in err
    lines = err.splitlines()
    assert "4 Teile konnten nicht gelesen werden und wurden übersprungen" in lines, err
    parts = [line for line in lines if line.startswith("  ")]
    assert len(parts) == 4, err
    assert f"  {cards.name} #2: BDAY \"sometime\" ist kein gültiger Tag" in parts
    assert any(line.startswith(f"  {cards.name} #3: beschädigte vCard: ") for line in parts)
    assert any(": DTSTART nicht lesbar: " in line for line in parts), err
    assert f"  {calendar.name} VEVENT 'Jour fixe': kein DTSTART" in parts


def test_broken_cards_and_meetings_are_worded_through_the_catalogs(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cards, calendar = _broken_parts(shared_dir, tmp_path)

    code = _ingest(tmp_path, "", cards, calendar, words=PseudoWording(), debug=True)

    err = capsys.readouterr().err
    assert code == 0
    parts = [line for line in err.splitlines() if line.startswith("  ")]
    assert len(parts) == 4, err
    for line in parts:
        where, _, reason = line.strip().partition(": ")
        assert where.startswith((cards.name, calendar.name)), line
        # the reason is marked whole (the values inside the marks: a reader's English, the
        # card's own value)
        assert reason and not re.search(r"[^\W\d_]", unmarked(reason)), (reason, line)


def test_a_mailbox_cut_short_names_how_much_was_read_in_german(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a real public mailbox (17 MB unpacked, read in 1 MiB chunks), its gzip stream cut in
    # the middle: what comes before the cut is read, the rest is one counted part that says
    # after how many messages it broke
    packed = (shared_dir / "corpora" / "spamassassin-easy-ham-1-and-spam-2.mbox.gz").read_bytes()
    cut = tmp_path / "corpus.mbox.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    readable = zlib.decompressobj(wbits=31).decompress(packed[: len(packed) // 2])
    starts = len(re.findall(rb"(?:\A|\n)From ", readable))  # messages begun before the cut

    code = _ingest(tmp_path, 'language = "de"\n', cut, debug=True)

    err = capsys.readouterr().err
    assert code == 0, err  # the messages before the cut are kept
    assert "Traceback" not in err
    parts = [line for line in err.splitlines() if line.startswith(f"  {cut.name}: ")]
    assert len(parts) == 1, err
    found = re.fullmatch(
        rf"  {re.escape(cut.name)}: nach ([\d.]+) gelesenen Elementen: "
        r"das Ende der Datei ist nicht lesbar: .+",
        parts[0],
    )
    assert found, parts
    assert 0 < int(found.group(1).replace(".", "")) <= starts  # "2.617": German thousands
