"""The commit message of a verified change: what improved and by how much, in plain words.

``commit_message`` writes a subject (the headline gain), the edits, every
component's baseline -> variant figure and the run's id, seed and config, from
a ``RunInfo`` (what the run hands over) and a ``Verification``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from evolve.promotion.verify import Verification
from fitness.aggregate import Score, Weights
from fitness.registry import OBJECTIVES

__all__ = ["RunInfo", "commit_message"]

_UNITS = {name: objective.unit for name, objective in OBJECTIVES.items()}


@dataclass(frozen=True)
class RunInfo:
    """What a commit message says about the run that found the change."""

    run_id: str
    experiment: str
    config_name: str
    mode: str
    seed: int
    files: tuple[str, ...]
    edits: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "files": list(self.files), "edits": list(self.edits)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunInfo:
        return cls(**{**data, "files": tuple(data["files"]), "edits": tuple(data["edits"])})


def commit_message(info: RunInfo, found: Verification, weights: Weights, where: str, note: str = "") -> str:
    """Summary line (what improved, by how much), the edits, the figures, the run's identity."""
    assert found.baseline is not None and found.variant is not None
    lines = [_subject(info, found, weights), ""]
    if note:
        lines += [note, ""]
    lines += ["Edits:", *(f"- {edit}" for edit in info.edits), ""]
    lines += [f"Measured on a clean checkout of {where} (baseline -> variant):", *_figure_lines(found), ""]
    lines += [f"Evolve-Run: {info.run_id}", f"Evolve-Seed: {info.seed}",
              f"Evolve-Config: {info.config_name} (experiment {info.experiment}, mode {info.mode})"]
    return "\n".join(lines) + "\n"


def _subject(info: RunInfo, found: Verification, weights: Weights) -> str:
    assert found.baseline is not None and found.variant is not None
    place = info.files[0] if len(info.files) == 1 else f"{len(info.files)} files"
    fitness = f"fitness {found.baseline.value:.3f} -> {found.variant.value:.3f}"
    if info.mode == "repair":
        return f"evolve: repair {place}: {found.fixed} failing test(s) pass now ({fitness})"
    return f"evolve: {_headline(found.baseline, found.variant, weights)} in {place} ({fitness})"


def _headline(baseline: Score, variant: Score, weights: Weights) -> str:
    """The component that gained the most fitness, in words."""
    gains = {n: weights[n] * (c - 1.0) for n, c in variant.components.items()}
    name = max(gains, key=gains.__getitem__, default="")
    before, after = baseline.figures.get(name), variant.figures.get(name)
    if not name or gains[name] <= 0 or before is None or after is None:
        return "smaller change"
    if name == "performance":
        return f"{(1.0 - after) * 100:.0f}% less CPU"
    if name == "tokens" and before:
        return f"{(1.0 - after / before) * 100:.0f}% fewer tokens"
    return f"{name} {before:.3g} -> {after:.3g}"


def _figure_lines(found: Verification) -> list[str]:
    assert found.baseline is not None and found.variant is not None
    lines = []
    for name, score in found.variant.components.items():
        before, after = found.baseline.figures.get(name), found.variant.figures.get(name)
        if before is None and after is None:
            continue  # not measured (no benchmark configured)
        text = f"  {name:<16} {_fmt(before)} -> {_fmt(after)} {_UNITS.get(name, '')}".rstrip()
        lines.append(f"{text}  (score {score:.3f})")
    timing = found.variant.details.get("performance", {})
    if "median_s" in timing and "baseline_median_s" in timing:
        lines.append(f"  benchmark CPU    {_ms(timing['baseline_median_s'])} -> {_ms(timing['median_s'])} per run, "
                     f"median of {found.rounds} interleaved rounds; the variant was faster in {found.faster_rounds} of them")
    lines.append(f"  fitness          {found.baseline.value:.4f} -> {found.variant.value:.4f}")
    lines.append(f"  full test suite  {found.tests} passed in a fresh python -m pytest")
    return lines


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3g} ms"


# ---------------------------------------------------------------- end of a run


