"""One scan of a project: parse, docstrings and versions in the engine; imports and tests in a sandbox.

The scan works in a copy (the working tree's files, or for ``staged`` the git
index) inside a scratch folder that goes away with it. A scan of a files list
(a pre-commit hook's staged files) parses and reads docstrings of those files
only, checks versions only when a file that states one is among them, and
still imports every module of the project: a change to one file breaks the
imports of the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from evolve.errors import EvolveError
from evolve.evaluation.health import check_imports, run_tests
from evolve.evaluation.levels import resolve_level
from evolve.evaluation.sandbox import Limits
from evolve.health import static
from evolve.health.findings import KINDS, Finding, ScanReport
from evolve.health.principles import principle_findings
from evolve.health.project import (
    copy_index,
    copy_working_tree,
    is_test_file,
    module_name,
    source_roots,
    staged_files,
)
from evolve.scratch import new_scratch, release
from fitness.principles import PrincipleSettings

CHECKS = ("parse", "imports", "tests", "version", "principles", "docs")


@dataclass(frozen=True)
class ScanOptions:
    """What to scan and how. ``files``: only these (relative to ``root``); None: the whole project."""

    root: Path
    files: tuple[str, ...] | None = None
    staged: bool = False
    fast: bool = False
    """No tests (for hooks)."""
    skip: frozenset[str] = frozenset()
    test_args: tuple[str, ...] = ()
    test_timeout: float = 300.0
    import_timeout: float = 60.0
    sandbox: str = "auto"
    principles: PrincipleSettings | None = None
    """The experiment config's principles, checked on ``principle_files`` against ``HEAD`` (None: not checked)."""
    principle_files: tuple[str, ...] = ()

    def runs(self, check: str) -> bool:
        return check not in self.skip and not (check == "tests" and self.fast)


def scan(options: ScanOptions) -> ScanReport:
    """Scan ``options.root``; ``EvolveError`` only for bad input (exit code 2), never for what is found."""
    root = options.root
    if not root.is_dir():
        raise EvolveError(f"{root} is not a folder; scan a project folder, or list files inside one")
    try:
        level = resolve_level(options.sandbox).name
    except (OSError, ValueError) as exc:
        raise EvolveError(str(exc)) from None
    scratch = new_scratch()
    try:
        workspace = copy_index(root, scratch / "index") if options.staged else \
            copy_working_tree(root, scratch / "project")
        files = options.files
        if options.staged:
            files = tuple(staged_files(root))
        return _scan(options, workspace, files, level)
    finally:
        release(scratch)


def _python_files(workspace: Path) -> list[str]:
    return sorted(p.relative_to(workspace).as_posix() for p in workspace.rglob("*.py") if p.is_file())


def _scan(options: ScanOptions, workspace: Path, files: tuple[str, ...] | None, level: str) -> ScanReport:
    report = ScanReport(str(options.root))
    everything = _python_files(workspace)
    chosen = everything if files is None else [f for f in files if f.endswith(".py") and (workspace / f).is_file()]
    if files is None and not everything:
        raise EvolveError(f"no Python files in {options.root}; point scan at a Python project")
    broken: set[str] = set()
    gaps: list[Finding] = []
    for rel in chosen:
        tree, problem = static.parse(workspace / rel, rel)
        if problem is not None:
            broken.add(rel)
            if options.runs("parse"):
                report.findings.append(problem)
        elif options.runs("docs"):
            gaps += static.doc_gaps(tree, rel)
    report.checked["files parsed"] = len(chosen)
    if options.runs("version") and _versions_in_scope(workspace, files):
        drift, found = static.version_drift(workspace, options.root)
        if drift is not None:
            report.findings.append(drift)
        if found:
            report.checked["versions compared"] = len(found)
    if options.runs("principles") and options.principles is not None:
        targets = tuple(f for f in options.principle_files if files is None or f in files)
        report.findings += principle_findings(workspace, options.root, targets, options.principles)
        report.checked["files held to the principles"] = len(targets)
    if options.runs("imports"):
        _imports(options, workspace, [f for f in everything if f not in broken], level, report)
    if options.runs("tests"):
        _tests(options, workspace, level, report)
    report.findings += gaps
    order = {kind: i for i, kind in enumerate(KINDS)}
    report.findings.sort(key=lambda f: order.get(f.kind, len(order)))  # worst first, each kind in scan order
    return report


def _versions_in_scope(workspace: Path, files: tuple[str, ...] | None) -> bool:
    """A whole-project scan compares versions; a files scan only when one of the files states one."""
    if files is None:
        return True
    return any(f == "pyproject.toml" or PurePosixPath(f).name in static.VERSION_FILES for f in files)


def _imports(options: ScanOptions, workspace: Path, files: list[str], level: str, report: ScanReport) -> None:
    roots = source_roots(workspace)
    modules = sorted({name for f in files if (name := module_name(f, workspace, roots))})
    limits = Limits(wall_seconds=options.import_timeout, cpu_seconds=options.import_timeout)
    checked = check_imports(workspace, [workspace / r if r else workspace for r in roots], modules, limits, level)
    for failure in checked.failures:
        report.findings.append(Finding("import", failure.error, failure.file, failure.line, name=failure.module))
    if checked.problem:
        report.notes.append(checked.problem)
    report.checked["modules imported"] = checked.checked


def _tests(options: ScanOptions, workspace: Path, level: str, report: ScanReport) -> None:
    if not any(is_test_file(f) for f in _python_files(workspace)) and not options.test_args:
        report.notes.append("no test files found; tests not run")
        return
    limits = Limits(wall_seconds=options.test_timeout, cpu_seconds=options.test_timeout)
    ran = run_tests(workspace, options.test_args, limits, level)
    for name in ran.failing:
        report.findings.append(Finding("test", ran.failures.get(name) or ran.outcomes[name], name=name))
    if ran.problem:
        report.findings.append(Finding("tests", ran.problem))
    if not ran.outcomes and not ran.problem:
        report.notes.append("pytest collected no tests")
    report.checked["tests run"] = len(ran.outcomes)
