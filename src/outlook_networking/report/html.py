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

Every word on the page comes through the catalogs of the reader's language (``words``), dates
and numbers through Babel, and ``<html lang>`` says which language it is.

Exports: ``render_report``, ``kind_labels``, ``KIND_LABELS``.
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
from .charts import MAIL_COLOUR, MEETING_COLOUR, TIER_COLOURS, activity_chart, tier_bars, time_chart
from .graph import graph_svg
from .intro import reach_section
from .style import CSS

__all__ = ["KIND_LABELS", "kind_labels", "render_report"]

MONTHS_SHOWN = 24
MONTHS_MIN = 6
FOLLOWUPS_SHOWN = 25
LEDGER_ROWS = 10
TIER_NAMES = 4
KEY_DATE_DAYS = 30


def kind_labels(words: Wording) -> dict[str, str]:
    """A follow-up's kind as a short label in ``words``'s language."""
    return {
        "owed_reply": words.gettext("Owed reply"),
        "keep_in_touch": words.gettext("Keep in touch"),
        "cooling": words.gettext("Cooling"),
        "awaiting_answer": words.gettext("Awaiting answer"),
        "unreciprocated": words.gettext("Unreciprocated"),
        "annual_review": words.gettext("Annual review"),
        "thank_or_return": words.gettext("Thank or return"),
        "birthday": words.gettext("Birthday"),
    }


# The English labels, for the command line until it takes a wording too.
KIND_LABELS = kind_labels(Wording("en"))


def _key_date_label(words: Wording, kind: str) -> str:
    labels = {"birthday": words.gettext("Birthday"), "anniversary": words.gettext("Anniversary")}
    return labels.get(kind, kind)


def _item_count(words: Wording, kind: ItemKind, n: int) -> str:
    """``2 introductions`` / ``2 Vorstellungen``: a count of the ledger's items of ``kind``."""
    if kind in (ItemKind.INTRODUCTION_MADE, ItemKind.INTRODUCTION_RECEIVED):
        text = words.ngettext("{count} introduction", "{count} introductions", n)
    elif kind in (ItemKind.FORWARD_SENT, ItemKind.FORWARD_RECEIVED):
        text = words.ngettext("{count} forward", "{count} forwards", n)
    elif kind in (ItemKind.REQUEST_ANSWERED, ItemKind.ANSWER_RECEIVED):
        text = words.ngettext("{count} answer", "{count} answers", n)
    else:
        return f"{words.number(n)} {kind.value}"
    return text.format(count=words.number(n))


def _months(now: datetime, count: int) -> list[str]:
    year, month = now.year, now.month
    out: list[str] = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


class _Page:
    """Names, times, words and escaping shared by the sections."""

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
        self.labels = {t: category_names.get(t) or words.category(t) for t in TIERS}
        self.tier_of = {c.person.key: c.tier.tier for c in network.contacts}
        self.kinds = kind_labels(words)

    def gettext(self, message: str, **values: str) -> str:
        """``message`` from the catalog, escaped, its ``{placeholders}`` filled with ``values``
        (HTML, escaped by the caller)."""
        return escape(self.words.gettext(message)).format(**values)

    def ngettext(self, singular: str, plural: str, n: int, **values: str) -> str:
        """Like :meth:`gettext` for a count: ``{count}`` is ``n`` in the locale's digits."""
        text = escape(self.words.ngettext(singular, plural, n))
        return text.format(count=escape(self.words.number(n)), **values)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the page's zone (None: the local zone of the machine rendering it)."""
        return moment.astimezone(self.zone)

    def when(self, moment: datetime) -> str:
        return self.words.date(self.local(moment))

    def hours(self, value: float) -> str:
        """``5,6 Std.`` / ``5.6 hrs``: one decimal at most, never broken across lines."""
        return self.words.hours(round(value, 1)).replace(" ", "\u00a0")

    def name(self, person: str, fallback: str = "") -> str:
        found = self.persons.get(person)
        return (found.name if found is not None and found.name else fallback) or person

    def who(self, person: str, fallback: str = "") -> str:
        """Name, organisation and tier chip as HTML."""
        if not person:
            return '<span class="muted">' + self.gettext("everyone") + "</span>"
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
    words = page.words
    counts = {t: len(network.tier(t)) for t in TIERS}
    overdue = sum(1 for f in followups if f.due <= now)
    time = network.time
    target = page.hours(time.target_hours)
    met = (
        page.gettext("meets the target of {hours}", hours=escape(target))
        if time.meets_target
        else page.gettext("below the target of {hours}", hours=escape(target))
    )
    cards = [
        (
            page.gettext("Contacts"),
            words.number(len(network.contacts)),
            escape(f"{words.number(counts['A'])} A · {words.number(counts['B'])} B"),
        ),
        (
            page.gettext("Open follow-ups"),
            words.number(len(followups)),
            page.ngettext("{count} due now", "{count} due now", overdue),
        ),
        (
            page.gettext("Key persons"),
            words.number(len(network.key_persons)),
            page.ngettext("{count} cluster", "{count} clusters", len(network.clusters)),
        ),
        (
            page.gettext("Hours per week"),
            words.number(round(time.average_hours, 1)),
            met,
        ),
    ]
    return (
        '<section class="summary">'
        + "".join(
            f'<div class="stat"><div class="stat-label">{label}</div>'
            f'<div class="stat-value">{escape(value)}</div>'
            f'<div class="stat-note">{note}</div></div>'
            for label, value, note in cards
        )
        + "</section>"
    )


def _tiers(page: _Page) -> str:
    network = page.network
    words = page.words
    counts = {t: len(network.tier(t)) for t in TIERS}
    rows = []
    for t in TIERS:
        names = [c.name or c.address for c in network.tier(t)[:TIER_NAMES]]
        more = counts[t] - len(names)
        if more > 0:
            others = words.ngettext("{count} more", "{count} more", more)
            names.append(others.format(count=words.number(more)))
        listed = escape(words.listing(names)) if names else page.gettext("nobody")
        rows.append(
            f'<li><div><span class="chip tier-{t}">{t}</span> '
            f"<strong>{escape(words.number(counts[t]))}</strong> "
            f'<span class="muted">{escape(page.labels[t])}</span></div>'
            f'<div class="names">{listed}</div></li>'
        )
    return (
        f'<section class="card" id="tiers"><h2>{page.gettext("Tiers")}</h2>'
        '<p class="lede">'
        + page.gettext(
            "Strength score ranks the people with two-way contact in the last year; D is "
            "everyone else."
        )
        + "</p>"
        f'<div class="split"><div class="tier-chart">{tier_bars(counts, page.labels, words)}'
        f'</div><ul class="tier-counts">{"".join(rows)}</ul></div></section>'
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
        f"{escape(page.labels[t])} ({escape(page.words.number(sum(series[t])))})</span>"
        for t in TIERS
    )
    return (
        '<section class="card" id="activity"><h2>'
        + page.gettext("Activity per tier")
        + '</h2><p class="lede">'
        + page.gettext(
            "Mails sent and received and meetings per month with the contacts of each tier (by "
            "their tier today); the last point is the month so far."
        )
        + f'</p><div class="legend">{legend}</div>'
        f"{activity_chart(series, months, page.words)}</section>"
    )


def _followup_rows(page: _Page, followups: Sequence[FollowUp], now: datetime) -> str:
    words = page.words
    due_label, kind_label = page.gettext("Due"), page.gettext("Kind")
    contact_label, what_label = page.gettext("Contact"), page.gettext("What and why")
    rows: list[str] = []
    for f in followups:
        state = "snoozed" if f.snoozed else "overdue" if f.due <= now else "upcoming"
        due = (
            page.gettext("until {date}", date=escape(page.when(f.due)))
            if f.snoozed
            else escape(page.when(f.due))
        )
        kind = escape(page.kinds.get(f.kind, f.kind))
        label = page.gettext("{kind} (snoozed)", kind=kind) if f.snoozed else kind
        rows.append(
            f'<tr class="{state}">'
            f'<td class="due" data-label="{due_label}">{due}</td>'
            f'<td class="kind-cell" data-label="{kind_label}">'
            f'<span class="kind kind-{escape(f.kind)}">{label}</span></td>'
            f'<td class="who" data-label="{contact_label}">{page.who(f.contact)}</td>'
            f'<td data-label="{what_label}"><div class="task">'
            f"{escape(words.phrase(f.subject))}</div>"
            f'<div class="reason">{escape(words.phrase(f.reason))}</div></td></tr>'
        )
    return (
        f'<table class="followups cards"><thead><tr><th>{due_label}</th><th>{kind_label}</th>'
        f"<th>{contact_label}</th><th>{what_label}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _followups(page: _Page, followups: Sequence[FollowUp], now: datetime) -> str:
    if not followups:
        body = '<p class="empty">' + page.gettext("Nothing to follow up.") + "</p>"
    else:
        kinds: dict[str, int] = {}
        for f in followups:
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
        overview = "".join(
            f'<span class="kind kind-{escape(k)}">{escape(page.kinds.get(k, k))} '
            f"{escape(page.words.number(n))}</span>"
            for k, n in kinds.items()
        )
        body = f'<div class="kinds">{overview}</div>' + _followup_rows(
            page, followups[:FOLLOWUPS_SHOWN], now
        )
        rest = followups[FOLLOWUPS_SHOWN:]
        if rest:
            # Collapsed, not left out: the page stays complete offline and without scripts.
            more = page.ngettext("Show {count} more", "Show {count} more", len(rest))
            body += (
                f'<details class="more"><summary>{more}</summary>'
                f"{_followup_rows(page, rest, now)}</details>"
            )
    return (
        f'<section class="card" id="followups"><h2>{page.gettext("Open follow-ups")} '
        f'<span class="count">{escape(page.words.number(len(followups)))}</span></h2>'
        '<p class="lede">'
        + page.gettext(
            "Most pressing first: replies you owe, answers you await, favours to return; then "
            "relationships to look after."
        )
        + f"</p>{body}</section>"
    )


def _key_persons(page: _Page, edges: Mapping[tuple[str, str], int] | None) -> str:
    network = page.network
    words = page.words
    if not network.clusters and not network.key_persons:
        return (
            f'<section class="card" id="graph"><h2>{page.gettext("Key persons")}</h2>'
            '<p class="empty">'
            + page.gettext("Not enough shared mail and meetings for a graph yet.")
            + "</p></section>"
        )
    drawing = graph_svg(network, edges, words=words)
    keys = "".join(
        f'<span class="key"><i style="background:{colour}"></i>{escape(name)}</span>'
        for name, colour in drawing.legend
    )
    broker = page.gettext("key person (broker)")
    keys += f'<span class="key"><i class="ring"></i>{broker}</span>'
    person_label, why_label = page.gettext("Key person"), page.gettext("Why")
    people_label, betweenness_label = page.gettext("People"), page.gettext("Betweenness")
    rows = "".join(
        f'<tr><td data-label="{person_label}">{page.who(k.person)}</td>'
        f'<td data-label="{why_label}">{escape(words.phrase(k.reason))}</td>'
        f'<td class="num" data-label="{people_label}">{escape(words.number(k.degree))}</td>'
        f'<td class="num" data-label="{betweenness_label}">'
        f"{escape(words.number(k.betweenness, 3))}</td></tr>"
        for k in network.key_persons
    )
    clusters = "".join(
        f"<li><strong>{escape(c.name)}</strong> · "
        + page.ngettext("{count} person", "{count} people", len(c.members))
        + ": "
        + escape(", ".join(page.name(m) for m in c.members[:6]))
        + ("…" if len(c.members) > 6 else "")
        + "</li>"
        for c in network.clusters
    )
    return (
        '<section class="card" id="graph"><h2>'
        + page.gettext("Key persons and clusters")
        + '</h2><p class="lede">'
        + page.gettext(
            "Who appears with whom on your mail and meetings. Colours are clusters, named by "
            "their main organisation; ringed people are brokers, where information converges."
        )
        + f'</p><div class="legend">{keys}</div>'
        f'<div class="graph-box">{drawing.wide}{drawing.narrow}</div>'
        f'<table class="keypersons cards"><thead><tr><th>{person_label}</th><th>{why_label}</th>'
        f'<th class="num">{people_label}</th><th class="num">{betweenness_label}</th></tr>'
        f'</thead><tbody>{rows}</tbody></table><ul class="clusters">{clusters}</ul></section>'
    )


def _time(page: _Page) -> str:
    time = page.network.time
    weeks = [(w.week, w.meeting_hours, w.mail_hours) for w in time.weeks]
    verdict = (
        page.gettext("on target")
        if time.meets_target
        else page.gettext(
            "{hours} short", hours=escape(page.hours(time.target_hours - time.average_hours))
        )
    )
    meetings, mail, target = (
        page.gettext("meetings"),
        page.gettext("mail (estimated)"),
        page.gettext("target"),
    )
    legend = (
        f'<span class="key"><i style="background:{MEETING_COLOUR}"></i>{meetings}</span>'
        f'<span class="key"><i style="background:{MAIL_COLOUR}"></i>{mail}</span>'
        f'<span class="key"><i class="dash"></i>{target}</span>'
    )
    average = f"<strong>{escape(page.hours(time.average_hours))}</strong>"
    return (
        '<section class="card" id="time"><h2>'
        + page.gettext("Time invested per week")
        + '</h2><p class="lede">'
        + page.gettext(
            "Average of the last four complete weeks: {average} against a target of {target} "
            "({verdict}).",
            average=average,
            target=escape(page.hours(time.target_hours)),
            verdict=verdict,
        )
        + f'</p><div class="legend">{legend}</div>'
        f"{time_chart(weeks, time.target_hours, page.words)}</section>"
    )


def _items(words: Wording, balance: Balance, received: bool) -> str:
    counts = balance.by_kind(Side.RECEIVED if received else Side.GIVEN)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].value))
    return ", ".join(_item_count(words, kind, n) for kind, n in ordered)


def _ledger(page: _Page, ledger: Ledger | None) -> str:
    words = page.words
    heading = f'<section class="card" id="ledger"><h2>{page.gettext("Give and take")}</h2>'
    if ledger is None:
        return (
            heading
            + '<p class="empty">'
            + page.gettext("The ledger could not be built for this store.")
            + "</p></section>"
        )

    def who(b: Balance) -> str:
        return page.who(b.contact, b.name)

    contact_label, gave_label = page.gettext("Contact"), page.gettext("What they gave you")
    received_label, given_label = page.gettext("Received"), page.gettext("Given")
    givers = "".join(
        f'<tr><td data-label="{contact_label}">{who(b)}</td>'
        f'<td data-label="{gave_label}">{escape(_items(words, b, True))}</td>'
        f'<td class="num" data-label="{received_label}">'
        f"{escape(words.number(b.received_count))}</td>"
        f'<td class="num" data-label="{given_label}">{escape(words.number(b.given_count))}</td>'
        "</tr>"
        for b in ledger.top_givers(LEDGER_ROWS)
    )
    givers_table = (
        f'<table class="givers cards"><thead><tr><th>{contact_label}</th><th>{gave_label}</th>'
        f'<th class="num">{received_label}</th><th class="num">{given_label}</th></tr></thead>'
        f"<tbody>{givers}</tbody></table>"
        if givers
        else '<p class="empty">' + page.gettext("Nobody yet.") + "</p>"
    )

    def one_sided(rows: Sequence[Balance], received: bool, empty: str) -> str:
        if not rows:
            return f'<p class="empty">{empty}</p>'
        items = "".join(
            f"<li><span>{who(b)}</span>"
            f'<span class="muted">{escape(_items(words, b, received))}</span></li>'
            for b in rows[:LEDGER_ROWS]
        )
        more = len(rows) - LEDGER_ROWS
        tail = (
            '<li class="muted">'
            + page.ngettext("… and {count} more", "… and {count} more", more)
            + "</li>"
            if more > 0
            else ""
        )
        return f'<ul class="people">{items}{tail}</ul>'

    window = f"{page.when(ledger.since)} – {page.when(ledger.now)}"
    return (
        heading
        + '<p class="lede">'
        + page.gettext(
            "Introductions, forwards and answered requests, {window}.", window=escape(window)
        )
        + "</p><h3>"
        + page.gettext("Top givers")
        + "</h3>"
        + givers_table
        + '<div class="split two"><div><h3>'
        + page.gettext("They give, you have not given back")
        + '</h3><p class="muted">'
        + page.gettext("Thank them, or return the favour.")
        + "</p>"
        + one_sided(ledger.gives_without_return, True, page.gettext("Nobody: you give back."))
        + "</div><div><h3>"
        + page.gettext("You give, nothing comes back")
        + '</h3><p class="muted">'
        + page.gettext("Keep giving first, or let it go without grudge.")
        + "</p>"
        + one_sided(
            ledger.invests_without_return, False, page.gettext("Nobody: your giving is returned.")
        )
        + "</div></div></section>"
    )


def _before_meeting(page: _Page, notes: Mapping[str, Sequence[Note]], now: datetime) -> str:
    words = page.words
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
        when = (
            words.gettext("today")
            if date.in_days == 0
            else words.ngettext("in {count} day", "in {count} days", date.in_days).format(
                count=words.number(date.in_days)
            )
        )
        if date.years:
            years = words.ngettext("{count} year", "{count} years", date.years)
            when = f"{when}, {years.format(count=words.number(date.years))}"
        label = _key_date_label(words, date.key_date.kind)
        rows.append(
            f"<li><span>{page.who(view.address)}</span><span>{escape(label)} "
            f'{escape(words.day_month(date.on))} <span class="muted">({escape(when)})'
            "</span></span></li>"
        )
    dates = (
        f'<ul class="people">{"".join(rows)}</ul>'
        if rows
        else '<p class="empty">'
        + page.ngettext(
            "No birthday or anniversary in the next {count} day.",
            "No birthday or anniversary in the next {count} days.",
            KEY_DATE_DAYS,
        )
        + "</p>"
    )
    written = []
    for person, listed in sorted(notes.items(), key=lambda kv: page.name(kv[0]).casefold()):
        items = "".join(
            f'<li><span class="note">{escape(n.text)}</span>'
            f'<span class="muted">{escape(page.when(n.at))}</span></li>'
            for n in listed
        )
        written.append(f'<div class="noted"><h4>{page.who(person)}</h4><ul>{items}</ul></div>')
    command = "<code>note ADDR TEXT</code>"
    notes_html = "".join(written) or (
        '<p class="empty">' + page.gettext("No notes yet: {command}.", command=command) + "</p>"
    )
    return (
        f'<section class="card" id="before"><h2>{page.gettext("Before you meet")}</h2>'
        '<p class="lede">'
        + page.ngettext(
            "Birthdays and anniversaries in the next {count} day, and what you wrote down about "
            "people (kept on this computer only).",
            "Birthdays and anniversaries in the next {count} days, and what you wrote down about "
            "people (kept on this computer only).",
            KEY_DATE_DAYS,
        )
        + "</p><h3>"
        + page.gettext("Key dates")
        + f"</h3>{dates}<h3>"
        + page.gettext("Your notes")
        + f"</h3>{notes_html}</section>"
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
        category_names: tier → category name (``Workspace.category_names``); else the
            product's names in the page's language.
        zone: the time zone dates are shown in; None: the local zone of this machine.
        notes: the owner's notes by person key (an address for someone not in the network).
        words: the reader's language (default English): every word, date and number.
    """
    page = _Page(network, category_names or {}, zone, words or Wording())
    # analysis.analyse_store already folds the ledger's follow-ups into the network's; a network
    # straight from core.analyse does not: take both, once each.
    unique = {f.key: f for f in (*network.followups, *(ledger.followups if ledger else ()))}
    followups = by_urgency(unique.values())
    owner = ", ".join(sorted(network.owner)) or page.words.gettext("unknown owner")
    sections = [
        _summary(page, followups, now),
        _tiers(page),
        _activity(page, now),
        _followups(page, followups, now),
        _key_persons(page, graph),
        _time(page),
        _ledger(page, ledger),
        reach_section(network, ledger.items if ledger is not None else None, page.words),
        _before_meeting(page, notes or {}, now),
    ]
    links = (
        ("tiers", page.gettext("Tiers")),
        ("activity", page.gettext("Activity")),
        ("followups", page.gettext("Follow-ups")),
        ("graph", page.gettext("Key persons")),
        ("time", page.gettext("Time")),
        ("ledger", page.gettext("Give and take")),
        ("reach", page.gettext("Reach")),
        ("before", page.gettext("Before you meet")),
    )
    nav = "".join(f'<a href="#{anchor}">{text}</a>' for anchor, text in links)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(page.words.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing may load from anywhere: no scripts, no fonts, no images from outside.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        "<title>"
        + page.gettext("Your network as of {date}", date=escape(page.when(now)))
        + f"</title><style>{CSS}</style></head><body><main>"
        '<header class="top"><div><h1>'
        + page.gettext("Your network")
        + '</h1><p class="muted">'
        + page.gettext("as of {moment}", moment=escape(page.words.moment(page.local(now))))
        + f" · {escape(owner)}</p></div><nav>{nav}</nav></header>"
        + "".join(sections)
        + '<footer class="muted">'
        + page.gettext(
            "Made by outlook-networking from mail and meeting metadata only; no message bodies "
            "were read, and this page loads nothing from anywhere."
        )
        + "</footer></main></body></html>\n"
    )
