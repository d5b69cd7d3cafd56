"""Promotion with real git repositories: verified minimal commits, the user's checkout never touched.

Most tests hand a known survivor to ``conclude_run`` (what a run does at its
end) instead of searching for one, so each costs one or two re-verifications
rather than a whole run; two tests go through ``run_experiment`` itself.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from evolve.config import load_config
from evolve.errors import ConfigError, EvolveError
from evolve.promotion.gitops import ZERO, Repo
from evolve.records.history import History
from evolve.promotion.promote import PromotionRefused, conclude_run, promote_into
from evolve.run import run_experiment
from evolve.records.store import RunStore
from evolve.target import take_snapshot
from mutations._index import ModuleIndex
from populations.patch import Edit, Patch, apply_patch
from tests.conftest import TESTS, git
from tests.evolve.promotion.test_minimise import DELETE_PADDING, PADDED

EXACT = {"performance": 0, "correctness": 0.4, "maintainability": 0.3, "tokens": 0.2, "principles": 0.1}
# Deleting mean()'s guard passes every test but one, which lives outside tests.paths in some tests below.
DELETE_GUARD = Edit.make("delete_statement", "calc/core.py", "If@18:4-19:18")
GUARD_TEST = "from calc.core import mean\n\n\ndef test_mean_empty():\n    assert mean([]) == 0.0\n"
SUBSET_TESTS = TESTS.replace("\n\ndef test_mean_empty():\n    assert mean([]) == 0.0\n", "")


# ---------------------------------------------------------------- helpers


def checkout_state(root: Path) -> dict[str, object]:
    """Everything of the user's checkout that promotion must leave byte-identical."""
    top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    files = hashlib.sha256()
    for path in sorted(p for p in top.rglob("*") if p.is_file() and ".git" not in p.relative_to(top).parts):
        files.update(str(path.relative_to(top)).encode() + b"\0" + path.read_bytes())
    return {"files": files.hexdigest(), "index": (top / ".git" / "index").read_bytes(),
            "HEAD": (top / ".git" / "HEAD").read_bytes(), "head_commit": git(root, "rev-parse", "HEAD"),
            "stash": git(root, "stash", "list"), "status": git(root, "status", "--porcelain", "--untracked-files=all")}


def commit_on(root: Path, branch: str, files: dict[str, str], message: str) -> str:
    """Move ``branch`` with a new commit through a throwaway worktree, as a colleague's push would."""
    other = root.parent / f"wt-{branch}-{len(message)}"
    git(root, "worktree", "add", "-q", str(other), branch)
    try:
        for name, text in files.items():
            (other / name).parent.mkdir(parents=True, exist_ok=True)
            (other / name).write_text(text)
        git(other, "add", "-A")
        git(other, "commit", "-q", "-m", message)
        return git(other, "rev-parse", "HEAD").strip()
    finally:
        git(root, "worktree", "remove", "--force", str(other))


@pytest.fixture
def project(make_project):
    """The padded project in a git repository, checked out on a work branch so that main may move."""

    def make(tests: str = TESTS, extra: dict[str, str] | None = None, branch: str = "work") -> Path:
        root = make_project(core=PADDED, tests=tests, use_git=True)
        for name, text in (extra or {}).items():
            (root / name).write_text(text)
        if extra:
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "more tests")
        git(root, "switch", "-q", "-c", branch)
        return root

    return make


@pytest.fixture
def configure(write_config):
    def make(root: Path, **overrides: object):
        data: dict[str, object] = {"fitness": {"weights": EXACT, "threshold": 0.01}, "benchmark": None,
                                   "tests": {"paths": ["tests"], "timeout": 30, "coverage": False}}
        data.update(overrides)
        return load_config(write_config(root, **data))

    return make


def survive(config, tmp_path: Path, *edits) -> tuple[RunStore, str | None, str]:
    """What the end of a run does with a survivor made of ``edits``: (run folder, branch, output)."""
    scratch = tmp_path / f"scratch-{len(list(tmp_path.iterdir()))}"
    snapshot = take_snapshot(config.target.root, scratch / "snapshot")
    indexes = {f: ModuleIndex.build(f, snapshot.read(f)) for f in config.target.files}
    store = RunStore.create(config.run_dir, config.experiment)
    store.write_config(config.to_yaml_dict())
    out = io.StringIO()
    branch = conclude_run(config, snapshot, indexes, Patch(tuple(edits)), store, scratch, out)
    shutil.rmtree(scratch)
    return store, branch, out.getvalue()


def refusal(config, store: RunStore, into: str) -> str:
    out = io.StringIO()
    with pytest.raises(PromotionRefused) as caught:
        promote_into(config, store, into, out)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def promote_cli(store: RunStore, into: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evolve", "promote", store.run_id, "--into", into,
                           "--run-dir", str(store.path.parent)], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin:/usr/local/bin",
                                            "PYTHONPATH": str(Path(__file__).parents[3])})


# ---------------------------------------------------------------- the end of a run


@pytest.mark.slow
def test_a_run_commits_its_minimised_survivor_and_leaves_the_checkout_alone(project, configure, tmp_path):
    root = project(branch="work")
    (root / "calc" / "core.py").write_text(PADDED + "\n# work in progress\n")  # unstaged change
    (root / "tests" / "test_core.py").write_text(TESTS + "\n# staged\n")
    git(root, "add", "tests/test_core.py")  # the index differs from HEAD
    (root / "notes.txt").write_text("untracked\n")
    (root / "calc" / "__init__.py").write_text("# stashed\n")
    git(root, "stash", "push", "-q", "--", "calc/__init__.py")
    base = git(root, "rev-parse", "HEAD").strip()
    before = checkout_state(root)
    config = configure(root, search={"population": 8, "generations": 1, "seed": 5,
                                     "operators": ["delete_statement"]})
    out = io.StringIO()

    outcome = run_experiment(config, out=out, progress=False)

    assert checkout_state(root) == before, "the working tree, index, HEAD and stash must not change"
    assert outcome.branch == f"evolve/{outcome.run_id}", out.getvalue()
    assert git(root, "rev-parse", f"{outcome.branch}^").strip() == base
    assert git(root, "diff", "--name-only", base, outcome.branch).split() == ["calc/core.py"]
    indexes = {"calc/core.py": ModuleIndex.build("calc/core.py", PADDED)}
    minimised = apply_patch(outcome.best_patch, indexes).sources["calc/core.py"]
    assert git(root, "show", f"{outcome.branch}:calc/core.py") == minimised
    assert Patch.from_json(json.loads((outcome.path / "best.json").read_text())["patch"]) == outcome.best_patch
    message = git(root, "log", "-1", "--format=%B", outcome.branch)
    assert message.startswith("evolve: ") and "Edits:\n- calc/core.py: delete a statement in slow_total()" in message
    for expected in (f"Evolve-Run: {outcome.run_id}", "Evolve-Seed: 5", "Evolve-Config: experiment.yaml",
                     "tokens ", " -> ", "full test suite  4 passed"):
        assert expected in message, message
    assert f"python -m evolve promote {outcome.run_id} --into work" in out.getvalue()


@pytest.mark.slow
def test_a_test_outside_tests_paths_that_fails_stops_the_commit(project, configure, tmp_path):
    root = project(tests=SUBSET_TESTS, extra={"tests/test_more.py": GUARD_TEST})
    config = configure(root, tests={"paths": ["tests/test_core.py"], "timeout": 30, "coverage": False})

    store, branch, out = survive(config, tmp_path, DELETE_GUARD)

    assert branch is None
    assert git(root, "branch", "--list", "evolve/*") == ""
    line = next(line for line in out.splitlines() if "not committed" in line)
    assert "full test suite" in line and "tests/test_more.py::test_mean_empty" in line, out


@pytest.mark.slow
def test_outside_git_the_run_writes_a_diff_that_git_apply_accepts(make_project, configure, tmp_path):
    root = make_project(core=PADDED)
    config = configure(root, search={"population": 8, "generations": 1, "seed": 5,
                                     "operators": ["delete_statement"]})
    out = io.StringIO()
    outcome = run_experiment(config, out=out, progress=False)

    diff = outcome.path / "best.diff"
    assert outcome.improved and outcome.branch is None, out.getvalue()
    assert f"git apply {diff}" in out.getvalue() and f"patch -p1 < {diff}" in out.getvalue()
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    applied = subprocess.run(["git", "apply", str(diff)], cwd=copy, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    indexes = {"calc/core.py": ModuleIndex.build("calc/core.py", PADDED)}
    assert (copy / "calc" / "core.py").read_text() == apply_patch(outcome.best_patch, indexes).sources["calc/core.py"]
    assert (root / "calc" / "core.py").read_text() == PADDED


SPEED = {"fitness": {"weights": {"performance": 1.0}, "threshold": 0.1},
         "benchmark": {"callable": "calc.bench:run", "repeats": 3}}


@pytest.mark.slow
def test_a_real_speed_up_is_re_measured_and_its_figure_stated_in_the_commit(project, configure, tmp_path):
    root = project()
    config = configure(root, **SPEED)
    to_set = Edit.make("membership_to_set", "calc/core.py", "List@3:9-3:40")

    store, branch, out = survive(config, tmp_path, to_set)

    assert branch is not None, out
    message = git(root, "log", "-1", "--format=%B", branch)
    assert "% less CPU in calc/core.py" in message.splitlines()[0]
    assert "median of 15 interleaved rounds" in message and "benchmark CPU" in message, message


@pytest.mark.slow
def test_a_speed_up_that_is_only_noise_is_not_committed(project, configure, tmp_path):
    root = project()
    config = configure(root, **SPEED)
    # mean() loses its docstring; the benchmark never calls mean(), so any speed-up measured is noise.
    untimed = Edit.make("delete_statement", "calc/core.py", "SimpleStatementLine@17:4-17:45")

    store, branch, out = survive(config, tmp_path, untimed)

    assert branch is None and git(root, "branch", "--list", "evolve/*") == ""
    assert "not committed:" in out and ("does not beat" in out or "not distinguishable from noise" in out), out


# ---------------------------------------------------------------- promote --into


@pytest.mark.slow
def test_promote_fast_forwards_the_mainline_from_a_subfolder_project(make_project, configure, tmp_path):
    root = make_project(name="repo/proj", core=PADDED)  # the project is a folder inside the repository
    repo = root.parent
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    git(repo, "switch", "-q", "-c", "work")
    config = configure(root)
    store, branch, out = survive(config, tmp_path, DELETE_PADDING)
    assert branch is not None, out
    assert git(repo, "diff", "--name-only", "main", branch).split() == ["proj/calc/core.py"]
    before, commit = checkout_state(repo), git(repo, "rev-parse", branch).strip()

    done = promote_cli(store, "main", cwd=tmp_path)

    assert done.returncode == 0, done.stderr + done.stdout
    assert git(repo, "rev-parse", "main").strip() == commit
    assert checkout_state(repo) == before
    assert f"promoted {branch} into main" in done.stdout
    again = io.StringIO()
    assert promote_into(config, store, "main", again) == commit and "main already contains" in again.getvalue()
    record = json.loads((store.path / "promotion.json").read_text())
    assert record["promotions"][-1]["promoted"] is True and record["promotions"][-1]["commit"] == commit
    with History.at(store.path.parent) as history:
        rows = history.promotions(store.run_id)
    assert [(r["branch"], bool(r["merged"])) for r in rows] == [(branch, False), ("main", True)]


@pytest.mark.slow
def test_promote_refuses_a_checked_out_branch_bad_input_and_a_gain_below_the_threshold(project, configure, tmp_path):
    root = project(branch="work")
    config = configure(root, fitness={"weights": EXACT, "threshold": 0.5})
    _, refused, out = survive(config, tmp_path, DELETE_PADDING)
    assert refused is None and "does not beat" in out and "threshold 0.5" in out, out  # the run end keeps it too
    store, branch, out = survive(configure(root), tmp_path, DELETE_PADDING)
    assert branch is not None, out
    before, work, main = checkout_state(root), git(root, "rev-parse", "work").strip(), git(root, "rev-parse", "main")

    checked_out = promote_cli(store, "work", cwd=tmp_path)
    missing = promote_cli(RunStore(store.path.parent / "no-such-run"), "main", cwd=tmp_path)
    unknown = promote_cli(store, "nope", cwd=tmp_path)
    line = refusal(config, store, "main")

    assert checked_out.returncode == 1, checked_out.stderr
    assert checked_out.stderr.count("\n") == 1 and "work is checked out in" in checked_out.stderr
    assert f"git merge {branch}" in checked_out.stderr
    assert missing.returncode == 2 and missing.stderr.startswith("evolve: error: no run 'no-such-run'")
    assert unknown.returncode == 2 and "branch nope does not exist" in unknown.stderr
    assert "does not beat main" in line and "threshold 0.5" in line and "nothing was changed" in line
    assert git(root, "rev-parse", "work").strip() == work and git(root, "rev-parse", "main") == main
    assert checkout_state(root) == before
    attempts = json.loads((store.path / "promotion.json").read_text())["promotions"]
    assert [(a["into"], a["promoted"]) for a in attempts] == [("work", False), ("main", False)]


@pytest.mark.slow
def test_promote_refuses_a_failing_test_the_search_never_ran_and_a_conflict_on_the_moved_mainline(
        project, configure, tmp_path):
    root = project(tests=SUBSET_TESTS)
    config = configure(root)
    store, branch, out = survive(config, tmp_path, DELETE_GUARD)
    assert branch is not None, out
    tip = commit_on(root, "main", {"tests/test_more.py": GUARD_TEST}, "a test of mean()")
    before = checkout_state(root)

    line = refusal(config, store, "main")

    assert "full test suite" in line and "tests/test_more.py::test_mean_empty" in line
    assert git(root, "rev-parse", "main").strip() == tip and checkout_state(root) == before

    changed = PADDED.replace("    if not values:\n        return 0.0\n", "    if len(values) == 0:\n        return 0.0\n")
    tip = commit_on(root, "main", {"calc/core.py": changed}, "explicit length")

    line = refusal(config, store, "main")

    assert "main moved since" in line and "does not apply" in line and "nothing was changed" in line
    assert git(root, "rev-parse", "main").strip() == tip and checkout_state(root) == before


@pytest.mark.slow
def test_promote_applies_onto_a_moved_mainline_and_verifies_there(project, configure, tmp_path):
    root = project()
    config = configure(root)
    store, branch, out = survive(config, tmp_path, DELETE_PADDING)
    assert branch is not None, out
    extra = PADDED + textwrap.dedent('''

        def double(value):
            """Twice the value."""
            return 2 * value
    ''')
    tip = commit_on(root, "main", {"calc/core.py": extra, "tests/test_double.py":
                                   "from calc.core import double\n\n\ndef test_double():\n    assert double(2) == 4\n"},
                    "double()")
    before = checkout_state(root)

    new = promote_into(config, store, "main", io.StringIO())

    assert git(root, "rev-parse", "main").strip() == new and git(root, "rev-parse", f"{new}^").strip() == tip
    merged = git(root, "show", "main:calc/core.py")
    assert "def double(value):" in merged and "value is not None or value is None" not in merged
    message = git(root, "log", "-1", "--format=%B", "main")
    assert f"Applied onto main at {tip[:10]}" in message and "full test suite  5 passed" in message
    assert checkout_state(root) == before


@pytest.mark.slow
def test_auto_into_promotes_at_the_end_of_the_run(project, configure, tmp_path):
    root = project()
    config = configure(root, promotion={"auto_into": "main"})

    store, branch, out = survive(config, tmp_path, DELETE_PADDING)

    assert branch is not None and f"promoted {branch} into main" in out, out
    assert git(root, "rev-parse", "main").strip() == git(root, "rev-parse", branch).strip()
    saved = yaml.safe_load((store.path / "config.yaml").read_text())
    assert saved["promotion"] == {"auto_into": "main", "verify_repeats": 15}


@pytest.mark.parametrize("section, problem", [
    ({"auto_into": "two words"}, "'promotion.auto_into' must be a branch name"),
    ({"auto_into": "-x"}, "'promotion.auto_into' must be a branch name"),
    ({"verify_repeats": 6}, "'promotion.verify_repeats' must be between 7 and 1000"),
    ({"into": "main"}, "unknown key 'promotion.into'"),
])
def test_a_bad_promotion_section_is_one_line_naming_the_key(make_project, write_config, section, problem):
    path = write_config(make_project(), promotion=section)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert problem in str(caught.value) and "\n" not in str(caught.value)


def test_the_promotion_section_defaults_and_round_trips(make_project, write_config):
    config = load_config(write_config(make_project()))
    assert (config.promotion.auto_into, config.promotion.verify_repeats) == (None, 15)
    changed = load_config(write_config(make_project("other"), promotion={"auto_into": "release/2.x"}))
    assert changed.with_overrides(seed=4).promotion.auto_into == "release/2.x"


# ---------------------------------------------------------------- the plumbing underneath


def test_plumbing_builds_commits_without_touching_the_checkout_and_moves_refs_only_by_compare_and_swap(
        make_project, monkeypatch):
    root = make_project(use_git=True)
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    git(root, "add", "run.sh")
    git(root, "commit", "-q", "-m", "script")
    (root / "calc" / "core.py").write_text("# uncommitted\n")
    before = checkout_state(root)
    for name in ("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")  # no identity configured: evolve commits as itself
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    found = Repo.at(root / "calc")
    assert found is not None and found[1] == "calc/"
    repo, head = found[0], git(root, "rev-parse", "HEAD").strip()

    tree = repo.tree_with(head, {"calc/core.py": "VALUE = 1\n", "run.sh": "#!/bin/sh\necho hi\n"})
    commit = repo.commit(tree, [head], "evolve: a test\n")

    assert git(root, "show", f"{commit}:calc/core.py") == "VALUE = 1\n"
    assert git(root, "ls-tree", commit, "run.sh").split()[0] == "100755"  # the file's mode is kept
    assert git(root, "log", "-1", "--format=%an|%cn", commit).strip() == "evolve|evolve"
    repo.set_branch("evolve/x", commit, ZERO, "test")
    with pytest.raises(EvolveError, match="already exists"):
        repo.set_branch("evolve/x", head, ZERO, "test")
    with pytest.raises(EvolveError, match="moved from"):
        repo.set_branch("evolve/x", head, head, "test")
    assert repo.branch_tip("evolve/x") == commit and repo.checked_out("main") == root
    assert checkout_state(root) == before
