"""Is a variant really faster? A statistical verdict on interleaved CPU-time samples.

One timing per variant turns the machine's noise into "improvements" (a 3 %
gain on a module no edit can speed up). Here a difference in speed counts only
when a test says it is real: the one-sided Mann–Whitney U test of
``scipy.stats.mannwhitneyu`` (Mann & Whitney 1947), exact for small samples,
on the variant's and the baseline's CPU seconds measured interleaved in the
same place. The difference must also exceed ``MIN_EFFECT`` (a relative change
of the medians), so a statistically clear 0.1 % is still no gain. Anything
else is *unresolved* and scores exactly as the baseline.

Racing (Birattari et al. 2002, "F-Race"; Hoeffding races, Maron & Moore 1994)
uses ``needs_more``: a cheap first measurement, then more interleaved rounds
only while the verdict is open and the variant could still be faster.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from statistics import median

from scipy.stats import mannwhitneyu

__all__ = ["ALPHA", "MIN_EFFECT", "Speed", "SpeedVerdict", "judge_speed", "needs_more", "noise_band"]

ALPHA = 0.001
"""Significance level of each one-sided test (faster, slower): strict, because a run makes thousands of
comparisons and re-measures the promising ones (racing); 7 interleaved rounds a side can reach it."""
MIN_EFFECT = 0.02
"""Smallest relative change of the median CPU time that can count (2 %)."""
MIN_SAMPLES = 3
"""Fewer samples a side than this decide nothing."""


class Speed(str, Enum):
    """The verdict on a variant's speed against the baseline."""

    FASTER = "faster"
    SLOWER = "slower"
    UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class SpeedVerdict:
    """``ratio`` is median(variant) / median(baseline) CPU seconds (below 1: faster); ``p`` the deciding test's."""

    speed: Speed
    ratio: float
    p: float
    samples: int

    @property
    def decided_ratio(self) -> float:
        """The ratio when the verdict is decided, else exactly 1.0 (no difference is claimed)."""
        return self.ratio if self.speed is not Speed.UNRESOLVED else 1.0


def judge_speed(baseline: Sequence[float], variant: Sequence[float], alpha: float = ALPHA,
                min_effect: float = MIN_EFFECT) -> SpeedVerdict:
    """Compare two samples of CPU seconds (any length; interleaved measurements expected).

    Returns ``FASTER`` when the variant's samples are stochastically smaller
    (one-sided Mann–Whitney U, p <= ``alpha``) and its median is at least
    ``min_effect`` below the baseline's; ``SLOWER`` symmetrically; else
    ``UNRESOLVED``. A side with a median of zero or fewer than ``MIN_SAMPLES``
    samples is unresolved (ratio 1.0). Never raises for non-empty finite input;
    raises ``ValueError`` for negative or non-finite samples.
    """
    for value in (*baseline, *variant):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"CPU-time samples must be finite and >= 0, got {value!r}")
    n = min(len(baseline), len(variant))
    if n < MIN_SAMPLES or median(baseline) <= 0:
        return SpeedVerdict(Speed.UNRESOLVED, 1.0, 1.0, n)
    ratio = median(variant) / median(baseline)
    p_less = float(mannwhitneyu(variant, baseline, alternative="less").pvalue)
    p_greater = float(mannwhitneyu(variant, baseline, alternative="greater").pvalue)
    if p_less <= alpha and ratio <= 1.0 - min_effect:
        return SpeedVerdict(Speed.FASTER, ratio, p_less, n)
    if p_greater <= alpha and ratio >= 1.0 + min_effect:
        return SpeedVerdict(Speed.SLOWER, ratio, p_greater, n)
    return SpeedVerdict(Speed.UNRESOLVED, ratio, min(p_less, p_greater), n)


def needs_more(verdict: SpeedVerdict, samples: int, max_samples: int, incumbent_ratio: float = 1.0) -> bool:
    """Racing: measure more rounds? Only while undecided, under budget, and possibly better than the incumbent.

    ``incumbent_ratio`` is the best decided ratio known so far (1.0: the
    baseline); a variant whose median is not below it cannot become the best
    and gets no more rounds.
    """
    if verdict.speed is not Speed.UNRESOLVED or samples >= max_samples:
        return False
    return verdict.ratio < min(1.0, incumbent_ratio) * (1.0 + MIN_EFFECT)


def noise_band(first: Sequence[float], second: Sequence[float]) -> float:
    """The machine's timing noise from an A/A measurement (the same code measured twice, interleaved).

    Returns the relative spread of the per-round ratios, ``(q90 - q10) / 2``
    of ``second[i] / first[i]`` (0.03 = ±3 %), or 0.0 with fewer than two
    rounds. A reported speed-up smaller than this is not printed as one.
    """
    ratios = sorted(b / a for a, b in zip(first, second) if a > 0)
    if len(ratios) < 2:
        return 0.0
    low = ratios[int(0.1 * (len(ratios) - 1))]
    high = ratios[math.ceil(0.9 * (len(ratios) - 1))]
    return (high - low) / 2
