"""Debian's Chromium for the browser tests: where it is, how it starts, where screenshots go.

Started as the machine's notes say it must be here: headless, no sandbox (root), and with every
kind of background networking off, since nothing but 127.0.0.1 and file:// is reachable.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # git-ignored
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
