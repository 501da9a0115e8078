"""The report's charts as inline SVG strings: tier distribution, activity per tier over time, and
time invested per week against the target.

Every chart scales with the page (``viewBox``, width 100 %), uses the page's fonts and colours
(CSS classes defined in :mod:`.html`), carries a ``<title>`` for screen readers and escapes every
text it draws. Each comes in two drawings: ``wide`` for a desktop and ``narrow`` for a phone,
where the same 12 px labels would otherwise shrink to a third; the page shows one of them
(``class="wide"`` or ``"narrow"``).

Their words, numbers and dates come from the reader's :class:`~outlook_networking.i18n.Wording`.

Exports: ``TIER_COLOURS``, ``MEETING_COLOUR``, ``MAIL_COLOUR``, ``tier_bars``, ``activity_chart``,
``time_chart``, ``nice_ceiling``, ``axis_top``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from html import escape

from ..i18n import Wording

__all__ = [
    "MAIL_COLOUR",
    "MEETING_COLOUR",
    "TIER_COLOURS",
    "activity_chart",
    "axis_top",
    "nice_ceiling",
    "tier_bars",
    "time_chart",
]

# Close to Outlook's category presets the product writes: green, blue, yellow, grey.
TIER_COLOURS = {"A": "#1a7f5a", "B": "#2563eb", "C": "#c99a06", "D": "#9aa1ab"}
MEETING_COLOUR = "#4f46e5"
MAIL_COLOUR = "#a5b4fc"
TARGET_COLOUR = "#dc2626"


def nice_ceiling(value: float) -> float:
    """The next 1, 2, 2.5 or 5 × 10ⁿ at or above ``value`` (at least 1): a readable axis top."""
    if value <= 1:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def axis_top(peak: float) -> float:
    """The top of a four-step axis whose steps are readable numbers (1, 2, 2.5, 5 × 10ⁿ)."""
    return 4 * nice_ceiling(peak / 4)


def _hours(words: Wording, value: float) -> str:
    """Hours as people read them: one decimal at most (``5,6 Std.`` / ``5.6 hrs``)."""
    return words.hours(round(value, 1))


def _both(draw: Callable[[bool], str]) -> str:
    """The wide and the narrow drawing of one chart."""
    return draw(False) + draw(True)


def _svg(width: int, height: int, title: str, body: list[str], css_class: str) -> str:
    return (
        f'<svg class="chart {css_class}" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def tier_bars(counts: Mapping[str, int], labels: Mapping[str, str], words: Wording) -> str:
    """Horizontal bars, one per tier, labelled with the category name and the count."""
    return _both(lambda narrow: _tier_bars(counts, labels, words, narrow))


def _tier_bars(
    counts: Mapping[str, int], labels: Mapping[str, str], words: Wording, narrow: bool
) -> str:
    width, row, left, right = (340, 38, 110, 44) if narrow else (560, 38, 120, 60)
    tiers = list(counts)
    height = row * len(tiers) + 10
    top = max(counts.values(), default=0) or 1
    body: list[str] = []
    for i, tier in enumerate(tiers):
        y = 8 + i * row
        length = (width - left - right) * counts[tier] / top
        colour = TIER_COLOURS.get(tier, "#888")
        body.append(
            f'<text class="axis-label" x="{left - 12}" y="{y + 19}" text-anchor="end">'
            f"{escape(labels.get(tier, tier))}</text>"
            f'<rect x="{left}" y="{y + 4}" width="{max(length, 2):.1f}" height="{row - 14}" '
            f'rx="4" fill="{colour}" data-tier="{escape(tier)}"/>'
            f'<text class="bar-value" x="{left + max(length, 2) + 8:.1f}" y="{y + 19}">'
            f"{escape(words.number(counts[tier]))}</text>"
        )
    title = words.gettext("Contacts per tier: {counts} (of {total})").format(
        counts=", ".join(f"{t} {words.number(c)}" for t, c in counts.items()),
        total=words.number(sum(counts.values())),
    )
    size = "narrow" if narrow else "wide"
    return _svg(width, height, title, body, f"tier-bars {size}")


def activity_chart(
    series: Mapping[str, Sequence[int]], months: Sequence[str], words: Wording
) -> str:
    """One line per tier: mails and meetings per month (``YYYY-MM``) with that tier's
    contacts."""
    return _both(lambda narrow: _activity_chart(series, months, words, narrow))


def _month(month: str) -> date:
    return date(int(month[:4]), int(month[5:]), 1)


def _activity_chart(
    series: Mapping[str, Sequence[int]], months: Sequence[str], words: Wording, narrow: bool
) -> str:
    width, height = (360, 260) if narrow else (900, 300)
    left, right, top_pad, bottom = (44, 12, 16, 40) if narrow else (56, 16, 16, 40)
    every = 6 if narrow else 3  # months between labels
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    peak = max((v for values in series.values() for v in values), default=0)
    ceiling = axis_top(peak)
    body: list[str] = []
    for step in range(5):
        value = ceiling * step / 4
        y = top_pad + plot_h - plot_h * step / 4
        body.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis-label" x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(words.number(value))}</text>"
        )
    count = len(months)

    def x_of(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    shown_year = ""
    for i, month in enumerate(months):
        # Every third (narrow: sixth) month counted back from the latest; the year whenever it
        # changes.
        if (count - 1 - i) % every:
            continue
        year = month[:4]
        label = words.month(_month(month), year=year != shown_year)
        shown_year = year
        body.append(
            f'<text class="axis-label" x="{x_of(i):.1f}" y="{height - bottom + 18}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for tier, values in series.items():
        colour = TIER_COLOURS.get(tier, "#888")
        points = " ".join(
            f"{x_of(i):.1f},{top_pad + plot_h - plot_h * v / ceiling:.1f}"
            for i, v in enumerate(values)
        )
        body.append(
            f'<polyline class="series" data-tier="{escape(tier)}" fill="none" '
            f'stroke="{colour}" stroke-width="2.5" stroke-linejoin="round" points="{points}"/>'
        )
        if values:
            last = len(values) - 1
            body.append(
                f'<circle cx="{x_of(last):.1f}" '
                f'cy="{top_pad + plot_h - plot_h * values[last] / ceiling:.1f}" r="3.5" '
                f'fill="{colour}"/>'
            )
    title = words.gettext("Mails and meetings per month by tier")
    if months:
        title = words.gettext("Mails and meetings per month by tier, {first} to {last}").format(
            first=words.month(_month(months[0]), year=True),
            last=words.month(_month(months[-1]), year=True),
        )
    return _svg(width, height, title, body, "activity narrow" if narrow else "activity wide")


def time_chart(weeks: Sequence[tuple[date, float, float]], target: float, words: Wording) -> str:
    """Stacked weekly bars (meetings, mail) with the target as a dashed line.

    ``weeks`` holds (Monday, meeting hours, mail hours), oldest first.
    """
    return _both(lambda narrow: _time_chart(weeks, target, words, narrow))


def _time_chart(
    weeks: Sequence[tuple[date, float, float]], target: float, words: Wording, narrow: bool
) -> str:
    width, height = (360, 240) if narrow else (900, 260)
    left, right, top_pad, bottom = (48, 12, 16, 40) if narrow else (56, 16, 16, 40)
    every = max(1, math.ceil(len(weeks) / 5)) if narrow else 1  # weeks between labels
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    peak = max([m + e for _, m, e in weeks] + [target], default=0.0)
    ceiling = axis_top(peak * 1.05)
    body: list[str] = []
    for step in range(5):
        value = ceiling * step / 4
        y = top_pad + plot_h - plot_h * step / 4
        body.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis-label" x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_hours(words, value))}</text>"
        )
    slot = plot_w / max(len(weeks), 1)
    bar = slot * 0.62
    for i, (monday, meeting, mail) in enumerate(weeks):
        x = left + i * slot + (slot - bar) / 2
        meeting_h = plot_h * meeting / ceiling
        mail_h = plot_h * mail / ceiling
        base = top_pad + plot_h
        tip = words.gettext("week of {day}: {meetings} meetings, {mail} mail").format(
            day=words.day_month(monday),
            meetings=_hours(words, meeting),
            mail=_hours(words, mail),
        )
        body.append(
            f'<g class="week"><title>{escape(tip)}</title>'
            f'<rect x="{x:.1f}" y="{base - meeting_h:.1f}" width="{bar:.1f}" '
            f'height="{meeting_h:.1f}" fill="{MEETING_COLOUR}"/>'
            f'<rect x="{x:.1f}" y="{base - meeting_h - mail_h:.1f}" width="{bar:.1f}" '
            f'height="{mail_h:.1f}" fill="{MAIL_COLOUR}"/></g>'
        )
        if (len(weeks) - 1 - i) % every == 0:  # the latest week always has its label
            body.append(
                f'<text class="axis-label" x="{x + bar / 2:.1f}" y="{height - bottom + 18}" '
                f'text-anchor="middle">{escape(words.day_month(monday))}</text>'
            )
    y_target = top_pad + plot_h - plot_h * target / ceiling
    target_label = words.gettext("target {hours}").format(hours=_hours(words, target))
    body.append(
        f'<line class="target" x1="{left}" x2="{width - right}" y1="{y_target:.1f}" '
        f'y2="{y_target:.1f}" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text class="target-label" x="{width - right - 4}" y="{y_target - 6:.1f}" '
        f'text-anchor="end" fill="{TARGET_COLOUR}">{escape(target_label)}</text>'
    )
    title = words.gettext("Hours per week in the network against {hours}").format(
        hours=_hours(words, target)
    )
    return _svg(width, height, title, body, "time narrow" if narrow else "time wide")
