"""Child-process side of the timing: one cold call of a benchmark callable, CPU seconds written as JSON.

Run as a script (never imported by the harness)::

    python -s -P _bench_child.py PROJECT MODULE:CALLABLE REPORT

Imports the callable with PROJECT first on ``sys.path`` (import time is not
measured), then measures ``time.process_time()`` around one call and writes
``{"cpu": seconds}`` to REPORT. One call per process, so memoisation across
calls cannot pass for a speed-up.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    project, target, report = argv
    sys.path.insert(0, project)
    os.chdir(project)
    module, _, name = target.partition(":")
    function = getattr(importlib.import_module(module), name)
    started = time.process_time()
    function()
    cpu = time.process_time() - started
    with open(report, "w", encoding="utf-8") as handle:
        json.dump({"cpu": cpu}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
