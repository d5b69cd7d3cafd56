"""``python -m evolve``: the command line.

Every user mistake becomes one line on stderr and exit code 2; Ctrl-C exits
with 130 after the workers are stopped.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from evolve.config import Config, load_config
from evolve.errors import EvolveError

EMBEDDED = "default"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evolve", description="Genetic improvement of Python code.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("run", "breed better variants of a project (default: the embedded example)"),
                       ("repair", "breed a variant that makes the failing tests pass")):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--config", type=Path, help="YAML experiment config (default: the embedded example)")
        sub.add_argument("--generations", type=int, help="number of generations")
        sub.add_argument("--population", type=int, help="individuals per generation")
        sub.add_argument("--seed", type=int, help="seed of the run's random generator")
        sub.add_argument("--workers", type=int, help="parallel evaluation workers")
        sub.add_argument("--backend", choices=("loky", "serial"), help="parallel backend")
        sub.add_argument("--run-dir", type=Path, help="where run folders go (default .evolve/runs)")
        sub.add_argument("--no-progress", action="store_true", help="no progress line")
    return parser


def _embedded_copy() -> Path:
    """Copy the bundled example into a temporary folder (the package itself is never written)."""
    source = resources.files("evolve.examples") / EMBEDDED
    dest = Path(tempfile.mkdtemp(prefix="evolve-example-")) / EMBEDDED
    with resources.as_file(source) as path:
        shutil.copytree(path, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def _configure(args: argparse.Namespace) -> Config:
    config = load_config(args.config) if args.config else None
    overrides = {"generations": args.generations, "population": args.population, "seed": args.seed,
                 "workers": args.workers, "backend": args.backend,
                 "run_dir": str(args.run_dir) if args.run_dir else None}
    if args.command == "repair":
        overrides["mode"] = "repair"
    if config is None:
        raise AssertionError("embedded config is loaded by the caller")
    if any(v is not None for v in overrides.values()):
        config = config.with_overrides(**overrides)
    return config


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    example: Path | None = None
    try:
        if args.config is None:
            if args.command == "repair":
                raise EvolveError("repair needs --config naming a project whose tests fail")
            example = _embedded_copy()
            args.config = example / "evolve.yaml"
            print(f"evolve: no --config given; evolving the embedded example (copied to {example})")
        config = _configure(args)
        from evolve.run import run_experiment

        outcome = run_experiment(config, progress=not args.no_progress)
        return 0 if outcome.improved or config.mode == "improve" else 1
    except EvolveError as exc:
        print(f"evolve: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nevolve: interrupted", file=sys.stderr)
        return 130
    finally:
        if example is not None:
            shutil.rmtree(example.parent, ignore_errors=True)
