"""Measure a variant's speed against the baseline's: CPU seconds, interleaved.

Timings are noisy, so the two are measured in the same place and interleaved
(round r runs baseline then variant, the next round the other way round), and
the caller compares medians. CPU time, not wall time, is what is measured.
Both sides run sandboxed: the variant is hostile, and the baseline never runs
in the engine's process either.

Three kinds of benchmark:

- ``callable``: ``target`` is ``"package.module:function"``, called with no
  arguments ``number`` times per sample. One sandboxed ``_benchrunner.py``
  process forks a fresh child per sample (cheap: no interpreter start-up).
- ``command``: ``target`` is a shell command run in the tree; a sample is the
  CPU time of the whole command (it and the children it waited for).
- ``pytest``: ``target`` is the node id of one pytest-benchmark test; a sample
  is the median that pytest-benchmark reports, timed with ``time.process_time``.

``limits`` apply per sample: the wall and CPU limits bound one sample, and the
single ``callable`` process gets a wall budget for all of its samples. Nothing
here raises for what the measured code does: a failure is a ``Measurement``
whose ``error`` says which side failed and why, with the samples taken so far.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from evolve.errors import exception_line
from evolve.evaluation.child import script
from evolve.evaluation.sandbox import RESULT_FD, Completed, Isolation, Limits, run_sandboxed

__all__ = ["BenchmarkSpec", "Measurement", "measure_interleaved", "race"]

_BENCHRUNNER = script("_benchrunner")
_KINDS = ("callable", "command", "pytest")
_MAX_JSON_BYTES = 16 * 1024**2


@dataclass(frozen=True)
class BenchmarkSpec:
    """What to time and how often.

    ``repeats`` interleaved rounds first, then (racing, see ``race``) more
    rounds of ``repeats`` each while the verdict is open, up to ``max_repeats``
    rounds in all; ``number`` calls per sample (``callable`` only).
    """

    kind: Literal["callable", "command", "pytest"]
    target: str
    repeats: int = 5
    number: int = 1
    max_repeats: int = 20

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"benchmark kind must be one of {_KINDS}, got {self.kind!r}")
        if self.repeats < 1 or self.number < 1:
            raise ValueError("benchmark repeats and number must be at least 1")
        if self.max_repeats < self.repeats:
            object.__setattr__(self, "max_repeats", self.repeats)
        module, sep, func = self.target.partition(":")
        if self.kind == "callable" and not (sep and module and func.isidentifier()):
            raise ValueError(f"a callable benchmark target is 'package.module:function', got {self.target!r}")
        if not self.target.strip():
            raise ValueError("benchmark target is empty")


@dataclass(frozen=True)
class Measurement:
    """CPU seconds per sample of each side, and why measuring stopped early, if it did."""

    variant: tuple[float, ...]
    baseline: tuple[float, ...]
    error: str | None = None
    timed_out: bool = False  # the sample that failed overran its wall or CPU limit

    @property
    def ok(self) -> bool:
        return self.error is None


class _SampleError(Exception):
    """One sample failed; the message says why."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def measure_interleaved(
    spec: BenchmarkSpec,
    baseline_dir: Path,
    variant_dir: Path,
    limits: Limits = Limits(),
    isolation: Isolation = Isolation(),
) -> Measurement:
    """Time ``spec`` in both trees, interleaved, ``spec.repeats`` rounds; never raises.

    ``isolation`` names the folders the samples may read and write; without
    any, the folder holding both trees is theirs.
    """
    baseline_dir, variant_dir = Path(baseline_dir).resolve(), Path(variant_dir).resolve()
    if not isolation.binds:
        both = os.path.commonpath([baseline_dir, variant_dir])
        isolation = replace(isolation, binds=(("rw", both),))
    if spec.kind == "callable":
        return _measure_callable(spec, baseline_dir, variant_dir, limits, isolation)
    sampler = _command_sample if spec.kind == "command" else _pytest_sample
    return _interleave(spec.repeats, baseline_dir, variant_dir, lambda d: sampler(spec, d, limits, isolation))


def race(
    spec: BenchmarkSpec,
    baseline_dir: Path,
    variant_dir: Path,
    limits: Limits = Limits(),
    isolation: Isolation = Isolation(),
    incumbent_ratio: float = 1.0,
) -> Measurement:
    """Measure like ``measure_interleaved``, then keep adding rounds while the speed verdict is open.

    Racing (``fitness.speed.needs_more``): after the first ``spec.repeats``
    rounds, another ``spec.repeats`` are taken only while the Mann–Whitney
    verdict is unresolved, the variant's median could still beat
    ``incumbent_ratio`` (the best decided ratio so far; 1.0 is the baseline)
    and fewer than ``spec.max_repeats`` rounds were taken. Samples of all
    rounds are returned together; never raises.
    """
    from fitness.speed import judge_speed, needs_more

    found = measure_interleaved(spec, baseline_dir, variant_dir, limits, isolation)
    while found.ok:
        taken = min(len(found.variant), len(found.baseline))
        if not needs_more(judge_speed(found.baseline, found.variant), taken, spec.max_repeats, incumbent_ratio):
            break
        more = measure_interleaved(replace(spec, repeats=min(spec.repeats, spec.max_repeats - taken)),
                                   baseline_dir, variant_dir, limits, isolation)
        found = Measurement(found.variant + more.variant, found.baseline + more.baseline, more.error,
                            more.timed_out)
    return found


def _order(repeats: int) -> Iterator[str]:
    """B V, V B, B V, ...: alternate which side goes first in each round."""
    for round_ in range(repeats):
        yield from ("baseline", "variant") if round_ % 2 == 0 else ("variant", "baseline")


def _interleave(repeats: int, baseline_dir: Path, variant_dir: Path, sample: Callable[[Path], float]) -> Measurement:
    samples: dict[str, list[float]] = {"baseline": [], "variant": []}
    dirs = {"baseline": baseline_dir, "variant": variant_dir}
    for side in _order(repeats):
        try:
            samples[side].append(sample(dirs[side]))
        except _SampleError as exc:
            error, timed_out = f"{side}: {exc}", exc.timed_out
            break
    else:
        error, timed_out = None, False
    return Measurement(tuple(samples["variant"]), tuple(samples["baseline"]), error, timed_out)


def _command_sample(spec: BenchmarkSpec, directory: Path, limits: Limits, isolation: Isolation) -> float:
    done = run_sandboxed(["/bin/sh", "-c", spec.target], cwd=directory, limits=limits, isolation=isolation)
    _check(done)
    return done.cpu_seconds


def _pytest_sample(spec: BenchmarkSpec, directory: Path, limits: Limits, isolation: Isolation) -> float:
    """One pytest process; the figure is pytest-benchmark's median for the one test.

    The report comes back on the sample's private result channel (no file:
    under bubblewrap the workspace the process writes is a private copy, and
    a stale or planted report must never pass for a fresh one).
    """
    argv = [sys.executable, "-m", "pytest", spec.target, "-q", "-p", "no:cacheprovider", "--benchmark-only",
            "--benchmark-timer=time.process_time", f"--benchmark-json=/dev/fd/{RESULT_FD}"]
    done = run_sandboxed(argv, cwd=directory, limits=limits, isolation=isolation, result=True)
    _check(done)
    return _median_from_report(done.result or b"")


def _median_from_report(report: bytes) -> float:
    try:
        if len(report) >= _MAX_JSON_BYTES:
            raise ValueError("the report is too large")
        benchmarks = json.loads(report)["benchmarks"]
        if len(benchmarks) != 1:
            raise _SampleError(f"expected one benchmark, the report has {len(benchmarks)}")
        return _seconds(benchmarks[0]["stats"]["median"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _SampleError(f"{type(exc).__name__}: {exc} (an unreadable benchmark report)") from None


def _measure_callable(spec: BenchmarkSpec, baseline_dir: Path, variant_dir: Path, limits: Limits,
                      isolation: Isolation) -> Measurement:
    """One sandboxed runner for all samples; its own per-sample deadline reports hangs precisely."""
    per_sample = max(1, math.ceil(limits.wall_seconds))
    # No CPU limit here: under RLIMIT_CPU the kernel updates the process clock
    # only at scheduler ticks, and a sample shorter than a tick would read 0.
    # The wall deadline and each sample's own alarm still bound the runner.
    budget = replace(limits, wall_seconds=2 * spec.repeats * (per_sample + 1) + 10, cpu_seconds=math.inf)
    argv = [sys.executable, str(_BENCHRUNNER), "--target", spec.target, "--baseline", str(baseline_dir),
            "--variant", str(variant_dir), "--repeats", str(spec.repeats), "--number", str(spec.number),
            "--sample-timeout", str(per_sample)]
    done = run_sandboxed(argv, cwd=variant_dir, limits=budget, isolation=isolation)
    try:
        return _parse_runner(done)
    except _SampleError as exc:
        return Measurement((), (), str(exc), exc.timed_out)


def _parse_runner(done: Completed) -> Measurement:
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
        variant = tuple(_seconds(s) for s in result["variant"])
        baseline = tuple(_seconds(s) for s in result["baseline"])
        error = result["error"]
        timed_out = bool(result.get("timed_out"))
    except (IndexError, ValueError, KeyError, TypeError):
        _check(done)
        raise _SampleError(f"{exception_line(done.stderr) or 'no output'} (the benchmark runner printed no result)"
                           ) from None
    return Measurement(variant, baseline, None if error is None else str(error), timed_out)


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
        raise ValueError(f"not a time in seconds: {value!r}")
    return float(value)


def _check(done: Completed) -> None:
    if done.timed_out:
        raise _SampleError(f"timed out after {done.wall_seconds:.1f} s", timed_out=True)
    # A shell reports a child killed by SIGXCPU as exit status 128 + SIGXCPU.
    if done.signal == signal.SIGXCPU or done.returncode == 128 + signal.SIGXCPU:
        raise _SampleError(f"timed out: CPU limit after {done.cpu_seconds:.1f} s", timed_out=True)
    if done.signal is not None:
        raise _SampleError(f"killed by signal {done.signal}")
    if not done.ok:
        said = exception_line(done.stderr or done.stdout)
        raise _SampleError(f"{said} (exit status {done.returncode})" if said else f"exit status {done.returncode}")
