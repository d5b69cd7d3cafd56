"""What a person reads at the end of a run: the diff and baseline-vs-best per component."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from fitness.aggregate import REPAIRED, Score
from fitness.observation import Status

NOISE_NOTE = "within timing noise"


def outcome(mode: str, improved: bool) -> str:
    """The run's verdict in the words every surface uses: repaired / no repair found, improved / no improvement."""
    if mode == "repair":
        return "repaired" if improved else "no repair found"
    return "improved" if improved else "no improvement"


def standing(mode: str, tier: int, value: float, baseline_value: float) -> str:
    """The best individual so far, in words for the progress line; never "passed" for a failing variant."""
    if mode == "repair":
        return "repaired" if tier >= REPAIRED else "no repair yet"
    if tier < Status.PASSED:
        return "no variant passes yet"
    return "improved" if value > baseline_value else "passes, no gain yet"


NO_NEWLINE = "\\ No newline at end of file\n"


def _lines(text: str) -> list[str]:
    """``text`` cut after each ``\\n`` only, as git and patch count lines (``\\r\\n`` stays on its line;
    ``str.splitlines`` would also cut at form feeds, ``\\r`` and other separators)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def unified_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """A ``git apply``-compatible diff of every file whose text differs.

    Line endings are kept as they are (a CRLF file's diff has CRLF lines), and
    a last line without a newline is marked as git marks it.
    """
    chunks: list[str] = []
    for file in sorted(after):
        old, new = before.get(file, ""), after[file]
        if old == new:
            continue
        chunks.append(f"diff --git a/{file} b/{file}\n")
        for line in difflib.unified_diff(_lines(old), _lines(new), fromfile=f"a/{file}", tofile=f"b/{file}"):
            chunks.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE)
    return "".join(chunks)


def unified_diff_bytes(before: Mapping[str, bytes], after: Mapping[str, bytes]) -> bytes:
    """The same diff of the files as stored (any encoding, BOM, line endings): byte-exact for ``git apply``."""
    # latin-1 maps each byte to one character and back, so the diff keeps every byte of both sides
    return unified_diff({f: b.decode("latin-1") for f, b in before.items()},
                        {f: b.decode("latin-1") for f, b in after.items()}).encode("latin-1")


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}"


def _best_figure(name: str, best: Score, noise: float) -> str:
    figure = best.figures.get(name)
    if name == "performance" and figure is not None and figure != 1.0 and abs(1.0 - figure) < noise:
        return f"{_figure(figure)} ({NOISE_NOTE} ±{100 * noise:.1f} %)"
    return _figure(figure)


def component_table(baseline: Score, best: Score, weights: Mapping[str, float], noise: float = 0.0) -> str:
    """Rows of component | weight | baseline figure | best figure | best score (baseline = 1.0).

    ``noise`` is the machine's relative timing noise measured at baseline
    (``fitness.speed.noise_band``); a performance figure closer to 1.0 than
    that is marked as within the noise, never shown as a speed-up alone.
    """
    rows = [("component", "weight", "baseline", "best", "score")]
    for name in best.components:
        rows.append((name, f"{weights.get(name, 0.0):.2f}", _figure(baseline.figures.get(name)),
                     _best_figure(name, best, noise), f"{best.components[name]:.3f}"))
    rows.append(("fitness", "", f"{baseline.value:.4f}", f"{best.value:.4f}", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
