"""Config loading: valid files load, every bad one is one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evolve.config import load_config
from evolve.errors import ConfigError


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def test_valid_config_loads_with_defaults(make_project, write_config):
    root = make_project()
    config = load_config(write_config(root))
    assert config.target.root == root.resolve()
    assert config.target.files == ("calc/core.py",)
    assert config.search.population == 6
    assert config.search.survivors == 0.2
    assert config.threshold == 0.1
    assert config.benchmark is not None and config.benchmark.kind == "callable"
    assert abs(sum(config.weights.as_dict().values()) - 1.0) < 1e-9


def test_paths_are_relative_to_the_config_file(make_project, tmp_path):
    make_project()
    path = _write(tmp_path / "c.yaml", {"target": {"root": "proj", "files": ["calc/core.py"]}})
    assert load_config(path).target.root == (tmp_path / "proj").resolve()


def test_overrides_replace_values_and_are_validated(make_project, write_config):
    config = load_config(write_config(make_project()))
    changed = config.with_overrides(generations=9, seed=4, workers=1)
    assert (changed.search.generations, changed.search.seed, changed.workers) == (9, 4, 1)
    assert changed.target.root == config.target.root
    with pytest.raises(ConfigError, match="search.population"):
        config.with_overrides(population=1)


def test_functions_are_parsed_per_file(make_project, write_config):
    root = make_project()
    config = load_config(write_config(root, target={"root": str(root), "files": ["calc/core.py"],
                                                    "functions": ["calc/core.py::slow_total"]}))
    assert config.target.functions == {"calc/core.py": ("slow_total",)}


BAD = [
    ("unknown top key", {"colour": 1}, "unknown key 'colour'"),
    ("unknown nested key", {"search": {"populaton": 4}}, "unknown key 'search.populaton'"),
    ("wrong type", {"search": {"generations": "many"}}, "'search.generations' must be an integer"),
    ("population below 2", {"search": {"population": 1}}, "'search.population' must be at least 2"),
    ("generations zero", {"search": {"generations": 0}}, "'search.generations' must be at least 1"),
    ("negative weight", {"fitness": {"weights": {"performance": -1}}}, "'fitness.weights' are invalid"),
    ("all weights zero", {"fitness": {"weights": {"performance": 0, "correctness": 0, "maintainability": 0,
                                                  "tokens": 0, "principles": 0}}}, "'fitness.weights' are invalid"),
    ("bad mode", {"mode": "fast"}, "'mode' must be one of improve, repair"),
    ("missing target folder", {"target": {"root": "nowhere", "files": ["a.py"]}}, "'target.root' folder"),
    ("missing target file", {"target": {"files": ["calc/missing.py"]}}, "calc/missing.py"),
    ("bad function spec", {"target": {"files": ["calc/core.py"], "functions": ["slow_total"]}}, "target.functions"),
    ("two benchmark kinds", {"benchmark": {"callable": "a:b", "command": "x"}}, "exactly one of"),
    ("bad callable", {"benchmark": {"callable": "nocolon"}}, "package.module:function"),
    ("unknown principle", {"principles": {"hard": ["be_nice"]}}, "unknown principle 'be_nice'"),
    ("unknown operator", {"search": {"operators": ["teleport"]}}, "unknown operator 'teleport'"),
    ("negative threshold", {"fitness": {"threshold": -0.5}}, "'fitness.threshold' must be at least 0"),
]


@pytest.mark.parametrize("what, change, message", BAD, ids=[b[0] for b in BAD])
def test_bad_config_is_one_clear_line(make_project, tmp_path, what, change, message):
    root = make_project()
    data: dict[str, object] = {"target": {"root": str(root), "files": ["calc/core.py"]}}
    for key, value in change.items():
        if key == "target":
            data["target"] = {"root": str(root), **value} if "root" not in value else value
        else:
            data[key] = value
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path / "bad.yaml", data))
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def test_missing_file_and_yaml_syntax(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="YAML syntax error at line [0-9]+, column"):
        load_config(_write(tmp_path / "broken.yaml", "target:\n  root: [unclosed\n"))
    with pytest.raises(ConfigError, match="must be a YAML mapping"):
        load_config(_write(tmp_path / "list.yaml", "- a\n- b\n"))


def test_shipped_experiments_load():
    here = Path(__file__).resolve().parents[2] / "experiments"
    for path in sorted(here.glob("*.yaml")):
        assert load_config(path).experiment
