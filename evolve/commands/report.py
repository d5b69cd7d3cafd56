"""``report``: a run's summary in the terminal, a self-contained HTML report, or ``--json`` for machines."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evolve.commands.runs import add_history_option
from evolve.records.history import History
from evolve.records.htmlreport import write_report
from evolve.records.places import places_text
from evolve.records.report import component_table, outcome
from fitness.aggregate import Score


def register(subparsers: Any) -> None:
    text = "summarise a run and write its HTML report (plots, diff, components, operators, lineage)"
    sub = subparsers.add_parser("report", help=text, description=text)
    sub.add_argument("run_id", help="a run id from `python -m evolve runs`, a unique prefix of one, or latest")
    sub.add_argument("--json", action="store_true", help="print the summary as JSON instead of text")
    sub.add_argument("--out", type=Path, help="HTML file to write (default: report.html in the run folder)")
    add_history_option(sub)
    sub.set_defaults(handler=handle)


def _score(data: Mapping[str, Any]) -> Score:
    return Score(tier=data.get("tier") or 0, value=data.get("fitness", data.get("value")) or 0.0,
                 components=data.get("components") or {}, figures=data.get("figures") or {})


def summary_text(s: Mapping[str, Any], weights: Mapping[str, float]) -> str:
    """The terminal summary: facts, baseline against best per component, edits, lineage, operators."""
    lines = [f"evolve: run {s['run_id']} (experiment {s['experiment']}, {s['mode']} mode, seed {s['seed']}): "
             f"{s['status']}",
             f"  started {s['started']}, {s['generations']} of {s['planned_generations']} generations, "
             f"{s['evaluations']} evaluations", ""]
    best = s["best"]
    if best["components"] and s["components"]:
        baseline = {"tier": 0, "fitness": s["baseline_fitness"],
                    "components": {c["name"]: c["baseline_score"] for c in s["components"]},
                    "figures": {c["name"]: c["baseline_figure"] for c in s["components"]}}
        lines += [component_table(_score(baseline), _score(best), weights), ""]
    verdict = outcome(s["mode"], bool(s["improved"]))
    detail = ("the best variant beats the baseline" if s["improved"] else
              "no variant made every test pass; the diff is the closest variant, not a fix" if s["mode"] == "repair"
              else "no variant beat the baseline while passing every test")
    lines.append(f"outcome: {verdict} ({detail})"
                 + (f"; clears the integrate threshold {s['threshold']}" if s["integrate"] else ""))
    lines += [f"  - {edit}" for edit in best["edits"]]
    if s["lineage"]:
        chain = " <- ".join(f"gen {step['gen']} {step['key'][:8]} ({step['variation']})" for step in s["lineage"])
        lines += ["", f"lineage: {chain}"]
    places = places_text(s.get("places"))
    operators = _operator_lines(s["operators"], s.get("operator_weights") or {})
    front = front_lines(s.get("pareto_front"))
    immunity = immunity_lines(s.get("immunity"))
    return "\n".join(lines + ["", *front, operators] + (["", *places] if places else []) + immunity)


def immunity_lines(counters: Mapping[str, int] | None) -> list[str]:
    """The immune memory in one line: antibodies used and created (nothing for runs from before it existed)."""
    if not counters:
        return []
    c = {k: counters.get(k, 0) for k in ("loaded", "confident", "used", "saved", "refused", "created",
                                         "reinforced", "weakened")}
    return ["", f"immune memory: {c['used']} of {c['loaded']} antibodies used ({c['confident']} confident), "
                f"refusing {c['saved']} known-harmful edit(s), about {c['saved']} evaluation(s) saved "
                f"({c['refused']} proposals); {c['created']} created, {c['reinforced']} reinforced, "
                f"{c['weakened']} weakened"]


FRONT_LINES = 20
"""Members of a Pareto front the terminal summary lists (the HTML report has them all)."""


def front_lines(front: Mapping[str, Any] | None) -> list[str]:
    """An NSGA-II run's Pareto front, best weighted fitness first, the run's best marked (nothing for other runs)."""
    if front is None:
        return []
    names = list(front["objectives"])
    members = front["members"]
    lines = [f"Pareto front (NSGA-II over {', '.join(names)}): {len(members)} member(s)"
             + ("; * is the run's best (highest weighted fitness)" if front.get("best") else "")]
    for m in members[:FRONT_LINES]:
        mark = "*" if m["key"] == front.get("best") else " "
        fitness = "–" if m.get("fitness") is None else f"{m['fitness']:.4f}"
        figures = "  ".join(f"{n} {m['objectives'][n]:.4f}" for n in names if n in m["objectives"])
        lines.append(f"  {mark} {m['key'][:8]}  fitness {fitness}  {figures}")
        lines += [f"      - {edit}" for edit in m["edits"]]
    if len(members) > FRONT_LINES:
        lines.append(f"  … and {len(members) - FRONT_LINES} more (see the HTML report)")
    return [*lines, ""]


def _operator_lines(stats: Mapping[str, Mapping[str, int]], weights: Mapping[str, float]) -> str:
    names = sorted(set(stats) | set(weights), key=lambda n: (-weights.get(n, 0.0), n))
    empty = {"tried": 0, "passed": 0, "improved": 0}
    rows = [f"  {n:<28} weight {weights[n]:.3f} " if n in weights else f"  {n:<28} weight   –   " for n in names]
    rows = [row + "{tried:>5} tried {passed:>5} passed {improved:>5} improved".format(**{**empty, **stats.get(n, {})})
            for row, n in zip(rows, names)]
    title = "operators (by the final weight credit assignment gave them):"
    return "\n".join([title, *rows] if rows else ["operators: none tried"])


def handle(args: argparse.Namespace) -> int:
    with History.at(args.run_dir) as history:
        run = history.run(args.run_id)
        out = args.out or history.output_folder(run) / "report.html"
        summary = write_report(history, run.run_id, out)
    summary["report"] = str(out)
    if args.json:
        print(json.dumps(summary, indent=2, sort_keys=True))
        return 0
    print(summary_text(summary, run.config.get("fitness", {}).get("weights", {})))
    print(f"\nevolve: HTML report written to {out}")
    return 0
