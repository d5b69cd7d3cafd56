"""Interleaved CPU-time measurement of baseline and variant; failures come back as errors."""

from __future__ import annotations

import shlex
import statistics
import sys
import textwrap
from pathlib import Path

import pytest

from evolve.evaluation.sandbox import hand_over
from evolve.evaluation.benchmark import BenchmarkSpec, Measurement, measure_interleaved
from evolve.evaluation.sandbox import Limits

FAST = textwrap.dedent('''\
    def work():
        total = 0
        for i in range(100_000):
            total += i
        return total
''')
SLOW = FAST.replace("100_000", "300_000")
# Each call appends the tree's name to a log beside both trees: shows the order.
LOGGING = textwrap.dedent('''\
    import os


    def work():
        with open(os.path.join("..", "order.log"), "a") as fh:
            fh.write(os.path.basename(os.getcwd()) + "\\n")
''')
BENCH_TEST = textwrap.dedent('''\
    import mod


    def test_work(benchmark):
        benchmark.pedantic(mod.work, rounds=3)
''')


# Same check as in test_sandbox.py (it belongs in a shared conftest).


pytestmark = pytest.mark.usefixtures("no_leftovers")

def _trees(tmp_path: Path, baseline: str, variant: str, **extra: str) -> tuple[Path, Path]:
    dirs = []
    for name, source in (("baseline", baseline), ("variant", variant)):
        root = tmp_path / name
        root.mkdir()
        (root / "mod.py").write_text(source)
        for file, text in extra.items():
            (root / file).write_text(text)
        dirs.append(root)
    hand_over(tmp_path)  # the samples run as the sandbox user and log next to the trees
    return dirs[0], dirs[1]


def _order_log(tmp_path: Path) -> list[str]:
    return (tmp_path / "order.log").read_text().split()


def test_callable_slower_variant_has_the_higher_median(tmp_path: Path) -> None:
    baseline, variant = _trees(tmp_path, FAST, SLOW)
    result = measure_interleaved(BenchmarkSpec("callable", "mod:work", repeats=5, number=2), baseline, variant)
    assert result.error is None and result.ok
    assert len(result.baseline) == len(result.variant) == 5
    assert statistics.median(result.variant) > statistics.median(result.baseline)


def test_callable_samples_are_interleaved(tmp_path: Path) -> None:
    baseline, variant = _trees(tmp_path, LOGGING, LOGGING)
    result = measure_interleaved(BenchmarkSpec("callable", "mod:work", repeats=3), baseline, variant)
    assert result.ok, result.error
    assert _order_log(tmp_path) == ["baseline", "variant", "variant", "baseline", "baseline", "variant"]


def test_variant_import_error_is_reported_not_raised(tmp_path: Path) -> None:
    baseline, variant = _trees(tmp_path, FAST, "import no_such_module_here\n")
    result = measure_interleaved(BenchmarkSpec("callable", "mod:work", repeats=3), baseline, variant)
    assert result.error is not None and result.error.startswith("variant:")
    assert "ModuleNotFoundError" in result.error and not result.timed_out
    assert result.variant == () and len(result.baseline) == 1  # round 0 measures the baseline first


@pytest.mark.hostile
def test_hanging_variant_times_out(tmp_path: Path) -> None:
    baseline, variant = _trees(tmp_path, FAST, "import time\n\ndef work():\n    time.sleep(60)\n")
    result = measure_interleaved(BenchmarkSpec("callable", "mod:work", repeats=2), baseline, variant,
                                 Limits(wall_seconds=1))
    assert result.error is not None and "timed out" in result.error and result.timed_out
    assert result.variant == ()


def test_command_kind_interleaves_and_measures_cpu(tmp_path: Path) -> None:
    baseline, variant = _trees(tmp_path, FAST, FAST)
    command = 'basename "$PWD" >> ../order.log'
    result = measure_interleaved(BenchmarkSpec("command", command, repeats=3), baseline, variant)
    assert result.ok, result.error
    assert len(result.baseline) == len(result.variant) == 3
    assert all(sample >= 0 for sample in result.baseline + result.variant)
    assert _order_log(tmp_path) == ["baseline", "variant", "variant", "baseline", "baseline", "variant"]


@pytest.mark.hostile
def test_command_over_the_cpu_limit_times_out(tmp_path: Path) -> None:
    baseline, variant = _trees(tmp_path, FAST, FAST)
    command = f"{shlex.quote(sys.executable)} -c 'while True: pass'"
    result = measure_interleaved(BenchmarkSpec("command", command, repeats=1), baseline, variant,
                                 Limits(cpu_seconds=1, wall_seconds=30))
    assert result.timed_out and result.error is not None and result.error.startswith("baseline: timed out")


def test_command_kind_slower_variant(tmp_path: Path) -> None:
    baseline, variant = _trees(tmp_path, FAST, SLOW)
    command = f"{shlex.quote(sys.executable)} -c 'import mod\nfor _ in range(5): mod.work()'"
    result = measure_interleaved(BenchmarkSpec("command", command, repeats=3), baseline, variant)
    assert result.ok, result.error
    assert statistics.median(result.variant) > statistics.median(result.baseline)


def test_failing_command_is_an_error(tmp_path: Path) -> None:
    baseline, variant = _trees(tmp_path, FAST, FAST)
    result = measure_interleaved(BenchmarkSpec("command", "exit 3", repeats=2), baseline, variant)
    assert result == Measurement((), (), result.error, timed_out=False)
    assert result.error is not None and result.error.startswith("baseline: exit status 3")


@pytest.mark.slow  # py-cpuinfo, called for --benchmark-json, costs ~1 s per sample
def test_pytest_kind_takes_the_benchmark_median(tmp_path: Path) -> None:
    baseline, variant = _trees(tmp_path, FAST, SLOW, **{"test_bench.py": BENCH_TEST})
    result = measure_interleaved(BenchmarkSpec("pytest", "test_bench.py::test_work", repeats=2), baseline, variant)
    assert result.ok, result.error
    assert len(result.baseline) == len(result.variant) == 2
    assert statistics.median(result.variant) > statistics.median(result.baseline)


def test_spec_is_validated() -> None:
    with pytest.raises(ValueError):
        BenchmarkSpec("callable", "no_colon")
    with pytest.raises(ValueError):
        BenchmarkSpec("command", "true", repeats=0)
    with pytest.raises(ValueError):
        BenchmarkSpec("shell", "true")  # type: ignore[arg-type]
