"""The HTML report: one self-contained page (inline CSS and SVG, no scripts, no fonts or files from
anywhere else), built from the analysed network and the ledger by a pure function.

Sections: the summary, the tier distribution, activity per tier per month (mails and meetings
from each contact's monthly history, grouped by the contact's current tier), the open follow-ups
(the network's and the ledger's "thank or return the favour"), the mail graph with clusters and
key persons, the time invested per week against the target, the ledger's top givers and
one-sided relationships, and the ``[targets]`` organisations the owner can reach through people
they know (:mod:`.intro`). Every text from the data is escaped.

Exports: ``render_report``, ``KIND_LABELS``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape

from ..core.followups import FollowUp
from ..core.ledger import Balance, ItemKind, Ledger, Side
from ..core.network import Network
from ..i18n import Wording
from ..model import TIERS
from ..writeback.plan import DEFAULT_CATEGORY_NAMES
from .charts import TIER_COLOURS, activity_chart, tier_bars, time_chart
from .graph import graph_svg
from .intro import reach_section
from .style import CSS

__all__ = ["KIND_LABELS", "render_report"]

MONTHS_SHOWN = 24
MONTHS_MIN = 6
FOLLOWUPS_SHOWN = 25
LEDGER_ROWS = 10
TIER_NAMES = 4
# Most pressing first: someone waits for the owner, then open loops, then upkeep.
KIND_ORDER = (
    "owed_reply",
    "awaiting_answer",
    "thank_or_return",
    "unreciprocated",
    "annual_review",
    "cooling",
    "keep_in_touch",
)

KIND_LABELS = {
    "owed_reply": "Owed reply",
    "keep_in_touch": "Keep in touch",
    "cooling": "Cooling",
    "awaiting_answer": "Awaiting answer",
    "unreciprocated": "Unreciprocated",
    "annual_review": "Annual review",
    "thank_or_return": "Thank or return",
}
ITEM_WORDS = {
    ItemKind.INTRODUCTION_MADE: ("introduction", "introductions"),
    ItemKind.INTRODUCTION_RECEIVED: ("introduction", "introductions"),
    ItemKind.FORWARD_SENT: ("forward", "forwards"),
    ItemKind.FORWARD_RECEIVED: ("forward", "forwards"),
    ItemKind.REQUEST_ANSWERED: ("answer", "answers"),
    ItemKind.ANSWER_RECEIVED: ("answer", "answers"),
}


def _months(now: datetime, count: int) -> list[str]:
    year, month = now.year, now.month
    out: list[str] = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


class _Page:
    """Names and escaping shared by the sections."""

    def __init__(
        self, network: Network, category_names: Mapping[str, str], words: Wording
    ) -> None:
        self.network = network
        self.words = words
        self.persons = network.identities.persons
        self.labels = {t: category_names.get(t, DEFAULT_CATEGORY_NAMES[t]) for t in TIERS}
        self.tier_of = {c.person.key: c.tier.tier for c in network.contacts}

    def name(self, person: str, fallback: str = "") -> str:
        found = self.persons.get(person)
        return (found.name if found is not None and found.name else fallback) or person

    def who(self, person: str, fallback: str = "") -> str:
        """Name, organisation and tier chip as HTML."""
        if not person:
            return '<span class="muted">everyone</span>'
        found = self.persons.get(person)
        org = found.organisation if found is not None else ""
        tier = self.tier_of.get(person, "")
        chip = f'<span class="chip tier-{escape(tier)}">{escape(tier)}</span> ' if tier else ""
        parts = [chip, f'<span class="person">{escape(self.name(person, fallback))}</span>']
        if org:
            parts.append(f'<span class="org">{escape(org)}</span>')
        return "".join(parts)


def _summary(page: _Page, followups: Sequence[FollowUp], now: datetime) -> str:
    network = page.network
    counts = {t: len(network.tier(t)) for t in TIERS}
    overdue = sum(1 for f in followups if f.due <= now)
    time = network.time
    met = "meets" if time.meets_target else "below"
    cards = [
        ("Contacts", str(len(network.contacts)), f"{counts['A']} A · {counts['B']} B"),
        ("Open follow-ups", str(len(followups)), f"{overdue} due now"),
        ("Key persons", str(len(network.key_persons)), f"{len(network.clusters)} clusters"),
        (
            "Hours per week",
            f"{time.average_hours:g}",
            f"{met} the target of {time.target_hours:g} h",
        ),
    ]
    return (
        '<section class="summary">'
        + "".join(
            f'<div class="stat"><div class="stat-label">{escape(label)}</div>'
            f'<div class="stat-value">{escape(value)}</div>'
            f'<div class="stat-note">{escape(note)}</div></div>'
            for label, value, note in cards
        )
        + "</section>"
    )


def _tiers(page: _Page) -> str:
    network = page.network
    counts = {t: len(network.tier(t)) for t in TIERS}
    rows = []
    for t in TIERS:
        names = [c.name or c.address for c in network.tier(t)[:TIER_NAMES]]
        more = counts[t] - len(names)
        listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
        rows.append(
            f'<li><div><span class="chip tier-{t}">{t}</span> <strong>{counts[t]}</strong> '
            f'<span class="muted">{escape(page.labels[t])}</span></div>'
            f'<div class="names">{escape(listed) or "nobody"}</div></li>'
        )
    return (
        '<section class="card" id="tiers"><h2>Tiers</h2>'
        '<p class="lede">Strength score ranks the people with two-way contact in the last '
        "year; D is everyone else.</p>"
        f'<div class="split"><div class="tier-chart">{tier_bars(counts, page.labels)}</div>'
        f'<ul class="tier-counts">{"".join(rows)}</ul></div></section>'
    )


def _activity(page: _Page, now: datetime) -> str:
    months = _months(now, MONTHS_SHOWN)
    index = {m: i for i, m in enumerate(months)}
    series = {t: [0] * len(months) for t in TIERS}
    for view in page.network.contacts:
        values = series[view.tier.tier]
        for month, c in view.history.monthly.items():
            i = index.get(month)
            if i is not None:
                values[i] += c.sent + c.received + c.meetings
    # A young mailbox starts where its history starts, not with a year of flat lines.
    first = next((i for i in range(len(months)) if any(v[i] for v in series.values())), len(months))
    first = min(first, len(months) - MONTHS_MIN)
    months = months[first:]
    series = {t: v[first:] for t, v in series.items()}
    legend = "".join(
        f'<span class="key"><i style="background:{TIER_COLOURS[t]}"></i>'
        f"{escape(page.labels[t])} ({sum(series[t])})</span>"
        for t in TIERS
    )
    return (
        '<section class="card" id="activity"><h2>Activity per tier</h2>'
        '<p class="lede">Mails sent and received and meetings per month with the contacts of '
        "each tier (by their tier today); the last point is the month so far.</p>"
        f'<div class="legend">{legend}</div>{activity_chart(series, months)}</section>'
    )


def _followup_rows(page: _Page, followups: Sequence[FollowUp], now: datetime) -> str:
    rows: list[str] = []
    for f in followups:
        rows.append(
            f'<tr class="{"overdue" if f.due <= now else "upcoming"}">'
            f'<td class="due">{escape(f"{f.due:%d %b %Y}")}</td>'
            f'<td><span class="kind kind-{escape(f.kind)}">'
            f"{escape(KIND_LABELS.get(f.kind, f.kind))}</span></td>"
            f'<td class="who">{page.who(f.contact)}</td>'
            f'<td><div class="task">{escape(page.words.phrase(f.subject))}</div>'
            f'<div class="reason">{escape(page.words.phrase(f.reason))}</div></td></tr>'
        )
    return (
        '<table class="followups"><thead><tr><th>Due</th><th>Kind</th><th>Contact</th>'
        f"<th>What and why</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _followups(page: _Page, followups: Sequence[FollowUp], now: datetime) -> str:
    if not followups:
        body = '<p class="empty">Nothing to follow up.</p>'
    else:
        kinds: dict[str, int] = {}
        for f in followups:
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
        overview = "".join(
            f'<span class="kind kind-{escape(k)}">{escape(KIND_LABELS.get(k, k))} {n}</span>'
            for k, n in kinds.items()
        )
        body = f'<div class="kinds">{overview}</div>' + _followup_rows(
            page, followups[:FOLLOWUPS_SHOWN], now
        )
        rest = followups[FOLLOWUPS_SHOWN:]
        if rest:
            # Collapsed, not left out: the page stays complete offline and without scripts.
            body += (
                f'<details class="more"><summary>Show {len(rest)} more</summary>'
                f"{_followup_rows(page, rest, now)}</details>"
            )
    return (
        f'<section class="card" id="followups"><h2>Open follow-ups '
        f'<span class="count">{len(followups)}</span></h2>'
        '<p class="lede">Most pressing first: replies you owe, answers you await, favours to '
        f"return; then relationships to look after.</p>{body}</section>"
    )


def _key_persons(page: _Page, edges: Mapping[tuple[str, str], int] | None) -> str:
    network = page.network
    if not network.clusters and not network.key_persons:
        return (
            '<section class="card" id="graph"><h2>Key persons</h2>'
            '<p class="empty">Not enough shared mail and meetings for a graph yet.</p></section>'
        )
    svg, legend = graph_svg(network, edges, words=page.words)
    keys = "".join(
        f'<span class="key"><i style="background:{colour}"></i>{escape(name)} ({shown})</span>'
        for name, colour, shown in legend
    )
    keys += '<span class="key"><i class="ring"></i>key person (broker)</span>'
    rows = "".join(
        f"<tr><td>{page.who(k.person)}</td><td>{escape(page.words.phrase(k.reason))}</td>"
        f'<td class="num">{k.degree}</td><td class="num">{k.betweenness:.3f}</td></tr>'
        for k in network.key_persons
    )
    clusters = "".join(
        f"<li><strong>{escape(c.name)}</strong> · {len(c.members)} people: "
        + escape(", ".join(page.name(m) for m in c.members[:6]))
        + ("…" if len(c.members) > 6 else "")
        + "</li>"
        for c in network.clusters
    )
    return (
        '<section class="card" id="graph"><h2>Key persons and clusters</h2>'
        '<p class="lede">Who appears with whom on your mail and meetings. Colours are clusters, '
        "named by their main organisation; ringed people are brokers, where information "
        "converges.</p>"
        f'<div class="legend">{keys}</div><div class="graph-box">{svg}</div>'
        '<table class="keypersons"><thead><tr><th>Key person</th><th>Why</th>'
        '<th class="num">People</th><th class="num">Betweenness</th></tr></thead>'
        f'<tbody>{rows}</tbody></table><ul class="clusters">{clusters}</ul></section>'
    )


def _time(page: _Page) -> str:
    time = page.network.time
    weeks = [(w.week, w.meeting_hours, w.mail_hours) for w in time.weeks]
    verdict = (
        "on target" if time.meets_target else f"{time.target_hours - time.average_hours:g} h short"
    )
    legend = (
        '<span class="key"><i style="background:#4f46e5"></i>meetings</span>'
        '<span class="key"><i style="background:#a5b4fc"></i>mail (estimated)</span>'
        '<span class="key"><i class="dash"></i>target</span>'
    )
    return (
        '<section class="card" id="time"><h2>Time invested per week</h2>'
        f'<p class="lede">Average of the last four complete weeks: '
        f"<strong>{time.average_hours:g} h</strong> against a target of "
        f"{time.target_hours:g} h ({escape(verdict)}).</p>"
        f'<div class="legend">{legend}</div>{time_chart(weeks, time.target_hours)}</section>'
    )


def _items(balance: Balance, received: bool) -> str:
    counts = balance.by_kind(Side.RECEIVED if received else Side.GIVEN)
    parts = []
    for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].value)):
        one, many = ITEM_WORDS.get(kind, (kind.value, kind.value))
        parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts)


def _ledger(page: _Page, ledger: Ledger | None) -> str:
    if ledger is None:
        return (
            '<section class="card" id="ledger"><h2>Give and take</h2>'
            '<p class="empty">The ledger could not be built for this store.</p></section>'
        )

    def who(b: Balance) -> str:
        return page.who(b.contact, b.name)

    givers = "".join(
        f"<tr><td>{who(b)}</td><td>{escape(_items(b, True))}</td>"
        f'<td class="num">{b.received_count}</td><td class="num">{b.given_count}</td></tr>'
        for b in ledger.top_givers(LEDGER_ROWS)
    )
    givers_table = (
        '<table class="givers"><thead><tr><th>Contact</th><th>What they gave you</th>'
        '<th class="num">Received</th><th class="num">Given</th></tr></thead>'
        f"<tbody>{givers}</tbody></table>"
        if givers
        else '<p class="empty">Nobody yet.</p>'
    )

    def one_sided(rows: Sequence[Balance], received: bool, empty: str) -> str:
        if not rows:
            return f'<p class="empty">{escape(empty)}</p>'
        items = "".join(
            f"<li><span>{who(b)}</span>"
            f'<span class="muted">{escape(_items(b, received))}</span></li>'
            for b in rows[:LEDGER_ROWS]
        )
        more = len(rows) - LEDGER_ROWS
        tail = f'<li class="muted">… and {more} more</li>' if more > 0 else ""
        return f'<ul class="people">{items}{tail}</ul>'

    window = f"{ledger.since:%d %b %Y} – {ledger.now:%d %b %Y}"
    return (
        '<section class="card" id="ledger"><h2>Give and take</h2>'
        f'<p class="lede">Introductions, forwards and answered requests, {escape(window)}.</p>'
        f"<h3>Top givers</h3>{givers_table}"
        '<div class="split two">'
        "<div><h3>They give, you have not given back</h3>"
        '<p class="muted">Thank them, or return the favour.</p>'
        + one_sided(ledger.gives_without_return, True, "Nobody: you give back.")
        + "</div><div><h3>You give, nothing comes back</h3>"
        '<p class="muted">Keep giving first, or let it go without grudge.</p>'
        + one_sided(ledger.invests_without_return, False, "Nobody: your giving is returned.")
        + "</div></div></section>"
    )


def render_report(
    network: Network,
    ledger: Ledger | None,
    now: datetime,
    *,
    graph: Mapping[tuple[str, str], int] | None = None,
    category_names: Mapping[str, str] | None = None,
    words: Wording | None = None,
) -> str:
    """The whole page as one string.

    Parameters:
        ledger: the give-and-take ledger, or None when it could not be built.
        graph: the mail graph's edges (``MailGraph.edges``: person pair → co-occurrences), for
            the connections in the network graph; without them only the people are drawn.
        category_names: tier → category name (``Workspace.category_names``).
        words: the user's language (default English) for what the core explains; the page's
            own headings are English until they are translated too.
    """
    page = _Page(network, category_names or {}, words or Wording())
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    # analysis.analyse_store already folds the ledger's follow-ups into the network's; a network
    # straight from core.analyse does not: take both, once each.
    unique = {f.key: f for f in (*network.followups, *(ledger.followups if ledger else ()))}
    followups = sorted(unique.values(), key=lambda f: (rank.get(f.kind, len(rank)), f.due, f.key))
    owner = ", ".join(sorted(network.owner)) or "unknown owner"
    stamp = now.astimezone(UTC)
    sections = [
        _summary(page, followups, now),
        _tiers(page),
        _activity(page, now),
        _followups(page, followups, now),
        _key_persons(page, graph),
        _time(page),
        _ledger(page, ledger),
        reach_section(network, ledger.items if ledger is not None else None),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing may load from anywhere: no scripts, no fonts, no images from outside.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>Your network as of {escape(f'{stamp:%d %b %Y}')}</title>"
        f"<style>{CSS}</style></head><body><main>"
        '<header class="top"><div><h1>Your network</h1>'
        f'<p class="muted">as of {escape(f"{stamp:%A, %d %B %Y, %H:%M} UTC")} · '
        f"{escape(owner)}</p></div>"
        '<nav><a href="#tiers">Tiers</a><a href="#activity">Activity</a>'
        '<a href="#followups">Follow-ups</a><a href="#graph">Key persons</a>'
        '<a href="#time">Time</a><a href="#ledger">Give and take</a>'
        '<a href="#reach">Reach</a></nav></header>'
        + "".join(sections)
        + '<footer class="muted">Made by outlook-networking from mail and meeting metadata '
        "only; no message bodies were read, and this page loads nothing from anywhere."
        "</footer></main></body></html>\n"
    )
