"""Plots of a run's story, read from the run history: what a person looks at instead of logs.

Every figure is a plain ``matplotlib.figure.Figure`` on an Agg canvas (no
pyplot, no global backend), ``SIZE`` inches at ``DPI``, so the CLI, the HTML
report and the notebooks draw the same pictures and a saved PNG always has
the same pixel size. Each figure has a title, axis labels with units and a
legend; one with nothing to show yet (a run killed early) says so instead of
drawing empty axes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evolve.records.history import History, RunRecord

SIZE = (9.0, 5.0)
DPI = 100
PIXELS = (int(SIZE[0] * DPI), int(SIZE[1] * DPI))
FITNESS_UNIT = "fitness (weighted score, baseline = 1.0)"
COLORS = {"best": "tab:blue", "mean": "tab:orange", "baseline": "0.35", "front": "tab:red"}
PLOTS = ("fitness", "components", "diversity", "operators", "pareto", "trend")


def new_figure(title: str) -> Figure:
    """A figure of the standard size on an Agg canvas, titled."""
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    fig.suptitle(title, fontsize=13)
    return fig


def _nothing(title: str, why: str) -> Figure:
    fig = new_figure(title)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, why, ha="center", va="center", fontsize=12, color="0.3", transform=ax.transAxes)
    return fig


def _baseline_line(ax: Any, label: str = "baseline (1.0)") -> None:
    ax.axhline(1.0, color=COLORS["baseline"], linestyle=":", linewidth=1.2, label=label)


def _per_generation(title: str, generations: Sequence[Mapping[str, Any]]) -> tuple[Figure, Any]:
    """A titled figure and its one axes for a per-generation plot; axes None (a note instead) without data."""
    if not generations:
        return _nothing(title, "no generation recorded yet"), None
    fig = new_figure(title)
    return fig, fig.add_subplot()


def fitness_figure(generations: Sequence[Mapping[str, Any]], label: str = "") -> Figure:
    """Best and mean fitness per generation, with the population's spread (mean ± std)."""
    fig, ax = _per_generation(f"Fitness per generation{f' — {label}' if label else ''}", generations)
    if ax is None:
        return fig
    gens = [g["gen"] for g in generations]
    mean = [g["mean"] for g in generations]
    low = [g["mean"] - g["std"] for g in generations]
    high = [g["mean"] + g["std"] for g in generations]
    ax.fill_between(gens, low, high, color=COLORS["mean"], alpha=0.2, label="population mean ± std")
    ax.plot(gens, mean, color=COLORS["mean"], marker=".", label="population mean")
    ax.plot(gens, [g["best"] for g in generations], color=COLORS["best"], marker="o", linewidth=2, label="best")
    _island_lines(ax, generations)
    _baseline_line(ax)
    _mark_corrections(ax, generations)
    ax.set_xlabel("generation")
    ax.set_ylabel(FITNESS_UNIT)
    _integer_ticks(ax)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def _island_lines(ax: Any, generations: Sequence[Mapping[str, Any]]) -> None:
    """The island model (``search.algorithm: islands``): each island's best per generation, thin and dashed."""
    records = [(g["gen"], (g.get("record") or g).get("islands") or []) for g in generations]
    for number in range(max((len(islands) for _, islands in records), default=0)):
        points = [(gen, islands[number]["best"]) for gen, islands in records
                  if number < len(islands) and "best" in islands[number]]
        if points:
            ax.plot(*zip(*points), linestyle="--", linewidth=1, alpha=0.8, label=f"island {number} best")


def _mark_corrections(ax: Any, generations: Sequence[Mapping[str, Any]]) -> None:
    """A dashed line at each generation where homeostasis corrected mutation and selection pressure."""
    marked = False
    for g in generations:
        correction = (g.get("record") or g).get("homeostasis")
        if correction:
            ax.axvline(g["gen"], color="tab:purple", linestyle="--", linewidth=1, alpha=0.7,
                       label=None if marked else f"homeostasis ({correction['direction']}, …)")
            marked = True


def _integer_ticks(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def components_figure(generations: Sequence[Mapping[str, Any]], label: str = "",
                      weights: Mapping[str, float] | None = None) -> Figure:
    """One panel per fitness component: the best individual's score and the population mean ± std;
    the last grid cell holds the legend."""
    title = f"Fitness components per generation{f' — {label}' if label else ''}"
    names = sorted(generations[-1]["record"].get("components", {})) if generations else []
    if not names:
        return _nothing(title, "no component scores recorded yet")
    fig = new_figure(title)
    axes = list(fig.subplots(math.ceil((len(names) + 1) / 3), 3).flat)
    gens = [g["gen"] for g in generations]
    for i, (ax, name) in enumerate(zip(axes, names)):
        _component_panel(ax, gens, [g["record"]["components"][name] for g in generations])
        weight = f" (weight {weights[name]:.2f})" if weights and name in weights else ""
        ax.set_title(name + weight, fontsize=11)
        if i >= len(names) - 3:
            ax.set_xlabel("generation")
    for ax in axes[len(names):]:
        ax.set_axis_off()
    axes[len(names)].legend(*axes[0].get_legend_handles_labels(), loc="center", fontsize=10)
    return fig


def _component_panel(ax: Any, gens: list[int], series: list[Mapping[str, float]]) -> None:
    mean = [s["mean"] for s in series]
    ax.fill_between(gens, [m - s["std"] for m, s in zip(mean, series)],
                    [m + s["std"] for m, s in zip(mean, series)], color=COLORS["mean"], alpha=0.2,
                    label="population mean ± std")
    ax.plot(gens, mean, color=COLORS["mean"], label="population mean")
    ax.plot(gens, [s["best"] for s in series], color=COLORS["best"], linewidth=2, label="best individual")
    _baseline_line(ax)
    ax.set_ylabel("score (baseline = 1.0)", fontsize=9)
    ax.grid(alpha=0.3)
    _integer_ticks(ax)


def diversity_figure(generations: Sequence[Mapping[str, Any]], label: str = "") -> Figure:
    """How varied the population is: mean pairwise distance of edit sets and share of distinct patches."""
    fig, ax = _per_generation(f"Population diversity{f' — {label}' if label else ''}", generations)
    if ax is None:
        return fig
    gens = [g["gen"] for g in generations]
    ax.plot(gens, [100 * (g["diversity"] or 0) for g in generations], marker="o", color="tab:green",
            label="mean pairwise distance of edit sets (Jaccard)")
    ax.plot(gens, [100 * (g["unique_share"] or 0) for g in generations], marker="s", color="tab:purple",
            label="distinct patches in the population")
    ax.plot(gens, [100 * g["passed"] / max(1, g["evals"]) for g in generations], linestyle="--",
            color="0.5", label="individuals passing every test")
    ax.set_ylim(-3, 103)
    ax.set_xlabel("generation")
    ax.set_ylabel("share of the population (%)")
    _integer_ticks(ax)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    return fig


def operators_figure(stats: Mapping[str, Mapping[str, int]], label: str = "") -> Figure:
    """Per operator, the share of variants it took part in that compiled, passed and improved."""
    title = f"Operator success rates{f' — {label}' if label else ''}"
    used = {name: s for name, s in stats.items() if s.get("tried")}
    if not used:
        return _nothing(title, "no operator has been tried yet")
    fig = new_figure(title)
    ax = fig.add_subplot()
    names = sorted(used, key=lambda n: (used[n]["improved"] / used[n]["tried"], used[n]["tried"]))
    rows = range(len(names))
    height = 0.27
    for offset, (field, color) in zip((height, 0, -height), (("compiled", "tab:gray"), ("passed", "tab:blue"),
                                                             ("improved", "tab:green"))):
        ax.barh([r + offset for r in rows], [100 * used[n][field] / used[n]["tried"] for n in names],
                height=height, color=color, label=f"{field} (% of tried)")
    ax.set_yticks(list(rows), [f"{n} (tried {used[n]['tried']})" for n in names], fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_ylabel("operator (variants it took part in)")
    ax.set_xlabel("share of the variants the operator took part in (%)")
    ax.grid(axis="x", alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3)
    return fig


def pareto_front(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other point beats on both coordinates (higher is better), by the first one."""
    front: list[tuple[float, float]] = []
    for x, y in sorted(set(points), key=lambda p: (-p[0], -p[1])):
        if not front or y > front[-1][1]:
            front.append((x, y))
    return front


def pareto_figure(evaluations: Sequence[Mapping[str, Any]], label: str = "",
                  front_keys: Collection[str] = ()) -> Figure:
    """Performance against maintainability of every distinct variant that passed, front marked; ``front_keys``
    (an NSGA-II run's Pareto front over its objectives) are ringed."""
    title = f"Performance vs maintainability{f' — {label}' if label else ''}"
    passed = {e["key"]: e for e in evaluations if e["status"] == "passed" and e["components"]}
    if not passed:
        return _nothing(title, "no variant has passed every test yet")
    points = [(e["components"]["performance"], e["components"]["maintainability"]) for e in passed.values()]
    front = pareto_front(points)
    fig = new_figure(title)
    ax = fig.add_subplot()
    ax.scatter(*zip(*points), s=28, alpha=0.6, color=COLORS["best"], label=f"variant passing every test ({len(points)})")
    ax.plot(*zip(*sorted(front)), color=COLORS["front"], marker="D", markersize=7, drawstyle="steps-post",
            label=f"Pareto front ({len(front)})")
    members = [(e["components"]["performance"], e["components"]["maintainability"])
               for key, e in passed.items() if key in set(front_keys)]
    if members:
        ax.scatter(*zip(*members), s=170, facecolors="none", edgecolors="tab:green", linewidths=2, zorder=4,
                   label=f"NSGA-II Pareto front, all objectives ({len(members)})")
    ax.scatter([1.0], [1.0], marker="*", s=220, color="black", zorder=5, label="baseline")
    failed = len({e["key"] for e in evaluations} - set(passed))
    ax.set_xlabel("performance score (baseline CPU time / variant CPU time)")
    ax.set_ylabel("maintainability score (variant MI / baseline MI)")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", title=f"{failed} failing variant(s) not shown (not benchmarked)", title_fontsize=9)
    return fig


def trend_figure(runs: Sequence[RunRecord], experiment: str = "") -> Figure:
    """Best fitness of each run of one experiment, by start date: the weekly trend."""
    title = f"Weekly trend of the best fitness{f' — experiment {experiment}' if experiment else ''}"
    dated = [r for r in runs if r.best_fitness is not None]
    if not dated:
        return _nothing(title, "no run of this experiment has a generation yet")
    fig = new_figure(title)
    ax = fig.add_subplot()
    when = [datetime.fromtimestamp(r.started) for r in dated]
    ax.plot(when, [r.best_fitness for r in dated], color=COLORS["best"], marker="o", linewidth=2,
            label="best fitness of the run")
    promoted = [(w, r.best_fitness) for w, r in zip(when, dated) if r.promoted]
    if promoted:
        ax.scatter(*zip(*promoted), s=160, facecolors="none", edgecolors="tab:green", linewidths=2, label="promoted")
    unfinished = [(w, r.best_fitness) for w, r in zip(when, dated) if r.status != "finished"]
    if unfinished:
        ax.scatter(*zip(*unfinished), marker="x", s=90, color="tab:red", zorder=5, label="not finished")
    _baseline_line(ax, "baseline of each run (1.0)")
    _date_axis(ax, when)
    ax.set_xlabel("run start (local date)")
    ax.set_ylabel(FITNESS_UNIT)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def _date_axis(ax: Any, when: Sequence[datetime]) -> None:
    """Concise dates; at least a week wide, so one run or a few runs of one day stay readable."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if max(when) - min(when) < timedelta(days=7):
        middle = min(when) + (max(when) - min(when)) / 2
        ax.set_xlim(middle - timedelta(days=3.5), middle + timedelta(days=3.5))


def front_keys(summary: Mapping[str, Any], generations: Sequence[Mapping[str, Any]]) -> list[str]:
    """The patch keys of an NSGA-II run's Pareto front: the finished run's, else the last recorded generation's."""
    front = summary.get("pareto_front") or ((generations[-1].get("record") or {}).get("pareto_front")
                                            if generations else None) or {}
    return [m["key"] for m in front.get("members", ())]


def run_figures(history: History, run_id: str) -> dict[str, Figure]:
    """All six figures of a run (the trend across the runs of its experiment), by name in ``PLOTS``."""
    run = history.run(run_id)
    label = run.run_id
    generations = history.generations(run.run_id)
    return {
        "fitness": fitness_figure(generations, label),
        "components": components_figure(generations, label, run.config.get("fitness", {}).get("weights")),
        "diversity": diversity_figure(generations, label),
        "operators": operators_figure(history.operator_stats(run.run_id), label),
        "pareto": pareto_figure(history.evaluations(run.run_id), label, front_keys(run.summary, generations)),
        "trend": trend_figure(history.runs(run.experiment), run.experiment),
    }


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (for embedding in HTML)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def write_plots(history: History, run_id: str, out_dir: Path) -> dict[str, Path]:
    """Write ``<name>.png`` for every figure of the run into ``out_dir``; returns the paths by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, fig in run_figures(history, run_id).items():
        paths[name] = out_dir / f"{name}.png"
        fig.savefig(paths[name], format="png", dpi=DPI)
    return paths
