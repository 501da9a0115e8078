#!/usr/bin/env python3
"""Run the property tests many times in a row, each run with fresh random seeds.

CI runs Hypothesis deterministically (the ``ci`` profile, docs/testing.md), so it tries the same
examples every time. This script is how the rest of the example space gets explored: every test
file that uses Hypothesis, ``--runs`` times, under the ``soak`` profile (random, 100 examples
unless a test names its own count, no example database, so nothing carries over between runs).
It stops at the first failing run, whose output holds the falsifying example and the
``@reproduce_failure`` blob.

    python scripts/soak.py                 # 50 runs
    python scripts/soak.py --runs 5 tests/core/test_scoring.py
    python scripts/soak.py -k "not ews"    # extra pytest arguments after the paths

Exit status: 0 when every run passed, 1 at the first failing run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def property_test_files() -> list[str]:
    """Every test module that imports Hypothesis, relative to the repository."""
    found = []
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if "from hypothesis" in text or "import hypothesis" in text:
            found.append(str(path.relative_to(REPO)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="consecutive runs (default 50)")
    parser.add_argument("paths", nargs="*", help="test files (default: all that use Hypothesis)")
    parser.add_argument("-k", dest="keyword", help="pytest -k expression to select tests")
    args = parser.parse_args(argv)
    paths = args.paths or property_test_files()
    if args.keyword:
        paths = [*paths, "-k", args.keyword]
    env = {**os.environ, "HYPOTHESIS_PROFILE": "soak"}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    started = time.monotonic()
    for run in range(1, args.runs + 1):
        # A base directory of the run's own: pytest's shared one collects others' leftovers.
        with tempfile.TemporaryDirectory(prefix="soak-") as scratch:
            result = subprocess.run(
                [*command, f"--basetemp={scratch}/tmp", *paths],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        tail = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
        print(f"run {run}/{args.runs}: {tail[0]}", flush=True)
        if result.returncode != 0:
            print(result.stdout, result.stderr, sep="\n")
            return 1
    print(f"{args.runs} consecutive runs passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
