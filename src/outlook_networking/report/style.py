"""The report's stylesheet, inlined into the page: system fonts only, readable from 1280 px down
to a phone, printable.

Under 600 px a table with ``class="cards"`` becomes a stack of cards, each cell under its column's
name (``data-label``), and the charts' narrow drawings replace the wide ones; long words (an
address, a subject) break rather than push the page sideways.

Exports: ``CSS``.
"""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
:root {
  --ink: #1f2933; --muted: #6b7280; --line: #e5e7eb; --paper: #f6f7f9; --card: #ffffff;
  --accent: #2563eb; --warn: #b91c1c;
  --a: #1a7f5a; --b: #2563eb; --c: #c99a06; --d: #9aa1ab;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--paper); color: var(--ink); overflow-wrap: break-word;
  hyphens: auto; /* long German words break at a syllable where the browser can */
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "Liberation Sans", sans-serif;
}
main { max-width: 1180px; margin: 0 auto; padding: 28px 28px 48px; }
h1 { font-size: 30px; line-height: 1.15; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 0 0 6px; display: flex; align-items: center; gap: 10px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 0 0 10px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: 13px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.muted { color: var(--muted); }
.lede { color: var(--muted); max-width: 70ch; }
.empty { color: var(--muted); font-style: italic; }
header.top {
  display: flex; justify-content: space-between; align-items: flex-end; gap: 24px;
  flex-wrap: wrap; margin-bottom: 20px;
}
nav { display: flex; gap: 16px; flex-wrap: wrap; font-size: 14px; }
.summary {
  display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 16px; margin-bottom: 20px;
}
.stat, .card {
  background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04);
}
.stat { padding: 14px 18px; }
.stat-label { color: var(--muted); font-size: 13px; text-transform: uppercase;
  letter-spacing: 0.04em; }
.stat-value { font-size: 30px; font-weight: 650; line-height: 1.2;
  font-variant-numeric: tabular-nums; }
.stat-note { color: var(--muted); font-size: 13px; }
.card { padding: 20px 24px 22px; margin-bottom: 20px; }
.split { display: grid; grid-template-columns: 3fr 2fr; gap: 28px; align-items: center; }
.split.two { grid-template-columns: 1fr 1fr; align-items: start; }
.tier-counts { list-style: none; padding: 0; margin: 0; }
.tier-counts li { padding: 6px 0; border-bottom: 1px solid var(--line); }
.tier-counts li:last-child { border-bottom: 0; }
.chip {
  display: inline-block; min-width: 22px; padding: 0 6px; border-radius: 5px; color: #fff;
  font-size: 12px; font-weight: 700; text-align: center; line-height: 20px;
}
.tier-A { background: var(--a); } .tier-B { background: var(--b); }
.tier-C { background: var(--c); } .tier-D { background: var(--d); }
.count {
  font-size: 13px; font-weight: 600; background: var(--paper); border: 1px solid var(--line);
  border-radius: 999px; padding: 0 9px; color: var(--muted);
}
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 13px; margin: 4px 0 8px; }
.key { display: inline-flex; align-items: center; gap: 6px; }
.key i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; }
.key i.ring { border: 2.5px solid #111827; border-radius: 50%; background: #fff; }
.key i.dash { height: 0; width: 18px; border-top: 2px dashed #dc2626; border-radius: 0; }
svg.chart, svg.graph { display: block; width: 100%; height: auto; }
svg.narrow { display: none; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis-label { fill: var(--muted); font-size: 12px; }
svg .bar-value { fill: var(--ink); font-size: 14px; font-weight: 650; }
svg .target-label {
  font-size: 12px; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 4px;
  stroke-linejoin: round;
}
svg.tier-bars .axis-label { fill: var(--ink); font-size: 14px; }
.graph-box { border: 1px solid var(--line); border-radius: 8px; background: #fbfcfd; }
svg.graph .edges line { stroke: #94a3b8; stroke-linecap: round; }
svg.graph .node circle { stroke: #fff; stroke-width: 1.5; }
svg.graph .node circle.halo { fill: none; stroke: #111827; stroke-width: 2.5; }
svg.graph .node-label {
  font-size: 12px; fill: #374151; paint-order: stroke; stroke: #fbfcfd; stroke-width: 4px;
  stroke-linejoin: round;
}
svg.graph .broker-label { font-weight: 700; fill: #111827; font-size: 13px; }
table { width: 100%; border-collapse: collapse; font-size: 14px; margin-top: 6px; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 12px;
  text-transform: uppercase; letter-spacing: 0.04em; border-bottom: 1px solid var(--line);
  padding: 8px 10px; }
td { padding: 9px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.due { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.overdue td.due { color: var(--warn); font-weight: 600; }
td.who { min-width: 200px; }
.person { font-weight: 600; }
.org { color: var(--muted); margin-left: 6px; font-size: 13px; }
.task { font-weight: 500; }
.reason { color: var(--muted); font-size: 13px; }
.kind { display: inline-block; white-space: nowrap; font-size: 12px; font-weight: 600;
  padding: 1px 8px; border-radius: 999px; background: #eef2ff; color: #3730a3; }
.kind-owed_reply { background: #fee2e2; color: #991b1b; }
.kind-awaiting_answer { background: #fef3c7; color: #92400e; }
.kind-cooling { background: #e0f2fe; color: #075985; }
.kind-unreciprocated { background: #f3f4f6; color: #374151; }
.kind-thank_or_return { background: #dcfce7; color: #166534; }
.kind-annual_review { background: #f3e8ff; color: #6b21a8; }
.kind-birthday { background: #fce7f3; color: #9d174d; }
.noted h4 { margin: 12px 0 4px; font-size: 14px; }
.noted ul { list-style: none; padding: 0; margin: 0; }
.noted li { display: flex; justify-content: space-between; gap: 12px; padding: 4px 8px;
  margin: 3px 0; background: #fffbe6; border-left: 3px solid #e8c547; }
.noted .note { white-space: pre-wrap; overflow-wrap: anywhere; }
.noted .muted { flex: none; white-space: nowrap; }  /* the day on one line */
ul.people, ul.clusters { list-style: none; padding: 0; margin: 0; }
ul.people li, ul.clusters li { padding: 6px 0; border-bottom: 1px solid var(--line); }
ul.people li { display: flex; justify-content: space-between; gap: 12px; }
ul.clusters { margin-top: 12px; font-size: 14px; }
.kinds { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 6px; }
.tier-counts .names { color: var(--muted); font-size: 13px; margin: 2px 0 0 30px; }
ol.paths { padding-left: 22px; margin: 4px 0 10px; }
ol.paths li { padding: 6px 0; border-bottom: 1px solid var(--line); }
details.more { margin-top: 8px; }
details.more summary { cursor: pointer; color: var(--accent); font-weight: 600; padding: 6px 0; }
footer { font-size: 13px; margin-top: 8px; }
.kind.kind-snoozed, tr.snoozed .kind { opacity: 0.7; }
@media (max-width: 800px) {
  main { padding: 16px; }
  .summary { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .split, .split.two { grid-template-columns: 1fr; }
  header.top { align-items: flex-start; }
  td.who { min-width: 0; }
}
@media (max-width: 600px) {
  main { padding: 12px 10px 32px; }
  h1 { font-size: 25px; }
  .card { padding: 14px 14px 16px; }
  .summary { gap: 10px; }
  .stat { padding: 10px 12px; }
  .stat-value { font-size: 24px; }
  .stat-label { font-size: 11px; letter-spacing: 0.02em; } /* "NACHVERFOLGUNGEN" fits */
  nav { gap: 6px 14px; }
  svg.wide { display: none; }
  svg.narrow { display: block; }
  svg.narrow .axis-label { font-size: 13px; }
  svg.graph.narrow .broker-label { font-size: 15px; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards thead {
    position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  }
  table.cards tr {
    border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px 8px; margin: 10px 0;
  }
  table.cards td, table.cards tr:last-child td { border: 0; padding: 4px 0; text-align: left; }
  table.cards td { overflow-wrap: anywhere; }
  table.cards td::before {
    content: attr(data-label); display: block; color: var(--muted); font-size: 11px;
    font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em;
  }
  /* Numbers side by side, each after its name; a follow-up's date and kind on one line. */
  table.cards td.num { display: inline-block; width: auto; margin-right: 20px; }
  table.cards td.num::before { display: inline; margin-right: 6px; }
  table.followups td.due, table.followups td.kind-cell {
    display: inline-block; width: auto; margin-right: 10px;
  }
  table.followups td::before { content: none; }
  ul.people li { flex-direction: column; gap: 0; }
  .tier-counts .names { margin-left: 0; }
}
@media print {
  body { background: #fff; }
  .card, .stat { box-shadow: none; break-inside: avoid; }
  nav { display: none; }
}
"""
