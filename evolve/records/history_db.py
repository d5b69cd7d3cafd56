"""The run history's database: where it lives, its schema, and how it is opened and read.

``history.sqlite`` sits next to the runs folder (``history_path``). This is
the only module that knows the schema (``_SCHEMA``): it opens a connection in
WAL mode (``_connect``), checks and upgrades an older history's tables
(``schema_problem``), names a history evolve cannot use (``_damaged``) and
turns rows to and from their JSON columns (``_dump``, ``_row``). The writer
(``history_writer``) and the reader (``history_reader``) go through it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

FILENAME = "history.sqlite"
DEFAULT_RUN_DIR = Path(".evolve/runs")
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
_JSON_COLUMNS = {"config", "baseline_score", "best_variant", "summary", "record", "population", "patch", "components",
                 "figures", "parents", "tests"}
_LATER_TABLES = frozenset({"antibodies"})
"""Tables added after the first schema: a reader of an older history treats them as empty (a writer adds them)."""


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
