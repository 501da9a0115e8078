"""outlook-networking: turn an Outlook/Exchange mailbox into a strategically maintained network.

The pipeline: source → interactions → store → histories → scores and tiers → follow-ups → plan →
sink. ``model`` holds the values, ``store`` the SQLite store, ``sources`` the file readers,
``connectors`` Exchange (EWS) and Microsoft Graph, ``core`` the pure intelligence, ``cli`` the
command line.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
