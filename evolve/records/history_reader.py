"""The run history's reader: runs, their rows, lineage and operator counts, for the CLI,
the HTML report, the plots and the notebooks (``History``, one run: ``RunRecord``).

Readers only read, except ``History.forget_antibodies``; a run whose process
died while ``running`` reads as ``interrupted``.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evolve.errors import EvolveError
from evolve.records.history_db import DEFAULT_RUN_DIR, FILENAME, _connect, _damaged, _row, history_path, schema_problem
from populations.patch import Patch

ENV_VAR = "EVOLVE_HISTORY"


@dataclass(frozen=True)
class RunRecord:
    """One run as the history knows it; ``status`` says ``interrupted`` for a run whose process died."""

    run_id: str
    experiment: str
    mode: str
    seed: int | None
    status: str
    started: float
    finished: float | None
    planned_generations: int
    generations: int
    baseline_fitness: float | None
    best_fitness: float | None
    improved: bool
    integrate: bool
    promoted: bool
    path: str
    config: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    best: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    diff: str = ""

    @property
    def started_text(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started))


_RUNS_QUERY = """
SELECT r.*, (SELECT MAX(gen) FROM generations g WHERE g.run_id = r.run_id) AS last_gen,
       (SELECT best FROM generations g WHERE g.run_id = r.run_id ORDER BY gen DESC LIMIT 1) AS last_best,
       EXISTS (SELECT 1 FROM promotions p WHERE p.run_id = r.run_id) AS promoted
FROM runs r"""


def _alive(host: str | None, pid: int | None) -> bool:
    """Whether the process that wrote a ``running`` run still exists (unknown elsewhere: assume so)."""
    if host != socket.gethostname() or not pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _record(row: sqlite3.Row) -> RunRecord:
    data = _row(row)
    status = data["status"]
    if status == "running" and not _alive(data["host"], data["pid"]):
        status = "interrupted"
    best_fitness = data["best_fitness"] if data["best_fitness"] is not None else data["last_best"]
    return RunRecord(
        run_id=data["run_id"], experiment=data["experiment"], mode=data["mode"], seed=data["seed"],
        status=status, started=data["started"], finished=data["finished"],
        planned_generations=data["planned_generations"] or 0,
        generations=data["last_gen"] if data["last_gen"] is not None else -1,
        baseline_fitness=data["baseline_fitness"], best_fitness=best_fitness,
        improved=bool(data["improved"]), integrate=bool(data["integrate"]), promoted=bool(data["promoted"]),
        path=data["path"] or "", config=data["config"] or {}, baseline=data["baseline_score"] or {},
        best=data["best_variant"] or {}, summary=data["summary"] or {}, diff=data["diff"] or "",
    )


class History:
    """Read access to the run history, for the CLI, the report, the plots and the notebooks."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise EvolveError(f"no run history at {self.path}; run an experiment first "
                              "(python -m evolve run) or point --run-dir at the runs folder")
        try:
            self.connection = _connect(self.path, create=False)
            problem = schema_problem(self.connection, upgrade=False)
        except sqlite3.Error as exc:
            problem = str(exc)
        if problem is not None:
            raise EvolveError(_damaged(self.path, problem)) from None

    @classmethod
    def at(cls, run_dir: Path | str = DEFAULT_RUN_DIR) -> History:
        """The history of the runs under ``run_dir`` (as given to ``run --run-dir``)."""
        return cls(history_path(run_dir))

    @classmethod
    def find(cls, start: Path | str | None = None) -> History:
        """For notebooks: ``$EVOLVE_HISTORY`` if set, else the nearest ``.evolve/history.sqlite``
        in ``start`` (default: the working folder) or a folder above it."""
        if os.environ.get(ENV_VAR):
            return cls(os.environ[ENV_VAR])
        here = Path(start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / ".evolve" / FILENAME).is_file():
                return cls(folder / ".evolve" / FILENAME)
        return cls(here / ".evolve" / FILENAME)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def _rows(self, sql: str, values: Iterable[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self.connection.execute(sql, tuple(values)).fetchall()
        except sqlite3.DatabaseError as exc:  # a damaged page, found only when read
            raise EvolveError(_damaged(self.path, exc)) from None

    # ------------------------------------------------------------ runs

    def runs(self, experiment: str | None = None) -> list[RunRecord]:
        """Every run (of ``experiment``, if given), oldest first."""
        where, values = (" WHERE r.experiment = ?", [experiment]) if experiment else ("", [])
        return [_record(row) for row in self._rows(_RUNS_QUERY + where + " ORDER BY r.started, r.run_id", values)]

    def run(self, ref: str) -> RunRecord:
        """A run by id, unique id prefix, or ``latest``."""
        runs = self.runs()
        if not runs:
            raise EvolveError(f"no runs recorded in {self.path} yet; run an experiment first (python -m evolve run)")
        if ref == "latest":
            return runs[-1]
        matches = [r for r in runs if r.run_id == ref] or [r for r in runs if r.run_id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        problem = "matches several runs" if matches else "is not in the run history"
        raise EvolveError(f"run {ref!r} {problem} ({self.path}); list the runs with: python -m evolve runs")

    def output_folder(self, run: RunRecord) -> Path:
        """Where a run's report and plots go: its run folder, or ``reports/<run-id>`` next to the
        history when the folder is gone (the history outlives run folders)."""
        folder = Path(run.path)
        return folder if run.path and folder.is_dir() else self.path.parent / "reports" / run.run_id

    # ------------------------------------------------------------ rows of one run

    def generations(self, run_id: str) -> list[dict[str, Any]]:
        """Per generation: best, mean, std, diversity, unique share, and the full record."""
        return [_row(r) for r in self._rows("SELECT * FROM generations WHERE run_id = ? ORDER BY gen", [run_id])]

    def evaluations(self, run_id: str) -> list[dict[str, Any]]:
        """Every evaluation in the order it was made."""
        return [_row(r) for r in self._rows("SELECT * FROM evaluations WHERE run_id = ? ORDER BY id", [run_id])]

    def promotions(self, run_id: str) -> list[dict[str, Any]]:
        return [_row(r) for r in self._rows("SELECT * FROM promotions WHERE run_id = ? ORDER BY at", [run_id])]

    # ------------------------------------------------------------ immune memory

    def _has_antibodies(self) -> bool:
        return bool(self._rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'antibodies'"))

    def antibodies(self, project: str | None = None) -> list[dict[str, Any]]:
        """The remembered antibodies (of ``project``, a target root folder, if given), most effective first."""
        if not self._has_antibodies():
            return []
        where, values = (" WHERE project = ?", [project]) if project else ("", [])
        return [_row(r) for r in self._rows("SELECT * FROM antibodies" + where
                                            + " ORDER BY project, effectiveness DESC, file, signature", values)]

    def forget_antibodies(self, project: str | None = None) -> int:
        """Delete the antibodies (of ``project``, if given); how many there were."""
        if not self._has_antibodies():
            return 0
        where, values = (" WHERE project = ?", (project,)) if project else ("", ())
        try:
            with self.connection:
                return self.connection.execute("DELETE FROM antibodies" + where, values).rowcount
        except sqlite3.Error as exc:
            raise EvolveError(_damaged(self.path, exc)) from None

    def operator_stats(self, run_id: str) -> dict[str, dict[str, int]]:
        """Per operator: tried, compiled, passed, improved. A finished run's own counters; for a
        killed run the same counts rebuilt from its evaluations."""
        run = self.run(run_id)
        if run.summary.get("operators"):
            return {k: dict(v) for k, v in run.summary["operators"].items()}
        return _count_operators(self.evaluations(run.run_id), run.baseline)

    def lineage(self, run_id: str) -> list[dict[str, Any]]:
        """The best individual's ancestry, best first, back to a generation-0 seed: each step is the
        first evaluation of a patch; the chain follows the fitter parent after a crossover."""
        run = self.run(run_id)
        first: dict[str, dict[str, Any]] = {}
        for row in self.evaluations(run.run_id):
            first.setdefault(row["key"], row)
        key = _best_key(run, first)
        chain: list[dict[str, Any]] = []
        while key in first and all(step["key"] != key for step in chain):
            chain.append(first[key])
            parents = [first[p] for p in first[key]["parents"] or () if p in first]
            key = max(parents, key=_rank)["key"] if parents else None
        return chain


def _rank(row: Mapping[str, Any]) -> tuple[int, float]:
    return (row["tier"], row["fitness"])


def _best_key(run: RunRecord, first: Mapping[str, dict[str, Any]]) -> str | None:
    if run.best.get("patch") is not None:
        return Patch.from_json(run.best["patch"]).key
    return max(first.values(), key=_rank)["key"] if first else None


def _count_operators(rows: Iterable[Mapping[str, Any]], baseline: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """The engine's operator counters, from evaluation rows (cached repeats are not counted)."""
    base = (baseline.get("tier", 0), baseline.get("value", 1.0))
    stats: dict[str, dict[str, int]] = {}
    for row in rows:
        if row["cached"]:
            continue
        for name in sorted({edit["operator"] for edit in row["patch"] or ()}):
            counts = stats.setdefault(name, {"tried": 0, "compiled": 0, "passed": 0, "improved": 0})
            counts["tried"] += 1
            counts["compiled"] += row["gate"] not in ("apply", "compile")
            counts["passed"] += row["status"] == "passed"
            counts["improved"] += _rank(row) > base
    return dict(sorted(stats.items()))
