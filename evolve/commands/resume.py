"""``resume <run-id>``: continue a killed or interrupted run from its last checkpoint."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    text = "continue a killed or interrupted run from its last finished generation"
    sub = subparsers.add_parser("resume", help=text, description=text)
    sub.add_argument("run_id", help="the run folder's name under the run directory")
    sub.add_argument("--run-dir", type=Path, default=Path(".evolve/runs"), help="where the run folders are")
    sub.add_argument("--no-progress", action="store_true", help="no progress line")
    sub.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from evolve.resume import resume_run

    resume_run(args.run_id, args.run_dir, progress=not args.no_progress)
    return 0
