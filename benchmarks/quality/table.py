"""Reporting: markdown tables per run, per case and per kind, the summary line, and the JSON document.

A case counts as solved when at least one of its seeds solved it; overfit
counts runs whose best passes the tests but behaves differently.
"Evaluations to solution" is :class:`~benchmarks.quality.judge.FirstSolution`'s
``evaluations`` (lines of evaluations.jsonl up to the first confirmed
solution, cached ones included), counted in medians for solved runs only;
seconds are wall seconds after the engine's launch when that line appeared.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from benchmarks.quality.judge import OVERFIT, SOLVED, RunResult

GROUPS = ("repair", "speedup", "control")


def runs_table(results: Sequence[RunResult]) -> str:
    """One row per case and seed."""
    rows = [[r.case_id, str(r.seed), r.outcome, _first_evals(r), _first_seconds(r), _ratio(r.ratio),
             f"{r.evaluations}/{r.planned_evaluations}", f"{r.wall_seconds:.0f}" + _limit(r),
             _cell("; ".join(r.edits) or "-"), _cell(r.detail)] for r in results]
    return _markdown(["case", "seed", "outcome", "evals to sol.", "s to sol.", "ratio", "evals", "wall s", "best edits",
                      "detail"], rows)


def cases_table(results: Sequence[RunResult]) -> str:
    """One row per case: outcomes over its seeds, medians over its solved seeds."""
    rows = []
    for case_id, runs in _by(results, lambda r: r.case_id).items():
        solved = [r for r in runs if r.outcome == SOLVED]
        rows.append([case_id, runs[0].group, runs[0].fix_kind, f"{len(solved)}/{len(runs)}",
                     str(sum(r.outcome == OVERFIT for r in runs)), _median([r.first.evaluations for r in solved if r.first]),
                     _median([r.first.observed_seconds for r in solved if r.first]),
                     _ratio(statistics.median([r.ratio for r in solved if r.ratio])) if any(r.ratio for r in solved) else "-",
                     _cell("; ".join((solved or runs)[0].edits) or "-")])
    return _markdown(["case", "group", "kind", "solved seeds", "overfit", "median evals to sol.", "median s to sol.",
                      "median ratio", "best edits (first solved seed)"], rows)


def kinds_table(results: Sequence[RunResult]) -> str:
    """One row per group and fix kind: cases solved (by any seed), runs solved, overfit runs, median evaluations."""
    rows = []
    for (group, kind), runs in sorted(_by(results, lambda r: (r.group, r.fix_kind)).items(),
                                      key=lambda item: (GROUPS.index(item[0][0]), item[0][1])):
        cases = _by(runs, lambda r: r.case_id)
        solved_cases = sum(any(r.outcome == SOLVED for r in rs) for rs in cases.values())
        solved = [r for r in runs if r.outcome == SOLVED]
        rows.append([group, kind, f"{solved_cases}/{len(cases)}", f"{len(solved)}/{len(runs)}",
                     str(sum(r.outcome == OVERFIT for r in runs)),
                     _median([r.first.evaluations for r in solved if r.first])])
    return _markdown(["group", "kind", "cases solved", "runs solved", "overfit runs", "median evals to sol."], rows)


def summary_line(results: Sequence[RunResult], commit: str, command: str) -> str:
    """``solved repair cases x/N, solved speed-up cases y/M (+ controls c/K), overfit …, median evaluations …``."""
    counts = {group: _solved_cases(r for r in results if r.group == group) for group in GROUPS}
    firsts = [r.first.evaluations for r in results if r.outcome == SOLVED and r.first]
    unconfirmed = sum(r.outcome == SOLVED and r.first is None for r in results)
    overfit = [r for r in results if r.outcome == OVERFIT]
    runs_solved = sum(r.outcome == SOLVED for r in results)
    text = (f"solved repair cases {counts['repair'][0]}/{counts['repair'][1]}, "
            f"solved speed-up cases {counts['speedup'][0]}/{counts['speedup'][1]} "
            f"(+ controls {counts['control'][0]}/{counts['control'][1]}); "
            f"runs solved {runs_solved}/{len(results)}; overfit runs {len(overfit)} "
            f"(cases {len({r.case_id for r in overfit})}); "
            f"median evaluations to solution {_median(firsts)}"
            + (f" ({unconfirmed} solved run(s) without a confirmed first solution)" if unconfirmed else "")
            + _unkept(results) + _failures(results) + f"; commit {commit}; command: {command}")
    return text


def document(results: Sequence[RunResult], meta: Mapping[str, Any]) -> dict[str, Any]:
    """Everything, for ``--json``: ``meta`` (commit, command, budget, …), the summary line and every run."""
    return {**meta, "summary": summary_line(results, str(meta.get("commit")), str(meta.get("command"))),
            "runs": [asdict(r) for r in results]}


def report(results: Sequence[RunResult], commit: str, command: str) -> str:
    """The whole markdown report: per-kind, per-case and per-run tables, then the summary line."""
    return "\n\n".join([
        "## Per kind", kinds_table(results), "## Per case", cases_table(results), "## Per run", runs_table(results),
        "## Summary", summary_line(results, commit, command),
    ]) + "\n"


def _unkept(results: Sequence[RunResult]) -> str:
    """``; a solution was evaluated but not kept as best in k runs``, or nothing."""
    unkept = sum(r.outcome != SOLVED and r.first is not None for r in results)
    return f"; a solution was evaluated but not kept as best in {unkept} run(s)" if unkept else ""


def _failures(results: Sequence[RunResult]) -> str:
    """``; the engine refused k and crashed m of the runs`` (counted as unsolved), or nothing."""
    failed = [r.engine_failure for r in results if r.engine_failure]
    if not failed:
        return ""
    refused = sum(f.startswith("refused") for f in failed)
    return f"; the engine refused {refused} and crashed {len(failed) - refused} of the runs (counted unsolved)"


def _solved_cases(results: Iterable[RunResult]) -> tuple[int, int]:
    cases = _by(list(results), lambda r: r.case_id)
    return sum(any(r.outcome == SOLVED for r in runs) for runs in cases.values()), len(cases)


def _by(results: Sequence[RunResult], key: Any) -> dict[Any, list[RunResult]]:
    groups: dict[Any, list[RunResult]] = {}
    for result in results:
        groups.setdefault(key(result), []).append(result)
    return groups


def _limit(result: RunResult) -> str:
    """`` (stopped)`` when the engine left by itself after SIGTERM at the limit, `` (killed)`` when it had to be."""
    if not result.timed_out:
        return ""
    return " (stopped)" if result.returncode >= 0 else " (killed)"


def _first_evals(result: RunResult) -> str:
    if result.first is None:
        return "-" if result.outcome != SOLVED else "?"
    text = f"{result.first.evaluations} ({result.first.executed} run)"
    return text if result.outcome == SOLVED else f"{text}, not kept as best"


def _first_seconds(result: RunResult) -> str:
    return f"{result.first.observed_seconds:.1f}" if result.first else "-"


def _ratio(ratio: float | None) -> str:
    return f"{ratio:.2f}" if ratio else "-"


def _median(values: Sequence[float]) -> str:
    if not values:
        return "-"
    value = statistics.median(values)
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _cell(text: str, limit: int = 160) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
