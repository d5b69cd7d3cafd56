"""Plots a person can read: written from a real run's history, titled, labelled, with legends."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from evolve.records.history import History
from evolve.records.plots import PIXELS, PLOTS, fitness_figure, operators_figure, pareto_front, run_figures, write_plots
from tests.evolve.records.test_history import recorded_run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG header (the IHDR chunk comes first)."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    return recorded_run(tmp_path_factory)


@pytest.fixture
def history(recorded):
    with History.at(recorded.run_dir) as opened:
        yield opened


def test_every_plot_is_written_as_a_png_of_the_standard_size(recorded, history, tmp_path):
    paths = write_plots(history, recorded.outcome.run_id, tmp_path / "plots")
    assert list(paths) == list(PLOTS)
    for name, path in paths.items():
        assert png_size(path) == PIXELS, name
        assert path.stat().st_size > 10_000, f"{name} looks empty"


def _legends(fig) -> int:
    return len(fig.legends) + sum(ax.get_legend() is not None for ax in fig.axes)


def test_every_figure_has_a_title_axis_labels_and_a_legend(recorded, history):
    for name, fig in run_figures(history, recorded.outcome.run_id).items():
        assert fig.get_suptitle(), name
        drawn = [ax for ax in fig.axes if ax.axison]
        assert drawn, f"{name} draws nothing"
        assert all(ax.get_ylabel() for ax in drawn), name
        assert any(ax.get_xlabel() for ax in drawn), name
        assert _legends(fig) >= 1, name


def test_the_fitness_plot_shows_best_mean_and_baseline_per_generation(recorded, history):
    fig = run_figures(history, recorded.outcome.run_id)["fitness"]
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert {"best", "population mean", "baseline (1.0)"} <= set(lines)
    assert list(lines["best"].get_xdata()) == [0, 1, 2, 3]
    assert lines["best"].get_ydata()[-1] == pytest.approx(history.generations(recorded.outcome.run_id)[-1]["best"])


def test_a_figure_with_nothing_to_show_says_so():
    for fig, why in ((fitness_figure([]), "no generation"), (operators_figure({}), "no operator")):
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert any(why in text for text in texts)


def test_the_pareto_front_keeps_exactly_the_points_nothing_beats_on_both_axes():
    points = [(1.0, 1.0), (2.0, 0.5), (0.5, 2.0), (0.9, 0.9), (1.5, 0.4), (2.0, 0.5)]
    assert sorted(pareto_front(points)) == [(0.5, 2.0), (1.0, 1.0), (2.0, 0.5)]
