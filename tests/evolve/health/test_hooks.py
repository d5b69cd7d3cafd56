"""Commit hooks on real repositories: evolve's own git hook, and pre-commit with evolve's hook manifest."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from evolve.cli import main
from tests.evolve.health.test_scan import CORE, make_clean

REPO = Path(__file__).resolve().parents[3]
ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.com"}


def commit(root: Path, message: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``git commit`` the way a person does it: hooks run (their environment is the committer's)."""
    return subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, capture_output=True, text=True, check=False,
                          env={**os.environ, **ENV, "HOME": str(root), **(env or {})}, timeout=600)


def hook_install(root: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["hook", "install"])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.slow
def test_hook_install_writes_a_hook_that_blocks_a_broken_commit(tmp_path):
    root = make_clean(tmp_path / "proj")
    code, out, _ = hook_install(root)
    hook = root / ".git" / "hooks" / "pre-commit"
    assert code == 0 and str(hook) in out
    assert os.access(hook, os.X_OK) and "-m evolve scan --fast --staged" in hook.read_text()

    (root / "calc" / "core.py").write_text(CORE + "\n\ndef broken(:\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    blocked = commit(root, "broken")
    assert blocked.returncode != 0
    assert "calc/core.py:17: parse: SyntaxError" in blocked.stdout + blocked.stderr

    (root / "calc" / "core.py").write_text(CORE + "\n\ndef mul(a, b):\n    \"\"\"Product.\"\"\"\n    return a * b\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    fixed = commit(root, "fixed")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def test_hook_install_never_overwrites_an_existing_hook(tmp_path):
    root = make_clean(tmp_path / "proj")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    code, out, err = hook_install(root)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "exists already" in err
    assert hook.read_text() == "#!/bin/sh\necho mine\n"


def test_hook_install_outside_git_is_bad_input(tmp_path):
    code, _, err = hook_install(tmp_path)
    assert code == 2 and "not in a git repository" in err


def local_hook_config(root: Path) -> None:
    """Our ``.pre-commit-hooks.yaml`` hook as a ``repo: local`` hook (pre-commit cannot clone offline):
    the same id, entry, file types and serial flag; ``language: system`` runs the installed evolve."""
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = dict(next(h for h in manifest if h["id"] == "evolve-scan"))
    assert hook["entry"].startswith("evolve ")
    hook["entry"] = f"{sys.executable} -m {hook['entry']}"
    hook["language"] = "system"
    hook.pop("minimum_pre_commit_version", None)
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                    reason="pre-commit is not installed (pip install -e '.[test]')")
def test_pre_commit_with_our_hook_blocks_a_syntax_error_and_passes_a_clean_tree(tmp_path):
    root = make_clean(tmp_path / "proj")
    local_hook_config(root)
    env = {**os.environ, **ENV, "HOME": str(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    pre_commit = [sys.executable, "-m", "pre_commit"]

    def run_all() -> subprocess.CompletedProcess[str]:
        return subprocess.run([*pre_commit, "run", "--all-files"], cwd=root, capture_output=True, text=True,
                              check=False, env=env, timeout=600)

    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    clean = run_all()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "evolve health scan" in clean.stdout and "Passed" in clean.stdout

    (root / "calc" / "core.py").write_text(CORE + "\n\ndef broken(:\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    broken = run_all()
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "calc/core.py:17: parse: SyntaxError" in broken.stdout

    installed = subprocess.run([*pre_commit, "install"], cwd=root, capture_output=True, text=True, env=env,
                               check=False)
    assert installed.returncode == 0, installed.stderr
    assert commit(root, "broken", env={"PRE_COMMIT_HOME": str(tmp_path / "cache")}).returncode != 0
    (root / "calc" / "core.py").write_text(CORE)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    done = commit(root, "clean", env={"PRE_COMMIT_HOME": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stdout + done.stderr
