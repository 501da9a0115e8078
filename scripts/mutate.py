#!/usr/bin/env python3
"""Mutation testing: plant one small bug at a time in the modules whose promises matter most, and
see whether their tests notice.

    python scripts/mutate.py                          # every module in MODULES
    python scripts/mutate.py core/threads.py store.py # some (paths under src/outlook_networking)
    python scripts/mutate.py --list core/threads.py   # the mutants, without running them
    python scripts/mutate.py --again mutation-results/mutate-<time>.json   # its survivors only
    python scripts/mutate.py store.py --within apply_batch _apply 'journal*'  # some functions

Each mutant changes one thing in one module's syntax tree: a comparison (``==``/``!=``,
``<``/``<=``, ``in``/``not in``, ``is``/``is not``), ``and``/``or``, a dropped ``not``,
``+``/``-`` and ``*``/``/`` (also augmented), an integer ``n`` to ``n + 1``, ``True``/``False``,
index ``0``/``-1``, ``min``/``max`` and ``any``/``all``, ``reversed(x)``/``sorted(x)`` to ``x``,
and a call statement, ``continue`` or ``break`` dropped. A mutant is **killed** when one of the
module's tests fails or the run exceeds its time limit (a loop that no longer ends); it
**survives** when they all pass.
Survivors are printed as ``module:line  change`` and written, with the counts, to
``mutation-results/mutate-<time>.json``. docs/testing.md says which survivors are equivalent
(no test could tell them apart) and why.

How it runs: this process imports pytest and the third-party libraries once, never the product;
for every mutant it forks a child that serves the mutated source for that one module through an
import hook and runs the module's tests with ``pytest.main`` (``-x``, the deterministic ``ci``
Hypothesis profile, a base directory of its own). Nothing is written into ``src/``.

Exit status: 0 when no mutant survived, 1 otherwise, 2 on a usage error or a failing baseline.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import importlib.abc
import importlib.util
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "outlook_networking"
_WRITEBACK_TESTS = ["tests/writeback", "tests/connectors/test_memory.py"]
_FAST = ["-k", "not ews_server and not graph_server"]  # the server-backed machines: see below

# Module (under src/outlook_networking) -> the tests that guard it. The server-backed undo
# machines are left out of the write-back selections: each mutant would cost a minute, and the
# in-memory machine runs the same rules against the same planner and journal.
MODULES: dict[str, list[str]] = {
    "core/threads.py": ["tests/core/test_threads.py", "tests/core/test_corpus_threads.py"],
    "core/followups.py": ["tests/core/test_followups.py"],
    "core/history.py": [
        "tests/core/test_history.py",
        "tests/core/test_scoring.py",
        "tests/core/test_followups.py",
    ],
    "parsing/noise.py": ["tests/parsing/test_noise.py", "tests/sources/test_corpus.py"],
    "store.py": [  # the sync's writes, the journal, and forget (with the owner's notes)
        "tests/test_store.py",
        "tests/writeback/test_journal.py",
        "tests/test_store_notes.py",
        "tests/cli/test_forget.py",
    ],
    "writeback/plan.py": [*_WRITEBACK_TESTS, *_FAST],
    "app/pipeline.py": ["tests/app/test_pipeline.py", *_WRITEBACK_TESTS, *_FAST],  # and sync
    "connectors/memory.py": [  # its own tests first, then the sync's and the write-back's
        "tests/connectors/test_memory.py",
        "tests/app/test_pipeline.py",
        "tests/writeback",
        *_FAST,
    ],
    "writeback/messages.py": [
        "tests/writeback/test_messages.py",
        "tests/writeback/test_rename.py",
        "tests/connectors/test_memory.py",
    ],
    "connectors/marking.py": [  # the message marking all three sinks share, on all three
        "tests/connectors/test_memory.py",
        "tests/writeback/test_messages.py",
        "tests/connectors/ews/test_sink.py",
        "tests/connectors/ews/test_contract.py",
        "tests/connectors/graph/test_sink.py",
        "tests/connectors/graph/test_contract.py",
        "-k",
        "message",  # case-insensitive: the message sink contracts, the sinks' message tests
    ],
    "connectors/ews/sink.py": [  # and the morning brief, the sink's Inbox message
        "tests/connectors/ews/test_sink.py",
        "tests/connectors/ews/test_contract.py",
        "tests/writeback/test_inbox_message.py",
        "-k",
        "Sink or sink or inbox_message",
    ],
    "connectors/graph/sink.py": [  # and the morning brief, the sink's Inbox message
        "tests/connectors/graph/test_sink.py",
        "tests/connectors/graph/test_contract.py",
        "tests/writeback/test_inbox_message.py",
        "-k",
        "Sink or sink or inbox_message",
    ],
}

_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_BINARY: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
}
_CALLS = {"min": "max", "max": "min", "any": "all", "all": "any"}


@dataclass(frozen=True)
class Mutant:
    module: str
    number: int
    line: int
    change: str

    @property
    def name(self) -> str:
        return f"{self.module}:{self.line}  {self.change}"


class _Mutator(ast.NodeTransformer):
    """Visits every mutation site in order; changes only site number ``target`` (-1: none)."""

    def __init__(self, target: int = -1) -> None:
        self.target = target
        self.sites: list[tuple[int, str]] = []
        self._skip: set[int] = set()  # ids of docstring expressions

    def _site(self, node: ast.AST, change: str) -> bool:
        self.sites.append((getattr(node, "lineno", 0), change))
        return len(self.sites) - 1 == self.target

    def _body(self, body: list[ast.stmt]) -> None:
        first = body[0] if body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            self._skip.add(id(first))

    def visit_Module(self, node: ast.Module) -> ast.AST:
        self._body(node.body)
        return self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self._body(node.body)
        node.args = self.visit(node.args)  # defaults, not the annotations
        node.body = [self.visit(s) for s in node.body]
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self._body(node.body)
        node.body = [self.visit(s) for s in node.body]
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            other = _COMPARE.get(type(op))
            if other is not None and self._site(node, f"{_sym(op)} -> {_sym(other())}"):
                node.ops[i] = other()
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        if self._site(node, f"{_sym(node.op)} -> {_sym(other)}"):
            node.op = other
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._site(node, "not x -> x"):
            return node.operand
        if (
            isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and node.operand.value == 1
            and self._site(node, "-1 -> 0")
        ):
            return ast.copy_location(ast.Constant(0), node)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        other = _BINARY.get(type(node.op))
        if other is not None and self._site(node, f"{_sym(node.op)} -> {_sym(other())}"):
            node.op = other()
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        other = _BINARY.get(type(node.op))
        if other is not None and self._site(node, f"{_sym(node.op)}= -> {_sym(other())}="):
            node.op = other()
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool):
            if self._site(node, f"{value} -> {not value}"):
                return ast.copy_location(ast.Constant(not value), node)
        elif isinstance(value, int) and self._site(node, f"{value} -> {value + 1}"):
            return ast.copy_location(ast.Constant(value + 1), node)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        if isinstance(node.slice, ast.Constant) and node.slice.value == 0:
            node.value = self.visit(node.value)
            if self._site(node, "[0] -> [-1]"):
                node.slice = ast.UnaryOp(ast.USub(), ast.Constant(1))
            return node
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name):
            name = node.func.id
            if name in _CALLS and self._site(node, f"{name}() -> {_CALLS[name]}()"):
                node.func = ast.copy_location(ast.Name(_CALLS[name], ast.Load()), node.func)
            elif (
                name in ("reversed", "sorted")
                and len(node.args) == 1
                and not node.keywords
                and self._site(node, f"{name}(x) -> x")
            ):
                return node.args[0]
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:
        if id(node) in self._skip:
            return node
        self.generic_visit(node)
        if isinstance(node.value, ast.Call) and self._site(node, f"drop `{_call_name(node)}(...)`"):
            return ast.copy_location(ast.Pass(), node)
        return node

    def visit_Continue(self, node: ast.Continue) -> ast.AST:
        return ast.copy_location(ast.Pass(), node) if self._site(node, "drop continue") else node

    def visit_Break(self, node: ast.Break) -> ast.AST:
        return ast.copy_location(ast.Pass(), node) if self._site(node, "drop break") else node

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        return node  # what a closed union never reaches, and error paths are tested by kind


def _sym(op: ast.AST) -> str:
    symbols = {
        ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.And: "and",
        ast.Or: "or", ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
    }  # fmt: skip
    return symbols[type(op)]


def _call_name(node: ast.Expr) -> str:
    call = node.value
    assert isinstance(call, ast.Call)
    return ast.unparse(call.func)


def mutants(module: str) -> list[Mutant]:
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    finder = _Mutator()
    finder.visit(tree)
    return [Mutant(module, n, line, change) for n, (line, change) in enumerate(finder.sites)]


def within(module: str, patterns: Sequence[str]) -> list[tuple[int, int]]:
    """The line spans of the functions and methods of ``module`` whose names match a pattern."""
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(fnmatch.fnmatchcase(node.name, p) for p in patterns)
    ]


def mutated_code(mutant: Mutant) -> Any:
    path = PACKAGE / mutant.module
    tree = _Mutator(mutant.number).visit(ast.parse(path.read_text(encoding="utf-8")))
    return compile(ast.fix_missing_locations(tree), str(path), "exec")


def module_name(module: str) -> str:
    parts = Path(module).with_suffix("").parts
    dotted = ".".join(p for p in parts if p != "__init__")
    return f"outlook_networking.{dotted}" if dotted else "outlook_networking"


class _Serve(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves one module's mutated code; every other import goes on as usual."""

    def __init__(self, name: str, path: Path, code: Any) -> None:
        self.name, self.path, self.code = name, path, code

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        package = self.path.name == "__init__.py"
        spec = importlib.util.spec_from_loader(
            fullname, self, origin=str(self.path), is_package=package
        )
        if spec is not None and package:
            spec.submodule_search_locations = [str(self.path.parent)]
        return spec

    def create_module(self, spec: Any) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__file__ = str(self.path)
        exec(self.code, module.__dict__)


def run_tests(tests: Sequence[str], serve: _Serve | None, timeout_s: float) -> str:
    """``passed``, ``failed`` or ``timeout``: the tests in a forked child, the mutant served."""
    scratch = tempfile.mkdtemp(prefix="mutant-")
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            if serve is not None:
                sys.meta_path.insert(0, serve)
            os.environ["HYPOTHESIS_PROFILE"] = "ci"
            if not os.environ.get("MUTATE_VERBOSE"):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
            import pytest

            code = int(
                pytest.main(
                    [*tests, "-x", "-q", "-p", "no:cacheprovider", f"--basetemp={scratch}/t"]
                )
            )
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout_s
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return "passed" if os.waitstatus_to_exitcode(status) == 0 else "failed"
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.05)


def _preload() -> None:
    """The third-party libraries the tests use, imported once here instead of in every child."""
    # Not pytest plugins (hypothesis): pytest must import those itself to rewrite their asserts.
    for name in ("exchangelib", "httpx", "lxml.etree", "xmlschema", "icalendar", "networkx"):
        __import__(name)


def run_module(
    module: str,
    log: Callable[[str], None],
    only: frozenset[str] | None = None,
    spans: Sequence[tuple[int, int]] | None = None,
) -> dict[str, Any]:
    """Every mutant of ``module``, or those named in ``only`` (the survivors of a run), or
    those on the lines of ``spans`` (``--within``)."""
    tests = MODULES[module]
    started = time.monotonic()
    if run_tests(tests, None, timeout_s=1800) != "passed":
        raise SystemExit(f"{module}: its tests fail without any mutant; fix them first")
    baseline = time.monotonic() - started
    timeout = max(60.0, 4 * baseline)
    found = [
        m
        for m in mutants(module)
        if (only is None or m.name in only)
        and (spans is None or any(a <= m.line <= b for a, b in spans))
    ]
    log(f"{module}: {len(found)} mutants, tests take {baseline:.0f} s")
    name = module_name(module)
    survived: list[str] = []
    counts = {"killed": 0, "timeout": 0, "survived": 0}
    for mutant in found:
        serve = _Serve(name, PACKAGE / module, mutated_code(mutant))
        outcome = run_tests(tests, serve, timeout)
        if outcome == "passed":
            counts["survived"] += 1
            survived.append(mutant.name)
            log(f"  SURVIVED {mutant.name}")
        else:
            counts["killed" if outcome == "failed" else "timeout"] += 1
    log(f"{module}: {counts['killed'] + counts['timeout']} killed, {counts['survived']} survived")
    result = {"mutants": len(found), **counts, "survivors": survived, "tests": tests}
    return result if spans is None else {**result, "within": [list(s) for s in spans]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"default: all of {', '.join(MODULES)}")
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    parser.add_argument("--out", help="result file (default: mutation-results/mutate-<time>.json)")
    parser.add_argument(
        "--again",
        metavar="RESULTS",
        help="run only the survivors of this earlier result file (after adding tests for them)",
    )
    parser.add_argument(
        "--within",
        nargs="+",
        metavar="FUNCTION",
        help="only the mutants inside these functions or methods (shell-style patterns)",
    )
    args = parser.parse_args(argv)
    only: dict[str, frozenset[str]] = {}
    if args.again:
        earlier = json.loads(Path(args.again).read_text(encoding="utf-8"))["modules"]
        only = {m: frozenset(r["survivors"]) for m, r in earlier.items() if r["survivors"]}
    chosen = args.modules or list(only or MODULES)
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        parser.error(f"no tests are mapped for {', '.join(unknown)} (see MODULES)")
    spans = {m: within(m, args.within) for m in chosen} if args.within else {}
    if args.list:
        for module in chosen:
            for mutant in mutants(module):
                if module not in spans or any(a <= mutant.line <= b for a, b in spans[module]):
                    print(mutant.name)
        return 0

    def log(text: str) -> None:
        print(text, flush=True)

    _preload()
    started = datetime.now(UTC)
    results = {
        module: run_module(
            module,
            log,
            only.get(module, frozenset()) if args.again else None,
            spans.get(module),
        )
        for module in chosen
    }
    out = Path(args.out) if args.out else REPO / "mutation-results" / (
        f"mutate-{started:%Y%m%dT%H%M%SZ}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"started": started.isoformat(), "modules": results}, indent=2))
    total = sum(r["mutants"] for r in results.values())
    survivors = sum(r["survived"] for r in results.values())
    log(f"{total} mutants, {total - survivors} killed, {survivors} survived; result: {out}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
