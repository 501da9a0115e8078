"""The report page built from the demo mailbox: complete, self-contained, escaped, repeatable."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from outlook_networking.cli import main
from outlook_networking.core.followups import FollowUp
from outlook_networking.core.identity import Identities
from outlook_networking.core.network import analyse
from outlook_networking.core.phrase import phrase
from outlook_networking.core.settings import Settings
from outlook_networking.i18n import Wording
from outlook_networking.report import render_report
from outlook_networking.report.charts import axis_top, nice_ceiling
from outlook_networking.report.layout import force_layout

from .conftest import NOW, Demo

WORDS = Wording("en")

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'


def test_page_loads_nothing_from_anywhere(report_html: str) -> None:
    # The only URL allowed is the SVG namespace, which is a name, not something fetched.
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>)]*", report_html))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    lowered = report_html.lower()
    for needle in ("<script", "<link", "@import", "url(", "<iframe", "<img", "src="):
        assert needle not in lowered, needle
    assert "default-src 'none'" in report_html


def test_tier_counts_are_on_the_page(demo: Demo, report_html: str) -> None:
    for tier in "ABCD":
        count = len(demo.network.tier(tier))
        assert f'<span class="chip tier-{tier}">{tier}</span> <strong>{count}</strong>' in (
            report_html
        )
    assert f">{len(demo.network.contacts)}</div>" in report_html


def test_every_open_follow_up_is_listed_owed_replies_first(
    demo: Demo, report_html: str
) -> None:
    followups = [*demo.network.followups, *demo.ledger.followups]
    assert followups
    for followup in followups:
        assert escape(WORDS.phrase(followup.subject)) in report_html, followup
    owed = [f for f in followups if f.kind == "owed_reply"]
    assert len(owed) == len(demo.truth.owed_reply)
    first_row = report_html.index('<table class="followups cards">')
    assert report_html.index("kind-owed_reply", first_row) < report_html.index(
        "kind-keep_in_touch", first_row
    )


def test_graph_draws_key_persons_and_clusters(demo: Demo, report_html: str) -> None:
    assert demo.network.key_persons
    svg = report_html[report_html.index('<svg class="graph wide"') :]
    svg = svg[: svg.index("</svg>")]
    for key in demo.network.key_persons:
        assert f'<g class="node broker" data-person="{escape(key.person)}">' in svg
        name = demo.network.identities.persons[key.person].name
        assert f">{escape(name)}</text>" in svg
    assert svg.count('class="node') >= 10
    assert svg.count("<line ") >= 10
    for cluster in demo.network.clusters:
        assert escape(cluster.name) in report_html


def test_ledger_top_givers_and_one_sided(demo: Demo, report_html: str) -> None:
    ledger_part = report_html[report_html.index('id="ledger"') :]
    for balance in demo.ledger.top_givers(3):
        assert escape(demo.network.identities.persons[balance.contact].name) in ledger_part
    (giver,) = demo.truth.one_sided_giver
    person = demo.network.identities.person_of[giver]
    assert any(b.contact == person for b in demo.ledger.gives_without_return)
    assert escape(demo.network.identities.persons[person].name) in ledger_part


def test_time_invested_against_target(demo: Demo, report_html: str) -> None:
    time = demo.network.time
    # People read hours with one decimal at most: 5.17 hours are shown as 5.2 hrs (CLDR's short
    # English unit).
    shown = f"{time.average_hours:.1f}".removesuffix(".0")
    target = f"{time.target_hours:.1f}".removesuffix(".0")
    assert f"<strong>{shown}\u00a0hrs</strong>" in report_html  # one piece, never broken
    assert f"target {target} hrs" in report_html
    assert f"{time.average_hours:g}" not in report_html or shown == f"{time.average_hours:g}"
    # Both drawings of the chart (wide and narrow) have a bar per week.
    assert report_html.count('<g class="week">') == 2 * len(time.weeks)


def test_activity_legend_sums_the_monthly_histories(demo: Demo, report_html: str) -> None:
    months = {f"{(NOW.year * 12 + NOW.month - 1 - i) // 12:04d}-"
              f"{(NOW.year * 12 + NOW.month - 1 - i) % 12 + 1:02d}" for i in range(24)}
    for tier in "AB":
        total = sum(
            c.sent + c.received + c.meetings
            for view in demo.network.tier(tier)
            for month, c in view.history.monthly.items()
            if month in months
        )
        assert f"Network {tier} ({total:,})" in report_html  # English digit grouping


def test_the_same_input_gives_the_same_page(demo: Demo, report_html: str) -> None:
    again = render_report(demo.network, demo.ledger, NOW, graph=demo.edges)
    assert again == report_html


def test_every_text_is_escaped(demo: Demo) -> None:
    network = demo.network
    key = network.key_persons[0].person
    persons = dict(network.identities.persons)
    persons[key] = replace(persons[key], name=EVIL, organisation=EVIL)
    identities = Identities(persons=persons, person_of=network.identities.person_of)
    evil_followup = FollowUp(
        key="owed:evil", kind="owed_reply", contact=key, due=NOW,
        reason=phrase("owed_reply", name=EVIL, subject=EVIL, ago=timedelta(days=3),
                      target=timedelta(hours=48)),
        subject=phrase("task_owed_reply", name=EVIL, subject=EVIL),
    )  # fmt: skip
    evil = replace(network, identities=identities, followups=(evil_followup,))
    page = render_report(evil, None, NOW, graph=demo.edges, category_names={"A": EVIL})
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert escape(EVIL) in page
    assert "could not be built" in page  # no ledger: said, not crashed


def test_an_empty_store_still_gives_a_page() -> None:
    june = NOW - timedelta(days=180)  # far from the annual review, so nothing at all is due
    network = analyse([], [], owner=frozenset({"me@example.org"}), settings=Settings(), now=june)
    page = render_report(network, None, june)
    assert page.startswith("<!DOCTYPE html>")
    assert "Nothing to follow up" in page
    assert "Not enough shared mail" in page


def test_custom_category_names_label_the_tiers(demo: Demo) -> None:
    names = {"A": "Kreis A", "B": "Kreis B", "C": "Kreis C", "D": "Kreis D"}
    page = render_report(demo.network, demo.ledger, NOW, category_names=names)
    assert ">Kreis A</text>" in page
    assert ">Network A</text>" not in page


def test_nice_ceiling_rounds_up_to_readable_steps() -> None:
    assert [nice_ceiling(v) for v in (0, 0.5, 3, 7, 11, 23, 240, 260)] == [
        1, 1, 5, 10, 20, 25, 250, 500
    ]
    # Four axis steps of 1, 2, 2.5 or 5 × 10ⁿ: no 0.625 or 1.875 on an axis.
    assert [axis_top(v) for v in (0, 2.1, 9.4, 268)] == [4, 4, 10, 400]


def test_layout_is_deterministic_and_inside_the_unit_square() -> None:
    nodes = [f"p{i}" for i in range(12)]
    edges = {(f"p{i}", f"p{i + 1}"): 1.0 for i in range(11)}
    first = force_layout(nodes, edges, {n: i % 3 for i, n in enumerate(nodes)})
    assert first == force_layout(nodes, edges, {n: i % 3 for i, n in enumerate(nodes)})
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())
    assert len({(round(x, 3), round(y, 3)) for x, y in first.values()}) == len(nodes)


def test_overdue_follow_ups_are_marked(demo: Demo) -> None:
    soon = phrase("keep_in_touch", tier="B", days=87, cadence=90)
    late = phrase("owed_reply", name="Y", subject="", ago=timedelta(days=3),
                  target=timedelta(hours=48))  # fmt: skip
    later = FollowUp("touch:x", "keep_in_touch", "", NOW + timedelta(days=3), soon,
                     phrase("task_keep_in_touch", name="X"))  # fmt: skip
    due = FollowUp("owed:y", "owed_reply", "", NOW - timedelta(days=1), late,
                   phrase("task_owed_reply", name="Y", subject=""))  # fmt: skip
    page = render_report(replace(demo.network, followups=(later, due)), None, NOW)
    assert '<tr class="overdue"><td class="due" data-label="Due">26 Nov 2026' in page
    assert '<tr class="upcoming"><td class="due" data-label="Due">30 Nov 2026' in page


def test_dates_are_shown_in_the_readers_zone(demo: Demo) -> None:
    from zoneinfo import ZoneInfo

    late = FollowUp("owed:z", "owed_reply", "", datetime(2026, 11, 26, 20, tzinfo=UTC),
                    phrase("owed_reply", name="Z", subject="", ago=timedelta(days=1),
                           target=timedelta(hours=48)),
                    phrase("task_owed_reply", name="Z", subject=""))  # fmt: skip
    network = replace(demo.network, followups=(late,))
    utc = render_report(network, None, NOW)
    tokyo = render_report(network, None, NOW, zone=ZoneInfo("Asia/Tokyo"))
    assert '<td class="due" data-label="Due">26 Nov 2026' in utc
    assert '<td class="due" data-label="Due">27 Nov 2026' in tokyo  # 05:00 the next day there
    assert "as of Friday, 27 November 2026, 21:00 JST" in tokyo


def test_key_dates_coming_up_and_the_owners_notes_are_escaped_on_the_page(
    demo: Demo, tmp_path: Path
) -> None:
    mentor = demo.truth.mentor[0]
    assert main(demo.argv("note", mentor, EVIL + "\nsecond line")) == 0
    assert main(demo.argv("note", "stranger@elsewhere.example", "Met at the fair")) == 0
    target = tmp_path / "report.html"
    assert main(demo.argv("report", "--html", str(target))) == 0
    page = target.read_text(encoding="utf-8")
    section = page[page.index('<section class="card" id="before">'):]
    section = section[: section.index("</section>")]
    assert escape(EVIL + "\nsecond line") in section and EVIL not in page
    assert "stranger@elsewhere.example" in section and "Met at the fair" in section
    name = dict(demo.truth.people)[mentor]
    birthday = section[section.index(escape(name)):]
    assert birthday.startswith(escape(name)) and "Birthday 29 Nov" in section
    assert "(in 2 days)" in section
    assert '<a href="#before">' in page
