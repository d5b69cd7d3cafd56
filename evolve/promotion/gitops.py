"""Git plumbing for promotion: new objects and refs only, never the user's checkout.

Why plumbing: porcelain (checkout, merge, commit, stash) works through the
working tree, the index and ``HEAD``, which belong to the user. Everything
here builds trees in a temporary index file (``GIT_INDEX_FILE``), writes
commits with ``commit-tree``, exports trees with ``git archive`` into scratch
folders and moves a branch with ``update-ref`` as a compare-and-swap on its old
value, so a branch that moved meanwhile is never overwritten. Every command
runs with optional locks off, so even reading never refreshes the user's index.

Commits are authored by ``evolve``; the committer is the repository's
configured identity, or ``evolve`` too when none is configured.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from evolve.compat import extract_all
from evolve.errors import EvolveError

__all__ = ["ZERO", "Repo"]

ZERO = "0" * 40
"""The old value that makes ``update-ref`` create a ref only if it does not exist yet."""

_NAME, _EMAIL = "evolve", "evolve@localhost"
# Variables that would point git at another repository, index or object store than ``-C`` names.
_LOCATION_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                       "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_PREFIX")
_DIFF_FOR_APPLY = ("diff", "--binary", "--full-index", "--no-color", "--no-ext-diff", "--no-textconv",
                   "--no-renames", "--no-relative", "--src-prefix=a/", "--dst-prefix=b/")


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _LOCATION_VARIABLES}
    env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    env.update(extra or {})
    return env


def _first_line(done: subprocess.CompletedProcess[bytes]) -> str | None:
    lines = done.stdout.decode(errors="replace").splitlines()
    if done.returncode != 0 or not lines:
        return None
    return lines[0].strip() or None


@dataclass(frozen=True)
class Repo:
    """A repository by its top-level folder."""

    top: Path

    @classmethod
    def at(cls, path: Path) -> tuple[Repo, str] | None:
        """The repository ``path`` is in and ``path``'s prefix inside it (``""`` or ``"sub/"``)."""
        try:
            done = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel", "--show-prefix"],
                                  capture_output=True, text=True, timeout=60, env=_env())
        except (OSError, subprocess.TimeoutExpired):
            return None
        lines = done.stdout.splitlines()
        if done.returncode != 0 or not lines:
            return None
        return cls(Path(lines[0])), (lines[1] if len(lines) > 1 else "")

    def run(self, *args: str, stdin: bytes | None = None, index: Path | None = None,
            env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        extra = dict(env or {})
        if index is not None:
            extra["GIT_INDEX_FILE"] = str(index)
        return subprocess.run(["git", "-C", str(self.top), *args], input=stdin, capture_output=True,
                              timeout=300, env=_env(extra))

    def git(self, *args: str, stdin: bytes | None = None, index: Path | None = None,
            env: Mapping[str, str] | None = None) -> str:
        """Run a git command that must succeed; its stdout, stripped. Failure is one ``EvolveError`` line."""
        done = self.run(*args, stdin=stdin, index=index, env=env)
        if done.returncode != 0:
            why = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            raise EvolveError(f"git {args[0]} failed in {self.top}: {why[0]}; check the repository with git status")
        return done.stdout.decode(errors="replace").strip()

    # ------------------------------------------------------------ reading

    def resolve(self, rev: str) -> str | None:
        """The commit ``rev`` names, or ``None``."""
        done = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        return _first_line(done)

    def branch_tip(self, branch: str) -> str | None:
        return self.resolve(f"refs/heads/{branch}")

    def valid_branch(self, name: str) -> bool:
        return not name.startswith("-") and self.run("check-ref-format", f"refs/heads/{name}").returncode == 0

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.run("merge-base", "--is-ancestor", ancestor, descendant).returncode == 0

    def current_branch(self) -> str | None:
        return _first_line(self.run("symbolic-ref", "--quiet", "--short", "HEAD"))

    def checked_out(self, branch: str) -> Path | None:
        """The worktree (the main one included) that has ``branch`` checked out, if any."""
        path: Path | None = None
        for line in self.git("worktree", "list", "--porcelain").splitlines():
            if line.startswith("worktree "):
                path = Path(line[len("worktree "):])
            elif line == f"branch refs/heads/{branch}":
                return path
        return None

    def changed_files(self, old: str, new: str) -> list[str]:
        return self.git("diff", "--name-only", "--no-renames", old, new).splitlines()

    def export(self, treeish: str, prefix: str, dest: Path) -> Path:
        """Write the files of ``treeish`` under ``prefix`` into ``dest`` (created): a clean checkout."""
        spec = f"{treeish}:{prefix.rstrip('/')}" if prefix else treeish
        done = self.run("archive", "--format=tar", spec)
        if done.returncode != 0:
            raise EvolveError(f"git archive of {treeish[:10]} failed in {self.top}: "
                              f"{done.stderr.decode(errors='replace').strip()}; check the repository")
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
            extract_all(tar, dest)
        return dest

    # ------------------------------------------------------------ writing objects and refs

    def tree_with(self, base: str, files: Mapping[str, str | bytes]) -> str:
        """The tree of ``base`` with ``files`` (paths from the top, new content: bytes as stored, or text
        written as UTF-8) replaced; objects only."""
        with tempfile.TemporaryDirectory(prefix="evolve-index-") as tmp:
            index = Path(tmp) / "index"
            self.git("read-tree", base, index=index)
            for path, content in sorted(files.items()):
                data = content if isinstance(content, bytes) else content.encode("utf-8")
                blob = self.git("hash-object", "-w", "--stdin", f"--path={path}", stdin=data)
                self.git("update-index", "--add", "--cacheinfo", f"{self._mode(base, path)},{blob},{path}",
                         index=index)
            return self.git("write-tree", index=index)

    def _mode(self, commit: str, path: str) -> str:
        listed = self.git("ls-tree", commit, "--", path).split()
        return listed[0] if listed else "100644"

    def apply_onto(self, base: str, commit: str, tip: str) -> tuple[str | None, str]:
        """Apply the change ``base..commit`` onto ``tip``: (tree, "") or (None, why it does not apply)."""
        diff = self.run(*_DIFF_FOR_APPLY, base, commit)
        if diff.returncode != 0:
            return None, diff.stderr.decode(errors="replace").strip()
        with tempfile.TemporaryDirectory(prefix="evolve-index-") as tmp:
            index = Path(tmp) / "index"
            self.git("read-tree", tip, index=index)
            done = self.run("apply", "--cached", "--whitespace=nowarn", "-", stdin=diff.stdout, index=index)
            if done.returncode != 0:
                lines = done.stderr.decode(errors="replace").strip().splitlines()
                return None, next((ln for ln in lines if ln.startswith("error:")), lines[0] if lines else "")
            return self.git("write-tree", index=index), ""

    def commit(self, tree: str, parents: list[str], message: str) -> str:
        """A new commit object (no ref moves)."""
        identity = {"GIT_AUTHOR_NAME": _NAME, "GIT_AUTHOR_EMAIL": _EMAIL}
        if self.run("var", "GIT_COMMITTER_IDENT").returncode != 0:
            identity.update(GIT_COMMITTER_NAME=_NAME, GIT_COMMITTER_EMAIL=_EMAIL)
        args = [arg for parent in parents for arg in ("-p", parent)]
        return self.git("commit-tree", tree, *args, "-F", "-", stdin=message.encode("utf-8"), env=identity)

    def set_branch(self, branch: str, new: str, old: str, reason: str) -> None:
        """Point ``branch`` at ``new`` only if it is still at ``old`` (``ZERO``: only if it does not exist)."""
        done = self.run("update-ref", "-m", reason, f"refs/heads/{branch}", new, old)
        if done.returncode != 0:
            why = "already exists" if old == ZERO else f"moved from {old[:10]} meanwhile"
            raise EvolveError(f"branch {branch} {why}; nothing was changed, run the command again")
