"""``scan``: a project's health, one line per finding; exit code 0 healthy, 1 findings, 2 bad input."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from evolve.errors import EvolveError


def register(subparsers: Any) -> None:
    text = ("check a project's health: files that do not parse, imports that fail, failing tests, version drift, "
            "public names without a docstring")
    sub = subparsers.add_parser("scan", help=text, description=text + ". Exit code 0: healthy, 1: findings, "
                                                                      "2: bad input.")
    sub.add_argument("paths", nargs="*", type=Path,
                     help="the project folder (default: here), or files in it (a hook's staged files): then only "
                          "those are parsed and read for docstrings")
    sub.add_argument("--root", type=Path, help="the project folder when files are listed (default: here)")
    sub.add_argument("--staged", action="store_true",
                     help="scan the files staged in git, as the index holds them (what a plain git hook does)")
    sub.add_argument("--fast", action="store_true", help="no tests (for commit hooks)")
    sub.add_argument("--skip", action="append", default=[], metavar="CHECK",
                     help="leave a check out: parse, imports, tests, version, principles or docs (repeatable)")
    sub.add_argument("--config", type=Path, help="an evolve experiment config: its project, tests.paths, "
                                                 "tests.args, tests.timeout, and its principles, which the "
                                                 "target files must keep against HEAD")
    sub.add_argument("--timeout", type=float, help="seconds the whole test run may take (default 300)")
    sub.add_argument("--sandbox", choices=("auto", "process", "bwrap"), default="auto",
                     help="walls around the imports and tests (default: bubblewrap where it starts)")
    sub.add_argument("--repair", action="store_true",
                     help="hand failing tests to `evolve repair` with a generated config; a fix becomes a "
                          "branch, never your working tree")
    sub.add_argument("--json", action="store_true", help="print the report as JSON")
    sub.add_argument("--verbose", action="store_true", help="list every public name without a docstring")
    sub.set_defaults(handler=handle)


def options_from(args: argparse.Namespace) -> Any:
    """The scan's options from the command line; ``EvolveError`` for bad input."""
    from evolve.health.scan import CHECKS, ScanOptions

    for check in args.skip:
        if check not in CHECKS:
            raise EvolveError(f"--skip {check}: unknown check; known: {', '.join(CHECKS)}")
    test_args: tuple[str, ...] = ()
    principles, principle_files = None, ()
    timeout = args.timeout
    root = args.root
    if args.config is not None:
        from evolve.config import load_config

        config = load_config(args.config)
        test_args = (*config.tests.paths, *config.tests.args)
        root = root or config.target.root
        timeout = timeout or max(config.tests.timeout, 60.0)
        principles, principle_files = config.principles, config.target.files
    if timeout is not None and not 0 < timeout <= 86_400:
        raise EvolveError(f"--timeout must be between 0 and 86400 seconds, got {timeout}")
    root, files = _targets(args.paths, root, args.staged)
    return ScanOptions(root=root, files=files, staged=args.staged, fast=args.fast, skip=frozenset(args.skip),
                       test_args=test_args, test_timeout=timeout or 300.0, sandbox=args.sandbox,
                       principles=principles, principle_files=principle_files)


def _targets(paths: list[Path], root: Path | None, staged: bool) -> tuple[Path, tuple[str, ...] | None]:
    if len(paths) == 1 and paths[0].is_dir() and root is None:
        return paths[0].resolve(), None
    base = (root or Path.cwd()).resolve()
    if not base.is_dir():
        raise EvolveError(f"{base} is not a folder; scan a project folder")
    if not paths:
        return base, None
    if staged:
        raise EvolveError("--staged scans what git has staged; list no files with it")
    files = []
    for path in paths:
        full = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not full.is_file():
            raise EvolveError(f"{path} is not a file; list files of the project, or one project folder")
        if not full.is_relative_to(base):
            raise EvolveError(f"{path} is outside the project {base}; pass --root")
        files.append(full.relative_to(base).as_posix())
    return base, tuple(sorted(set(files)))


def handle(args: argparse.Namespace) -> int:
    from evolve.health.scan import scan

    options = options_from(args)
    if options.staged or options.files is not None:
        wanted = options.files
        if options.staged:
            from evolve.health.project import staged_files

            wanted = tuple(staged_files(options.root))
        if not any(f.endswith((".py", "pyproject.toml")) for f in wanted or ()):
            return _print_empty(args, options.root)
    report = scan(options)
    if args.repair:
        from evolve.health.repair import repair

        report.repair = repair(report, options.root, options.test_args, options.test_timeout,
                               sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        for line in report.lines(args.verbose):
            print(line)
        if report.repair:
            print(_repair_line(report.repair))
    return report.exit_code


def _print_empty(args: argparse.Namespace, root: Path) -> int:
    if args.json:
        print(json.dumps({"root": str(root), "healthy": True, "exit_code": 0, "counts": {}, "checked": {},
                          "notes": ["no Python file to scan"], "findings": [], "repair": None}, indent=2))
    else:
        print(f"evolve: scan of {root}: no Python file to scan")
    return 0


def _repair_line(repair: dict[str, Any]) -> str:
    status = repair["status"]
    if status == "repaired":
        where = f"branch {repair['branch']}" if repair.get("branch") else f"{repair['run_folder']}/best.diff"
        return f"evolve: repair: the failing tests pass with the fix in {where} (run {repair['run_id']})"
    if status == "not run":
        return f"evolve: repair: not run: {repair['reason']}"
    if status == "no repair found":
        return f"evolve: repair: no repair found (run {repair['run_id']}, {repair['run_folder']})"
    return f"evolve: repair: {status}"
