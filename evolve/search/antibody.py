"""The immune memory's records: an edit's ``Signature``, the ``Harm`` it did, the stored ``Antibody``.

Also the thresholds an antibody's effectiveness moves between (``HARM_START``,
``CONFIDENT``, ``DECAY``) and ``harm_of``, what a variant's observation says
about its edits. How a signature is computed is ``evolve.search.edit_signature``;
how a run uses antibodies is ``evolve.search.immunity``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fitness.observation import (
    TEST_ERROR,
    TEST_FAILED,
    TEST_PASSED,
    Observation,
    Status,
)

__all__ = ["CONFIDENT", "DECAY", "HARM_START", "Antibody", "Harm", "Signature", "harm_of"]

HARM_START = {"compile": 1.0, "tests": 1.0, "crash": 0.75, "out of memory": 0.75, "timeout": 0.75}
"""A new antibody's effectiveness per harm. Crashes and timeouts can be the machine's doing (a loaded
host, a killed worker), so one harmless repeat is enough to make them unconfident."""
CONFIDENT = 0.6
"""An antibody at or above this effectiveness blocks the edits it recognises (one harm and one harmless
repeat leave it below)."""
DECAY = 0.5
"""Harmless evidence multiplies effectiveness by this."""


@dataclass(frozen=True)
class Signature:
    """What identifies an edit across runs: no line numbers, no node ids (see ``evolve.search.edit_signature``)."""

    key: str
    operator: str
    file: str
    scope: str
    before: str
    after: str
    site: str


@dataclass(frozen=True)
class Harm:
    """What an edit did: ``kind`` (a key of ``HARM_START``), a line, and the tests it broke."""

    kind: str
    detail: str = ""
    tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class Antibody:
    """One remembered harmful edit, as stored in the run history (one row per project and key)."""

    key: str
    operator: str
    file: str
    scope: str
    before: str
    after: str
    site: str
    harm: str
    detail: str = ""
    tests: tuple[str, ...] = ()
    effectiveness: float = 1.0
    harmed: int = 1
    harmless: int = 0
    blocked: int = 0
    created_run: str = ""
    updated_run: str = ""

    @property
    def confident(self) -> bool:
        return self.effectiveness >= CONFIDENT

    def to_row(self) -> dict[str, Any]:
        return {"signature": self.key, "operator": self.operator, "file": self.file, "scope": self.scope,
                "before_code": self.before, "after_code": self.after, "site": self.site, "harm": self.harm,
                "detail": self.detail, "tests": list(self.tests), "effectiveness": round(self.effectiveness, 6),
                "harmed": self.harmed, "harmless": self.harmless, "blocked": self.blocked,
                "created_run": self.created_run, "updated_run": self.updated_run}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Antibody:
        return cls(key=str(row["signature"]), operator=str(row["operator"]), file=str(row["file"]),
                   scope=str(row.get("scope") or ""), before=str(row.get("before_code") or ""),
                   after=str(row.get("after_code") or ""), site=str(row.get("site") or ""),
                   harm=str(row.get("harm") or ""), detail=str(row.get("detail") or ""),
                   tests=tuple(row.get("tests") or ()), effectiveness=float(row.get("effectiveness") or 0.0),
                   harmed=int(row.get("harmed") or 0), harmless=int(row.get("harmless") or 0),
                   blocked=int(row.get("blocked") or 0), created_run=str(row.get("created_run") or ""),
                   updated_run=str(row.get("updated_run") or ""))


# ---------------------------------------------------------------- evidence


def harm_of(observation: Observation, baseline: Observation) -> Harm | None | bool:
    """What a variant's observation says about its edits: a ``Harm``, ``None`` (harmless), or ``False``
    (no evidence: an edit that did not apply, a principle the config may change, a repair that fixed
    some tests while breaking others)."""
    status = observation.status
    if status == Status.TESTS_FAILED and not observation.tests:
        return False  # pytest itself stopped: no test says what the edit did
    if status == Status.REJECTED:
        return Harm("compile", observation.reason[:200]) if observation.gate == "compile" else False
    if status == Status.CRASHED:
        return Harm("crash", observation.reason[:200])
    if status == Status.OUT_OF_MEMORY:
        return Harm("out of memory", observation.reason[:200])
    if status == Status.TIMED_OUT:
        return Harm("timeout", observation.reason[:200])
    bad = (TEST_FAILED, TEST_ERROR)
    broken = tuple(sorted(t for t, o in observation.tests.items() if o in bad and baseline.tests.get(t) == TEST_PASSED))
    fixed = any(o == TEST_PASSED and baseline.tests.get(t) in bad for t, o in observation.tests.items())
    if broken:
        return False if fixed else Harm("tests", observation.reason[:200], broken)
    return None
