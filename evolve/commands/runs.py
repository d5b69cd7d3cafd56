"""``runs``: the run history in a table, newest first, from the history database (not the run folders)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from evolve.records.history import DEFAULT_RUN_DIR, History, RunRecord


def add_history_option(sub: argparse.ArgumentParser) -> None:
    """``--run-dir``: the history is read next to the run folders, wherever a run put them."""
    sub.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR,
                     help="the runs folder the runs were written to (default .evolve/runs); "
                          "the history is history.sqlite next to it")


def register(subparsers: Any) -> None:
    text = "list past runs from the run history"
    sub = subparsers.add_parser("runs", help=text, description=text)
    sub.add_argument("--experiment", help="only runs of this experiment")
    sub.add_argument("--limit", type=int, default=20, help="show at most this many runs (default 20, 0: all)")
    add_history_option(sub)
    sub.set_defaults(handler=handle)


def _fitness(run: RunRecord) -> str:
    if run.baseline_fitness is None or run.best_fitness is None:
        return "-"
    return f"{run.baseline_fitness:.4f} -> {run.best_fitness:.4f}"


def runs_table(runs: list[RunRecord]) -> str:
    """One line per run: id, experiment, date, generations, baseline -> best fitness, status, promoted."""
    rows = [("run id", "experiment", "date", "generations", "fitness", "status", "promoted")]
    for run in runs:
        rows.append((run.run_id, run.experiment, run.started_text,
                     f"{max(run.generations, 0)}/{run.planned_generations}", _fitness(run), run.status,
                     "yes" if run.promoted else "no"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    with History.at(args.run_dir) as history:
        runs = list(reversed(history.runs(args.experiment)))
        if not runs:
            which = f" of experiment {args.experiment}" if args.experiment else ""
            print(f"evolve: no runs{which} in {history.path}")
            return 0
        shown = runs[:args.limit] if args.limit > 0 else runs
        print(runs_table(shown))
        if len(shown) < len(runs):
            print(f"({len(runs) - len(shown)} older run(s) not shown; --limit 0 shows all)")
    return 0
