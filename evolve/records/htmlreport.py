"""A run's report: one summary (for the terminal and for machines) and one self-contained HTML page.

Everything comes from the run history, so a report can be made for a run
whose folder is gone, or for a run that was killed (then the best variant is
the best evaluation recorded and there is no diff). The HTML page needs no
other file: the plots are embedded as PNG data, the style is inline.
"""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from evolve.records.history import History, RunRecord
from evolve.records.places import places_html, read_places
from evolve.records.plots import png_bytes, run_figures
from evolve.records.report import outcome

PLOT_CAPTIONS = {
    "fitness": "Best and mean fitness per generation; the band is the population's spread (± one std).",
    "components": "Each fitness component over the generations (best individual and population mean).",
    "diversity": "Population diversity: how different the individuals' edit sets are.",
    "operators": "Operator statistics: of the variants each operator took part in, the share that "
                  "compiled, passed every test and beat the baseline.",
    "pareto": "Performance against maintainability of the variants that pass every test; "
              "the Pareto front is marked (an NSGA-II run also rings the members of its front over all "
              "its objectives).",
    "trend": "The best fitness of every run of this experiment, by date.",
}


def _when(stamp: float | None) -> str | None:
    return None if stamp is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def _edit_text(edit: Mapping[str, Any]) -> str:
    params = ", ".join(f"{k}={v}" for k, v in sorted((edit.get("params") or {}).items()))
    return f"{edit['file']}: {edit['operator']} at {edit['node']}" + (f" ({params})" if params else "")


def _best(run: RunRecord, history: History) -> dict[str, Any]:
    """The run's best variant: as re-measured at the end, or for an unfinished run the best evaluation."""
    if run.best:
        return {"key": run.best.get("key"), "status": run.best.get("status"), "fitness": run.best.get("fitness"),
                "tier": run.best.get("tier"), "components": run.best.get("components", {}),
                "figures": run.best.get("figures", {}), "edits": run.best.get("edits", [])}
    rows = history.evaluations(run.run_id)
    if not rows:
        return {"key": None, "status": None, "fitness": None, "tier": None, "components": {}, "figures": {},
                "edits": []}
    row = max(rows, key=lambda r: (r["tier"], r["fitness"]))
    return {"key": row["key"], "status": row["status"], "fitness": row["fitness"], "tier": row["tier"],
            "components": row["components"], "figures": row["figures"],
            "edits": [_edit_text(e) for e in row["patch"] or ()]}


def _components(run: RunRecord, best: Mapping[str, Any]) -> list[dict[str, Any]]:
    weights = run.config.get("fitness", {}).get("weights", {})
    base = run.baseline
    return [{"name": name, "weight": weights.get(name), "baseline_figure": base.get("figures", {}).get(name),
             "best_figure": best["figures"].get(name), "baseline_score": base.get("components", {}).get(name),
             "best_score": best["components"][name]}
            for name in best["components"]]


def _lineage(history: History, run_id: str) -> list[dict[str, Any]]:
    return [{"gen": row["gen"], "key": row["key"], "variation": row["variation"], "parents": row["parents"] or [],
             "status": row["status"], "fitness": row["fitness"], "edits": [_edit_text(e) for e in row["patch"] or ()]}
            for row in history.lineage(run_id)]


def _final_weights(history: History, run_id: str) -> dict[str, float]:
    """The operator probabilities credit assignment had reached at the last recorded generation."""
    generations = history.generations(run_id)
    record = (generations[-1].get("record") or {}) if generations else {}
    return dict(record.get("operator_weights") or {})


def _pareto_front(history: History, run: RunRecord) -> dict[str, Any] | None:
    """An NSGA-II run's Pareto front (None for other runs): as the finished run reported it, else as the last
    recorded generation had it; each member with its edits in words."""
    front = run.summary.get("pareto_front")
    if not front:
        generations = history.generations(run.run_id)
        recorded = (generations[-1].get("record") or {}).get("pareto_front") if generations else None
        if not recorded:
            return None
        first: dict[str, dict[str, Any]] = {}
        for row in history.evaluations(run.run_id):
            first.setdefault(row["key"], row)
        names = recorded["objectives"]
        front = {"objectives": names, "best": None, "members": [
            {"key": m["key"], "objectives": dict(zip(names, m["objectives"])),
             "fitness": first.get(m["key"], {}).get("fitness"), "patch": first.get(m["key"], {}).get("patch") or []}
            for m in recorded["members"]]}
    members = [{**m, "edits": [_edit_text(e) for e in m.get("patch") or ()]} for m in front["members"]]
    return {"objectives": front["objectives"], "best": front.get("best"), "members": members}


def _immunity(history: History, run: RunRecord) -> dict[str, int]:
    """What the immune memory did in the run (``evolve.search.immunity``): the finished run's counters, else
    those of its last recorded generation; empty for runs from before it existed."""
    counters = run.summary.get("immunity")
    if not counters:
        generations = history.generations(run.run_id)
        counters = (generations[-1].get("record") or {}).get("immunity") if generations else None
        if counters:
            created = sum(1 for row in history.antibodies() if row["created_run"] == run.run_id)
            counters = {**counters, "created": created}
    return dict(counters or {})


def report_summary(history: History, run_ref: str) -> dict[str, Any]:
    """Everything the report says about a run, as plain JSON-ready data."""
    run = history.run(run_ref)
    best = _best(run, history)
    return {
        "run_id": run.run_id, "experiment": run.experiment, "mode": run.mode, "status": run.status,
        "seed": run.seed, "started": _when(run.started), "finished": _when(run.finished),
        "generations": max(run.generations, 0), "planned_generations": run.planned_generations,
        "evaluations": len(history.evaluations(run.run_id)),
        "baseline_fitness": run.baseline_fitness, "best_fitness": run.best_fitness,
        "improved": run.improved, "integrate": run.integrate, "promoted": run.promoted,
        "threshold": run.config.get("fitness", {}).get("threshold"), "run_folder": run.path,
        "best": best, "components": _components(run, best), "diff": run.diff,
        "operators": history.operator_stats(run.run_id), "lineage": _lineage(history, run.run_id),
        "operator_weights": _final_weights(history, run.run_id),
        "algorithm": (run.config.get("search") or {}).get("algorithm") or "ga",
        "pareto_front": _pareto_front(history, run),
        "places": read_places(run.path),
        "immunity": _immunity(history, run),
        "promotions": [{k: p[k] for k in ("branch", "commit_sha", "merged", "note")} | {"at": _when(p["at"])}
                       for p in history.promotions(run.run_id)],
    }


# ---------------------------------------------------------------- HTML

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #222; }
h1 { font-size: 1.5rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .25rem .6rem; border: 1px solid #ddd; }
th { background: #f4f4f4; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.facts td:first-child { font-weight: 600; } figure { margin: 1rem 0; } figure img { max-width: 100%; }
figcaption { color: #555; font-size: .9rem; } code { font-size: .9rem; }
pre.diff { background: #fafafa; border: 1px solid #ddd; padding: .6rem; overflow-x: auto; font-size: .85rem; }
.add { color: #116329; background: #e6ffec; } .del { color: #82071e; background: #ffebe9; } .hunk { color: #0550ae; }
.status-finished { color: #116329; } .status-failed, .status-interrupted { color: #82071e; }
"""


def _num(value: Any, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) >= 1000 else f"{value:.{digits}f}"
    return html.escape(str(value))


def _table(headers: list[str], rows: list[list[Any]], numeric: Collection[int] = ()) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="num">{_num(c)}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _facts(s: Mapping[str, Any]) -> str:
    status = f'<span class="status-{html.escape(s["status"])}">{html.escape(s["status"])}</span>'
    rows = [("experiment", html.escape(s["experiment"])), ("mode", s["mode"]), ("status", status),
            ("started", s["started"]), ("finished", s["finished"] or "–"), ("seed", s["seed"]),
            ("generations", f"{s['generations']} of {s['planned_generations']}"),
            ("evaluations", s["evaluations"]),
            ("fitness", f"{_num(s['baseline_fitness'])} (baseline) → {_num(s['best_fitness'])} (best)"),
            ("outcome", outcome(s["mode"], bool(s["improved"]))),
            ("clears the integrate threshold", f"{'yes' if s['integrate'] else 'no'} (threshold {s['threshold']})"),
            ("promoted", "yes" if s["promoted"] else "no"), ("run folder", f"<code>{html.escape(s['run_folder'])}</code>")]
    return '<table class="facts">' + "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _diff_html(diff: str) -> str:
    if not diff:
        return "<p>No diff: the run found no change that passes every test, or did not finish.</p>"
    lines = []
    for line in diff.splitlines():
        kind = ("hunk" if line.startswith("@@") else "add" if line.startswith("+") and not line.startswith("+++")
                else "del" if line.startswith("-") and not line.startswith("---") else "")
        text = html.escape(line)
        lines.append(f'<span class="{kind}">{text}</span>' if kind else text)
    return '<pre class="diff">' + "\n".join(lines) + "</pre>"


def _components_html(s: Mapping[str, Any]) -> str:
    rows = [[html.escape(c["name"]), c["weight"], c["baseline_figure"], c["best_figure"], c["best_score"],
             None if c["best_score"] is None else f"{100 * (c['best_score'] - 1):+.1f} %"] for c in s["components"]]
    rows.append(["<b>fitness</b>", None, s["baseline_fitness"], s["best"]["fitness"], None, None])
    return _table(["component", "weight", "baseline figure", "best figure", "best score (baseline = 1.0)",
                   "change"], rows, numeric={1, 2, 3, 4, 5})


def _operators_html(stats: Mapping[str, Mapping[str, int]], weights: Mapping[str, float]) -> str:
    names = sorted(set(stats) | set(weights), key=lambda n: -weights.get(n, 0.0))
    empty = {"tried": 0, "compiled": 0, "passed": 0, "improved": 0}
    rows = [[html.escape(name), f"{weights[name]:.3f}" if name in weights else "–",
             *(stats.get(name, empty)[k] for k in ("tried", "compiled", "passed", "improved")),
             f"{100 * c['improved'] / c['tried']:.0f} %" if (c := stats.get(name, empty))["tried"] else "–"]
            for name in names]
    return _table(["operator", "final weight", "tried", "compiled", "passed", "improved", "improved / tried"],
                  rows, numeric={1, 2, 3, 4, 5, 6})


def _lineage_html(steps: list[Mapping[str, Any]]) -> str:
    if not steps:
        return "<p>No lineage recorded.</p>"
    rows = [[step["gen"], f"<code>{step['key']}</code>", html.escape(step["variation"] or ""),
             " ".join(f"<code>{p}</code>" for p in step["parents"]) or "–", step["status"], step["fitness"],
             "<br>".join(html.escape(e) for e in step["edits"]) or "(no edit)"] for step in steps]
    intro = ("<p>The best individual first, then the fitter parent of each step, back to a seed of "
             "generation 0 (each row is the first time that patch was evaluated).</p>")
    return intro + _table(["generation", "patch", "made by", "parents", "status", "fitness", "edits"], rows,
                          numeric={0, 5})


def _front_html(front: Mapping[str, Any] | None) -> list[str]:
    """An NSGA-II run's Pareto front as a table (nothing for other runs); the member promoted is marked."""
    if front is None:
        return []
    names = list(front["objectives"])
    rows = [[("★ " if m["key"] == front.get("best") else "") + f"<code>{m['key']}</code>", m.get("fitness"),
             *(m["objectives"].get(n) for n in names), "<br>".join(html.escape(e) for e in m["edits"]) or "(no edit)"]
            for m in front["members"]]
    intro = (f"<p>{len(rows)} passing variant(s) that beat the baseline in at least one objective and that no "
             "other variant dominates; ★ the one with the highest weighted fitness (the run's best).</p>")
    return ["<h2>Pareto front (NSGA-II)</h2>", intro,
            _table(["patch", "fitness", *names, "edits"], rows, numeric=set(range(1, len(names) + 2)))]


IMMUNITY_ROWS = (
    ("loaded", "antibodies from earlier runs on this project"), ("confident", "of them confident (they block)"),
    ("used", "antibodies that refused an edit"), ("saved", "known-harmful edits refused (about one evaluation "
                                                           "saved each)"),
    ("refused", "proposals refused (draws meeting a blocked edit)"), ("created", "antibodies this run created"),
    ("reinforced", "antibodies this run reinforced"), ("weakened", "antibodies this run weakened (harmless)"))


def _immunity_html(counters: Mapping[str, int]) -> list[str]:
    """The immune memory's figures for the run (nothing for runs from before it existed)."""
    if not counters:
        return []
    rows = [[counters.get(key, 0), words] for key, words in IMMUNITY_ROWS]
    return ["<h2>Immune memory</h2>", "<p>Antibodies are edits that harmed (did not compile, crashed, timed out, "
            "broke tests) in a run on this project; a confident one stops the same edit at unchanged code from "
            "being proposed again (<code>python -m evolve memory</code> lists them).</p>",
            _table(["count", "what"], rows, numeric={0})]


def _figures_html(images: Mapping[str, bytes]) -> str:
    parts = []
    for name, data in images.items():
        encoded = base64.b64encode(data).decode("ascii")
        parts.append(f'<figure><img alt="{name} plot" src="data:image/png;base64,{encoded}">'
                     f"<figcaption>{html.escape(PLOT_CAPTIONS.get(name, name))}</figcaption></figure>")
    return "".join(parts)


def render_html(summary: Mapping[str, Any], images: Mapping[str, bytes]) -> str:
    """The report page for ``summary`` (from ``report_summary``) with the PNG ``images`` embedded."""
    s = summary
    edits = "".join(f"<li>{html.escape(e)}</li>" for e in s["best"]["edits"]) or "<li>(no edit)</li>"
    sections = [
        f"<h1>evolve run {html.escape(s['run_id'])}</h1>", _facts(s),
        "<h2>Best variant</h2>" if s["improved"] else "<h2>Closest variant (not an improvement)</h2>",
        f"<ul>{edits}</ul>", _diff_html(s["diff"]),
        "<h2>Fitness components against the baseline</h2>", _components_html(s),
        "<h2>Plots</h2>", _figures_html(images), *_front_html(s.get("pareto_front")),
        "<h2>Operator statistics</h2>", _operators_html(s["operators"], s.get("operator_weights") or {}),
        "<h2>Where edits went first</h2>", places_html(s.get("places")), *_immunity_html(s.get("immunity") or {}),
        "<h2>Lineage of the best individual</h2>", _lineage_html(s["lineage"]),
    ]
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>evolve run "
            f"{html.escape(s['run_id'])}</title><style>{_STYLE}</style></head><body>\n"
            + "\n".join(sections) + "\n</body></html>\n")


def write_report(history: History, run_ref: str, path: Path) -> dict[str, Any]:
    """Write the HTML report of a run to ``path``; returns its summary."""
    summary = report_summary(history, run_ref)
    images = {name: png_bytes(fig) for name, fig in run_figures(history, summary["run_id"]).items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(summary, images), encoding="utf-8")
    return summary
