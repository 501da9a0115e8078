"""CPU time and peak RSS of reading a store in a fresh process: every row, or the whole analysis.

``rows`` reads every interaction (``Store.interactions``) into a list; ``analyse`` runs
``analyse_store`` (the analysis every read command and the agent's cycle make), with no
configuration and ``now`` = ``bench.NOW``. Use it on the synthetic stores ``scripts/bench.py``
keeps in its ``--work`` folder, and run each mode in its own process (peak RSS is the
process's)::

    python scripts/bench_read.py DIR/store-1000000-s7-v4.sqlite3 rows
    python scripts/bench_read.py DIR/store-1000000-s7-v4.sqlite3 analyse

Prints one line. Not a test: no pass or fail, just the figures.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench

from outlook_networking.app.analysis import analyse_store
from outlook_networking.config import config_from_mapping
from outlook_networking.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("mode", choices=("rows", "analyse"))
    args = parser.parse_args()
    started = time.process_time()
    with Store.open(args.store, create=False) as store:
        if args.mode == "rows":
            count = len(list(store.interactions()))
            what = f"{count:,} interactions read"
        else:
            insight = analyse_store(store, config_from_mapping({}), bench.NOW)
            what = f"{len(insight.network.contacts):,} contacts analysed"
    cpu = time.process_time() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.store.name} {args.mode}: {what}, {cpu:.2f} s CPU, peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
