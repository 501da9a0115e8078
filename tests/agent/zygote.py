"""Agent processes without the interpreter's start-up: import once, fork one child per run.

The kill tests restart the agent twenty and more times; starting Python and importing
exchangelib each time would cost more than the runs themselves. This process imports everything
once, then reads one JSON request per line on stdin and forks a child that runs the command line
(``outlook_networking.cli.main(argv)``, what ``python -m outlook_networking`` runs):

    {"argv": ["--db", ..., "agent", "--once"], "env": {...}, "output": "/path/log"}

and answers ``{"pid": N}`` as soon as the child runs (so the test can SIGKILL it) and then
``{"pid": N, "returncode": R}`` (negative: killed by that signal) when it has ended. The child is
a real, separate process running the same code as ``python -m outlook_networking``; a SIGKILL
hits it exactly as it would hit the command.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _child(request: dict[str, object]) -> int:
    fd = os.open(str(request["output"]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.environ.update({str(k): str(v) for k, v in dict(request.get("env") or {}).items()})
    argv = [str(a) for a in list(request["argv"])]  # type: ignore[call-overload]
    from outlook_networking.cli import main

    return main(argv)


def serve() -> None:
    # Everything a run needs, imported before the first fork.
    import outlook_networking.agent
    import outlook_networking.app.connect
    import outlook_networking.cli
    import outlook_networking.connectors.ews
    import outlook_networking.core.network  # noqa: F401

    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 99
            try:
                code = _child(request)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"pid": pid, "returncode": code}), flush=True)


if __name__ == "__main__":
    serve()
