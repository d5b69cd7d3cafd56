"""The test runner script: outcomes per test, durations and coverage, run as the engine runs it."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from evolve.evaluation.child import script
from evolve.evaluation.sandbox import Limits, hand_over, run_sandboxed

RUNNER = script("_testrunner")

MODULE = textwrap.dedent('''\
    def double(x):
        return 2 * x


    def classify(x):
        if x < 0:
            return "negative"
        if x == 0:
            return "zero"
        return "positive"
''')

TESTS = textwrap.dedent('''\
    import pytest

    from pkg.mod import double


    @pytest.fixture
    def broken():
        raise RuntimeError("fixture broke")


    def test_passes():
        assert double(2) == 4


    def test_fails():
        assert double(2) == 5


    def test_errors(broken):
        assert True
''')

MORE_TESTS = textwrap.dedent('''\
    from pkg.mod import classify


    def test_classify():
        assert [classify(x) for x in (-1, 0, 1)] == ["negative", "zero", "positive"]
''')


# Same check as in test_sandbox.py (it belongs in a shared conftest).


pytestmark = pytest.mark.usefixtures("no_leftovers")

def _project(root: Path, **tests: str) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text(MODULE)
    (root / "tests").mkdir()
    for name, source in tests.items():
        (root / "tests" / f"{name}.py").write_text(source)
    return root


def _run(root: Path, *options: str) -> dict[str, Any]:
    out = root / "result.json"
    hand_over(root)  # the runner writes its record as the sandbox user
    argv = [sys.executable, str(RUNNER), "--out", "result.json", *options, "--", "tests"]
    done = run_sandboxed(argv, cwd=root, limits=Limits(wall_seconds=60))
    assert out.exists(), done.stdout + done.stderr
    return json.loads(out.read_text())


def test_outcomes_durations_and_coverage(tmp_path: Path) -> None:
    result = _run(_project(tmp_path, test_mod=TESTS), "--cover", "pkg/mod.py")
    assert result["tests"] == {
        "tests/test_mod.py::test_passes": "passed",
        "tests/test_mod.py::test_fails": "failed",
        "tests/test_mod.py::test_errors": "error",
    }
    assert result["exit_code"] == 1 and result["collected"] == 3
    assert set(result["durations"]) == {"tests/test_mod.py::test_passes", "tests/test_mod.py::test_fails"}
    assert 0 < result["coverage"] < 100


def test_coverage_rises_with_a_test_that_covers_more(tmp_path: Path) -> None:
    before = _run(_project(tmp_path / "a", test_mod=TESTS), "--cover", "pkg/mod.py")["coverage"]
    after = _run(_project(tmp_path / "b", test_mod=TESTS, test_more=MORE_TESTS), "--cover", "pkg/mod.py")
    assert after["coverage"] > before
    assert after["coverage"] == 100.0
    assert after["tests"]["tests/test_more.py::test_classify"] == "passed"


def test_no_cover_gives_no_coverage(tmp_path: Path) -> None:
    result = _run(_project(tmp_path, test_more=MORE_TESTS), "--no-cover")
    assert result["coverage"] is None and result["exit_code"] == 0


def test_xfail_xpass_skip_and_teardown_error(tmp_path: Path) -> None:
    source = textwrap.dedent('''\
        import pytest


        @pytest.fixture
        def bad_teardown():
            yield
            raise RuntimeError("teardown broke")


        @pytest.mark.xfail
        def test_xfail():
            assert False


        @pytest.mark.xfail
        def test_xpass():
            assert True


        def test_skip():
            pytest.skip("not today")


        def test_teardown(bad_teardown):
            assert True
    ''')
    tests = _run(_project(tmp_path, test_marks=source), "--no-cover")["tests"]
    assert tests == {
        "tests/test_marks.py::test_xfail": "passed",
        "tests/test_marks.py::test_xpass": "failed",
        "tests/test_marks.py::test_skip": "skipped",
        "tests/test_marks.py::test_teardown": "error",
    }


def test_project_modules_are_not_shadowed_by_the_engine(tmp_path: Path) -> None:
    """The runner lives next to evolve/sandbox.py; the project's own sandbox.py must win."""
    root = _project(tmp_path, test_shadow="import sandbox\n\ndef test_own():\n    assert sandbox.OWN\n")
    (root / "sandbox.py").write_text("OWN = True\n")
    assert _run(root, "--no-cover")["tests"] == {"tests/test_shadow.py::test_own": "passed"}


def test_collection_error_is_recorded(tmp_path: Path) -> None:
    result = _run(_project(tmp_path, test_broken="import no_such_module_here\n"), "--no-cover")
    assert result["tests"] == {} and result["exit_code"] != 0
    assert result["collection_errors"] == ["tests/test_broken.py"]
