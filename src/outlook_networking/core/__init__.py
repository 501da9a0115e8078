"""The pure intelligence core: interactions, cards, the owner's addresses, settings and ``now`` in;
histories, scores, tiers, follow-ups and reviews out. No clock, disk or network in here.

Modules, one concept each: ``settings`` (thresholds and their TOML form), ``threads`` (which
message answers which), ``identity`` (addresses grouped into persons), ``history`` (per-person
counts and rhythms), ``scoring`` (strength 0–100), ``tiers`` (A–D with reasons), ``followups``
(what to do next), ``review`` (the annual review), ``keypersons`` (clusters and brokers),
``timeinvested`` (hours per week), ``network`` (the one entry point the CLI calls) and ``views``
(the documented JSON schemas).
"""

from __future__ import annotations
