"""``raises_saying``: ``pytest.raises`` for the line a person reads (``app.wording.describe``,
English), now that errors carry codes and values rather than sentences."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from outlook_networking.app.wording import describe


@contextmanager
def raises_saying(kind: type[BaseException], text: str) -> Iterator[Any]:
    """Expect ``kind`` to be raised, worded in English with ``text`` in it."""
    with pytest.raises(kind) as caught:
        yield caught
    said = describe(caught.value)
    assert text in said, said
