"""Benchmark the add-in's card right after an agent cycle, on bench.py's synthetic stores.

For each size: analyse the store as the agent's cycle does (``analyse_store``, the store's
fingerprint read just before), hand the analysis to a ``CardService`` as ``agent
--serve-addin`` does (``CardService.offer``), then time the first card for ``bench.store_contact``
and a second one; then the first card of a service of its own that finds the answers the cycle
kept (``app.answers.keep``, as ``addin serve`` beside an agent in another process); then,
those answers dropped, the first card of a service that analyses the store itself, as the card
server did after every sync. The three cards must be equal. In-process, wall seconds.

Usage::

    python scripts/bench_card.py --sizes 10000,1000000 --work DIR

Prints one line per size. Not a test: no pass or fail, just the figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench

from outlook_networking.addin.commands import CardService
from outlook_networking.app.analysis import analyse_store
from outlook_networking.app.answers import keep
from outlook_networking.config import config_from_mapping
from outlook_networking.i18n import wording_for
from outlook_networking.store import Store


def measure(path: Path, size: int) -> str:
    config = config_from_mapping({})
    address = bench.store_contact(size)
    with Store.open(path, create=False) as store:
        before = store.fingerprint()
        generation = store.generation()
        started = time.perf_counter()
        insight = analyse_store(store, config, bench.NOW)
        analysed = time.perf_counter() - started
        if not keep(store, insight, config, wording_for(config), generation):
            raise SystemExit(f"{size:,}: the store changed while it was analysed")
    offered = CardService(path, config, lambda: bench.NOW)
    offered.offer(insight, before, bench.NOW)
    del insight
    started = time.perf_counter()
    card = offered(address)
    first = time.perf_counter() - started
    started = time.perf_counter()
    offered(address)
    again = time.perf_counter() - started
    del offered
    started = time.perf_counter()
    served = CardService(path, config, lambda: bench.NOW)(address)
    from_kept = time.perf_counter() - started
    bench.drop_answers(path)
    started = time.perf_counter()
    own = CardService(path, config, lambda: bench.NOW)(address)
    alone = time.perf_counter() - started
    if card is None or card != own or served != own:
        raise SystemExit(f"{size:,}: the cards of the cycle's analysis, of the kept answers "
                         "and of a fresh analysis differ")
    return (
        f"{size:,} interactions: the cycle's analysis {analysed:.1f} s; the first card with "
        f"it handed over {first * 1000:.0f} ms, the next {again * 1000:.0f} ms; the first "
        f"card of a service of its own from the answers the cycle kept {from_kept * 1000:.0f} "
        f"ms; the first card of a service analysing the store itself {alone:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument(
        "--work",
        metavar="DIR",
        help="where bench.py keeps its stores (default: $TMPDIR/outlook-networking-bench)",
    )
    args = parser.parse_args()
    work = (
        Path(args.work) if args.work else Path(tempfile.gettempdir()) / ("outlook-networking-bench")
    )
    work.mkdir(parents=True, exist_ok=True)
    for size in (int(n) for n in args.sizes.split(",") if n.strip()):
        path, _ = bench.synthetic_store(work, size)
        print(measure(path, size), flush=True)


if __name__ == "__main__":
    main()
