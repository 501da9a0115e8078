"""Benchmark the background agent: CPU while idle, and memory over many cycles.

Starts the EWS test server (tests/servers/ews) on 127.0.0.1 with a seeded mailbox, then runs the
agent as its own process in its loop with a short interval, and watches that process from
outside through /proc (Linux). The agent is the real command, ``outlook-networking agent
--interval SECONDS``, signed in with ``auth = "token"``:

- **RSS per cycle**: sampled at the end of every cycle (the agent's ``cycle.end`` log line); the
  report gives the first, median and last values and the growth from the tenth cycle on, which
  is what "memory stays flat" means once caches are warm.
- **CPU per cycle** for the quiet cycles (nothing new), and every ``--mail-every`` cycles a new
  message arrives so the cycles also sync, re-analyse and plan.
- **CPU while idle**: a second run waits ``--idle-seconds`` between two cycles (interval longer
  than the idle window); the CPU the process spends in that window, per minute.
- **A cycle on a large store** (``--cycle-stores 10000,1000000``, issue 16): the synthetic store
  of ``scripts/bench.py`` of each size (kept in ``--work``) is copied, ``agent --once`` runs a
  first cycle against an empty EWS test mailbox of its owner (the store's first write-back, not
  measured), the mailbox receives 100 new messages from the store's own contacts, and a second
  ``agent --once`` is measured: sync the 100, analyse the whole store, plan and apply what
  changed. Wall, CPU and peak RSS of that process (``wait4``, interpreter start-up included),
  and the ratio of the largest store's CPU to the smallest's. Once that cycle's sync is done
  (its log says so), ``contacts --json`` and ``contact ADDR --json`` run as a user would type
  them while it analyses: served from the answers kept before (``app.answers.renewing``),
  not a second analysis. Then the agent's loop runs four
  cycles on that store with nothing new: the CPU of each (the first, in a new process,
  analyses; the quiet ones after it do not).

Usage::

    python scripts/bench_agent.py --cycles 200 --interval 0.5 --idle-seconds 60
    python scripts/bench_agent.py --cycles 0 --idle-seconds 0 --cycle-stores 10000,1000000

Prints one JSON document. Not a test: no pass or fail, just the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))  # bench.py's synthetic stores

from agent.harness import TOKEN, ews_config, ews_server  # noqa: E402
from agent.world import NOW, build_world, load_ews  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of ``pid``, in nanosecond resolution where schedstat exists."""
    tasks = list(Path(f"/proc/{pid}/task").glob("*/schedstat"))
    if tasks:
        return sum(int(t.read_text().split()[0]) for t in tasks) / 1e9
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime, in ticks


def rss_mib(pid: int) -> float:
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * PAGE_SIZE / (1 << 20)


def _events(log: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    if not log.exists():
        return [], offset
    with log.open("rb") as handle:
        handle.seek(offset)
        data = handle.read()
    complete = data[: data.rfind(b"\n") + 1]
    events = [json.loads(line) for line in complete.decode().splitlines() if line.strip()]
    return events, offset + len(complete)


def _start(workdir: Path, db: Path, config: Path, interval: float) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OUTLOOK_NETWORKING_ACCESS_TOKEN": TOKEN,
        "OUTLOOK_NETWORKING_LOG_DIR": str(workdir / "logs"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "outlook_networking", "--db", str(db), "--config", str(config),
         "--now", NOW.isoformat(), "agent", "--interval", str(interval)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _stop(agent: subprocess.Popen[bytes]) -> int:
    agent.send_signal(signal.SIGTERM)
    return agent.wait(timeout=60)


def cycles_run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    world = build_world(seed=11, people=24, messages=args.messages)
    with ews_server(validate_responses=False, validate_requests=False) as server:
        load_ews(server.mailbox, world)
        config = ews_config(workdir / "cycles.toml", server)
        db = workdir / "cycles.sqlite3"
        log = workdir / "logs" / "agent.log"
        agent = _start(workdir, db, config, args.interval)
        offset, rss, cpu_marks, results = 0, [], [], []
        mail = 0
        started = time.monotonic()
        try:
            while len(rss) < args.cycles:
                if agent.poll() is not None:
                    raise SystemExit(f"the agent ended with {agent.returncode}; see {log}")
                events, offset = _events(log, offset)
                for event in events:
                    if event["event"] != "cycle.end":
                        continue
                    rss.append(rss_mib(agent.pid))
                    cpu_marks.append(cpu_seconds(agent.pid))
                    results.append((event["result"], event["items"], event["applied"]))
                    if args.mail_every and len(rss) % args.mail_every == 0:
                        mail += 1
                        sender = f"person{mail % 24:02d}.last@corp{mail % 5}.example"
                        server.mailbox.add_message(
                            "inbox", subject=f"Bench {mail}", sender=("Bench", sender),
                            to=[("Me", "me@example.com")],
                            sent=NOW - timedelta(hours=1), message_id=f"<bench{mail}@example>",
                        )
                time.sleep(0.02)
        finally:
            code = _stop(agent)
        elapsed = time.monotonic() - started
        counts = dict(server.counts)
    quiet = [
        cpu_marks[i] - cpu_marks[i - 1]
        for i in range(2, len(cpu_marks))
        if results[i][1] == 0 and results[i - 1][1] == 0
    ]
    warm = rss[9:] if len(rss) > 10 else rss
    return {
        "cycles": len(rss),
        "interval_s": args.interval,
        "messages": args.messages,
        "new_mail_every": args.mail_every,
        "wall_s": round(elapsed, 1),
        "exit_code": code,
        "results": dict(sorted({r: sum(1 for x in results if x[0] == r)
                                for r in {x[0] for x in results}}.items())),
        "rss_mib": {
            "first": round(rss[0], 1),
            "cycle_10": round(rss[min(9, len(rss) - 1)], 1),
            "median": round(statistics.median(rss), 1),
            "last": round(rss[-1], 1),
            "max": round(max(rss), 1),
            "growth_after_cycle_10_mib": round(warm[-1] - warm[0], 2),
        },
        "cpu_s": {
            "first_cycle": round(cpu_marks[0], 2),
            "total": round(cpu_marks[-1], 2),
            "quiet_cycle_median": round(statistics.median(quiet), 4) if quiet else None,
            "quiet_cycle_max": round(max(quiet), 4) if quiet else None,
        },
        "server_requests": counts,
    }


def idle_run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    world = build_world(seed=11, people=24, messages=args.messages)
    with ews_server(validate_responses=False, validate_requests=False) as server:
        load_ews(server.mailbox, world)
        config = ews_config(workdir / "idle.toml", server)
        db = workdir / "idle.sqlite3"
        log = workdir / "logs" / "agent.log"
        log.unlink(missing_ok=True)
        # The interval is longer than the window: after the first cycle it only waits.
        agent = _start(workdir, db, config, args.idle_seconds * 10)
        offset = 0
        try:
            waiting = False
            while not waiting:
                if agent.poll() is not None:
                    raise SystemExit(f"the agent ended with {agent.returncode}; see {log}")
                events, offset = _events(log, offset)
                waiting = any(e["event"] == "cycle.next" for e in events)
                time.sleep(0.05)
            time.sleep(1.0)  # let the cycle's last writes and frees settle
            cpu_before, rss_before = cpu_seconds(agent.pid), rss_mib(agent.pid)
            t0 = time.monotonic()
            time.sleep(args.idle_seconds)
            cpu_after, rss_after = cpu_seconds(agent.pid), rss_mib(agent.pid)
            window = time.monotonic() - t0
        finally:
            _stop(agent)
    return {
        "window_s": round(window, 1),
        "cpu_s": round(cpu_after - cpu_before, 6),
        "cpu_s_per_idle_minute": round((cpu_after - cpu_before) * 60 / window, 6),
        "rss_mib_before": round(rss_before, 1),
        "rss_mib_after": round(rss_after, 1),
    }


def cycle_on_store(size: int, work: Path, workdir: Path) -> dict[str, Any]:
    """One agent cycle bringing 100 new messages into a copy of the synthetic store of ``size``
    interactions (see the module docstring)."""
    import shutil

    import bench

    kept, _ = bench.synthetic_store(work, size)
    db = workdir / f"cycle-{size}.sqlite3"
    shutil.copyfile(kept, db)
    with ews_server(address=bench.OWNER, validate_responses=False,
                    validate_requests=False) as server:
        config = workdir / f"cycle-{size}.toml"
        config.write_text(
            f'[[accounts]]\nname = "work"\naddress = "{bench.OWNER}"\nconnector = "ews"\n'
            f'endpoint = "{server.url}"\nauth = "token"\n', encoding="utf-8")
        first = _agent_once(db, config, workdir)  # the store's first write-back: not measured
        for n in range(100):
            sender = bench.store_person(size, n % 40)
            server.mailbox.add_message(
                "inbox", subject=f"Cycle {n}", sender=(f"Person {n % 40}", sender),
                to=[("Alex Example", bench.OWNER)], sent=bench.NOW - timedelta(minutes=n + 1),
                message_id=f"<cycle{n}@bench.example>",
            )
        reads: dict[str, Any] = {}

        def read_meanwhile() -> None:
            for name, args in (("contacts", ["contacts", "--json"]),
                               ("contact", ["contact", bench.store_contact(size), "--json"])):
                reads[name] = bench.read_command(db, args, workdir).as_dict()

        cycle = _agent_once(db, config, workdir, during=read_meanwhile)
        quiet = _quiet_cycles(db, config, workdir)
    if cycle["synced"] != 100:
        raise SystemExit(f"the measured cycle on the {size:,} store synced {cycle['synced']}")
    return {"interactions": size, "new_messages": 100, **cycle, "first_cycle": first,
            "reads_while_it_analyses": reads, "loop": quiet}


def _quiet_cycles(db: Path, config: Path, workdir: Path, cycles: int = 4,
                  interval: float = 3.0) -> dict[str, Any]:
    """The agent's loop on the store after the measured cycle, nothing new in the mailbox: the
    first cycle of a new process analyses, the following ones are quiet (agent/cycle.py). CPU
    of the process between the ends of two cycles (its nap included), read from /proc."""
    import bench

    log = workdir / "logs" / "agent.log"
    offset = log.stat().st_size if log.exists() else 0
    env = {**os.environ, "OUTLOOK_NETWORKING_ACCESS_TOKEN": TOKEN,
           "OUTLOOK_NETWORKING_LOG_DIR": str(workdir / "logs")}
    agent = subprocess.Popen(
        [sys.executable, "-m", "outlook_networking", "--db", str(db), "--config", str(config),
         "--now", bench.NOW.isoformat(), "agent", "--interval", str(interval)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    ends: list[dict[str, Any]] = []
    try:
        while len(ends) < cycles:
            if agent.poll() is not None:
                raise SystemExit(f"the agent ended with {agent.returncode}; see {log}")
            events, offset = _events(log, offset)
            for event in events:
                if event["event"] == "cycle.end":
                    ends.append({"analysed": event.get("analysed"), "result": event["result"],
                                 "cpu_mark": cpu_seconds(agent.pid)})
            time.sleep(0.02)
    finally:
        _stop(agent)
    marks = [0.0] + [e["cpu_mark"] for e in ends]
    return {
        "interval_s": interval,
        "cycles": [{"analysed": e["analysed"], "result": e["result"],
                    "cpu_s": round(marks[i + 1] - marks[i], 3)} for i, e in enumerate(ends)],
    }


def _agent_once(db: Path, config: Path, workdir: Path,
                during: Callable[[], None] | None = None) -> dict[str, Any]:
    """``agent --once`` as its own process: what its cycle did, its wall, CPU and peak RSS.
    ``during`` runs once the cycle's sync is done, while it analyses (from its log)."""
    import bench

    log = workdir / "logs" / "agent.log"
    offset = log.stat().st_size if log.exists() else 0
    env = {**os.environ, "OUTLOOK_NETWORKING_ACCESS_TOKEN": TOKEN,
           "OUTLOOK_NETWORKING_LOG_DIR": str(workdir / "logs")}
    started = time.monotonic()
    agent = subprocess.Popen(
        [sys.executable, "-m", "outlook_networking", "--db", str(db), "--config", str(config),
         "--now", bench.NOW.isoformat(), "agent", "--once"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    assert agent.stderr is not None
    collected: list[bytes] = []
    reader = threading.Thread(target=lambda: collected.append(agent.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    while during is not None and agent.poll() is None:
        events, offset = _events(log, offset)
        if any(e["event"] == "sync.done" for e in events):
            during()
            break
        time.sleep(0.01)
    reader.join()  # until it exits
    errors = b"".join(collected).decode(errors="replace").strip()
    agent.stderr.close()
    if agent.returncode is not None:  # reaped while waiting for its sync: no usage to read
        raise SystemExit(f"agent --once on {db.name} ended before its sync did: {errors}")
    _, status, usage = os.wait4(agent.pid, 0)
    agent.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    ended = re.search(r"cycle\.end .*result=(\S+) items=(\d+) applied=(\d+)", errors)
    if agent.returncode != 0 or ended is None or ended.group(1) != "ok":
        raise SystemExit(f"agent --once on {db.name} did not end a cycle well: {errors}")
    return {"synced": int(ended.group(2)), "applied": int(ended.group(3)),
            "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "max_rss_mib": round(usage.ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--mail-every", type=int, default=10)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--cycle-stores", default="",
                        help="synthetic store sizes for one cycle each, e.g. 10000,1000000")
    parser.add_argument("--work", metavar="DIR", help="where scripts/bench.py keeps its stores "
                        "(default: $TMPDIR/outlook-networking-bench)")
    args = parser.parse_args()
    if not Path("/proc/self/stat").exists():
        raise SystemExit("this benchmark reads /proc: run it on Linux")
    with tempfile.TemporaryDirectory(prefix="bench-agent-") as tmp:
        workdir = Path(tmp)
        report = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": sys.version.split()[0],
            "load_average": os.getloadavg(),
            "cycles": cycles_run(args, workdir) if args.cycles > 0 else None,
            "idle": idle_run(args, workdir) if args.idle_seconds > 0 else None,
        }
        sizes = [int(n) for n in args.cycle_stores.split(",") if n.strip()]
        if sizes:
            work = Path(args.work) if args.work else Path(tempfile.gettempdir()) / (
                "outlook-networking-bench")
            work.mkdir(parents=True, exist_ok=True)
            runs = [cycle_on_store(size, work, workdir) for size in sizes]
            report["cycle_on_store"] = {
                "runs": runs,
                "cpu_ratio_largest_to_smallest": round(runs[-1]["cpu_s"] / runs[0]["cpu_s"], 2),
            }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
