"""A plain git ``pre-commit`` hook that runs the scan on the staged files, for people without pre-commit.

The hook is one ``exec`` line naming this interpreter, so it runs the evolve
that installed it whatever the ``PATH`` of the committing shell. An existing
hook is never overwritten: the user's hook may do other work, and merging
scripts is theirs to decide.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
from pathlib import Path

from evolve.errors import EvolveError
from evolve.health.project import git

COMMAND = "-m evolve scan --fast --staged"
"""What the hook runs (after the interpreter): the staged files as the commit will hold them, no tests."""


def hook_text(python: str | None = None) -> str:
    line = f"exec {shlex.quote(python or sys.executable)} {COMMAND}"
    return ("#!/bin/sh\n"
            "# evolve health scan of the staged Python files (written by: python -m evolve hook install)\n"
            f"{line}\n")


def hook_path(repository: Path) -> Path:
    """Where git looks for the ``pre-commit`` hook of ``repository`` (``core.hooksPath`` honoured)."""
    done = git(repository, "rev-parse", "--git-path", "hooks/pre-commit")
    if done.returncode != 0:
        raise EvolveError(f"{repository} is not in a git repository; run hook install inside one "
                          "(or use pre-commit with evolve's .pre-commit-hooks.yaml)")
    path = Path(os.fsdecode(done.stdout.strip()))
    return (path if path.is_absolute() else repository / path).resolve()


def install(repository: Path) -> Path:
    """Write the hook; ``EvolveError`` (exit 2) if a hook is there already."""
    path = hook_path(repository)
    if path.exists() or path.is_symlink():
        raise EvolveError(f"a pre-commit hook exists already at {path}; evolve does not overwrite it: add the "
                          f"line `python {COMMAND}` to it yourself")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(hook_text(), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path
