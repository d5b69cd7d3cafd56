"""The target: a read-only snapshot of the user's project that every variant starts from.

In a git repository the snapshot is the committed tree of the base commit
(``git archive``), so uncommitted work is neither evolved nor touched; outside
git it is a copy of the folder without caches and virtual environments. The
user's working tree is only ever read.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from evolve import sourcefile
from evolve.compat import extract_all
from evolve.errors import EvolveError

IGNORED = (".git", ".evolve", "__pycache__", ".pytest_cache", ".venv", "venv", ".tox", "node_modules",
           ".mypy_cache", ".ruff_cache", "*.pyc", ".benchmarks", "*.egg-info", "build", "dist")


@dataclass(frozen=True)
class Snapshot:
    """Where the snapshot lives and what it was taken from."""

    path: Path
    root: Path
    base_commit: str | None
    dirty: bool
    skipped: tuple[str, ...] = ()
    """Links left out of the snapshot, each with why (they point outside the project)."""

    def read(self, file: str) -> str:
        """The text of a source file (its PEP 263 encoding decoded, line endings kept); ``SourceError``."""
        return sourcefile.read(self.path / file)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120)


def git_base(root: Path) -> tuple[str, str] | None:
    """(commit, path of ``root`` inside the repository) if ``root`` is in a git repo with commits."""
    try:
        inside = _git(root, "rev-parse", "--show-prefix")
        head = _git(root, "rev-parse", "--verify", "HEAD")
    except (OSError, subprocess.TimeoutExpired):
        return None
    if inside.returncode != 0 or head.returncode != 0:
        return None
    return head.stdout.decode().strip(), inside.stdout.decode().strip()


def take_snapshot(root: Path, dest: Path, commit: str | None = None) -> Snapshot:
    """Copy the project at ``root`` into ``dest`` (created) and describe it.

    In git, ``commit`` (default ``HEAD``) names the tree to take: a resumed run
    evolves the commit it started from, wherever ``HEAD`` has moved since.
    """
    dest.mkdir(parents=True, exist_ok=True)
    base = git_base(root)
    if base is None:
        skipped = _copy_folder(root, dest)
        return Snapshot(path=dest, root=root, base_commit=None, dirty=False, skipped=tuple(skipped))
    head, prefix = base
    commit = commit or head
    # From the top level: inside a subfolder, git would also filter the archive by that subfolder's path.
    top = Path(_git(root, "rev-parse", "--show-toplevel").stdout.decode().strip() or root)
    archive = _git(top, "archive", "--format=tar", f"{commit}:{prefix}" if prefix else commit)
    if archive.returncode != 0:
        raise EvolveError(f"git archive failed in {root}: {archive.stderr.decode().strip()}; "
                          "check that the repository is healthy")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        skipped = extract_all(tar, dest)
    status = _git(root, "--no-optional-locks", "status", "--porcelain", "--untracked-files=no", "--", ".")
    return Snapshot(path=dest, root=root, base_commit=commit, dirty=bool(status.stdout.strip()),
                    skipped=tuple(skipped))


def _copy_folder(root: Path, dest: Path) -> list[str]:
    """Copy a project outside git: symlinks as links (a link to a parent folder loops when followed),
    except links that point outside the project, which are left out; returns those, each with why."""
    ignore = shutil.ignore_patterns(*IGNORED)
    top = root.resolve()
    skipped: list[str] = []

    def leave_out(folder: str, names: list[str]) -> set[str]:
        out = set(ignore(folder, names))
        for name in names:
            path = Path(folder, name)
            if name not in out and path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(top):
                out.add(name)
                skipped.append(f"{path.relative_to(root)} (it links to {os.readlink(path)}, outside the project)")
        return out

    shutil.copytree(root, dest, symlinks=True, ignore=leave_out, dirs_exist_ok=True)
    return skipped
