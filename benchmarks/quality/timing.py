"""Interleaved CPU timing of a benchmark callable: baseline and variant, each call in a fresh child process.

Round ``r`` measures baseline then variant when ``r`` is even, variant then
baseline when odd, so drift of the machine falls on both alike. Each figure is
``time.process_time()`` around one call (``_bench_child.py``), in seconds; the
ratio is median(baseline) / median(variant) (above 1: the variant is faster).
A speed-up counts only when it is also significant: a one-sided Mann-Whitney U
test (``scipy.stats.mannwhitneyu``; Mann and Whitney 1947) that the variant's
figures are lower, at ``SIGNIFICANCE``. With ``ROUNDS`` = 7 a side the
smallest possible p-value is 1/3432, so a real speed-up can always show.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from scipy.stats import mannwhitneyu

from benchmarks.quality.procs import python, run_contained

CHILD = Path(__file__).with_name("_bench_child.py")
ROUNDS = 7
SIGNIFICANCE = 0.01
"""A speed-up's p-value must be at most this (one-sided Mann-Whitney U, variant below baseline)."""
BASELINE_TIMEOUT = 120.0  # seconds for one baseline call, interpreter start included
STARTUP_SECONDS = 10.0
SLOWDOWN_LIMIT = 10.0  # a variant call may take this many times the slowest baseline call before it is killed


@dataclass(frozen=True)
class SpeedResult:
    """CPU seconds per round of ``baseline`` and ``variant``; ``error`` when a call failed or was killed."""

    baseline: tuple[float, ...]
    variant: tuple[float, ...]
    error: str | None = None

    @property
    def ratio(self) -> float:
        """median(baseline) / median(variant); 0.0 when there was an error."""
        if self.error or not self.baseline or not self.variant:
            return 0.0
        return statistics.median(self.baseline) / max(statistics.median(self.variant), 1e-9)

    @property
    def p_value(self) -> float:
        """One-sided Mann-Whitney U p-value that the variant's CPU figures are lower (1.0 without figures)."""
        if self.error or len(self.baseline) < 2 or len(self.variant) < 2:
            return 1.0
        return float(mannwhitneyu(self.variant, self.baseline, alternative="less").pvalue)

    def faster_than(self, min_ratio: float) -> bool:
        """Whether the variant reaches ``min_ratio`` and is significantly faster (p <= ``SIGNIFICANCE``)."""
        return self.ratio >= min_ratio and self.p_value <= SIGNIFICANCE

    def describe(self) -> str:
        if self.error:
            return f"timing: {self.error}"
        return (f"ratio {self.ratio:.2f} (median CPU {statistics.median(self.baseline) * 1000:.1f} ms -> "
                f"{statistics.median(self.variant) * 1000:.1f} ms, {len(self.baseline)} rounds, "
                f"p {self.p_value:.3g})")


def measure_once(project: Path, benchmark: str, report: Path, timeout: float) -> float | str:
    """CPU seconds of one call of ``benchmark`` (``module:callable``) in ``project``, or why there is none."""
    report.unlink(missing_ok=True)
    done = run_contained(python("-P", str(CHILD), str(project), benchmark, str(report)), project, timeout)
    if done.timed_out:
        return f"killed after {done.seconds:.1f} s"
    try:
        cpu = json.loads(report.read_text(encoding="utf-8"))["cpu"]
    except (OSError, ValueError, KeyError, TypeError):
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return f"no figure ({last[:200]})"
    return float(cpu) if isinstance(cpu, (int, float)) else "malformed figure"


def compare_speed(baseline: Path, variant: Path, benchmark: str, work: Path, rounds: int = ROUNDS) -> SpeedResult:
    """Measure the project copies ``baseline`` and ``variant`` interleaved for ``rounds`` rounds each.

    Stops at the first failed call (``error`` set, ratio 0). Reports go to ``work``.
    """
    base: list[float] = []
    var: list[float] = []
    for r in range(rounds):
        for which in (("b", "v") if r % 2 == 0 else ("v", "b")):
            limit = (BASELINE_TIMEOUT if which == "b" or not base
                     else SLOWDOWN_LIMIT * max(base) + STARTUP_SECONDS)
            figure = measure_once(baseline if which == "b" else variant, benchmark, work / f"bench-{which}.json", limit)
            if isinstance(figure, str):
                side = "baseline" if which == "b" else "variant"
                return SpeedResult(tuple(base), tuple(var), f"{side} call: {figure}")
            (base if which == "b" else var).append(figure)
    return SpeedResult(tuple(base), tuple(var))
