"""The annual review: tiers, changes since last year's snapshot, D clean-up, uncovered targets."""

from __future__ import annotations

from outlook_networking.core.review import build_review
from outlook_networking.core.settings import Settings
from outlook_networking.core.views import review_json

from .analysis import run
from .builders import ME, NOW, ago, mail, reply_to


def exchanges(who: str, count: int, start: float = 1) -> list:  # type: ignore[type-arg]
    items = []
    for i in range(count):
        asked = mail(ME, who, ago(days=start + 7 * i + 1))
        items += [asked, reply_to(asked, ago(days=start + 7 * i))]
    return items


def test_review_lists_tiers_changes_cleanup_and_targets() -> None:
    items = [
        *exchanges("top@globex.example", 20),
        *exchanges("mid@acme.example", 5),
        *exchanges("low@acme.example", 1),
        *exchanges("gone@old.example", 2, start=400),
        mail(ME, "cold@x.example", ago(days=3)),
    ]
    settings = Settings(
        a_share=0.33, b_share=0.33, target_organisations=("Globex.example", "initech.com")
    )
    network = run(items, settings=settings)
    previous = {
        "year": 2025,
        "tiers": {
            "top@globex.example": "B",
            "mid@acme.example": "B",
            "low@acme.example": "B",
            "gone@old.example": "A",
            "left@nowhere.example": "C",
        },
    }
    result = build_review(network.contacts, previous, settings, NOW)
    assert [e.person for e in result.tiers["A"]] == ["top@globex.example"]
    assert [e.person for e in result.tiers["B"]] == ["mid@acme.example"]
    moves = {(c.person, c.before, c.after, c.direction) for c in result.changes}
    assert moves == {
        ("top@globex.example", "B", "A", "up"),
        ("low@acme.example", "B", "C", "down"),
        ("gone@old.example", "A", "D", "down"),
        ("left@nowhere.example", "C", None, "gone"),
    }  # cold@x.example is new but D: not news
    assert [e.person for e in result.cleanup] == ["gone@old.example", "cold@x.example"]
    assert result.targets_without_ab == ("initech.com",)
    assert result.snapshot["year"] == 2026
    assert result.snapshot["tiers"]["mid@acme.example"] == "B"

    # The snapshot is next year's baseline: the same data gives no changes.
    again = build_review(network.contacts, result.snapshot, settings, NOW)
    assert again.changes == ()

    doc, snapshot = review_json(network, previous)
    assert snapshot == result.snapshot
    assert doc["counts"] == {"A": 1, "B": 1, "C": 1, "D": 2}
    assert [c["address"] for c in doc["changes"]["moved_up"]] == ["top@globex.example"]
    assert doc["targets_without_ab"] == ["initech.com"]


def test_first_review_reports_no_changes() -> None:
    network = run(exchanges("top@globex.example", 3))
    result = build_review(network.contacts, None, Settings(), NOW)
    assert result.changes == () and result.previous_year is None
