"""Snapshots: the committed tree of the base commit, also for a project in a subfolder of a repository."""

from __future__ import annotations

from tests.conftest import git

from evolve.target import take_snapshot


def test_snapshot_of_a_project_in_a_subfolder_of_a_repository(make_project, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    project = make_project("repo/sub/proj")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    (project / "calc" / "core.py").write_text("# uncommitted edit\n")
    snapshot = take_snapshot(project, tmp_path / "snap")
    assert snapshot.base_commit and snapshot.dirty
    assert (snapshot.path / "calc" / "core.py").read_text().startswith('"""A small module')
    assert (snapshot.path / "tests" / "test_core.py").is_file()


def test_snapshot_at_an_older_commit(make_project, tmp_path):
    project = make_project(use_git=True)
    first = git(project, "rev-parse", "HEAD").strip()
    (project / "calc" / "core.py").write_text("LIMITS = []\n")
    git(project, "commit", "-q", "-am", "second")
    snapshot = take_snapshot(project, tmp_path / "snap", commit=first)
    assert snapshot.base_commit == first
    assert "def slow_total" in (snapshot.path / "calc" / "core.py").read_text()


def test_snapshot_outside_git_leaves_caches_out(make_project, tmp_path):
    project = make_project()
    (project / "calc" / "__pycache__").mkdir()
    (project / "calc" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    snapshot = take_snapshot(project, tmp_path / "snap")
    assert snapshot.base_commit is None
    assert not (snapshot.path / "calc" / "__pycache__").exists()
    assert (snapshot.path / "calc" / "core.py").is_file()
