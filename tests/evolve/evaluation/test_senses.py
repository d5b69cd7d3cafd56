"""Senses measured for real: small projects in temporary folders, pytest and coverage in sandboxed children."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from evolve.evaluation.benchmark import BenchmarkSpec
from evolve.evaluation.evaluator import EvaluationContext
from evolve.evaluation.sandbox import Limits
from evolve.evaluation.senses import OUTSIDE_TESTS, Senses, measure_senses
from evolve.search.attention import Attention
from evolve.search.localisation import suspicious_lines
from mutations._index import HUNG, ModuleIndex

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[3] / "benchmarks" / "corpus" / "cases"

WALK = textwrap.dedent('''\
    def factorial(n):
        """n! for n >= 0; the base case is missing (a real recursive bug)."""
        return n * factorial(n - 1)


    def double(x):
        return 2 * x


    def spin(n):
        while n >= 0:
            n = n + 1
        return n
''')

WALK_TESTS = textwrap.dedent('''\
    import pytest

    from walk import double, factorial


    def test_factorial():
        assert factorial(3) == 6


    @pytest.mark.parametrize("x", [1, 2])
    def test_double(x):
        assert double(x) == 2 * x


    def test_double_zero():
        assert double(0) == 0
''')


def project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def context(root: Path, files: tuple[str, ...], scratch: Path, benchmark: BenchmarkSpec | None = None,
            tests: tuple[str, ...] = ("tests",), timeout: float = 60) -> EvaluationContext:
    scratch.mkdir(exist_ok=True)
    return EvaluationContext(snapshot=root, files=files, test_args=tests, coverage=True,
                             limits=Limits(wall_seconds=timeout, cpu_seconds=timeout), benchmark=benchmark,
                             scratch=scratch)


@pytest.fixture
def walk(tmp_path: Path) -> Path:
    return project(tmp_path / "walk", {"walk.py": WALK, "tests/test_walk.py": WALK_TESTS})


@pytest.mark.parametrize("core", [None, "pytrace"])
def test_coverage_per_test_has_exact_node_ids_and_survives_a_recursion_error(walk, tmp_path, core):
    """``pytrace`` is coverage's pure-Python tracer, which CPython drops when the recursion limit is hit
    inside it: the child sees the hook gone after the test, re-installs it, and the later tests still count."""
    senses = measure_senses(context(walk, ("walk.py",), tmp_path / "scratch"), profile=False, core=core)
    assert senses.measured, senses.notes
    assert senses.outcomes == {"tests/test_walk.py::test_factorial": "failed", "tests/test_walk.py::test_double[1]": "passed",
                               "tests/test_walk.py::test_double[2]": "passed",
                               "tests/test_walk.py::test_double_zero": "passed"}
    lines = {ctx: set(per.get("walk.py", ())) for ctx, per in senses.lines.items()}
    assert lines["tests/test_walk.py::test_factorial"] == {3}
    for name in ("test_double[1]", "test_double[2]", "test_double_zero"):  # after the RecursionError
        assert lines[f"tests/test_walk.py::{name}"] == {7}, (name, senses.partial, senses.core)
    assert lines[OUTSIDE_TESTS] == {1, 6, 10}  # the def lines, run at import
    assert 11 not in senses.executed("walk.py")  # spin() is never called
    crash = senses.crashes["tests/test_walk.py::test_factorial"]
    assert (crash.file, crash.line) == ("walk.py", 3) and crash.error.startswith("RecursionError: maximum recursion")
    assert set(senses.crashes) == {"tests/test_walk.py::test_factorial"}
    assert senses.crashes_in("walk.py") == {3: (crash.error,)}
    if core == "pytrace":
        assert senses.core == "pytrace"
        assert senses.partial == ("tests/test_walk.py::test_factorial",)
        assert any("re-installed" in note for note in senses.notes)
    restored = Senses.from_json(json.loads(json.dumps(senses.to_json())))
    assert restored == senses


def test_a_test_that_hangs_fails_on_its_own_deadline_and_the_rest_is_measured(tmp_path):
    tests = WALK_TESTS.replace("from walk import double, factorial", "from walk import double, factorial, spin") + \
        "\n\ndef test_spin():\n    assert spin(1) == 0\n" \
        "\n\ndef test_wrong_answer():\n    assert double(1) == 3\n" \
        "\n\ndef test_double_none():\n    assert double(None) == 0\n"
    root = project(tmp_path / "hang", {"walk.py": WALK, "tests/test_walk.py": tests})
    senses = measure_senses(context(root, ("walk.py",), tmp_path / "scratch", timeout=30), profile=False,
                            test_seconds=1.0)
    assert senses.outcomes["tests/test_walk.py::test_spin"] == "failed"
    assert {11, 12} <= set(senses.lines["tests/test_walk.py::test_spin"]["walk.py"])
    assert senses.outcomes["tests/test_walk.py::test_double_zero"] == "passed"
    hang = senses.crashes["tests/test_walk.py::test_spin"]  # where the deadline interrupted the loop
    assert hang.file == "walk.py" and hang.line in {11, 12} and hang.error.startswith(HUNG + ": ")
    # an assertion in the test's own code never left the target file: no crash
    assert senses.outcomes["tests/test_walk.py::test_wrong_answer"] == "failed"
    assert "tests/test_walk.py::test_wrong_answer" not in senses.crashes
    none = senses.crashes["tests/test_walk.py::test_double_none"]  # 2 * None, with x None in the frame
    assert (none.line, none.nones) == (7, ("x",)) and none.error.startswith("TypeError: ")
    assert senses.nones_in("walk.py") == {7: frozenset({"x"})}


TWO = textwrap.dedent('''\
    def hot(n):
        total = 0
        for i in range(n):
            if i % 3 == 0:
                total += i * 2
        return total


    def cold(items):
        found = []
        for x in items:
            if x > 2:
                found.append(x - 1)
        return found
''')
TWO_TESTS = textwrap.dedent('''\
    from two import cold, hot


    def test_hot():
        assert hot(7) == 18


    def test_cold():
        assert cold([1, 3, 5]) == [2, 4]
''')
TWO_BENCH = "from two import hot\n\n\ndef run():\n    return hot(30000)\n"


def test_the_profile_sees_only_the_function_the_benchmark_calls(tmp_path):
    root = project(tmp_path / "two", {"two.py": TWO, "bench.py": TWO_BENCH, "tests/test_two.py": TWO_TESTS})
    spec = BenchmarkSpec("callable", "bench:run")
    senses = measure_senses(context(root, ("two.py",), tmp_path / "scratch", benchmark=spec), profile=True,
                            profile_seconds=20, profile_samples=100)
    profile = senses.profile
    assert profile is not None and profile.target_samples >= 50, senses.notes
    functions = profile.function_samples()
    assert set(functions) == {("two.py", "hot")}
    assert functions[("two.py", "hot")][:2] == (profile.target_samples, profile.target_samples)
    attention = Attention({"two.py": ModuleIndex.build("two.py", TWO)}, senses, "improve")
    hottest = attention.hottest(3)
    assert {row["line"] for row in hottest} <= {3, 4, 5} and hottest[0]["share"] == 1.0
    assert Senses.from_json(json.loads(json.dumps(senses.to_json()))).profile == profile


def test_a_pytest_benchmark_is_profiled_during_its_call_phase(tmp_path):
    pytest.importorskip("pytest_benchmark")
    speed = "from two import hot\n\n\ndef test_speed(benchmark):\n    benchmark(hot, 3000)\n"
    root = project(tmp_path / "two", {"two.py": TWO, "tests/test_two.py": TWO_TESTS, "benches/test_speed.py": speed})
    spec = BenchmarkSpec("pytest", "benches/test_speed.py::test_speed")
    senses = measure_senses(context(root, ("two.py",), tmp_path / "scratch", benchmark=spec), profile=True,
                            profile_seconds=20, profile_samples=50)
    assert senses.profile is not None and senses.profile.target_samples > 0, senses.notes
    assert set(senses.profile.function_samples()) == {("two.py", "hot")}


def test_a_command_benchmark_is_not_profiled_and_says_so(tmp_path):
    root = project(tmp_path / "two", {"two.py": TWO, "bench.py": TWO_BENCH, "tests/test_two.py": TWO_TESTS})
    spec = BenchmarkSpec("command", "python -c 'import bench; bench.run()'")
    senses = measure_senses(context(root, ("two.py",), tmp_path / "scratch", benchmark=spec), profile=True)
    assert senses.measured and senses.profile is None
    assert any("command benchmark" in note for note in senses.notes)


def test_a_project_whose_tests_cannot_run_leaves_coverage_unknown(tmp_path):
    root = project(tmp_path / "broken", {"two.py": TWO, "tests/test_two.py": "import nowhere_to_be_found\n"})
    senses = measure_senses(context(root, ("two.py",), tmp_path / "scratch"), profile=False)
    assert not senses.measured and senses.notes
    index = ModuleIndex.build("two.py", TWO)
    assert Attention({"two.py": index}, senses, "improve").weight("two.py", index.functions()["cold"]) == 1.0


def test_the_faulty_line_of_a_corpus_repair_case_is_the_most_suspicious(tmp_path):
    """r01: ``start < merged[-1][1]`` where ``<=`` is meant, at line 16 of intervals.py."""
    case = CORPUS / "r01_intervals_touching"
    root = tmp_path / "r01"
    shutil.copytree(case / "project", root)
    file = "r01_intervals/intervals.py"
    faulty = next(n for n, line in enumerate((root / file).read_text().splitlines(), 1)
                  if "start < merged[-1][1]" in line)
    senses = measure_senses(context(root, (file,), tmp_path / "scratch", timeout=30), profile=False)
    assert any(o == "failed" for o in senses.outcomes.values())
    suspicion = suspicious_lines(senses)
    top = max(s.score for s in suspicion.values())
    assert suspicion[(file, faulty)].score == top > 0
    attention = Attention({file: ModuleIndex.build(file, (root / file).read_text())}, senses, "repair")
    assert faulty in {row["line"] for row in attention.most_suspicious(3) if row["score"] == round(top, 4)}


def test_a_corpus_crash_reaches_the_operator_that_answers_it(tmp_path):
    """r22: ``qty < minimum`` meets a ``None`` quantity. The failing tests' ``TypeError`` is sensed on
    that line, handed to the file's index, and makes PAR's null check the first option there."""
    from evolve.search.localisation import mark_crashes
    from mutations import get_operator

    root = tmp_path / "r22"
    shutil.copytree(CORPUS / "r22_restock_unknown_quantity" / "project", root)
    file = "r22_inventory/stock.py"
    faulty = next(n for n, line in enumerate((root / file).read_text().splitlines(), 1) if "qty < minimum" in line)
    senses = measure_senses(context(root, (file,), tmp_path / "scratch", timeout=30), profile=False)
    crashes = senses.crashes_in(file)
    assert list(crashes) == [faulty] and all("NoneType" in e for e in crashes[faulty])
    index = ModuleIndex.build(file, (root / file).read_text())
    mark_crashes({file: index}, senses)
    assert index.crashes == crashes
    op = get_operator("add_condition_clause")
    (site,) = [s for s in op.sites(index) if index.line_of(s) == faulty]
    assert op.answers(site, index)
    options, weights = op.options(site, index), op.option_weights(site, index)  # type: ignore[attr-defined]
    first = max(zip(options, weights), key=lambda p: p[1])[0]
    assert (first["clause"], first["op"], first["side"]) in {("qty is None", "or", "left"),
                                                             ("qty is not None", "and", "left")}
    banner = Attention({file: index}, senses, "repair").describe()
    assert any("raised TypeError" in line and f"{file}:{faulty} in restock_needed" in line for line in banner)
