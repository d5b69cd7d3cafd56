"""What a person reads at the end of a run: the diff and baseline-vs-best per component."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from fitness.aggregate import Score


def unified_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """A ``git apply``-compatible diff of every file whose text differs."""
    chunks: list[str] = []
    for file in sorted(after):
        old, new = before.get(file, ""), after[file]
        if old == new:
            continue
        chunks.append(f"diff --git a/{file} b/{file}\n")
        chunks.extend(difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True),
            fromfile=f"a/{file}", tofile=f"b/{file}",
        ))
    return "".join(chunks)


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}"


def component_table(baseline: Score, best: Score, weights: Mapping[str, float]) -> str:
    """Rows of component | weight | baseline figure | best figure | best score (baseline = 1.0)."""
    rows = [("component", "weight", "baseline", "best", "score")]
    for name in best.components:
        rows.append((name, f"{weights.get(name, 0.0):.2f}", _figure(baseline.figures.get(name)),
                     _figure(best.figures.get(name)), f"{best.components[name]:.3f}"))
    rows.append(("fitness", "", f"{baseline.value:.4f}", f"{best.value:.4f}", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
