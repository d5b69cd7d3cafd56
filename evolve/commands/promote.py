"""``promote``: bring a run's verified commit (``evolve/<run-id>``) into a mainline branch.

Exit codes: 0 promoted (or already there), 1 a promotion rule did not hold
(threshold, full suite, conflict, checked-out branch), 2 bad input. In every
case but 0 nothing was changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_RUN_DIR = Path(".evolve/runs")


def register(subparsers: Any) -> None:
    text = "promote a run's verified commit into a branch when every promotion rule holds"
    sub = subparsers.add_parser("promote", help=text, description=text)
    sub.add_argument("run_id", help="the run id printed at the end of the run (its folder under --run-dir)")
    sub.add_argument("--into", required=True, metavar="BRANCH", help="the mainline branch to advance, e.g. main")
    sub.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR,
                     help="where the run folders are (default .evolve/runs)")
    sub.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from evolve.promotion.promote import promote_into
    from evolve.resume import find_run, run_config

    store = find_run(args.run_id, args.run_dir)
    promote_into(run_config(store, store.path), store, args.into, sys.stdout)
    return 0
