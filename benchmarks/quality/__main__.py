"""``python -m benchmarks.quality``: run the engine on the corpus and report, or ``--check`` the corpus.

Examples (from the repository root)::

    python -m benchmarks.quality --check                       # the corpus's own checks, no engine
    python -m benchmarks.quality --quick                       # a fixed subset, one seed, small budget
    python -m benchmarks.quality --seeds 0,1,2 --cases 'r0*' --json out.json

The markdown report goes to stdout, progress to stderr. Exit code: 0, or 1 when
``--check`` found a problem or no case matched, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.quality import oracle
from benchmarks.quality.cases import CORPUS, Case, discover
from benchmarks.quality.check import check_folder, load_all
from benchmarks.quality.experiment import Budget, planned_evaluations
from benchmarks.quality.judge import Judge, RunResult
from benchmarks.quality.procs import child_env
from benchmarks.quality.runner import budget_flags, engine_flags, run_engine
from benchmarks.quality.table import document, report
from benchmarks.quality.workspace import Scratch

REPO = Path(__file__).resolve().parents[2]
DEFAULT = {"evaluations": 120, "seconds": 60.0, "grace": 60.0, "seeds": "0,1,2"}
QUICK = {"evaluations": 30, "seconds": 10.0, "grace": 9.0, "seeds": "0"}
# --quick: eight cases of both kinds, chosen by id prefix so a renamed case stays in: repairs and
# speed-ups that seed 0 solved within 36 evaluations when the corpus was new (r09, r11, s01, s18) and
# repairs whose runs end quickly without hanging variants (r13, r16, r17, r27).
QUICK_CASES = ("r09", "r11", "r13", "r16", "r17", "r27", "s01", "s18")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    corpus = Path(args.corpus).resolve()
    started = time.monotonic()
    if args.check:
        return _check(corpus, args.cases or "*", args.keep, started)
    return _run(args, corpus, list(sys.argv[1:] if argv is None else argv), started)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fixed subset (~8 cases), 1 seed, small budget")
    parser.add_argument("--seeds", type=seed_list,
                        help=f"comma-separated seeds (default {DEFAULT['seeds']}; quick {QUICK['seeds']})")
    parser.add_argument("--cases", help="glob(s) of case ids, comma-separated (default: all)")
    parser.add_argument("--evaluations", type=int, help=f"evaluations per run (default {DEFAULT['evaluations']}; "
                                                        f"quick {QUICK['evaluations']})")
    parser.add_argument("--seconds", type=float, help="search seconds per run, given to the engine as --max-seconds "
                                                      f"when it has it (default {DEFAULT['seconds']:g}; "
                                                      f"quick {QUICK['seconds']:g})")
    parser.add_argument("--grace", type=float, help="wall seconds over --seconds for the engine's start and wrap-up; "
                                                    "it gets SIGTERM before and is killed at seconds + grace "
                                                    f"(default {DEFAULT['grace']:g}; quick {QUICK['grace']:g})")
    parser.add_argument("--workers", type=int, default=2, help="engine workers (default 2)")
    parser.add_argument("--algorithm", help="the engine's search strategy (its --algorithm: ga, islands, local, "
                                            "nsga2, random); default: the engine's own")
    parser.add_argument("--json", help="write everything to this JSON file")
    parser.add_argument("--check", action="store_true", help="check the corpus itself (no engine); exit 1 on failure")
    parser.add_argument("--corpus", default=str(CORPUS), help="the cases folder (default benchmarks/corpus/cases)")
    parser.add_argument("--engine-path", help="run the engine from this folder (a copy of evolve/, fitness/, "
                                              "mutations/, populations/, e.g. from git archive) instead of the "
                                              "installed one")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (its path is printed)")
    return parser


def _check(corpus: Path, pattern: str, keep: bool, started: float) -> int:
    folders = discover(corpus, pattern)
    if not folders:
        print(f"check: no case matches {pattern!r} in {corpus}", file=sys.stderr)
        return 1
    _, invalid = load_all(corpus)
    failed = 0
    with Scratch(keep) as scratch:
        for folder in folders:
            line = check_folder(folder, invalid, scratch)
            failed += not line.ok
            print(line.line(), flush=True)
    print(f"check: {len(folders) - failed} ok, {failed} failed, {len(folders)} case(s) in "
          f"{time.monotonic() - started:.0f} s", flush=True)
    return 1 if failed else 0


def _run(args: argparse.Namespace, corpus: Path, argv: list[str], started: float) -> int:
    preset = QUICK if args.quick else DEFAULT
    seeds = args.seeds or seed_list(str(preset["seeds"]))
    budget = Budget(args.evaluations or int(preset["evaluations"]), args.seconds or float(preset["seconds"]),
                    args.workers, grace=float(preset["grace"]) if args.grace is None else args.grace,
                    algorithm=args.algorithm)
    cases, skipped = _select(corpus, args.cases, args.quick)
    for case_id, why in skipped.items():
        print(f"skipped {case_id}: {why}", file=sys.stderr, flush=True)
    if not cases:
        print("no valid case selected", file=sys.stderr)
        return 1
    results: list[RunResult] = []
    engine = Path(args.engine_path).resolve() if args.engine_path else None
    try:  # before any case: an engine that cannot take the budget's options is refused in one line
        budget_flags(budget, engine_flags(child_env({"PYTHONPATH": str(engine)} if engine else None), "run"))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    with Scratch(args.keep) as scratch:
        if args.keep:
            print(f"scratch folder: {scratch.root}", file=sys.stderr)
        for case in cases:
            results += _run_case(case, seeds, budget, scratch, skipped, engine)
    command = shlex.join(["python", "-m", "benchmarks.quality", *argv])
    commit = _commit()
    print(report(results, commit, command), end="", flush=True)
    print(f"(took {time.monotonic() - started:.0f} s)", file=sys.stderr)
    if args.json:
        meta = {"commit": commit, "command": command, "seeds": seeds, "budget": vars(budget) | {
            "planned_evaluations": planned_evaluations(budget.evaluations)}, "cases": [c.id for c in cases],
            "skipped": skipped, "engine_path": str(engine) if engine else None,
            "seconds": round(time.monotonic() - started, 1)}
        Path(args.json).write_text(json.dumps(document(results, meta), indent=2, default=str), encoding="utf-8")
    return 0


def _run_case(case: Case, seeds: list[int], budget: Budget, scratch: Scratch, skipped: dict[str, str],
              engine: Path | None) -> list[RunResult]:
    """Every seed of one case; a case whose reference cannot be recorded is skipped (and listed)."""
    judge = Judge(case, scratch)
    results = []
    for seed in seeds:
        work = scratch.folder(f"{case.id}-seed{seed}")
        run = run_engine(case, seed, budget, work, engine)
        try:
            result = judge.judge_run(run, planned_evaluations(budget.evaluations))
        except oracle.OracleError as exc:
            skipped[case.id] = str(exc)
            print(f"skipped {case.id}: {exc}", file=sys.stderr, flush=True)
            return []
        results.append(result)
        first = f", first at evaluation {result.first.evaluations}" if result.first else ""
        ended = "" if not run.timed_out else ", stopped" if run.returncode >= 0 else ", killed"
        print(f"{case.id} seed {seed}: {result.outcome}{first} ({len(run.evaluations)} evaluations, "
              f"{run.wall_seconds:.0f} s{ended}): {result.detail[:160]}", file=sys.stderr, flush=True)
        if not scratch.keep:
            shutil.rmtree(work, ignore_errors=True)
    return results


def _select(corpus: Path, pattern: str | None, quick: bool) -> tuple[list[Case], dict[str, str]]:
    """(valid cases to run, invalid ones matched by the selection with why)."""
    valid, invalid = load_all(corpus)
    names = [folder.name for folder in discover(corpus, pattern or "*")]
    if quick and not pattern:
        names = [name for name in names if name.split("_")[0] in QUICK_CASES]
    return [valid[n] for n in names if n in valid], {n: invalid[n] for n in names if n in invalid}


def seed_list(text: str) -> list[int]:
    """``"0,1,2"`` -> ``[0, 1, 2]`` (argparse reports a ValueError as a usage error, exit code 2)."""
    seeds = [int(s) for s in text.split(",") if s.strip()]
    if not seeds:
        raise ValueError(text)
    return seeds


def _commit() -> str:
    """``git rev-parse --short HEAD`` of the repository (read only), or ``unknown``."""
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
