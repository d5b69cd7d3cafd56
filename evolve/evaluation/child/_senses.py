"""Sense the baseline once: which lines each test runs, and where the benchmark spends its time.

This is a script, not a module of the engine: it runs by path in a sandboxed
process in a copy of the project (standard library, pytest and coverage only,
never ``evolve``), as one of

    python _senses.py tests --result-fd N --cover FILE ... [--core C] [--test-seconds S] -- <pytest args>
    python _senses.py profile --result-fd N --cover FILE ... --kind callable|pytest --target T
                      [--number K] [--seconds S] [--min-samples M] [--round-seconds R]

and sends one JSON record on its private result channel (``--result-fd``,
hidden and written once, at the end, as ``_testrunner`` does).

``tests``: the suite runs once under coverage.py with one coverage context per
pytest node id (``_sensetests.py``, which says how and what the record holds).

``profile``: a statistical profiler on ``ITIMER_PROF`` samples the target
files' frames in rounds of fresh forks (``_senseprofile.py``, which says how
and what the record holds).

This file holds the command line and the result channel; the two parts are
sibling scripts loaded by path, as ``_testrunner`` is.
"""

from __future__ import annotations

import os
import sys

# Run by path, sys.path[0] is the engine's child folder; behave like ``python -m pytest``: the
# working directory (the project) comes first. Only os and sys are imported before this fix.
if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
    sys.path[0] = os.getcwd()

import argparse  # noqa: E402
import importlib.util  # noqa: E402
from typing import Any  # noqa: E402

_HERE = os.path.dirname(os.path.realpath(__file__))


def _load(name: str) -> Any:
    """Load the sibling script ``name`` by path (this folder is not on ``sys.path`` once it is fixed)."""
    spec = importlib.util.spec_from_file_location(f"_evolve{name}", os.path.join(_HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_runner = _load("_testrunner")
_tests = _load("_sensetests")
_profile = _load("_senseprofile")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("tests", "profile"))
    parser.add_argument("--result-fd", type=int, help="the private pipe to send the JSON record on")
    parser.add_argument("--out", help="or a file to write it to (for people and tests)")
    parser.add_argument("--cover", action="append", default=[], help="a target file")
    parser.add_argument("--core", choices=("ctrace", "pytrace"), help="coverage's tracer (default: C if built)")
    parser.add_argument("--test-seconds", type=float, help="the most a test's call phase may take")
    parser.add_argument("--kind", choices=("callable", "pytest"), default="callable")
    parser.add_argument("--target", help="package.module:function, or the benchmark test's node id")
    parser.add_argument("--number", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0, help="wall-time budget of the profile")
    parser.add_argument("--min-samples", type=int, default=400)
    parser.add_argument("--round-seconds", type=float, default=60.0)
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    args.pytest_args = argv[cut + 1:]  # after --: passed to pytest
    if args.out is None and args.result_fd is None:
        parser.error("one of --out or --result-fd is required")
    args.out = args.out and os.path.abspath(args.out)
    args.cover_names = list(args.cover)
    args.cover = [os.path.abspath(p) for p in args.cover]
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    channel = _runner.hide_channel(args.result_fd)
    record = _tests.sense_tests(args, _runner) if args.what == "tests" else _profile.sense_profile(args)
    if channel is not None:
        _runner.send(channel, record)
    if args.out:
        _runner.write_atomically(args.out, record)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
