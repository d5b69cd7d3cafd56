"""The run history's writer: one run's rows, written as the run goes.

``HistoryWriter`` registers a run, then adds its baseline, evaluations,
generations (with the population's ``diversity``), promotions, operator
weights and antibodies, committing every row, and marks how the run ended.
A history it cannot open or write never stops a run.
"""

from __future__ import annotations

import itertools
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from evolve.records.history_db import (
    _SCHEMA,
    FILENAME,
    STATUSES,
    _connect,
    _damaged,
    _dump,
    _row,
    schema_problem,
)
from populations.patch import Patch

_BEGIN = """
INSERT INTO runs (run_id, experiment, mode, seed, planned_generations, started, status, host, pid, path, config)
VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
ON CONFLICT (run_id) DO UPDATE SET status = 'running', finished = NULL, host = excluded.host, pid = excluded.pid,
    planned_generations = excluded.planned_generations, config = excluded.config"""
_ANTIBODY_COLUMNS = ("signature", "operator", "file", "scope", "site", "before_code", "after_code", "harm", "detail",
                     "tests", "effectiveness", "harmed", "harmless", "blocked", "created_run", "updated_run")


def diversity(patches: Sequence[Patch]) -> tuple[float, float]:
    """Mean pairwise Jaccard distance of the patches' edit sets (0 = all alike), and the share of
    distinct patches; both 0..1. Why both: a population of distinct patches sharing most edits is
    still close to a monoculture."""
    if len(patches) < 2:
        return 0.0, float(bool(patches))
    sets = [frozenset(p.edits) for p in patches]
    distances = [1.0 - len(a & b) / len(a | b) if a | b else 0.0 for a, b in itertools.combinations(sets, 2)]
    return sum(distances) / len(distances), len(set(patches)) / len(patches)


class HistoryWriter:
    """Writes one run's rows as the run goes; use as a context manager so a crash or Ctrl-C
    marks the run ``failed`` or ``interrupted`` instead of leaving it ``running``.

    The history is a record, not the run: a database that cannot be opened or
    written (damaged, from an incompatible version, disk full) never stops a run.
    The writer then stops writing, and ``problem`` holds the one line to show.
    """

    def __init__(self, path: Path, run_id: str) -> None:
        self.path, self.run_id = path, run_id
        self.problem: str | None = None
        self._shown = False
        self.connection: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.connection = _connect(path, create=True)
            self.connection.executescript(_SCHEMA)
            problem = schema_problem(self.connection, upgrade=True)
        except (OSError, sqlite3.Error) as exc:
            problem = str(exc)
        if problem is not None:
            self._give_up(problem)

    def take_problem(self) -> str | None:
        """The problem line, the first time it is asked for after it happened (so it is shown once)."""
        problem, self._shown = (self.problem, True) if self.problem and not self._shown else (None, self._shown)
        return problem

    def _give_up(self, why: object) -> None:
        self.problem = self.problem or _damaged(self.path, why) + "; this run is recorded in its run folder only"
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    @classmethod
    def begin(cls, run_path: Path, config: Any, resumed_after: int | None = None) -> HistoryWriter:
        """Register the run (status ``running``) of ``config`` whose folder is ``run_path``.

        A resumed run keeps its row and start time; rows of generations after its checkpoint
        (``resumed_after``; by default the last generation recorded) are dropped, as they run again."""
        writer = cls(run_path.parent.parent / FILENAME, run_path.name)
        if writer.connection is None:
            return writer
        try:
            with writer.connection as db:
                db.execute(_BEGIN, (writer.run_id, config.experiment, config.mode, config.search.seed,
                                    config.search.generations, time.time(), socket.gethostname(), os.getpid(),
                                    str(run_path), _dump(config.to_yaml_dict())))
                last = db.execute("SELECT COALESCE(MAX(gen), -1) FROM generations WHERE run_id = ?",
                                  (writer.run_id,)).fetchone()[0] if resumed_after is None else resumed_after
                db.execute("DELETE FROM evaluations WHERE run_id = ? AND gen > ?", (writer.run_id, last))
                db.execute("DELETE FROM generations WHERE run_id = ? AND gen > ?", (writer.run_id, last))
        except (sqlite3.Error, OverflowError) as exc:
            writer._give_up(exc)
        return writer

    def _write(self, sql: str, values: Sequence[Any]) -> None:
        if self.connection is None:
            return
        try:
            with self.connection:
                self.connection.execute(sql, values)
        except (sqlite3.Error, OverflowError) as exc:
            self._give_up(exc)

    def baseline(self, score: Any) -> None:
        """The unmodified project's score: the yardstick of every figure in the report."""
        self._write("UPDATE runs SET baseline_score = ?, baseline_fitness = ? WHERE run_id = ?",
                    (_dump(score.to_json()), score.value, self.run_id))

    def evaluation(self, record: Mapping[str, Any]) -> None:
        """One evaluated variant, as the run folder's ``evaluations.jsonl`` line (plus lineage)."""
        r = record
        self._write("INSERT INTO evaluations (run_id, gen, key, patch, status, gate, reason, cached, fitness, tier, "
                    "components, figures, seconds, parents, variation) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (self.run_id, r["gen"], r["key"], _dump(r["patch"]), r["status"], r.get("gate"),
                     r.get("reason", ""), int(bool(r.get("cached"))), r["fitness"], r["tier"],
                     _dump(r.get("components", {})), _dump(r.get("figures", {})), r.get("seconds"),
                     _dump(list(r.get("parents", ()))), r.get("variation", "seed")))

    def generation(self, record: Mapping[str, Any], patches: Sequence[Patch]) -> None:
        """One generation's record (as ``generations.jsonl``) and its population's diversity."""
        spread, unique = diversity(patches)
        r = record
        self._write("INSERT OR REPLACE INTO generations (run_id, gen, best, best_tier, mean, std, evals, cached, "
                    "passed, diversity, unique_share, record, population) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (self.run_id, r["gen"], r["best"], r["best_tier"], r["mean"], r["std"], r["evals"],
                     r["cached"], r["passed"], spread, unique, _dump(dict(r)), _dump([p.key for p in patches])))

    def finish(self, summary: Mapping[str, Any], best: Mapping[str, Any], diff: str) -> None:
        """The run ended normally: its summary, best variant and diff; status ``finished``."""
        self._write("UPDATE runs SET status = 'finished', finished = ?, summary = ?, best_variant = ?, diff = ?, "
                    "best_fitness = ?, improved = ?, integrate = ? WHERE run_id = ?",
                    (time.time(), _dump(summary), _dump(best), diff, summary.get("best_fitness"),
                     int(bool(summary.get("improved"))), int(bool(summary.get("integrate"))), self.run_id))

    def end(self, status: str) -> None:
        """Mark the run ``interrupted`` or ``failed`` (or any status of ``STATUSES``)."""
        if status not in STATUSES:
            raise ValueError(f"unknown run status {status!r}; known: {', '.join(STATUSES)}")
        self._write("UPDATE runs SET status = ?, finished = ? WHERE run_id = ?", (status, time.time(), self.run_id))

    def remembered_weights(self, project: str) -> dict[str, float]:
        """The operator weights the last run on ``project`` (its root folder) ended with; empty if none."""
        if self.connection is None:
            return {}
        try:
            rows = self.connection.execute("SELECT operator, weight FROM operator_weights WHERE project = ?",
                                           (project,)).fetchall()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        return {str(row[0]): float(row[1]) for row in rows}

    def remember_weights(self, project: str, weights: Mapping[str, float]) -> None:
        """Keep the operator weights this run ended with, to seed the next run on ``project``."""
        for operator, weight in sorted(weights.items()):
            self._write("INSERT OR REPLACE INTO operator_weights (project, operator, weight, run_id, updated) "
                        "VALUES (?,?,?,?,?)", (project, operator, float(weight), self.run_id, time.time()))

    def antibodies(self, project: str) -> list[dict[str, Any]]:
        """The antibodies of ``project`` (its root folder) as rows (``evolve.search.immunity.Antibody.from_row``)."""
        if self.connection is None:
            return []
        try:
            rows = self.connection.execute("SELECT * FROM antibodies WHERE project = ? ORDER BY signature",
                                           (project,)).fetchall()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return []
        return [_row(row) for row in rows]

    def save_antibodies(self, project: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Write (insert or replace) antibodies of ``project``, as ``Antibody.to_row`` gives them."""
        now = time.time()
        for row in rows:
            values = [_dump(row.get(c)) if c == "tests" else row.get(c) for c in _ANTIBODY_COLUMNS]
            self._write(f"INSERT INTO antibodies (project, {', '.join(_ANTIBODY_COLUMNS)}, created, updated) "
                        f"VALUES (?, {', '.join('?' for _ in _ANTIBODY_COLUMNS)}, ?, ?) "
                        "ON CONFLICT (project, signature) DO UPDATE SET "
                        + ", ".join(f"{c} = excluded.{c}" for c in _ANTIBODY_COLUMNS[1:]) + ", updated = excluded.updated",
                        (project, *values, now, now))

    def promotion(self, branch: str, commit: str, merged: bool, note: str = "") -> None:
        """The run's best variant was committed to ``branch`` (and merged into the mainline if ``merged``)."""
        self._write("INSERT INTO promotions (run_id, at, branch, commit_sha, merged, note) VALUES (?,?,?,?,?,?)",
                    (self.run_id, time.time(), branch, commit, int(merged), note))

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def __enter__(self) -> HistoryWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> None:
        try:
            if kind is not None:
                stopped = issubclass(kind, KeyboardInterrupt) or kind.__name__ == "Terminated"
                self.end("interrupted" if stopped else "failed")
        finally:
            self.close()
