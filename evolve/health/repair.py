"""``scan --repair``: failing tests handed to a repair run with a generated config.

The config names the project's committed, importable source files as the
target, its test folders as the tests, and repair mode; it is written next to
the run folders (``<root>/.evolve/scan-repair.yaml``) so the run can be
repeated or resumed. A repair run evolves the committed tree and, when it
finds a fix, commits it to the branch ``evolve/<run-id>`` only: the working
tree is never written and nothing is merged (no ``promotion.auto_into``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

import yaml

from evolve.config import config_from_dict
from evolve.errors import EvolveError
from evolve.health.findings import ScanReport
from evolve.health.project import (
    git,
    in_git,
    is_test_file,
    module_name,
    project_files,
    source_roots,
)

MAX_FILES = 40
"""Target files a generated repair config names at most (fault localisation weights them anyway)."""
MAX_BYTES = 256 * 1024


def target_files(root: Path) -> list[str]:
    """The project's importable, non-test source files, in the base commit when in git."""
    if in_git(root):
        listed = git(root, "ls-tree", "-r", "-z", "--name-only", "HEAD")
        files = sorted(n.decode(errors="replace") for n in listed.stdout.split(b"\0") if n) \
            if listed.returncode == 0 else []
    else:
        files = project_files(root)
    roots = source_roots(root)
    chosen = [f for f in files if module_name(f, root, roots) and (root / f).is_file()
              and 0 < (root / f).stat().st_size <= MAX_BYTES]
    return chosen[:MAX_FILES]


def test_paths(root: Path, args: tuple[str, ...]) -> list[str]:
    if args:
        return [a for a in args if not a.startswith("-")] or ["."]
    found = sorted({f.split("/")[0] for f in project_files(root) if is_test_file(f) and "/" in f})
    return found or ["."]


def repair_config(root: Path, args: tuple[str, ...], timeout: float) -> dict[str, Any]:
    files = target_files(root)
    if not files:
        raise EvolveError(f"scan --repair found no source file to repair in {root} (committed, importable, "
                          "not a test)")
    return {
        "experiment": "scan-repair", "mode": "repair",
        "target": {"root": str(root), "files": files},
        "tests": {"paths": test_paths(root, args), "timeout": max(10.0, min(timeout, 600.0))},
        "search": {"population": 12, "generations": 10, "seed": 0},
        "run_dir": str(root / ".evolve" / "runs"),
    }


def repair(report: ScanReport, root: Path, args: tuple[str, ...], timeout: float, out: TextIO) -> dict[str, Any]:
    """Run a repair of the failing tests; what happened, for the report (``report.repair``)."""
    from evolve.run import run_experiment

    failing = [f.name for f in report.findings if f.kind == "test"]
    if not failing:
        return {"status": "nothing to repair", "failing": []}
    data = repair_config(root, args, timeout)
    path = root / ".evolve" / "scan-repair.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    print(f"evolve: repairing {len(failing)} failing test(s) with {path} (a fix becomes a branch, never your "
          "working tree)", file=out, flush=True)
    try:
        outcome = run_experiment(config_from_dict(data, base=root, label=str(path)), out=out, progress=False)
    except EvolveError as exc:
        return {"status": "not run", "reason": str(exc), "config": str(path), "failing": failing}
    result = {"status": "repaired" if outcome.improved else "no repair found", "run_id": outcome.run_id,
              "branch": outcome.branch, "diff": outcome.diff if outcome.improved else "", "config": str(path),
              "run_folder": str(outcome.path), "failing": failing}
    return result
