"""Both Outlook readers on mutated copies of the real fixtures: no traceback, no hang, bounded
memory. Each run is a child process under ``resource.setrlimit`` (address space and CPU time),
so a regression fails the test instead of eating the machine. The child runs Hypothesis outside
this pytest process, so it is told the loaded profile's ``derandomize``: CI (``ci``) sees the same
inputs every time, ``dev`` and ``scripts/soak.py`` fresh ones (set ``OUTLOOK_FUZZ_EXAMPLES`` for a
long run)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis runs in the child, so its pytest plugin cannot see it here (scripts/soak.py selects
# this mark).
pytestmark = pytest.mark.hypothesis

_MEMORY = 1536 * 1024 * 1024  # address space: Python, libpff and extract-msg's imports included
_CPU_SECONDS = 240
_CHILD = textwrap.dedent(
    """
    import resource, sys, tempfile
    from datetime import UTC, datetime
    from pathlib import Path

    resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
    resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
    from hypothesis import HealthCheck, example, given, settings, strategies as st

    from outlook_networking.ports import Problem, Skipped
    from outlook_networking.model import ContactCard, Interaction
    from outlook_networking.sources.msg import msg_records
    from outlook_networking.sources.pst import pst_records

    kind, examples, derandomize, *fixtures = sys.argv[1:]
    originals = [Path(f).read_bytes() for f in fixtures]
    workdir = Path(tempfile.mkdtemp())
    now = datetime(2020, 1, 1, tzinfo=UTC)
    mutation = st.tuples(
        st.integers(min_value=0), st.binary(min_size=1, max_size=64),
        st.sampled_from(["flip", "overwrite", "truncate", "insert"]),
    )

    def mutate(data, steps):
        data = bytearray(data)
        for where, noise, how in steps:
            at = where % (len(data) + 1)
            if how == "flip" and data:
                data[at % len(data)] ^= noise[0] or 0xFF
            elif how == "overwrite":
                data[at : at + len(noise)] = noise
            elif how == "truncate":
                del data[at:]
            else:
                data[at:at] = noise
        return bytes(data)

    @settings(max_examples=int(examples), derandomize=derandomize == "1", deadline=None,
              database=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(range(len(originals))), st.lists(mutation, min_size=1, max_size=6))
    # A soak run's find: a byte of 32-bit.pst (the first .pst) flipped broke its root folder.
    @example(0, [(517_098_760_117_409_730_789_372, b"\\x00", "flip")])
    def fuzz(index, steps):
        path = workdir / ("mutated." + kind)
        path.write_bytes(mutate(originals[index], steps))
        if kind == "pst":
            records = list(pst_records(path, source="file", now=now))
        else:
            records = list(msg_records(path, source="file", where=path.name, now=now))
        for record in records:
            assert isinstance(record, (Interaction, ContactCard, Problem, Skipped)), record
            if isinstance(record, Interaction):
                assert record.at.tzinfo is UTC
                assert not any(m.address.startswith("/") for m in record.participants())

    fuzz()
    print("fuzzed", examples)
    """
).format(memory=_MEMORY, cpu=_CPU_SECONDS)


def _fuzz(kind: str, fixtures: list[Path], examples: int) -> None:
    derandomize = "1" if settings().derandomize else "0"  # the profile conftest.py loaded
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(examples), derandomize, *map(str, fixtures)],
        capture_output=True,
        text=True,
        timeout=_CPU_SECONDS * 2,  # a hang that burns no CPU
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"fuzzed {examples}" in result.stdout
    assert "Traceback" not in result.stderr


def _examples() -> int:
    return int(os.environ.get("OUTLOOK_FUZZ_EXAMPLES", "60"))


def test_fuzz_pst(shared_dir: Path) -> None:
    fixtures = sorted((shared_dir / "fixtures" / "outlook-pst").glob("*.pst"))
    _fuzz("pst", fixtures, _examples())


@pytest.mark.parametrize("group", [0, 1])
def test_fuzz_msg(shared_dir: Path, group: int) -> None:
    fixtures = sorted((shared_dir / "fixtures" / "outlook-msg").glob("*.msg"))
    fixtures = [f for f in fixtures if f.stat().st_size][group::2]
    _fuzz("msg", fixtures, _examples())
