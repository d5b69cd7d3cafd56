"""The run history: one SQLite database that outlives the run folders.

``<run_dir parent>/history.sqlite`` (``.evolve/history.sqlite`` by default,
next to ``.evolve/runs/``) holds every run, its generations, its evaluations
(with lineage: the parents' patch keys and the variation that made each
variant) and its promotions. A run writes it as it goes and commits every row,
in WAL mode, so the CLI and the notebooks can read while a run writes and a
killed run's history stays readable. This is the only module that knows the
schema: the CLI, the HTML report, the plots and the notebooks read through
``History``; a run writes through ``HistoryWriter``.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evolve.errors import EvolveError
from populations.patch import Patch

FILENAME = "history.sqlite"
DEFAULT_RUN_DIR = Path(".evolve/runs")
ENV_VAR = "EVOLVE_HISTORY"
STATUSES = ("running", "finished", "interrupted", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, experiment TEXT NOT NULL, mode TEXT NOT NULL, seed INTEGER,
    planned_generations INTEGER, started REAL NOT NULL, finished REAL, status TEXT NOT NULL,
    host TEXT, pid INTEGER, path TEXT, config TEXT, baseline_score TEXT, best_variant TEXT, summary TEXT, diff TEXT,
    baseline_fitness REAL, best_fitness REAL, improved INTEGER, integrate INTEGER);
CREATE TABLE IF NOT EXISTS generations (
    run_id TEXT NOT NULL, gen INTEGER NOT NULL, best REAL, best_tier INTEGER, mean REAL, std REAL,
    evals INTEGER, cached INTEGER, passed INTEGER, diversity REAL, unique_share REAL,
    record TEXT, population TEXT, PRIMARY KEY (run_id, gen));
CREATE TABLE IF NOT EXISTS evaluations (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, gen INTEGER NOT NULL, key TEXT NOT NULL, patch TEXT,
    status TEXT, gate TEXT, reason TEXT, cached INTEGER, fitness REAL, tier INTEGER, components TEXT,
    figures TEXT, seconds REAL, parents TEXT, variation TEXT);
CREATE INDEX IF NOT EXISTS evaluations_by_run ON evaluations (run_id, gen);
CREATE TABLE IF NOT EXISTS operator_weights (
    project TEXT NOT NULL, operator TEXT NOT NULL, weight REAL NOT NULL, run_id TEXT, updated REAL,
    PRIMARY KEY (project, operator));
CREATE TABLE IF NOT EXISTS promotions (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, at REAL NOT NULL, branch TEXT, commit_sha TEXT,
    merged INTEGER NOT NULL DEFAULT 0, note TEXT);
CREATE TABLE IF NOT EXISTS antibodies (
    project TEXT NOT NULL, signature TEXT NOT NULL, operator TEXT NOT NULL, file TEXT NOT NULL, scope TEXT,
    site TEXT, before_code TEXT, after_code TEXT, harm TEXT, detail TEXT, tests TEXT,
    effectiveness REAL NOT NULL DEFAULT 1.0, harmed INTEGER NOT NULL DEFAULT 0,
    harmless INTEGER NOT NULL DEFAULT 0, blocked INTEGER NOT NULL DEFAULT 0, created_run TEXT, updated_run TEXT,
    created REAL, updated REAL, PRIMARY KEY (project, signature));
"""
_BEGIN = """
INSERT INTO runs (run_id, experiment, mode, seed, planned_generations, started, status, host, pid, path, config)
VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
ON CONFLICT (run_id) DO UPDATE SET status = 'running', finished = NULL, host = excluded.host, pid = excluded.pid,
    planned_generations = excluded.planned_generations, config = excluded.config"""
_JSON_COLUMNS = {"config", "baseline_score", "best_variant", "summary", "record", "population", "patch", "components",
                 "figures", "parents", "tests"}
_LATER_TABLES = frozenset({"antibodies"})
"""Tables added after the first schema: a reader of an older history treats them as empty (a writer adds them)."""
_ANTIBODY_COLUMNS = ("signature", "operator", "file", "scope", "site", "before_code", "after_code", "harm", "detail",
                     "tests", "effectiveness", "harmed", "harmless", "blocked", "created_run", "updated_run")


def history_path(run_dir: Path | str = DEFAULT_RUN_DIR) -> Path:
    """Where the history of runs under ``run_dir`` lives: next to it, so any run dir has one."""
    run_dir = Path(run_dir)
    return (run_dir if run_dir.is_absolute() else Path.cwd() / run_dir).parent / FILENAME


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    mode = "rwc" if create else "rw"
    connection = sqlite3.connect(f"file:{path}?mode={mode}", uri=True, timeout=30)
    connection.row_factory = sqlite3.Row
    connection.text_factory = _text
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def _text(data: bytes) -> str:
    """A text value as stored; bytes that are not UTF-8 (a damaged row) read as U+FFFD, not an error."""
    return data.decode("utf-8", errors="replace")


def _expected_columns() -> dict[str, list[tuple[str, str, bool, Any, bool]]]:
    """Per table of ``_SCHEMA``: (name, type, not null, default, primary key) of each column."""
    memory = sqlite3.connect(":memory:")
    try:
        memory.executescript(_SCHEMA)
        tables = [row[0] for row in memory.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: [(r[1], r[2], bool(r[3]), r[4], bool(r[5])) for r in memory.execute(f"PRAGMA table_info({t})")]
                for t in tables}
    finally:
        memory.close()


def schema_problem(connection: sqlite3.Connection, upgrade: bool) -> str | None:
    """What keeps ``connection``'s database from being used as the run history (None: nothing).

    A history written by an older evolve may lack columns added since; with
    ``upgrade`` those that can be added (not keys, not NOT NULL without a
    default) are added in place, so old histories keep working.
    """
    for table, columns in _expected_columns().items():
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        if not present and table in _LATER_TABLES and not upgrade:
            continue  # an older history: its readers see the table as empty
        if not present:
            return f"it has no table {table}"
        for name, kind, not_null, default, key in columns:
            if name in present:
                continue
            if not upgrade or key or (not_null and default is None):
                return f"its table {table} has no column {name}"
            extra = f" NOT NULL DEFAULT {default}" if not_null else ""
            with connection:
                connection.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}{extra}")
    return None


def _damaged(path: Path, why: object) -> str:
    """The one line that names a history evolve cannot use, and what to do about it."""
    return (f"the run history {path} cannot be used ({why}); move it away (mv {path} {path}.damaged) "
            "and the next run starts a new one")


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _row(row: sqlite3.Row) -> dict[str, Any]:
    return {k: (_load(row[k]) if k in _JSON_COLUMNS and row[k] is not None else row[k]) for k in row.keys()}


def _load(text: str) -> Any:
    """A JSON column's value; a damaged one reads as missing rather than stopping every reader."""
    try:
        return json.loads(text)
    except ValueError:
        return None


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
