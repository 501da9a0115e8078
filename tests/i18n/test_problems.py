"""A configuration's problems in the user's language: every code of ``errors.PROBLEMS`` has words
in both catalogs, and a real invalid file, read by the real command line, is reported in one
German line (or, under the pseudo-locale, in words that all came through the catalogs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from outlook_networking.cli import main
from outlook_networking.errors import PROBLEMS, VALUE_KINDS, Problem, ProblemValue, problem
from outlook_networking.i18n import Wording
from outlook_networking.i18n.problems import RENDERERS
from outlook_networking.problems import FILE_KINDS

from .pseudo import VALUE, PseudoWording, has_words, unmarked

ENGLISH, GERMAN = Wording("en"), Wording("de")


def _sample(name: str) -> ProblemValue:
    if name in ("kind", "found"):
        return VALUE_KINDS[0]
    if name == "choices":
        return (VALUE, VALUE)
    if name == "reason":  # the problem of a part the problem names
        return problem("permission_denied")
    if name in ("low", "high", "line", "column", "minutes", "count", "more", "megabytes",
                "mebibytes", "kibibytes", "depth", "dates", "most", "factor"):  # fmt: skip
        return 3
    return VALUE


def _samples(code: str) -> list[Problem]:
    names = PROBLEMS[code]
    if "kind" in names:  # each kind of value has its words
        return [problem(code, **{n: kind if n in ("kind", "found") else _sample(n)
                                 for n in names}) for kind in VALUE_KINDS]  # fmt: skip
    if "what" in names:  # each kind of file has its words
        return [problem(code, what=what) for what in FILE_KINDS]
    if code == "between_not":
        return [problem(code, low=1, high=3, value=5)]
    if code == "nothing_readable_in_folder":  # the first part alone, or with more
        return [problem(code, path=VALUE, reason=_sample("reason"), more=more) for more in (0, 3)]
    return [problem(code, **{n: _sample(n) for n in names})]


def test_every_problem_code_has_words_and_only_them() -> None:
    assert set(RENDERERS) == set(PROBLEMS)


def test_a_problem_is_held_to_its_values() -> None:
    with pytest.raises(ValueError, match="expected values"):
        problem("between", low=1)
    with pytest.raises(ValueError, match="not one of"):
        problem("must_be", kind="a string")  # a kind is a code, never words
    with pytest.raises(ValueError, match="not one of"):
        problem("not_regular_file", what="a folder")  # so is a kind of file


def test_every_problem_goes_through_the_catalogs() -> None:
    words = PseudoWording()
    for code in PROBLEMS:
        for sample in _samples(code):
            text = words.problem(sample)
            assert text and not has_words(text), (code, text)


def test_every_problem_is_translated_into_german() -> None:
    # The compiled German catalog (what the package ships) words each problem differently from
    # English, except where the words are the file's own (keys and values the user types).
    same = [c for c in PROBLEMS for s in _samples(c) if GERMAN.problem(s) == ENGLISH.problem(s)]
    assert same == []


# (the file, the key and the German problem read back): each a problem a real file can have,
# found by the real validation of config.py, core/settings.py, core/ledger/rules.py, endpoints.py
CASES = [
    ('[[accounts]]\naddress = "me@example.com"\nconnector = "ews"\n'
     'endpoint = "http://mail.example.com/EWS/Exchange.asmx"\n',
     "accounts[0].endpoint: unverschlüsseltes http:// ist nur auf dem eigenen Rechner erlaubt "
     "(127.0.0.1, localhost)"),
    ("[files]\nmax_mail_mb = 0\n", "files.max_mail_mb: muss zwischen 1 und 1.000.000 liegen"),
    ('[[accounts]]\naddress = "me@contoso.onmicrosoft.com"\nsince_months = "18"\n',
     "accounts[0].since_months: muss eine ganze Zahl sein, nicht eine Zeichenkette"),
    ("[scorng]\nhalf_life_days = 30\n",
     'scorng: unbekannter Schlüssel; meinten Sie "scoring"? (siehe docs/config.md)'),
    ("[tiers]\na_share = 0.7\nb_share = 0.5\n",
     "tiers.b_share: tiers.a_share + tiers.b_share darf 1 nicht übersteigen"),
    ("[ledger]\nreply_within_h = true\n", "ledger.reply_within_h: muss eine Anzahl Stunden sein"),
    ('[[accounts]]\naddress = "me@example.com"\nconnector = "graph"\n'
     'graph_url = "https://graph.example.com:99999/v1.0"\n',
     "accounts[0].graph_url: hat einen ungültigen Port"),
    ('[[accounts]]\naddress = "me@example.com"\nconnector = "ews"\nautodiscover = true\n'
     'auth = "app"\ntenant = "contoso.onmicrosoft.com"\n',
     "accounts[0].impersonation: App-only-EWS (auth = \"app\") liest ein Postfach nur per "
     "Identitätswechsel: Setzen Sie impersonation = true (die App braucht full_access_as_app), "
     'oder melden Sie sich als Benutzer an mit auth = "oauth"'),
]  # fmt: skip


@pytest.mark.parametrize(("toml", "german"), CASES, ids=[g.split(":")[0] for _, g in CASES])
def test_an_invalid_configuration_is_one_german_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, german: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('language = "de"\n' + toml, encoding="utf-8")

    code = main(["--config", str(config), "--db", str(tmp_path / "db.sqlite3"), "sync"])

    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"outlook-networking: ungültige Konfiguration: {config}: {german}\n"


@pytest.mark.parametrize(("toml", "german"), CASES, ids=[g.split(":")[0] for _, g in CASES])
def test_an_invalid_configuration_is_worded_through_the_catalogs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, german: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")

    code = main(["--config", str(config), "--db", str(tmp_path / "db.sqlite3"), "sync"],
                words=PseudoWording())  # fmt: skip

    err = capsys.readouterr().err
    assert code == 2 and "⟦" in err
    # What is left outside the marks is the program's name, the file and the key (data).
    key = german.split(": ")[0]
    left = unmarked(err).replace("outlook-networking", "").replace(str(config), "")
    assert not re.search(r"[^\W\d_]", left.replace(key, "")), left


@pytest.mark.parametrize("interval", ["0", "-5"])
def test_the_agents_interval_is_checked_in_german(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], interval: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'language = "de"\n[[accounts]]\naddress = "me@example.com"\nconnector = "graph"\n',
        encoding="utf-8",
    )

    code = main(["--config", str(config), "--db", str(tmp_path / "db.sqlite3"), "agent",
                 "--interval", interval])  # fmt: skip

    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == "outlook-networking: --interval muss eine positive Anzahl Sekunden sein\n"


def test_the_agents_interval_is_worded_through_the_catalogs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[accounts]]\naddress = "me@example.com"\n', encoding="utf-8")

    code = main(["--config", str(config), "--db", str(tmp_path / "db.sqlite3"), "agent",
                 "--interval", "0"], words=PseudoWording())  # fmt: skip

    err = capsys.readouterr().err
    assert code == 2 and "⟦" in err
    assert not has_words(unmarked(err).replace("outlook-networking", "")), err
