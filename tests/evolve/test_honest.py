"""Honest verdicts end to end: no phantom speed-ups, no reward for gutting, truthful words."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from evolve.config import load_config
from evolve.run import run_experiment

# Every edit an operator can make here is in code the benchmark never calls, or a no-op for speed:
# ``work`` lives in a module the engine may not change. Any speed-up reported would be noise.
NEUTRAL = textwrap.dedent('''\
    """Helpers the benchmark does not call."""


    def label(n):
        """Words for a count."""
        if n == 1:
            return "one item"
        return f"{n} items"


    def clamp(x, low, high):
        """``x`` within [low, high]."""
        if x < low:
            return low
        if x > high:
            return high
        return x
''')
NEUTRAL_TESTS = textwrap.dedent('''\
    from calc.core import clamp, label


    def test_label():
        assert label(1) == "one item" and label(3) == "3 items"


    def test_clamp():
        assert clamp(5, 0, 3) == 3 and clamp(-1, 0, 3) == 0 and clamp(2, 0, 3) == 2
''')
WORK = textwrap.dedent('''\
    def run():
        return sum(i * i for i in range(20000))
''')

# An untested public function: gutting it would make the module "smaller and simpler".
GUTTABLE = NEUTRAL + textwrap.dedent('''\


    def export(values, path):
        """Write the values, one per line."""
        lines = [str(v) for v in values]
        text = "\\n".join(lines)
        with open(path, "w") as handle:
            handle.write(text)
''')


def _run(root: Path, write_config, weights: dict[str, float], generations: int = 4):
    (root / "calc" / "bench.py").write_text(WORK)
    path = write_config(root, benchmark={"callable": "calc.bench:run", "repeats": 5},
                        fitness={"weights": weights, "threshold": 0.0},
                        search={"population": 8, "generations": generations, "seed": 7})
    return run_experiment(load_config(path), progress=False)


@pytest.mark.slow
def test_no_phantom_speed_up_on_a_module_no_edit_can_speed_up(make_project, write_config):
    root = make_project(core=NEUTRAL, tests=NEUTRAL_TESTS)
    outcome = _run(root, write_config, {"performance": 1.0})
    summary = json.loads((outcome.path / "summary.json").read_text())
    assert outcome.best.components["performance"] == 1.0, outcome.best.figures
    assert not outcome.improved and summary["outcome"] == "no improvement"
    assert summary["timing_noise"] >= 0.0


@pytest.mark.slow
def test_gutting_an_untested_function_is_no_improvement(make_project, write_config):
    root = make_project(core=GUTTABLE, tests=NEUTRAL_TESTS)
    outcome = _run(root, write_config, {"performance": 0.3, "maintainability": 0.35, "tokens": 0.35},
                   generations=6)
    export_line = GUTTABLE.splitlines().index("def export(values, path):") + 1
    assert "def export" not in outcome.diff
    gutted = 0
    for line in (outcome.path / "evaluations.jsonl").read_text().splitlines():
        record = json.loads(line)
        lines = [int(edit["node"].split("@")[1].split(":")[0]) for edit in record["patch"]]
        if record["status"] == "passed" and lines and all(n > export_line for n in lines):
            gutted += 1
            assert record["components"]["tokens"] == 1.0 and record["components"]["maintainability"] == 1.0
    assert not outcome.improved or outcome.best.components["performance"] > 1.0
