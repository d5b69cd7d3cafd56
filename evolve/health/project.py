"""Which files make up a project, which of them are importable modules, and the copy a scan works in.

In git, a project's files are the tracked ones and the untracked ones git does
not ignore (``git ls-files``); outside git, every file but caches, virtual
environments and build output (``evolve.target.IGNORED``). A scan of the
*staged* files works in the index as it stands (``git checkout-index``): that
is exactly what the commit will hold, whatever the working tree has on top.
The user's working tree is only read.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from evolve.errors import EvolveError
from evolve.target import IGNORED

NOT_MODULES = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py", "manage.py",
                         "__main__.py"})
"""Files never imported by the import check: they run something when imported, or are pytest's."""


def git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120, check=False)


def in_git(root: Path) -> bool:
    try:
        return git(root, "rev-parse", "--is-inside-work-tree").stdout.strip() == b"true"
    except (OSError, subprocess.TimeoutExpired):
        return False


def _ignored(rel: str) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in PurePosixPath(rel).parts for pattern in IGNORED)


def project_files(root: Path) -> list[str]:
    """Every file of the project, relative to ``root`` (posix), sorted."""
    if in_git(root):
        listed = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        if listed.returncode == 0:
            names = {os.fsdecode(n) for n in listed.stdout.split(b"\0") if n}
            return sorted(n for n in names if not _ignored(n) and (root / n).is_file())
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, p) for p in IGNORED))
        for name in files:
            rel = (Path(folder) / name).relative_to(root).as_posix()
            if not _ignored(rel):
                found.append(rel)
    return sorted(found)


def staged_files(root: Path) -> list[str]:
    """Files added, copied, modified or renamed in the index, relative to ``root``."""
    done = git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--relative")
    if done.returncode != 0:
        raise EvolveError(f"--staged needs a git repository: {root} is not in one "
                          f"({done.stderr.decode(errors='replace').strip()})")
    return sorted(os.fsdecode(n) for n in done.stdout.split(b"\0") if n)


def copy_working_tree(root: Path, dest: Path) -> Path:
    """Copy the project's files (see ``project_files``) into ``dest``; links stay links."""
    for rel in project_files(root):
        source, target = root / rel, dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def copy_index(root: Path, dest: Path) -> Path:
    """Write the index (what the next commit holds) into ``dest``; the project's folder in it."""
    top = git(root, "rev-parse", "--show-toplevel")
    prefix = git(root, "rev-parse", "--show-prefix")
    if top.returncode != 0:
        raise EvolveError(f"--staged needs a git repository: {root} is not in one")
    dest.mkdir(parents=True, exist_ok=True)
    done = git(Path(os.fsdecode(top.stdout.strip())), "checkout-index", "--all", "--force",
               f"--prefix={dest}{os.sep}")
    if done.returncode != 0:
        raise EvolveError(f"cannot read the git index of {root}: {done.stderr.decode(errors='replace').strip()}")
    return dest / os.fsdecode(prefix.stdout.strip())


def is_test_file(rel: str) -> bool:
    path = PurePosixPath(rel)
    return (any(part in ("tests", "test", "testing") for part in path.parts[:-1]) or path.name == "conftest.py"
            or path.name.startswith("test_") or path.stem.endswith("_test"))


def source_roots(workspace: Path) -> list[str]:
    """The folders modules are imported from: the project root, and ``src`` when it holds packages."""
    src = workspace / "src"
    return ["", "src"] if src.is_dir() and any(p.is_dir() and (p / "__init__.py").is_file() for p in src.iterdir()) \
        else [""]


def module_name(rel: str, workspace: Path, roots: list[str]) -> str | None:
    """The dotted name ``rel`` is imported by, or None (a test, a script, a file outside any package)."""
    path = PurePosixPath(rel)
    if path.suffix != ".py" or path.name in NOT_MODULES or is_test_file(rel):
        return None
    for root in sorted(roots, key=len, reverse=True):
        if root and not rel.startswith(root + "/"):
            continue
        inner = PurePosixPath(rel[len(root) + 1:] if root else rel)
        folders = inner.parts[:-1]
        if all((workspace / root / Path(*folders[:i + 1]) / "__init__.py").is_file() for i in range(len(folders))):
            parts = [*folders] if inner.name == "__init__.py" else [*folders, inner.stem]
            if parts and all(p.isidentifier() for p in parts):
                return ".".join(parts)
        return None
    return None


def is_public(rel: str) -> bool:
    """A module whose path has no part starting with ``_`` (``__init__.py`` is its package's)."""
    path = PurePosixPath(rel)
    parts = [*path.parts[:-1], path.stem] if path.name != "__init__.py" else list(path.parts[:-1])
    return not any(p.startswith("_") for p in parts)
