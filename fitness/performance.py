"""Performance: how much CPU the variant's benchmark takes, relative to the baseline.

The raw figure is relative (variant median over baseline median, both measured
interleaved in the same place), so machine speed and drift cancel out, and it
counts only when ``fitness.speed.judge_speed`` says the difference is real:
an unresolved difference is exactly 1.0, as if nothing changed. The score is
on a log scale, ``1 + log2(baseline / variant)``, without a cap: a 2x speed-up
adds 1, a 100x one outranks a 10x one, and a variant twice as slow scores 0.
"""

from __future__ import annotations

import math
from statistics import median
from typing import ClassVar

from fitness._base import Objective
from fitness.observation import Observation
from fitness.speed import SpeedVerdict, judge_speed


def verdict_of(observation: Observation) -> SpeedVerdict | None:
    """The speed verdict on an observation's interleaved samples; None if it has none."""
    if not observation.cpu_times or not observation.baseline_cpu_times:
        return None
    return judge_speed(observation.baseline_cpu_times, observation.cpu_times)


class Performance(Objective):
    """Median CPU time of the variant over that of the baseline when the difference is real; lower is better."""

    name: ClassVar[str] = "performance"
    unit: ClassVar[str] = "x baseline CPU"
    higher_is_better: ClassVar[bool] = False

    def measure(self, observation: Observation) -> float | None:
        verdict = verdict_of(observation)
        return None if verdict is None else verdict.decided_ratio

    def baseline_figure(self, baseline_obs: Observation) -> float | None:
        """1.0 when the baseline was benchmarked at all, else ``None`` (nothing to compare)."""
        if baseline_obs.cpu_times or baseline_obs.baseline_cpu_times:
            return 1.0
        return None

    def details(self, observation: Observation) -> dict[str, float]:
        out: dict[str, float] = {}
        if observation.cpu_times:
            out["median_s"] = median(observation.cpu_times)
            out["samples"] = float(len(observation.cpu_times))
        if observation.baseline_cpu_times:
            out["baseline_median_s"] = median(observation.baseline_cpu_times)
        verdict = verdict_of(observation)
        if verdict is not None:
            out["measured_ratio"] = verdict.ratio
            out["p_value"] = verdict.p
        return out

    def _score(self, raw: float, baseline: float) -> float:
        if raw <= 0:
            raw = 1e-9  # a benchmark that takes no measurable CPU: very fast, still finite
        return 1.0 + math.log2(baseline / raw)
