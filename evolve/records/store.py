"""The run folder: everything a run leaves behind, written as it goes.

``.evolve/runs/<run-id>/`` holds the config as used, a per-generation log, an
evaluation log (one JSON line per evaluated variant), the best patch as an
edit list and a unified diff, and a summary. Logs are appended and flushed
line by line, so a killed run leaves readable history; whole files are
written atomically (temporary file, then rename).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

import yaml

from evolve.errors import EvolveError


def new_run_id(experiment: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in experiment)[:40] or "run"
    return f"{stamp}-{slug}-{secrets.token_hex(2)}"


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class RunStore:
    """One run's folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.run_id = path.name

    @classmethod
    def create(cls, run_dir: Path, experiment: str) -> RunStore:
        path = run_dir / new_run_id(experiment)
        try:
            path.mkdir(parents=True)
            probe = path / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise EvolveError(f"cannot write the run folder {run_dir} ({exc.strerror or exc}); "
                              "pass a writable folder with --run-dir") from None
        return cls(path)

    def write_config(self, data: dict[str, Any]) -> None:
        write_atomic(self.path / "config.yaml", yaml.safe_dump(data, sort_keys=False))

    def append(self, name: str, record: dict[str, Any]) -> None:
        with open(self.path / name, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
            handle.flush()

    def write_json(self, name: str, data: Any) -> None:
        write_atomic(self.path / name, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def write_text(self, name: str, text: str) -> None:
        write_atomic(self.path / name, text)

    def write_bytes(self, name: str, data: bytes) -> None:
        """Write a file exactly as given (``best.diff`` keeps the target files' encodings and line endings)."""
        path = self.path / name
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def read_jsonl(self, name: str) -> list[dict[str, Any]]:
        """Read a log, tolerating a truncated last line (a run killed mid-write)."""
        records: list[dict[str, Any]] = []
        path = self.path / name
        if not path.exists():
            return records
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
        return records
