"""Scratch folders: fresh copies of a case's project (never a git repository), with a change applied.

A change comes as the known fix (``known/``), as a unified diff (the run's
``best.diff``, applied with ``patch -p1``, or ``git apply`` where ``patch`` is
missing) or as new sources of some files (a patch from ``evaluations.jsonl``,
rendered by :func:`render_patch` with the public ``populations`` package;
rendering only transforms source text, it runs none of it).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self

from benchmarks.quality.cases import Case
from benchmarks.quality.procs import run_contained

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".evolve")


class Scratch:
    """A temporary folder (outside any repository) handing out fresh sub-folders; removed by :meth:`close`."""

    def __init__(self, keep: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="evolve-quality-"))
        self.keep = keep
        self._count = 0

    def folder(self, name: str) -> Path:
        """A new empty folder ``<root>/<n>-<name>``."""
        self._count += 1
        path = self.root / f"{self._count:04d}-{name}"
        path.mkdir()
        return path

    def close(self) -> None:
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def copy_project(case: Case, dest: Path) -> Path:
    """Copy ``case``'s project/ to ``dest/project`` and return that folder."""
    target = dest / "project"
    shutil.copytree(case.project, target, ignore=_IGNORE)
    return target


def copy_known(case: Case, dest: Path) -> Path:
    """A project copy with the known fix / speed-up laid over it (``dest/project``)."""
    target = copy_project(case, dest)
    for rel in case.known_files():
        shutil.copyfile(case.known / rel, target / rel)
    return target


def apply_diff(diff: Path, project: Path) -> str | None:
    """Apply the unified diff file ``diff`` (paths ``a/…``, ``b/…``) inside ``project``; None on success, else why not."""
    if not diff.read_text(encoding="utf-8").strip():
        return None
    if shutil.which("patch"):
        argv = ["patch", "-p1", "--batch", "--forward", "--no-backup-if-mismatch", "-s", "-i", str(diff.resolve())]
    else:
        argv = ["git", "apply", "--unsafe-paths", str(diff.resolve())]
    done = run_contained(argv, project, 30)
    return None if done.ok else f"{argv[0]} failed: {(done.stdout + done.stderr).strip()[-300:]}"


def write_sources(project: Path, sources: Mapping[str, str]) -> None:
    """Overwrite files of ``project`` (paths relative to it) with ``sources``."""
    for rel, text in sources.items():
        (project / rel).write_text(text, encoding="utf-8")


def render_patch(case: Case, patch: Sequence[Mapping[str, Any]]) -> dict[str, str] | None:
    """New sources of the target files changed by an engine patch (its JSON edit list), or None if it does not render.

    Uses only the public packages ``populations`` (Patch, apply_patch) and
    ``mutations`` (ModuleIndex), against the case's original files.
    """
    from mutations import (
        ModuleIndex,  # imported here: only runs that need it pay for LibCST
    )
    from populations import Patch, apply_patch

    try:
        parsed = Patch.from_json(patch)
        indexes = {f: ModuleIndex.build(f, (case.project / f).read_text(encoding="utf-8")) for f in parsed.files
                   if f in case.files}
        applied = apply_patch(parsed, indexes)
    except Exception:  # noqa: BLE001 - a patch the current engine cannot render is simply not judged
        return None
    return None if applied.errors else dict(applied.sources)


def fingerprint(sources: Mapping[str, str]) -> str:
    """A digest of a set of file sources: two patches with the same fingerprint are the same program."""
    digest = hashlib.sha256()
    for rel in sorted(sources):
        digest.update(rel.encode() + b"\0" + sources[rel].encode() + b"\0")
    return digest.hexdigest()[:16]
