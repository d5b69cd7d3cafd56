"""Real runs of the engine on small real projects: where the evaluated edits went, and what the report shows."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from evolve.config import load_config
from evolve.run import run_experiment
from mutations.registry import OPERATORS

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[3] / "benchmarks" / "corpus" / "cases"

SHAPES = textwrap.dedent('''\
    """Shapes: areas and perimeters.

    A module docstring of several lines, with numbers in it: 3, 4.5 and "quoted".
    """

    SIDES = {"triangle": 3, "square": 4}


    def area(width, height):
        """The area of a width x height rectangle (2 x 3 -> 6)."""
        result = width * height
        return result


    def perimeter(width, height):
        "The perimeter: 2 * (w + h)."
        total = 0
        for side in (width, height, width, height):
            total += side
        return total


    def untested(n):
        """Nobody tests this one."""
        values = [i * 2 for i in range(n)]
        if len(values) > 3:
            return values[:3]
        return values


    if __name__ == "__main__":
        print(area(2, 3), perimeter(2, 3))
        print(untested(5))
''')
SHAPES_TESTS = textwrap.dedent('''\
    from shapes.core import area, perimeter


    def test_area():
        assert area(2, 3) == 6


    def test_perimeter():
        assert perimeter(2, 3) == 10
''')


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _config(tmp_path: Path, root: Path, file: str, **sections: Any) -> Path:
    data: dict[str, Any] = {"experiment": "senses", "target": {"root": str(root), "files": [file]},
                            "tests": {"paths": ["tests"], "timeout": 30}, "workers": 2,
                            "run_dir": str(tmp_path / "runs")}
    data.update(sections)
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _span(node_id: str) -> tuple[int, int]:
    where = node_id.split("@", 1)[1].split("#", 1)[0]
    start, end = where.split("-", 1)
    return int(start.split(":")[0]), int(end.split(":")[0])


def _edits(run: Path) -> list[dict[str, Any]]:
    """Every edit of every evaluated patch (repeats from the cache left out)."""
    records = [json.loads(line) for line in (run / "evaluations.jsonl").read_text().splitlines()]
    return [edit for r in records if not r["cached"] for edit in r["patch"]]


def _touched(edit: dict[str, Any]) -> tuple[str, ...]:
    return OPERATORS[edit["operator"]].touched(edit["node"], edit["params"] or {})


def _report(run: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "evolve", "report", run.name, "--run-dir", str(run.parent)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_no_evaluated_edit_touches_docstrings_main_blocks_or_untested_code(tmp_path):
    root = _write(tmp_path / "proj", {"shapes/__init__.py": "", "shapes/core.py": SHAPES,
                                      "tests/test_shapes.py": SHAPES_TESTS})
    lines = SHAPES.splitlines()
    docstrings = {1, 2, 3, 4, 10, 16}
    main = {n for n in range(1, len(lines) + 1) if n >= lines.index('if __name__ == "__main__":') + 1}
    untested = set(range(23, 29))  # def untested .. return values
    weights = {"performance": 0, "correctness": 0.4, "maintainability": 0.3, "tokens": 0.2, "principles": 0.1}
    config = load_config(_config(tmp_path, root, "shapes/core.py", fitness={"weights": weights},
                                 search={"population": 10, "generations": 4, "seed": 7}))
    out = io.StringIO()
    outcome = run_experiment(config, out=out, progress=False)
    edits = _edits(outcome.path)
    assert len(edits) >= 20, out.getvalue()
    for edit in edits:
        for node in _touched(edit):
            start, end = _span(node)
            span = set(range(start, end + 1))
            assert not span <= docstrings, edit
            assert not span & main, edit
            assert not span & untested, edit
    senses = json.loads((outcome.path / "senses.json").read_text())
    assert senses["untested"] == ["shapes/core.py::untested"]
    assert "no test runs shapes/core.py::untested: left alone" in out.getvalue()


HOTCOLD = textwrap.dedent('''\
    def hot(n):
        total = 0
        for i in range(n):
            if i % 3 == 0:
                total += i * 2
            else:
                total -= 1
        return total


    def cold(items):
        found = []
        for x in items:
            if x > 2:
                found.append(x - 1)
            else:
                found.append(x + 1)
        return found
''')
HOTCOLD_TESTS = textwrap.dedent('''\
    from hotcold import cold, hot


    def test_hot():
        assert hot(7) == 18 - 4


    def test_cold():
        assert cold([1, 3, 5]) == [2, 2, 4]
''')
HOTCOLD_BENCH = "from hotcold import hot\n\n\ndef run():\n    return hot(20000)\n"


def test_edits_go_where_the_benchmark_spends_its_time_and_the_report_shows_it(tmp_path):
    root = _write(tmp_path / "proj", {"hotcold.py": HOTCOLD, "bench.py": HOTCOLD_BENCH,
                                      "tests/test_hotcold.py": HOTCOLD_TESTS})
    config = load_config(_config(tmp_path, root, "hotcold.py", benchmark={"callable": "bench:run", "repeats": 3},
                                 search={"population": 10, "generations": 3, "seed": 3}))
    out = io.StringIO()
    outcome = run_experiment(config, out=out, progress=False)
    edits = _edits(outcome.path)
    assert len(edits) >= 20, out.getvalue()
    in_hot = [e for e in edits if _span(e["node"])[1] <= 8]
    assert len(in_hot) >= 0.9 * len(edits), (len(in_hot), len(edits), [e["node"] for e in edits if e not in in_hot])
    text = _report(outcome.path)
    assert "hottest places" in text
    hottest = text.split("hottest places", 1)[1].splitlines()[1]
    assert "hotcold.py:" in hottest and " hot " in hottest, text


def test_a_repair_run_records_and_reports_the_most_suspicious_line(tmp_path):
    case = CORPUS / "r01_intervals_touching"
    root = tmp_path / "r01"
    shutil.copytree(case / "project", root)
    file = "r01_intervals/intervals.py"
    config = load_config(_config(tmp_path, root, file, mode="repair",
                                 search={"population": 6, "generations": 1, "seed": 1}))
    outcome = run_experiment(config, out=io.StringIO(), progress=False)
    senses = json.loads((outcome.path / "senses.json").read_text())
    best = senses["suspicious"][0]["score"]
    faulty = [row for row in senses["suspicious"] if row["source"].startswith("if merged and start < merged[-1][1]")]
    assert faulty and faulty[0]["score"] == best, senses["suspicious"][:3]
    text = _report(outcome.path)
    assert "most suspicious places" in text and f"{file}:{faulty[0]['line']}" in text
