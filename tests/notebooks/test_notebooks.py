"""The notebooks run top to bottom in a real kernel against a real run's history, so a broken one fails CI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.evolve.records.test_history import recorded_run

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    return recorded_run(tmp_path_factory)


def execute(name: str, recorded, monkeypatch) -> list[dict]:
    """Run ``notebooks/<name>.ipynb`` (in memory) and return its outputs, cell by cell."""
    monkeypatch.setenv("EVOLVE_HISTORY", str(recorded.history))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    client = NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(recorded.base)}})
    client.execute()
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def _images(outputs: list[dict]) -> int:
    return sum("image/png" in output.get("data", {}) for output in outputs)


def _text(outputs: list[dict]) -> str:
    return "".join(output.get("text", "") for output in outputs if output.get("output_type") == "stream")


def test_the_fitness_notebook_draws_one_runs_plots(recorded, monkeypatch):
    outputs = execute("fitness", recorded, monkeypatch)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert _images(outputs) == 6
    text = _text(outputs)
    assert f"run {recorded.outcome.run_id}" in text and str(recorded.history) in text
    assert f"{recorded.outcome.best_patch.key}" in text  # the lineage starts at the best individual


def test_the_weekly_notebook_draws_the_trend_across_runs(recorded, monkeypatch):
    outputs = execute("weekly", recorded, monkeypatch)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert _images(outputs) == 3
    assert recorded.outcome.run_id in _text(outputs)
