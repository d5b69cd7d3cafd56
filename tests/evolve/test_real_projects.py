"""Every real project runs (issue 15): one table of real projects through the real command line.

Each row is a small real project in a temporary folder (a git repository where
the row needs one), run as a user runs it: ``python -m evolve run`` in a fresh
interpreter. Then one of two things holds, and nothing else:

- the run works: exit code 0, no traceback, and the row's own check; or
- it is refused in one line: ``evolve: error: ...`` on stderr, exit code 2, no
  traceback, no run folder left behind.

Either way the project is byte-identical afterwards (links included). The
rows are the faults users met (encodings, line endings, pytest plugins,
Debian's older Python, damaged state) and the bad inputs of the command line.
Every run is kept tiny (population 2, one generation, one worker), so the
table costs a few minutes; CI runs it on Debian's ``python3`` too.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CORE, TESTS, git

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin:/usr/local/bin", "PYTHONPATH": str(ROOT),
       "LC_ALL": "C.UTF-8"}

# A project whose one cheap improvement is certain: ``delete_statement`` on ``total`` has two sites,
# and only deleting the unused line keeps the tests passing (and shortens the code).
SMALL = ("def total(values):\n\tunused = [v for v in values]\n\treturn sum(values)\n\n\n"
         "def name():\n\treturn \"caf\u00e9\"\n\n\ndef untested():\n\treturn 1\n")
SMALL_TESTS = ("from calc.core import name, total\n\n\ndef test_total():\n    assert total([1, 2]) == 3\n\n\n"
               "def test_name():\n    assert name().startswith('caf')\n")
FAILING_TESTS = "from calc.core import mean\n\n\ndef test_mean():\n    assert mean([1, 2]) == 2\n"
NO_TESTS = "def helper():\n    return 1\n"
ZERO = {"performance": 0, "correctness": 0, "maintainability": 0, "tokens": 0, "principles": 0}
IMPROVES = {"search": {"operators": ["delete_statement"]}, "target": {"functions": ["calc/core.py::total"]},
            "fitness": {"threshold": 0.0, "weights": {"performance": 0, "correctness": 0.4, "maintainability": 0.3,
                                                        "tokens": 0.2, "principles": 0.1}}}
"""Config changes that make the small project's improvement found, verified and committed."""
NO_PROMOTION = {"fitness": {"threshold": 5.0}}
"""Config changes for rows about something else: nothing clears the threshold, so nothing is verified."""
SLOW_UNDER_TRACING = ("import sys\nimport time\n\n\ndef test_fast_without_tracing():\n"
                      "    if sys.gettrace() is not None:  # coverage tracing, as evolve measures it\n"
                      "        time.sleep(4)\n")
DIES = ("import os\nimport traceback\n\n\ndef test_dies():\n    try:\n"
        "        raise ValueError('bad value\\nsecond line of the message')\n"
        "    except ValueError:\n        traceback.print_exc()\n        os._exit(70)\n")


def pyproject(addopts: str = "", **ini: object) -> str:
    lines = ["[tool.pytest.ini_options]"] + ([f'addopts = "{addopts}"'] if addopts else [])
    return "\n".join(lines + [f"{k} = {v!r}" for k, v in ini.items()]) + "\n"


# ---------------------------------------------------------------- the project and the run


@dataclass(frozen=True)
class Row:
    """One real project, one config, what must happen."""

    files: Mapping[str, str | bytes] = field(default_factory=dict)
    """Files added to, or replacing those of, the default project (``calc/core.py``, ``tests/test_core.py``)."""
    config: Mapping[str, Any] | str | None = field(default_factory=dict)
    """Changes to the default config (sections merged), raw YAML text, or None for no config file."""
    argv: tuple[str, ...] = ()
    refused: str | None = None
    """A part of the one error line; None: the run works."""
    use_git: bool = False
    links: Mapping[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None
    """Called with the run folder's parent (where the history lives) before the run."""
    check: Callable[[Done], None] | None = None
    small: bool = False
    """The small project (``SMALL``) instead of the calc project of ``tests.conftest``."""


@dataclass
class Done:
    """A finished run, for the row's check."""

    root: Path
    runs: Path
    stdout: str
    stderr: str

    @property
    def run_folder(self) -> Path:
        return sorted(p for p in self.runs.iterdir() if p.is_dir())[-1]

    @property
    def branch(self) -> str:
        return f"evolve/{self.run_folder.name}"

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def evolve(self, *args: str) -> subprocess.CompletedProcess[str]:
        return evolve(*args, "--run-dir", str(self.runs), cwd=self.root.parent, progress=False)


def evolve(*args: str, cwd: Path, progress: bool = True) -> subprocess.CompletedProcess[str]:
    flags = ("--no-progress",) if progress else ()
    return subprocess.run([sys.executable, "-m", "evolve", *args, *flags], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=ENV)


def build(tmp_path: Path, row: Row) -> Path:
    root = tmp_path / "proj"
    files: dict[str, str | bytes] = {"calc/__init__.py": "", "calc/core.py": SMALL if row.small else CORE,
                                     "tests/test_core.py": SMALL_TESTS if row.small else TESTS, **row.files}
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    for name, target in row.links.items():
        (root / name).symlink_to(target)
    if row.use_git:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return root


def write_config(tmp_path: Path, root: Path, row: Row) -> Path:
    path = tmp_path / "experiment.yaml"
    if isinstance(row.config, str):
        path.write_text(row.config)
        return path
    data: dict[str, Any] = {"target": {"root": str(root), "files": ["calc/core.py"]},
                            "search": {"population": 2, "generations": 1, "seed": 1}, "workers": 1,
                            "run_dir": str(tmp_path / "runs")}
    for section, value in (row.config or {}).items():
        if isinstance(value, dict) and isinstance(data.get(section), dict):
            data[section] = {**data[section], **value}
        else:
            data[section] = value
    if data["run_dir"] == "BLOCKER/runs":
        blocker = tmp_path / "blocker"
        blocker.write_text("a file, not a folder")
        data["run_dir"] = str(blocker / "runs")
    path.write_text(yaml.safe_dump(data))
    return path


def tree(root: Path) -> dict[str, bytes]:
    """Every file and link under ``root`` (``.git`` aside: a run may add a branch there), by content."""
    found: dict[str, bytes] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in dirs + files:
            path = Path(folder, name)
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = b"link:" + os.readlink(path).encode()
            elif path.is_file():
                found[key] = path.read_bytes()
    return found


# ---------------------------------------------------------------- the rows' own checks


def applies(done: Done) -> None:
    """``best.diff`` applies to the project with ``git apply`` (checked, not applied)."""
    applied = subprocess.run(["git", "apply", "--check", str(done.run_folder / "best.diff")], cwd=done.root,
                             capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr


def committed(done: Done) -> bytes:
    assert done.branch in done.git("branch", "--list", done.branch), done.stdout
    return subprocess.run(["git", "-C", str(done.root), "show", f"{done.branch}:calc/core.py"],
                           capture_output=True, check=True).stdout


def keeps_the_bom(done: Done) -> None:
    data = committed(done)
    assert data.startswith(b"\xef\xbb\xbf") and b"unused" not in data
    applies(done)


def keeps_latin_1(done: Done) -> None:
    data = committed(done)
    assert data.startswith(b"# -*- coding: latin-1 -*-\n") and b'"caf\xe9"' in data and b"unused" not in data
    applies(done)


def only_the_edited_line(done: Done) -> None:
    data = committed(done)
    assert done.git("diff", "--numstat", "main", done.branch).split() == ["0", "1", "calc/core.py"]
    assert data.count(b"\r\n") == data.count(b"\n") and b"\treturn sum(values)\r\n" in data
    assert b"\r\n-\tunused" in (done.run_folder / "best.diff").read_bytes()
    applies(done)


def ran(done: Done) -> None:
    assert "no tests were collected" not in done.stdout + done.stderr
    assert "evolve: run " in done.stdout and "budget:" in done.stdout


def says_the_coverage_gate_failed(done: Done) -> None:
    assert "the coverage gate failed" in done.stdout, done.stdout
    assert "not committed" in done.stdout


def leaves_out_the_outside_link(done: Done) -> None:
    assert "outside -> " not in done.stdout
    assert "outside (it links to /etc, outside the project) is left out" in done.stdout, done.stdout


def history_readable(done: Done) -> None:
    listed = done.evolve("runs")
    assert listed.returncode == 0 and done.run_folder.name in listed.stdout, listed.stderr


def history_named_and_run_recorded(done: Done) -> None:
    history = done.runs.parent / "history.sqlite"
    assert f"evolve: warning: the run history {history} cannot be used" in done.stdout, done.stdout
    assert (done.run_folder / "summary.json").is_file()
    listed = done.evolve("runs")
    lines = listed.stderr.strip().splitlines()
    assert listed.returncode == 2 and len(lines) == 1 and str(history) in lines[0] and "move it away" in lines[0]


def states_the_budget(done: Done) -> None:
    banner = next(line for line in done.stdout.splitlines() if "budget:" in line)
    assert "1,000,000,000 generation(s) of 2, at most 2,000,000,000 evaluations" in banner, banner
    assert "could take about" in banner and "lower search.generations" in banner, banner


# ---------------------------------------------------------------- damaged histories


def _history(where: Path) -> sqlite3.Connection:
    where.mkdir(parents=True, exist_ok=True)
    return sqlite3.connect(where / "history.sqlite")


def invalid_utf8_row(where: Path) -> None:
    from evolve.records.history_db import _SCHEMA

    with _history(where) as db:
        db.executescript(_SCHEMA)
        db.execute("INSERT INTO runs (run_id, experiment, mode, started, status, summary) VALUES "
                   "('20200101-000000-old-0000', CAST(x'6f6c64ff' AS TEXT), 'improve', 0, 'finished', "
                   "CAST(x'7b2278223aff7d' AS TEXT))")


def old_schema(where: Path) -> None:
    with _history(where) as db:  # the runs table of a history that predates the diff column
        db.execute("CREATE TABLE runs (run_id TEXT PRIMARY KEY, experiment TEXT NOT NULL, mode TEXT NOT NULL, "
                   "seed INTEGER, planned_generations INTEGER, started REAL NOT NULL, finished REAL, "
                   "status TEXT NOT NULL, host TEXT, pid INTEGER, path TEXT, config TEXT)")


def not_a_database(where: Path) -> None:
    where.mkdir(parents=True, exist_ok=True)
    (where / "history.sqlite").write_bytes(b"this is not a database, it was damaged\n" * 200)


# ---------------------------------------------------------------- the table


CLI_ROWS: dict[str, Row] = {
    "missing config file": Row(config=None, refused="not found"),
    "YAML syntax error": Row(config="target:\n  root: [unclosed\n", refused="YAML syntax error at line"),
    "unknown key": Row(config={"speed": "max"}, refused="unknown key 'speed'"),
    "wrong type": Row(config={"search": {"generations": "many"}}, refused="'search.generations' must be an integer"),
    "missing target folder": Row(config={"target": {"root": "/nonexistent/project"}}, refused="does not exist"),
    "target does not parse": Row(files={"calc/core.py": "def broken(:\n    pass\n"}, refused="does not parse"),
    "function not found": Row(config={"target": {"functions": ["calc/core.py::nope"]}},
                              refused="function nope not found"),
    "no tests collected": Row(files={"tests/test_core.py": NO_TESTS}, refused="no tests were collected"),
    "test path not found": Row(config={"tests": {"paths": ["no_such_tests"]}},
                               refused="'tests.paths' names no_such_tests"),
    "tests fail at baseline": Row(files={"tests/test_core.py": FAILING_TESTS}, refused="python -m evolve repair"),
    "negative weight": Row(config={"fitness": {"weights": {"performance": -1}}},
                           refused="must be a finite number >= 0"),
    "all weights zero": Row(config={"fitness": {"weights": ZERO}}, refused="all weights are zero"),
    "population below 2": Row(argv=("--population", "1"), refused="'search.population' must be at least 2"),
    "generations zero": Row(config={"search": {"generations": 0}}, refused="'search.generations' must be at least 1"),
    "unwritable run folder": Row(config={"run_dir": "BLOCKER/runs"}, refused="--run-dir"),
    "repair with nothing to repair": Row(config={"mode": "repair"}, refused="nothing to repair"),
}
"""The command line's bad inputs (formerly ``tests/evolve/test_cli.py``'s table)."""

ROWS: dict[str, Row] = {
    **CLI_ROWS,
    # Debian 12's python3 is 3.11.2: TarFile.extractall(filter=...) came in 3.11.4. Every git row
    # here takes its snapshot through git archive, and CI runs this table on that interpreter too.
    "git project on any 3.11": Row(small=True, use_git=True, config=NO_PROMOTION, check=ran),
    "UTF-8 byte-order mark": Row(small=True, use_git=True, files={"calc/core.py": b"\xef\xbb\xbf" + SMALL.encode()},
                                 config=IMPROVES, check=keeps_the_bom),
    "PEP 263 latin-1 file": Row(small=True, use_git=True, config=IMPROVES, check=keeps_latin_1,
                                files={"calc/core.py": ("# -*- coding: latin-1 -*-\n" + SMALL).encode("latin-1")}),
    "CRLF line endings and tabs": Row(small=True, use_git=True, config=IMPROVES, check=only_the_edited_line,
                                      files={"calc/core.py": SMALL.replace("\n", "\r\n").encode()}),
    "not UTF-8 and no coding cookie": Row(files={"calc/core.py": "NAME = 'caf\u00e9'\n".encode("latin-1")},
                                          refused="is not valid UTF-8 text (byte 0xe9 on line 1)"),
    "unknown coding cookie": Row(files={"calc/core.py": "# -*- coding: klingon -*-\nX = 1\n"},
                                 refused="has an encoding declaration Python rejects"),
    "pytest-xdist in addopts (-n 2)": Row(files={"pyproject.toml": pyproject("-n 2")}, config=NO_PROMOTION,
                                          check=ran),
    "-p no:benchmark in tests.args": Row(config={**NO_PROMOTION, "tests": {"args": ["-p", "no:benchmark"]}},
                                         check=ran),
    "plugin in addopts not installed": Row(files={"pyproject.toml": pyproject("-p evolve_no_such_plugin")},
                                           refused='Error importing plugin "evolve_no_such_plugin"'),
    "option of a plugin not installed": Row(files={"pyproject.toml": pyproject("--no-such-plugin-option=1")},
                                            refused="pytest: error: unrecognized arguments: --no-such-plugin-option=1"),
    "collection error": Row(files={"tests/test_broken.py": "import evolve_no_such_module\n"},
                            refused="collection error in tests/test_broken.py: ModuleNotFoundError"),
    "test times out only under coverage": Row(files={"tests/test_slow.py": SLOW_UNDER_TRACING,
                                                     "pyproject.toml": pyproject(timeout=1)},
                                              refused="only under coverage tracing"),
    "tests.timeout only under coverage": Row(files={"tests/test_slow.py": SLOW_UNDER_TRACING},
                                             config={"tests": {"timeout": 3}},
                                             refused="under coverage tracing (tests did not finish"),
    "coverage gate in addopts": Row(small=True, use_git=True, config=IMPROVES, check=says_the_coverage_gate_failed,
                                    files={"pyproject.toml": pyproject("--cov=calc --cov-fail-under=100")}),
    "symlink loop outside git": Row(links={"calc/loop": "..", "outside": "/etc"}, config=NO_PROMOTION,
                                    check=leaves_out_the_outside_link),
    "same file listed twice": Row(config={"target": {"files": ["./calc/core.py", "calc/core.py"]}},
                                  refused="lists calc/core.py more than once"),
    "file outside the project": Row(config={"target": {"files": ["../elsewhere.py"]}}, refused="outside the project"),
    "5 MB generated module": Row(files={"calc/generated.py": "X = 1\n" * 900_000},
                                 config={"target": {"files": ["calc/core.py", "calc/generated.py"]}},
                                 refused="calc/generated.py is 5.1 MB, over the 512 KB"),
    "history with an invalid UTF-8 row": Row(prepare=invalid_utf8_row, config=NO_PROMOTION, check=history_readable),
    "history with an older schema": Row(prepare=old_schema, config=NO_PROMOTION, check=history_readable),
    "history that is not a database": Row(prepare=not_a_database, config=NO_PROMOTION,
                                          check=history_named_and_run_recorded),
    # the banner states the budget and what it could cost; patience (stop after a generation without a
    # better best) ends this one by itself, so a billion is harmless
    "a billion generations": Row(config={"search": {"generations": 1_000_000_000, "patience": 1}},
                                 check=states_the_budget),
    "huge seed": Row(config={"search": {"seed": 10**30}},
                     refused="'search.seed' must be at most 1,000,000,000,000,000"),
    "crash reason": Row(files={"tests/test_core.py": DIES}, config={"tests": {"args": ["-s"]}},
                        refused="the baseline could not be evaluated: ValueError: bad value (the test process died"),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_every_real_project_runs_or_is_refused_in_one_line(tmp_path: Path, name: str) -> None:
    row = ROWS[name]
    root = build(tmp_path, row)
    config = write_config(tmp_path, root, row) if row.config is not None else tmp_path / "missing.yaml"
    runs = tmp_path / "runs"
    if row.prepare is not None:
        row.prepare(runs.parent)
    before = tree(root)
    argv = [sys.executable, "-m", "evolve", "run", "--config", str(config), *row.argv, "--no-progress"]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=600, env=ENV)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    if row.refused is None:
        assert done.returncode == 0, done.stdout + done.stderr
        if row.check is not None:
            row.check(Done(root, runs, done.stdout, done.stderr))
    else:
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, done.stdout + done.stderr
        assert len(lines) == 1 and lines[0].startswith("evolve: error: "), done.stderr
        assert row.refused in lines[0], lines[0]
        assert not runs.exists() or not any(p.is_dir() for p in runs.iterdir())
    assert tree(root) == before
