"""The health scan on small real git projects: each planted problem is found, with its exit code and JSON."""

from __future__ import annotations

import contextlib
import io
import json
import textwrap
from pathlib import Path

import pytest

from evolve.cli import main
from tests.conftest import git

CORE = textwrap.dedent('''\
    """Arithmetic."""


    def add(a, b):
        """Sum of a and b."""
        return a + b


    class Counter:
        """Counts."""

        def bump(self, n):
            """Add n."""
            return n + 1
''')
TESTS = textwrap.dedent('''\
    from calc.core import add


    def test_add():
        assert add(2, 3) == 5


    def test_add_zero():
        assert add(0, 0) == 0
''')


def make_clean(root: Path) -> Path:
    """A healthy project in git: package, tests, agreeing versions (pyproject, ``__version__``, tag)."""
    (root / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "calc"\nversion = "1.2.0"\n')
    (root / "calc" / "__init__.py").write_text('"""Calc."""\n\n__version__ = "1.2.0"\n')
    (root / "calc" / "core.py").write_text(CORE)
    (root / "calc" / "util.py").write_text('"""Helpers."""\n\nfrom calc.core import add\n\nTWO = add(1, 1)\n')
    (root / "tests" / "test_core.py").write_text(TESTS)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    git(root, "tag", "v1.2.0")
    return root


def scan(root: Path, *args: str) -> tuple[int, str, str]:
    """``python -m evolve scan ARGS`` in ``root``, in this process (the children it starts are real)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["scan", *args])
    return code, out.getvalue(), err.getvalue()


def scan_json(root: Path, *args: str) -> tuple[int, dict]:
    code, out, err = scan(root, "--json", *args)
    assert out, err
    return code, json.loads(out)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_clean(tmp_path / "proj")


def test_a_healthy_project_exits_0(project):
    code, report = scan_json(project, str(project))
    assert code == 0, report
    assert report["healthy"] and report["findings"] == [] and report["exit_code"] == 0
    assert report["checked"]["tests run"] == 2
    assert report["checked"]["modules imported"] == 3  # calc, calc.core, calc.util
    assert report["checked"]["versions compared"] == 3


def test_a_syntax_error_is_found_with_file_and_line(project):
    (project / "calc" / "core.py").write_text(CORE + "\n\ndef broken(:\n    pass\n")
    code, out, _ = scan(project, "--fast", "--skip", "imports")
    assert code == 1
    assert "calc/core.py:17: parse: SyntaxError" in out
    code, report = scan_json(project, "--fast", "--skip", "imports")
    assert code == 1 and report["counts"] == {"parse": 1}
    assert report["findings"][0] | {"message": None} == {"kind": "parse", "file": "calc/core.py", "line": 17,
                                                         "name": None, "message": None}


def test_an_import_error_is_found_in_a_sandboxed_child(project):
    (project / "calc" / "util.py").write_text('"""Helpers."""\n\nfrom calc.core import subtract\n')
    code, report = scan_json(project, "--fast")
    assert code == 1, report
    assert report["counts"] == {"import": 1}
    finding = report["findings"][0]
    assert finding["name"] == "calc.util" and finding["file"] == "calc/util.py" and finding["line"] == 3
    assert finding["message"].startswith("ImportError: cannot import name 'subtract'")


def test_a_failing_test_is_found_per_test(project):
    (project / "tests" / "test_core.py").write_text(TESTS + "\n\ndef test_wrong():\n    assert add(2, 2) == 5\n")
    code, report = scan_json(project, "--skip", "imports")
    assert code == 1, report
    assert report["counts"] == {"test": 1}
    assert report["findings"][0]["name"] == "tests/test_core.py::test_wrong"
    assert "assert 4 == 5" in report["findings"][0]["message"]
    assert report["checked"]["tests run"] == 3


def test_version_drift_between_pyproject_package_and_tag(project):
    (project / "pyproject.toml").write_text('[project]\nname = "calc"\nversion = "1.3.0"\n')
    code, out, _ = scan(project, "--fast", "--skip", "imports")
    assert code == 1
    assert "pyproject.toml:3: version: versions disagree: pyproject.toml says 1.3.0, calc/__init__.py " \
           "__version__ says 1.2.0, git tag v1.2.0 says 1.2.0" in out
    git(project, "tag", "v1.3.0")  # the tag agrees with pyproject now; __version__ still lags
    code, report = scan_json(project, "--fast", "--skip", "imports")
    assert code == 1 and report["counts"] == {"version": 1}
    assert "calc/__init__.py __version__ says 1.2.0" in report["findings"][0]["message"]


def test_a_missing_docstring_is_counted_and_listed_with_verbose(project):
    (project / "calc" / "core.py").write_text(CORE + "\n\ndef mul(a, b):\n    return a * b\n\n\ndef _private():\n"
                                              "    return 1\n")
    code, out, _ = scan(project, "--fast", "--skip", "imports")
    assert code == 1
    assert "docs: 1 public name(s) without a docstring (--verbose lists them)" in out
    assert "mul" not in out
    code, out, _ = scan(project, "--fast", "--skip", "imports", "--verbose")
    assert "calc/core.py:17: docs: mul: function mul has no docstring" in out
    code, report = scan_json(project, "--fast", "--skip", "imports")
    assert code == 1 and report["counts"] == {"docs": 1}
    assert report["findings"][0]["name"] == "mul"


def test_a_files_list_scans_only_those_files(project):
    (project / "calc" / "core.py").write_text(CORE + "\n\ndef broken(:\n")
    (project / "calc" / "extra.py").write_text('"""Extra."""\n\n\ndef undocumented():\n    return 1\n')
    code, report = scan_json(project, "--fast", "--skip", "imports", "calc/extra.py")
    assert code == 1 and report["counts"] == {"docs": 1}, report  # core.py's syntax error is not among the files
    assert "versions compared" not in report["checked"]  # no file that states a version was listed
    code, out, _ = scan(project, "--fast", "README.md")  # no Python file: nothing to do
    assert code == 2  # README.md does not exist: bad input
    (project / "README.md").write_text("# calc\n")
    code, out, _ = scan(project, "--fast", "README.md")
    assert code == 0 and "no Python file to scan" in out


def test_staged_scans_the_index_not_the_working_tree(project):
    core = project / "calc" / "core.py"
    core.write_text(CORE + "\n\ndef broken(:\n")
    git(project, "add", "calc/core.py")
    core.write_text(CORE)  # the working tree is fine again, but the commit would hold the broken file
    code, report = scan_json(project, "--staged", "--fast", "--skip", "imports")
    assert code == 1 and report["counts"] == {"parse": 1}, report
    git(project, "add", "calc/core.py")
    code, out, _ = scan(project, "--staged", "--fast")
    assert code == 0, out


def test_the_configs_principles_hold_the_change_against_head(project):
    config = project / "experiment.yaml"
    config.write_text("experiment: p\ntarget: {root: ., files: [calc/core.py]}\nprinciples: {protected: [add]}\n")
    code, report = scan_json(project, "--fast", "--skip", "imports", "--config", str(config))
    assert code == 0, report  # the committed tree keeps its own principles
    (project / "calc" / "core.py").write_text(CORE.replace("return a + b", "return eval('a + b')"))
    code, report = scan_json(project, "--fast", "--skip", "imports", "--config", str(config))
    assert code == 1 and report["counts"] == {"principles": 2}, report
    words = sorted(f["message"] for f in report["findings"])
    assert words[0].startswith("no_eval_exec (hard): new call to eval() in add")
    assert words[1].startswith("protected_names (hard): protected add was changed")
    assert {f["file"] for f in report["findings"]} == {"calc/core.py"}


@pytest.mark.parametrize("args, words", [
    (["/no/such/folder"], "is not a file"),
    (["--skip", "everything"], "unknown check"),
    (["--staged", "calc/core.py"], "list no files"),
    (["--timeout", "0"], "--timeout"),
])
def test_bad_input_is_one_line_and_exit_2(project, args, words):
    code, out, err = scan(project, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err


def test_a_folder_without_python_is_bad_input(tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = scan(tmp_path / "empty", str(tmp_path / "empty"))
    assert code == 2 and "no Python files" in err


@pytest.mark.slow
def test_scan_repair_commits_a_fix_to_a_branch_and_leaves_the_working_tree_alone(tmp_path):
    root = make_clean(tmp_path / "proj")
    (root / "calc" / "core.py").write_text(CORE.replace("return a + b", "return a - b"))
    git(root, "commit", "-q", "-am", "a bug")
    before = {p: p.read_bytes() for p in root.rglob("*.py")}
    code, report = scan_json(root, "--repair", "--skip", "imports", "--skip", "docs")
    assert code == 1 and report["counts"] == {"test": 1}
    repair = report["repair"]
    assert repair["status"] == "repaired", repair
    assert repair["branch"] == f"evolve/{repair['run_id']}"
    assert "+    return a + b" in git(root, "diff", "main", repair["branch"])
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == before
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
