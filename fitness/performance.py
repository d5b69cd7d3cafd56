"""Performance: how much CPU the variant's benchmark takes, relative to the baseline.

The raw figure is already relative (variant median over baseline median, both
measured interleaved in the same place), so machine speed and drift cancel
out; the baseline's own figure is therefore the fixed reference 1.0.
"""

from __future__ import annotations

from statistics import median
from typing import ClassVar

from fitness._base import Objective
from fitness.observation import Observation

#: A variant can look absurdly fast when its benchmark stops doing work; the
#: cap keeps one such figure from swamping every other component of the sum.
MAX_SPEEDUP = 10.0


class Performance(Objective):
    """Median CPU time of the variant over that of the baseline; lower is better."""

    name: ClassVar[str] = "performance"
    unit: ClassVar[str] = "x baseline CPU"
    higher_is_better: ClassVar[bool] = False

    def measure(self, observation: Observation) -> float | None:
        if not observation.cpu_times or not observation.baseline_cpu_times:
            return None
        reference = median(observation.baseline_cpu_times)
        if reference <= 0:
            return None
        return median(observation.cpu_times) / reference

    def baseline_figure(self, baseline_obs: Observation) -> float | None:
        """1.0 when the baseline was benchmarked at all, else ``None`` (nothing to compare)."""
        if baseline_obs.cpu_times or baseline_obs.baseline_cpu_times:
            return 1.0
        return None

    def details(self, observation: Observation) -> dict[str, float]:
        out: dict[str, float] = {}
        if observation.cpu_times:
            out["median_s"] = median(observation.cpu_times)
        if observation.baseline_cpu_times:
            out["baseline_median_s"] = median(observation.baseline_cpu_times)
        return out

    def _score(self, raw: float, baseline: float) -> float:
        if raw <= 0:
            return MAX_SPEEDUP
        return min(MAX_SPEEDUP, baseline / raw)
