"""The HTML report (``report --html FILE``): one self-contained page built from the analysed
network and the ledger by a pure function; the CLI writes it.

Modules: ``html`` (the page), ``charts`` (SVG charts), ``graph`` (the network graph SVG),
``layout`` (its deterministic force layout), ``style`` (the inline stylesheet), ``intro`` (warm
introduction paths in words, for the report and the command line).

Exports: ``render_report``.
"""

from __future__ import annotations

from .html import render_report

__all__ = ["render_report"]
