"""``runs``, ``report`` and ``plot`` on a real run's history, as a user types them; experiment configs."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evolve.config import load_config
from evolve.records.plots import PIXELS, PLOTS
from tests.evolve.records.test_history import EXPERIMENT, recorded_run
from tests.evolve.records.test_plots import png_size

ROOT = Path(__file__).resolve().parents[2]


def evolve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(cwd)}
    return subprocess.run([sys.executable, "-m", "evolve", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    return recorded_run(tmp_path_factory)


def test_runs_lists_the_run_with_its_fitness_status_and_promotion(recorded):
    done = evolve("runs", cwd=recorded.base)
    assert done.returncode == 0, done.stderr
    header, rule, row = done.stdout.splitlines()[:3]
    assert header.split()[:3] == ["run", "id", "experiment"] and set(rule) <= {"-", " "}
    run_id = recorded.outcome.run_id
    assert row.split()[:2] == [run_id, EXPERIMENT]
    assert f"1.0000 -> {recorded.outcome.best.value:.4f}" in row
    assert row.split()[-2:] == ["finished", "no"] and "3/3" in row.split()


def test_report_writes_a_self_contained_html_page_with_the_diff_and_the_plots(recorded):
    done = evolve("report", recorded.outcome.run_id, cwd=recorded.base)
    assert done.returncode == 0, done.stderr
    page = recorded.outcome.path / "report.html"
    assert f"HTML report written to {page}" in done.stdout
    assert "component" in done.stdout and "lineage: gen" in done.stdout
    text = page.read_text()
    assert text.count('src="data:image/png;base64,') == len(PLOTS)
    assert "<img" in text and 'src="http' not in text and "<link" not in text and "<script" not in text
    diff_lines = [line for line in recorded.outcome.diff.splitlines() if line.startswith(("+", "-"))]
    assert diff_lines
    assert all(html.escape(line) in text for line in diff_lines)
    for heading in ("Fitness components against the baseline", "Operator statistics",
                    "Lineage of the best individual"):
        assert heading in text


def test_report_json_is_the_summary_for_machines(recorded, tmp_path):
    out = tmp_path / "page.html"
    done = evolve("report", "latest", "--json", "--out", str(out), cwd=recorded.base)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["run_id"] == recorded.outcome.run_id and summary["status"] == "finished"
    assert summary["diff"] == recorded.outcome.diff and summary["report"] == str(out) and out.is_file()
    assert {c["name"] for c in summary["components"]} == set(recorded.outcome.best.components)
    assert summary["lineage"][0]["key"] == recorded.outcome.best_patch.key
    assert summary["lineage"][-1]["gen"] == 0
    assert all(set(c) == {"tried", "compiled", "passed", "improved"} for c in summary["operators"].values())


def test_plot_writes_non_empty_pngs_of_the_expected_size(recorded, tmp_path):
    done = evolve("plot", recorded.outcome.run_id[:12], "--out", str(tmp_path / "png"), cwd=recorded.base)
    assert done.returncode == 0, done.stderr
    written = sorted((tmp_path / "png").glob("*.png"))
    assert [p.stem for p in written] == sorted(PLOTS)
    assert all(png_size(p) == PIXELS and p.stat().st_size > 10_000 for p in written)


@pytest.mark.parametrize("command", [["runs"], ["report", "latest"], ["plot", "latest"]])
def test_no_history_is_one_line_and_exit_2(tmp_path, command):
    done = evolve(*command, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no run history at" in done.stderr, done.stderr


@pytest.mark.parametrize("command", ["report", "plot"])
def test_an_unknown_run_id_is_one_line_and_exit_2(recorded, command):
    done = evolve(command, "no-such-run", "--run-dir", str(recorded.run_dir), cwd=recorded.base.parent)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "run 'no-such-run' is not in the run history" in done.stderr


# ---------------------------------------------------------------- experiments


def test_every_experiment_config_is_valid():
    configs = {path.stem: load_config(path) for path in sorted((ROOT / "experiments").glob("*.yaml"))}
    assert {"default", "weekly", "repair"} <= set(configs)
    assert configs["repair"].mode == "repair" and configs["weekly"].experiment == "weekly"


@pytest.mark.slow
def test_the_repair_experiment_fixes_the_buggy_example_and_the_report_shows_it(tmp_path):
    (tmp_path / "evolve" / "examples").mkdir(parents=True)
    shutil.copytree(ROOT / "evolve" / "examples" / "buggy", tmp_path / "evolve" / "examples" / "buggy",
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.copytree(ROOT / "experiments", tmp_path / "experiments")
    done = evolve("repair", "--config", "experiments/repair.yaml", "--generations", "6", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = evolve("report", "latest", "--json", cwd=tmp_path)
    summary = json.loads(report.stdout)
    assert summary["experiment"] == "repair" and summary["mode"] == "repair" and summary["improved"]
    assert summary["best"]["status"] == "passed"
    fixed = tmp_path / "fixed"
    shutil.copytree(tmp_path / "evolve" / "examples" / "buggy", fixed)
    subprocess.run(["git", "apply", "-"], cwd=fixed, input=summary["diff"], text=True, check=True)
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=fixed,
                           capture_output=True, text=True)
    assert tests.returncode == 0, summary["diff"] + tests.stdout
