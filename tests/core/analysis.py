"""Running the whole core on hand-built interactions, for tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from outlook_networking.core.network import Network, analyse
from outlook_networking.core.settings import Settings
from outlook_networking.model import ContactCard, Interaction

from .builders import NOW, OWNER


def run(
    items: Iterable[Interaction],
    *,
    cards: Iterable[ContactCard] = (),
    settings: Settings | None = None,
    now: datetime = NOW,
    overrides: Mapping[str, tuple[str, str]] | None = None,
    last_review: Mapping[str, Any] | None = None,
) -> Network:
    return analyse(
        items,
        cards,
        owner=OWNER,
        settings=settings or Settings(),
        now=now,
        identity_overrides=overrides,
        last_review=last_review,
    )
