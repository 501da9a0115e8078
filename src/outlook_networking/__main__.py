"""``python -m outlook_networking``: the same as the ``outlook-networking`` command."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
