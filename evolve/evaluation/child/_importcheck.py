"""Import a project's modules one after another and write one JSON record of what failed.

A script, not a module of the engine: the health scan (``evolve.health``) runs it by path
in a sandboxed process, in a copy of the project, as

    python /abs/path/_importcheck.py --result-fd N --path ROOT [--path SRC ...] -- MODULE ...

so it imports only the standard library, never ``evolve``. Before each import it prints
``evolve-importcheck: MODULE`` (and flushes), so a module that hangs is named by the last
such line when the process is stopped. The record, written once on ``--result-fd`` at the
end, is ``{"modules": {name: null | {"error", "file", "line"}}}``: ``error`` is the
exception's type and message, ``file`` and ``line`` the innermost place inside the project
(a ``SyntaxError``'s own file and line, else the innermost traceback frame under a
``--path`` folder), relative to the first ``--path``.
"""

from __future__ import annotations

import os
import sys

# Run by path, sys.path[0] is this folder, whose module names would shadow the project's.
if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
    del sys.path[0]

import argparse
import importlib
import json
import traceback
from typing import Any

MARK = "evolve-importcheck: "
MAX_LINE = 300


def _inside(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == r or real.startswith(r + os.sep) for r in roots)


def where(exc: BaseException, roots: list[str]) -> tuple[str | None, int | None]:
    """The innermost place inside the project that the exception points at."""
    if isinstance(exc, SyntaxError) and exc.filename and _inside(exc.filename, roots):
        return exc.filename, exc.lineno
    place: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and _inside(frame.filename, roots):
            place = (frame.filename, frame.lineno)
    return place


def check(name: str, roots: list[str]) -> dict[str, Any] | None:
    print(f"{MARK}{name}", flush=True)
    try:
        importlib.import_module(name)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt from module code too
        text = " ".join(f"{type(exc).__name__}: {exc}".split())[:MAX_LINE]
        file, line = where(exc, roots)
        if file is not None:
            file = os.path.relpath(os.path.realpath(file), roots[0])
        return {"error": text, "file": file, "line": line}
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result-fd", type=int, required=True)
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("modules", nargs="*")
    args = parser.parse_args(argv)
    import fcntl
    import random

    # the channel moves to a random close-on-exec descriptor before any project code runs
    hidden = fcntl.fcntl(args.result_fd, fcntl.F_DUPFD_CLOEXEC, random.SystemRandom().randrange(256, 960))
    os.close(args.result_fd)
    result = os.fdopen(hidden, "w", encoding="utf-8", closefd=True)
    roots = [os.path.realpath(p) for p in args.path] or [os.getcwd()]
    sys.path[:0] = roots
    outcome = {name: check(name, roots) for name in args.modules}
    result.write(json.dumps({"modules": outcome}))
    result.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
