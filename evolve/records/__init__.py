"""The records room: what a run leaves behind, and the readers of it.

``store`` (the run folder), ``checkpoint`` (engine state after every
generation, for resume), ``history`` (the SQLite run history that outlives run
folders), ``progress`` (the terminal line), and the readers: ``report``
(terminal tables and diffs), ``plots`` (matplotlib figures) and ``htmlreport``
(one self-contained page). Readers only read.
"""

from __future__ import annotations

from evolve.records.history import DEFAULT_RUN_DIR, History, HistoryWriter, RunRecord
from evolve.records.store import RunStore

__all__ = ["DEFAULT_RUN_DIR", "History", "HistoryWriter", "RunRecord", "RunStore"]
