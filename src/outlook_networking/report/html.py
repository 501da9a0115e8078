"""The HTML report: one self-contained page (inline CSS and SVG, no scripts, no fonts or files from
anywhere else), built from the analysed network and the ledger by a pure function.

Sections: the summary, the tier distribution, activity per tier per month (mails and meetings
from each contact's monthly history, grouped by the contact's current tier), the open follow-ups
(the network's and the ledger's "thank or return the favour"), the mail graph with clusters and
key persons, the time invested per week against the target, the ledger's top givers and
one-sided relationships, the ``[targets]`` organisations the owner can reach through people
they know (:mod:`.intro`), and what to know before meeting people: key dates in the next
``KEY_DATE_DAYS`` days and the owner's own notes. Every text from the data is escaped, the
owner's notes too (they are shown as written, line breaks kept, never as markup).

It reads on a phone as on a desktop: under 600 px every table becomes a stack of cards (each
cell labelled by its column, ``data-label``) and every chart is drawn a second time for the
narrow width, so its labels keep a readable size; nothing is wider than the screen. Times are
shown in the zone the caller gives (the command line: the reader's own). Follow-ups come in the
order every front end uses (:func:`~outlook_networking.core.followups.by_urgency`).

Exports: ``render_report``, ``KIND_LABELS``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from html import escape

from ..core.followups import FollowUp, by_urgency
from ..core.keydates import coming
from ..core.ledger import Balance, ItemKind, Ledger, Side
from ..core.network import Network
from ..i18n import Wording
from ..model import TIERS, Note
from ..writeback.plan import DEFAULT_CATEGORY_NAMES
from .charts import TIER_COLOURS, activity_chart, hours, tier_bars, time_chart
from .graph import graph_svg
from .intro import reach_section
from .style import CSS

__all__ = ["KIND_LABELS", "render_report"]

MONTHS_SHOWN = 24
MONTHS_MIN = 6
FOLLOWUPS_SHOWN = 25
LEDGER_ROWS = 10
TIER_NAMES = 4
KEY_DATE_DAYS = 30
KIND_LABELS = {
    "owed_reply": "Owed reply",
    "keep_in_touch": "Keep in touch",
    "cooling": "Cooling",
    "awaiting_answer": "Awaiting answer",
    "unreciprocated": "Unreciprocated",
    "annual_review": "Annual review",
    "thank_or_return": "Thank or return",
    "birthday": "Birthday",
}
KEY_DATE_LABELS = {"birthday": "Birthday", "anniversary": "Anniversary"}
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


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class _Page:
    """Names, times and escaping shared by the sections."""

    def __init__(
        self,
        network: Network,
        category_names: Mapping[str, str],
        zone: tzinfo | None,
        words: Wording,
    ) -> None:
        self.network = network
        self.zone = zone
        self.words = words
        self.persons = network.identities.persons
        self.labels = {t: category_names.get(t, DEFAULT_CATEGORY_NAMES[t]) for t in TIERS}
        self.tier_of = {c.person.key: c.tier.tier for c in network.contacts}

    def when(self, moment: datetime, form: str = "%d %b %Y") -> str:
        """``moment`` in the page's zone (None: the local zone of the machine rendering it)."""
        return moment.astimezone(self.zone).strftime(form)

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
        (
            "Key persons",
            str(len(network.key_persons)),
            plural(len(network.clusters), "cluster", "clusters"),
        ),
        (
            "Hours per week",
            hours(time.average_hours),
            f"{met} the target of {hours(time.target_hours)} h",
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
        state = "snoozed" if f.snoozed else "overdue" if f.due <= now else "upcoming"
        due = ("until " if f.snoozed else "") + page.when(f.due)
        label = KIND_LABELS.get(f.kind, f.kind) + (" (snoozed)" if f.snoozed else "")
        rows.append(
            f'<tr class="{state}">'
            f'<td class="due" data-label="Due">{escape(due)}</td>'
            f'<td class="kind-cell" data-label="Kind"><span class="kind kind-{escape(f.kind)}">'
            f"{escape(label)}</span></td>"
            f'<td class="who" data-label="Contact">{page.who(f.contact)}</td>'
            f'<td data-label="What and why"><div class="task">'
            f"{escape(page.words.phrase(f.subject))}</div>"
            f'<div class="reason">{escape(page.words.phrase(f.reason))}</div></td></tr>'
        )
    return (
        '<table class="followups cards"><thead><tr><th>Due</th><th>Kind</th><th>Contact</th>'
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
    drawing = graph_svg(network, edges, words=page.words)
    keys = "".join(
        f'<span class="key"><i style="background:{colour}"></i>{escape(name)}</span>'
        for name, colour in drawing.legend
    )
    keys += '<span class="key"><i class="ring"></i>key person (broker)</span>'
    rows = "".join(
        f'<tr><td data-label="Key person">{page.who(k.person)}</td>'
        f'<td data-label="Why">{escape(page.words.phrase(k.reason))}</td>'
        f'<td class="num" data-label="People">{k.degree}</td>'
        f'<td class="num" data-label="Betweenness">{k.betweenness:.3f}</td></tr>'
        for k in network.key_persons
    )
    clusters = "".join(
        f"<li><strong>{escape(c.name)}</strong> · {plural(len(c.members), 'person', 'people')}: "
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
        f'<div class="legend">{keys}</div>'
        f'<div class="graph-box">{drawing.wide}{drawing.narrow}</div>'
        '<table class="keypersons cards"><thead><tr><th>Key person</th><th>Why</th>'
        '<th class="num">People</th><th class="num">Betweenness</th></tr></thead>'
        f'<tbody>{rows}</tbody></table><ul class="clusters">{clusters}</ul></section>'
    )


def _time(page: _Page) -> str:
    time = page.network.time
    weeks = [(w.week, w.meeting_hours, w.mail_hours) for w in time.weeks]
    verdict = (
        "on target"
        if time.meets_target
        else f"{hours(time.target_hours - time.average_hours)} h short"
    )
    legend = (
        '<span class="key"><i style="background:#4f46e5"></i>meetings</span>'
        '<span class="key"><i style="background:#a5b4fc"></i>mail (estimated)</span>'
        '<span class="key"><i class="dash"></i>target</span>'
    )
    return (
        '<section class="card" id="time"><h2>Time invested per week</h2>'
        f'<p class="lede">Average of the last four complete weeks: '
        f"<strong>{hours(time.average_hours)} h</strong> against a target of "
        f"{hours(time.target_hours)} h ({escape(verdict)}).</p>"
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
        f'<tr><td data-label="Contact">{who(b)}</td>'
        f'<td data-label="What they gave you">{escape(_items(b, True))}</td>'
        f'<td class="num" data-label="Received">{b.received_count}</td>'
        f'<td class="num" data-label="Given">{b.given_count}</td></tr>'
        for b in ledger.top_givers(LEDGER_ROWS)
    )
    givers_table = (
        '<table class="givers cards"><thead><tr><th>Contact</th><th>What they gave you</th>'
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

    window = f"{page.when(ledger.since)} – {page.when(ledger.now)}"
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


def _before_meeting(page: _Page, notes: Mapping[str, Sequence[Note]], now: datetime) -> str:
    today = now.astimezone(UTC).date()
    soon = sorted(
        (
            (c, view)
            for view in page.network.contacts
            for c in coming(view.key_dates, today, KEY_DATE_DAYS)
        ),
        key=lambda pair: (pair[0].in_days, pair[1].address),
    )
    rows = []
    for date, view in soon:
        when = "today" if date.in_days == 0 else f"in {date.in_days} days"
        years = f", {date.years} years" if date.years else ""
        label = KEY_DATE_LABELS.get(date.key_date.kind, date.key_date.kind)
        rows.append(
            f"<li><span>{page.who(view.address)}</span><span>{escape(label)} "
            f'{escape(f"{date.on:%d %b}")} <span class="muted">({escape(when + years)})'
            "</span></span></li>"
        )
    dates = (
        f'<ul class="people">{"".join(rows)}</ul>'
        if rows
        else f'<p class="empty">No birthday or anniversary in the next {KEY_DATE_DAYS} days.</p>'
    )
    written = []
    for person, listed in sorted(notes.items(), key=lambda kv: page.name(kv[0]).casefold()):
        items = "".join(
            f'<li><span class="note">{escape(n.text)}</span>'
            f'<span class="muted">{escape(f"{n.at:%d %b %Y}")}</span></li>'
            for n in listed
        )
        written.append(f'<div class="noted"><h4>{page.who(person)}</h4><ul>{items}</ul></div>')
    notes_html = "".join(written) or '<p class="empty">No notes yet: `note ADDR TEXT`.</p>'
    return (
        '<section class="card" id="before"><h2>Before you meet</h2>'
        f'<p class="lede">Birthdays and anniversaries in the next {KEY_DATE_DAYS} days, and '
        "what you wrote down about people (kept on this computer only).</p>"
        f"<h3>Key dates</h3>{dates}<h3>Your notes</h3>{notes_html}</section>"
    )


def render_report(
    network: Network,
    ledger: Ledger | None,
    now: datetime,
    *,
    graph: Mapping[tuple[str, str], int] | None = None,
    category_names: Mapping[str, str] | None = None,
    zone: tzinfo | None = UTC,
    notes: Mapping[str, Sequence[Note]] | None = None,
    words: Wording | None = None,
) -> str:
    """The whole page as one string.

    Parameters:
        ledger: the give-and-take ledger, or None when it could not be built.
        graph: the mail graph's edges (``MailGraph.edges``: person pair → co-occurrences), for
            the connections in the network graph; without them only the people are drawn.
        category_names: tier → category name (``Workspace.category_names``).
        zone: the time zone dates are shown in; None: the local zone of this machine.
        notes: the owner's notes by person key (an address for someone not in the network).
        words: the user's language (default English) for what the core explains; the page's
            own headings are English until they are translated too.
    """
    page = _Page(network, category_names or {}, zone, words or Wording())
    # analysis.analyse_store already folds the ledger's follow-ups into the network's; a network
    # straight from core.analyse does not: take both, once each.
    unique = {f.key: f for f in (*network.followups, *(ledger.followups if ledger else ()))}
    followups = by_urgency(unique.values())
    owner = ", ".join(sorted(network.owner)) or "unknown owner"
    sections = [
        _summary(page, followups, now),
        _tiers(page),
        _activity(page, now),
        _followups(page, followups, now),
        _key_persons(page, graph),
        _time(page),
        _ledger(page, ledger),
        reach_section(network, ledger.items if ledger is not None else None),
        _before_meeting(page, notes or {}, now),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing may load from anywhere: no scripts, no fonts, no images from outside.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>Your network as of {escape(page.when(now))}</title>"
        f"<style>{CSS}</style></head><body><main>"
        '<header class="top"><div><h1>Your network</h1>'
        f'<p class="muted">as of {escape(page.when(now, "%A, %d %B %Y, %H:%M %Z"))} · '
        f"{escape(owner)}</p></div>"
        '<nav><a href="#tiers">Tiers</a><a href="#activity">Activity</a>'
        '<a href="#followups">Follow-ups</a><a href="#graph">Key persons</a>'
        '<a href="#time">Time</a><a href="#ledger">Give and take</a>'
        '<a href="#reach">Reach</a><a href="#before">Before you meet</a></nav></header>'
        + "".join(sections)
        + '<footer class="muted">Made by outlook-networking from mail and meeting metadata '
        "only; no message bodies were read, and this page loads nothing from anywhere."
        "</footer></main></body></html>\n"
    )
