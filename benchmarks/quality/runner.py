"""One engine run on one case and seed, through the CLI only, and what its run folder holds.

The budget reaches the engine as population x generations and, when its CLI
offers them (probed with ``--help``), ``--max-evaluations`` and
``--max-seconds``. The engine gets SIGTERM ``min(TERM_GRACE, grace / 2)``
seconds before the wall limit (seconds + grace), to write its best so far;
at the limit its whole process tree is killed.

The engine writes one line to ``evaluations.jsonl`` per evaluation but no
timestamp, so the harness tails the file while the run goes and notes, for
every line, the wall seconds since the engine was started at which it first
saw that line (polled every 0.1 s: an upper bound on when the engine had it).
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.quality.cases import Case
from benchmarks.quality.experiment import (
    Budget,
    command_name,
    config_for,
    shape,
    write_config,
)
from benchmarks.quality.procs import child_env, python, run_contained
from benchmarks.quality.workspace import copy_project

OUTPUT_KEPT = 2_000  # characters of the engine's stdout and stderr kept in the record
TERM_GRACE = 15.0  # at most this many seconds between SIGTERM (write your best so far) and the kill
_FLAGS: dict[tuple[str, str], frozenset[str]] = {}


@dataclass(frozen=True)
class Evaluation:
    """One line of ``evaluations.jsonl``: its ``index`` (0-based, file order), ``gen``, ``status``,
    ``cached``, ``key``, ``patch`` (JSON edit list), ``seconds`` the engine spent on it,
    ``observed`` wall seconds after launch when the harness first saw the line, ``fitness``
    and ``speedup``: the engine's own baseline/variant performance ratio (None if not measured)."""

    index: int
    gen: int
    status: str
    cached: bool
    key: str
    patch: tuple[dict[str, Any], ...]
    seconds: float
    observed: float
    fitness: float
    speedup: float | None


@dataclass(frozen=True)
class EngineRun:
    """An engine run: the ``command``, how it ended (``returncode``; ``timed_out`` when killed at the
    wall limit), ``wall_seconds``, the run ``folder`` (None if none was made), its ``evaluations``,
    ``best`` (best.json), ``best_diff`` (path, if written), ``summary`` (summary.json) and the tails
    of its stdout and stderr."""

    case_id: str
    seed: int
    command: tuple[str, ...]
    population: int
    generations: int
    returncode: int
    timed_out: bool
    wall_seconds: float
    folder: Path | None
    project: Path
    evaluations: tuple[Evaluation, ...]
    best: dict[str, Any] | None
    best_diff: Path | None
    summary: dict[str, Any] | None
    stdout: str = ""
    stderr: str = ""

    @property
    def last_words(self) -> str:
        """The engine's last line of output (stderr first), for saying where a killed run was."""
        for text in (self.stderr, self.stdout):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines:
                return lines[-1][:200]
        return "no output"

    @property
    def failure(self) -> str | None:
        """Why the engine stopped by itself without a result (``refused (exit 2): …`` for an error it
        reports, ``crashed (exit N): …`` otherwise), or None when it finished (best.json written; a
        repair that found nothing exits 1) or was killed at the wall limit."""
        if self.timed_out or self.best is not None:
            return None
        if self.returncode == 0:
            return f"finished without best.json: {self.last_words}"
        kind = "refused" if self.returncode == 2 else "crashed"
        return f"{kind} (exit {self.returncode}): {self.last_words}"


@dataclass
class _Tail:
    """Reads complete new lines of the run's ``evaluations.jsonl`` as they appear, stamping each."""

    run_dir: Path
    started: float
    lines: list[tuple[float, str]] = field(default_factory=list)
    _path: Path | None = None
    _offset: int = 0
    _partial: bytes = b""

    def poll(self) -> None:
        if self._path is None:
            found = sorted(self.run_dir.glob("*/evaluations.jsonl"))
            if not found:
                return
            self._path = found[0]
        try:
            with self._path.open("rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except OSError:
            return
        self._offset += len(chunk)
        now = time.monotonic() - self.started
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        self.lines.extend((now, line.decode("utf-8", "replace")) for line in complete if line.strip())


def run_engine(case: Case, seed: int, budget: Budget, work: Path, engine_path: Path | None = None) -> EngineRun:
    """Copy the case's project into ``work``, write the config, run the engine CLI within the budget's
    wall limit (its whole process tree killed at the limit) and read the run folder.

    ``engine_path``: a folder holding another copy of the engine's packages (e.g. extracted with
    ``git archive <commit> evolve fitness mutations populations``), put first on the engine's
    ``PYTHONPATH``; by default the installed engine runs.
    """
    project = copy_project(case, work)
    run_dir = work / "runs"  # the engine's history.sqlite goes next to it, inside ``work``
    population, generations = shape(budget.evaluations)
    config = write_config(work / "experiment.yaml", config_for(case, project, seed, budget))
    command = python("-m", "evolve", command_name(case), "--config", str(config), "--run-dir", str(run_dir),
                     "--seed", str(seed), "--workers", str(budget.workers), "--population", str(population),
                     "--generations", str(generations), "--no-progress")
    env = child_env({"PYTHONPATH": str(engine_path)} if engine_path else None)
    command += budget_flags(budget, engine_flags(env, command_name(case)))
    tail = _Tail(run_dir, time.monotonic())
    term = min(TERM_GRACE, budget.grace / 2)
    done = run_contained(command, work, budget.wall_limit - term, env=env, on_poll=tail.poll, memory_bytes=None,
                         term_grace=term)
    folder = next((p.parent for p in sorted(run_dir.glob("*/config.yaml"))), None)
    return EngineRun(
        case_id=case.id, seed=seed, command=tuple(command), population=population, generations=generations,
        returncode=done.returncode, timed_out=done.timed_out, wall_seconds=done.seconds, folder=folder,
        project=project, evaluations=tuple(_parse(tail.lines)),
        best=_read_json(folder / "best.json") if folder else None,
        best_diff=(folder / "best.diff") if folder and (folder / "best.diff").is_file() else None,
        summary=_read_json(folder / "summary.json") if folder else None,
        stdout=done.stdout[-OUTPUT_KEPT:], stderr=done.stderr[-OUTPUT_KEPT:],
    )


def engine_flags(env: dict[str, str], sub: str) -> frozenset[str]:
    """The options of the engine CLI's sub-command ``sub`` (from its ``--help``; cached per environment)."""
    key = (env.get("PYTHONPATH", ""), sub)
    if key not in _FLAGS:
        done = run_contained(python("-m", "evolve", sub, "--help"), Path(tempfile.gettempdir()), 120, env=env,
                             memory_bytes=None)  # not from the repository: ``-m`` puts the cwd first
        _FLAGS[key] = frozenset(re.findall(r"(?<![\w-])--[a-z][a-z-]*", done.stdout))
    return _FLAGS[key]


def budget_flags(budget: Budget, flags: frozenset[str]) -> list[str]:
    """``--max-evaluations N --max-seconds S`` for an engine whose CLI has them (so it stops by
    itself, within the budget, and writes its best); nothing for one that does not. With
    ``budget.algorithm``, ``--algorithm NAME`` too (ValueError: the engine has no such option)."""
    out: list[str] = []
    if budget.algorithm is not None:
        if "--algorithm" not in flags:
            raise ValueError(f"this engine has no --algorithm option: it cannot run {budget.algorithm!r}")
        out += ["--algorithm", budget.algorithm]
    if "--max-evaluations" in flags:
        out += ["--max-evaluations", str(budget.evaluations)]
    if "--max-seconds" in flags:
        out += ["--max-seconds", f"{budget.seconds:g}"]
    return out


def _parse(lines: list[tuple[float, str]]) -> list[Evaluation]:
    """Evaluations from stamped lines; a line that is not a JSON object (a torn last write) is skipped."""
    out: list[Evaluation] = []
    for observed, line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            out.append(_evaluation(len(out), observed, record))
    return out


def _evaluation(index: int, observed: float, record: dict[str, Any]) -> Evaluation:
    figures = record.get("figures") or {}
    figure = figures.get("performance")  # the variant's benchmark time relative to the baseline's
    ratio = 1.0 / figure if isinstance(figure, (int, float)) and figure > 0 else None
    return Evaluation(
        index=index, gen=int(record.get("gen", -1)), status=str(record.get("status", "")),
        cached=bool(record.get("cached", False)), key=str(record.get("key", "")),
        patch=tuple(record.get("patch") or ()), seconds=_number(record.get("seconds")),
        observed=round(observed, 2), fitness=_number(record.get("fitness")), speedup=ratio,
    )


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else 0.0


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
