"""The chunked mbox scanner against a plain line-by-line reading of the same rules."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from outlook_networking.sources.mailfiles import iter_mbox

_FROM_LINE = re.compile(rb"^From \S*\s+\w{3} \w{3} [ \d]?\d \d\d?:\d\d")


def _by_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The rules read one line at a time: the obviously correct (and slow) version."""
    number, in_headers, previous_blank, lines = 0, False, True, []
    for line in io.BytesIO(data):
        if line[:5] == b"From " and (previous_blank or _FROM_LINE.match(line)):
            if in_headers and number:
                yield number, b"".join(lines)
            number, in_headers, lines, previous_blank = number + 1, True, [], False
            continue
        blank = line in (b"\n", b"\r\n")
        if in_headers:
            if blank:
                yield number, b"".join(lines)
                in_headers = False
            else:
                lines.append(line)
        previous_blank = blank
    if in_headers and number:
        yield number, b"".join(lines)


_LINES = st.sampled_from(
    [
        b"From a@b Mon Mar  3 10:00:00 2025\n",
        b"From a@b Mon Mar  3 10:00:00 2025\r\n",
        b"From the body, not a separator\n",
        b"From \n",
        b"From: x@y\n",
        b"Subject: hi\r\n",
        b"Received: by host\n",
        b"\tcontinued\n",
        b"\n",
        b"\r\n",
        b"body text\n",
        b">From escaped\n",
        b"no newline at end",
        b"From a@b Mon Mar  3 10:00:00 2025",
        b"\r",
        b"F",
    ]
)


@given(st.lists(_LINES, max_size=40), st.integers(min_value=1, max_value=64))
@settings(max_examples=600, deadline=None)
def test_chunked_scanner_matches_line_by_line(lines: list[bytes], chunk: int) -> None:
    data = b"".join(lines)
    assert list(iter_mbox(io.BytesIO(data), chunk=chunk)) == list(_by_lines(data))


def test_realistic_mailbox_with_tiny_chunks() -> None:
    message = (
        b"From alice@example.com Mon Mar  3 10:00:00 2025\n"
        b"From: Alice <alice@example.com>\nSubject: hi\n\nHello,\nFrom the body\n\n"
    )
    data = message * 50
    for chunk in (1, 7, 64, 4096):
        got = list(iter_mbox(io.BytesIO(data), chunk=chunk))
        assert len(got) == 50
        assert got[0] == (1, b"From: Alice <alice@example.com>\nSubject: hi\n")
        assert got == list(_by_lines(data))
