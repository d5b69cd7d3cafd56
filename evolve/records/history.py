"""The run history: one SQLite database that outlives the run folders.

``<run_dir parent>/history.sqlite`` (``.evolve/history.sqlite`` by default,
next to ``.evolve/runs/``) holds every run, its generations, its evaluations
(with lineage: the parents' patch keys and the variation that made each
variant) and its promotions. A run writes it as it goes and commits every row,
in WAL mode, so the CLI and the notebooks can read while a run writes and a
killed run's history stays readable. Only ``history_db`` knows the schema:
the CLI, the HTML report, the plots and the notebooks read through
``History`` (``history_reader``); a run writes through ``HistoryWriter``
(``history_writer``).

This module is the history's one front door: it holds no code, only the
public names of those three modules, so ``from evolve.records.history import
History, HistoryWriter`` keeps working wherever it is written.
"""

from __future__ import annotations

from evolve.records.history_db import DEFAULT_RUN_DIR, FILENAME, STATUSES, history_path, schema_problem
from evolve.records.history_reader import ENV_VAR, History, RunRecord
from evolve.records.history_writer import HistoryWriter, diversity

__all__ = ["DEFAULT_RUN_DIR", "ENV_VAR", "FILENAME", "STATUSES", "History", "HistoryWriter", "RunRecord",
           "diversity", "history_path", "schema_problem"]
