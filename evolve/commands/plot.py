"""``plot``: a run's figures as PNG files (fitness, components, diversity, operators, Pareto, weekly trend)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from evolve.commands.runs import add_history_option
from evolve.records.history import History
from evolve.records.plots import PIXELS, write_plots


def register(subparsers: Any) -> None:
    text = "write a run's fitness plots as PNG files"
    sub = subparsers.add_parser("plot", help=text, description=text)
    sub.add_argument("run_id", help="a run id from `python -m evolve runs`, a unique prefix of one, or latest")
    sub.add_argument("--out", type=Path, help="folder for the PNG files (default: plots/ in the run folder)")
    add_history_option(sub)
    sub.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    with History.at(args.run_dir) as history:
        run = history.run(args.run_id)
        out = args.out or history.output_folder(run) / "plots"
        paths = write_plots(history, run.run_id, out)
    print(f"evolve: {len(paths)} plots of run {run.run_id} ({PIXELS[0]}x{PIXELS[1]} px) in {out}:")
    for path in paths.values():
        print(f"  {path}")
    return 0
