"""``run`` and ``repair``: breed variants of a project (by default the embedded example)."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from evolve.config import BACKENDS, Config, load_config
from evolve.errors import EvolveError

EMBEDDED = "default"


def register(subparsers: Any) -> None:
    for name, text in (("run", "breed better variants of a project (default: the embedded example)"),
                       ("repair", "breed a variant that makes the failing tests pass")):
        sub = subparsers.add_parser(name, help=text, description=text)
        add_run_options(sub)
        sub.set_defaults(handler=handle)


def add_run_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--config", type=Path, help="YAML experiment config (default: the embedded example)")
    sub.add_argument("--generations", type=int, help="number of generations")
    sub.add_argument("--population", type=int, help="individuals per generation")
    sub.add_argument("--seed", type=int, help="seed of the run's random generator")
    sub.add_argument("--workers", type=int, help="parallel evaluation workers")
    sub.add_argument("--max-evaluations", type=int, metavar="N",
                     help="budget: stop after N evaluations (then minimise, verify and report as usual)")
    sub.add_argument("--max-seconds", type=float, metavar="S", help="budget: stop after S seconds of search")
    sub.add_argument("--algorithm", metavar="NAME",
                     help="search strategy (search.algorithm): ga (default), islands, local, nsga2 or random")
    sub.add_argument("--backend", choices=BACKENDS, help="parallel backend")
    sub.add_argument("--scheduler", help="dask backend: 'local' (a cluster on this machine) or tcp://host:port")
    sub.add_argument("--run-dir", type=Path, help="where run folders go (default .evolve/runs)")
    sub.add_argument("--no-progress", action="store_true", help="no progress line")


def embedded_copy() -> Path:
    """Copy the bundled example into a temporary folder (the package itself is never written)."""
    source = resources.files("evolve.examples") / EMBEDDED
    dest = Path(tempfile.mkdtemp(prefix="evolve-example-")) / EMBEDDED
    with resources.as_file(source) as path:
        shutil.copytree(path, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def configure(args: argparse.Namespace, config_path: Path) -> Config:
    """Load the config and apply the command-line overrides."""
    config = load_config(config_path)
    overrides = {"generations": args.generations, "population": args.population, "seed": args.seed,
                 "workers": args.workers, "backend": args.backend, "scheduler": args.scheduler,
                 "run_dir": str(args.run_dir) if args.run_dir else None,
                 "mode": "repair" if args.command == "repair" else None,
                 "max_evaluations": args.max_evaluations, "max_seconds": args.max_seconds,
                 "algorithm": args.algorithm}
    if any(v is not None for v in overrides.values()):
        config = config.with_overrides(**overrides)
    return config


def handle(args: argparse.Namespace) -> int:
    from evolve.run import run_experiment

    example: Path | None = None
    try:
        config_path = args.config
        if config_path is None:
            if args.command == "repair":
                raise EvolveError("repair needs --config naming a project whose tests fail")
            example = embedded_copy()
            config_path = example / "evolve.yaml"
            print(f"evolve: no --config given; evolving the embedded example (copied to {example})")
        config = configure(args, config_path)
        outcome = run_experiment(config, progress=not args.no_progress)
        if example is not None:
            print(f"evolve: the embedded example was a temporary copy and is now removed; "
                  f"its best patch stays in {outcome.path / 'best.diff'}")
        return 0 if outcome.improved or config.mode == "improve" else 1
    finally:
        if example is not None:
            shutil.rmtree(example.parent, ignore_errors=True)
