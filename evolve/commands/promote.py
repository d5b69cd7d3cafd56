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

import yaml

from evolve.config import Config, config_from_dict
from evolve.errors import EvolveError
from evolve.store import RunStore

DEFAULT_RUN_DIR = Path(".evolve/runs")


def register(subparsers: Any) -> None:
    text = "promote a run's verified commit into a branch when every promotion rule holds"
    sub = subparsers.add_parser("promote", help=text, description=text)
    sub.add_argument("run_id", help="the run id printed at the end of the run (its folder under --run-dir)")
    sub.add_argument("--into", required=True, metavar="BRANCH", help="the mainline branch to advance, e.g. main")
    sub.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR,
                     help="where the run folders are (default .evolve/runs)")
    sub.set_defaults(handler=handle)


def open_run(run_dir: Path, run_id: str) -> RunStore:
    """The run folder ``run_dir/run_id``, which must hold the config the run used."""
    path = run_dir / run_id
    if not run_id or "/" in run_id or not (path / "config.yaml").is_file():
        raise EvolveError(f"no run {run_id!r} in {run_dir}; pass the run id printed at the end of the run "
                          "(and --run-dir if the run used one)")
    return RunStore(path)


def run_config(store: RunStore) -> Config:
    """The config exactly as the run used it (its folder's ``config.yaml``)."""
    try:
        data = yaml.safe_load((store.path / "config.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EvolveError(f"cannot read {store.path / 'config.yaml'} ({exc}); the run folder is damaged") from None
    return config_from_dict(data, base=store.path, label=str(store.path / "config.yaml"))


def handle(args: argparse.Namespace) -> int:
    from evolve.promote import promote_into

    store = open_run(args.run_dir, args.run_id)
    promote_into(run_config(store), store, args.into, sys.stdout)
    return 0
