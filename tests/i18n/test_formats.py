"""Dates, numbers, durations, lists and plurals as each language writes them (Babel's CLDR data),
and the words for what the core says, in English and German."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from outlook_networking.core.phrase import phrase
from outlook_networking.i18n import Wording

EN, DE = Wording("en"), Wording("de")


def test_dates_and_numbers() -> None:
    assert DE.date(date(2026, 12, 3)) == "3. Dez. 2026"
    assert EN.date(date(2026, 12, 3)) == "3 Dec 2026"
    assert (DE.number(1.5), EN.number(1.5)) == ("1,5", "1.5")
    assert (DE.number(1234), EN.number(1234)) == ("1.234", "1,234")
    assert (DE.number(1, decimals=1), EN.number(0.5, decimals=1)) == ("1,0", "0.5")
    assert (DE.percent(0.8), EN.percent(0.8)) == ("80\xa0%", "80%")


def test_durations_and_plurals() -> None:
    assert DE.hours(1.5) == "1,5 Std." and EN.hours(1.5) == "1.5 hrs"
    assert (DE.days(1), DE.days(2)) == ("1 Tag", "2 Tage")
    assert (EN.days(1), EN.days(2)) == ("1 day", "2 days")
    # Below two days in hours, from there in days.
    assert DE.duration(timedelta(hours=36)) == "36 Std."
    assert DE.duration(timedelta(hours=48)) == "2 Tage"
    assert DE.ago(timedelta(hours=5)) == "vor 5 Stunden"
    assert DE.ago(timedelta(days=94)) == "vor 94 Tagen"
    assert EN.ago(timedelta(days=1)) == "24 hours ago" and EN.ago(timedelta(days=3)) == "3 days ago"
    assert DE.listing(["Anna", "Ben", "Carla"]) == "Anna, Ben und Carla"
    assert EN.listing(["Anna", "Ben"]) == "Anna and Ben"
    for words, one, many in ((DE, "1 Besprechung", "2 Besprechungen"),
                             (EN, "1 meeting", "2 meetings")):  # fmt: skip
        assert words.phrase(phrase("meetings", count=1)) == one
        assert words.phrase(phrase("meetings", count=2)) == many


def test_a_tier_reasons_line_reads_as_before_in_english() -> None:
    reasons = [
        phrase("days_since_two_way", days=94),
        phrase("started_share", percent=80),
        phrase("reciprocity", value=0.5, sent=4, received=2),
        phrase("meetings", count=1),
        phrase("role", role="mentor"),
        phrase("score_rank", score=71, rank=1, of=1),
    ]
    assert EN.summary("A", reasons) == (
        "A: 94 days since last two-way contact, you started 80% of threads, "
        "reciprocity 0.5 (4 sent, 2 received), 1 meeting, role: mentor, score 71, rank 1 of 1"
    )
    assert DE.summary("A", reasons) == (
        "A: 94 Tage seit dem letzten wechselseitigen Kontakt, Sie haben 80\xa0% der "
        "Unterhaltungen begonnen, Gegenseitigkeit 0,5 (4 gesendet, 2 empfangen), "
        "1 Besprechung, Rolle: Mentor, Punktzahl 71, Rang 1 von 1"
    )


@pytest.mark.parametrize(
    ("value", "english", "german"),
    [
        (
            phrase("task_owed_reply", name="Ann", subject="Budget?"),
            "Reply to Ann: Budget?",
            "Ann antworten: Budget?",
        ),
        (phrase("task_owed_reply", name="Ann", subject=""), "Reply to Ann", "Ann antworten"),
        (phrase("task_keep_in_touch", name="Ann"), "Get in touch with Ann", "Bei Ann melden"),
        (
            phrase("owed_reply", name="Ann", subject="Budget?", ago=timedelta(days=3),
                   target=timedelta(hours=48)),
            "Ann wrote “Budget?” 3 days ago; no reply yet (your target: 2 days)",
            "Ann hat vor 3 Tagen „Budget?“ geschrieben; noch keine Antwort (Ihr Ziel: 2 Tage)",
        ),
        (
            phrase("unreciprocated", name="Bo", count=3, since=date(2026, 12, 3)),
            "3 approaches since 3 Dec 2026 without an answer from Bo: let it go, or try another"
            " channel",
            "3 Kontaktversuche seit dem 3. Dez. 2026 ohne Antwort von Bo: loslassen oder einen"
            " anderen Weg versuchen",
        ),
        (
            phrase("birthday", name="Ann", on=date(2026, 3, 5), days=3, turns=56),
            "Ann's birthday is on 5 Mar (turns 56)",
            "Ann hat am 5. März Geburtstag (wird 56)",
        ),
        (
            phrase("birthday", name="Ann", on=date(2026, 11, 30), days=0, turns=0),
            "Ann's birthday is today",
            "Ann hat heute Geburtstag",
        ),
        (
            phrase("task_birthday", name="Ann", on=date(2026, 11, 30)),
            "Birthday: Ann, 30 Nov",
            "Geburtstag: Ann, 30. Nov.",
        ),
        (
            phrase("step_exchanges_or_meetings", exchanges=3, meetings=1, tier="B"),
            "3 two-way exchanges (or 1 meeting) would move them to B",
            "für Stufe B fehlen noch 3 wechselseitige Kontakte (oder 1 Besprechung)",
        ),
    ],
)
def test_core_phrases_in_both_languages(value: object, english: str, german: str) -> None:
    assert EN.phrase(value) == english  # type: ignore[arg-type]
    assert DE.phrase(value) == german  # type: ignore[arg-type]


def test_category_names() -> None:
    assert dict(EN.category_names()) == {t: f"Network {t}" for t in "ABCD"}
    assert dict(DE.category_names()) == {t: f"Netzwerk {t}" for t in "ABCD"}
    assert all(re.fullmatch(r"[^,;]+", n) for n in DE.category_names().values())
