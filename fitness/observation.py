"""What one evaluation observed: the record that crosses the evaluation boundary.

Nothing raises across that boundary: an evaluation always returns an
``Observation`` with a ``Status`` (ordered, worst first) and the gate or signal
that stopped it. Objectives turn observations into figures and scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Status(IntEnum):
    """How far a variant got. Ordered: a higher status is always better."""

    CRASHED = 0
    OUT_OF_MEMORY = 1
    TIMED_OUT = 2
    REJECTED = 3  # stopped by a static gate (parse, compile, principles)
    TESTS_FAILED = 4
    PASSED = 5


TEST_PASSED = "passed"
TEST_FAILED = "failed"
TEST_ERROR = "error"
TEST_SKIPPED = "skipped"


@dataclass(frozen=True)
class Observation:
    """Everything an evaluation saw of one variant (or of the baseline).

    ``sources`` holds every target file's text as the variant has it (changed
    or not), so static objectives need nothing else. ``cpu_times`` are the
    variant's benchmark samples and ``baseline_cpu_times`` the baseline's,
    measured interleaved with them in the same place.
    """

    status: Status
    gate: str | None = None
    reason: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)
    tests: Mapping[str, str] = field(default_factory=dict)
    test_durations: Mapping[str, float] = field(default_factory=dict)
    coverage: float | None = None
    cpu_times: tuple[float, ...] = ()
    baseline_cpu_times: tuple[float, ...] = ()
    principles: Mapping[str, bool] = field(default_factory=dict)
    seconds: float = 0.0
    cached: bool = False
    tests_seconds: float = 0.0
    """Wall seconds the test run took (the baseline's sets the variants' adaptive deadline)."""
    executed_lines: Mapping[str, frozenset[int]] = field(default_factory=dict)
    """Per target file, the lines the tests executed (coverage.py); measured on the slow path, used from the
    baseline's observation by the static objectives (``fitness.units``)."""

    @property
    def tests_passed(self) -> int:
        return sum(1 for o in self.tests.values() if o == TEST_PASSED)

    @property
    def tests_run(self) -> int:
        return sum(1 for o in self.tests.values() if o != TEST_SKIPPED)

    @property
    def pass_rate(self) -> float:
        run = self.tests_run
        return self.tests_passed / run if run else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.name.lower(),
            "gate": self.gate,
            "reason": self.reason,
            "tests": dict(self.tests),
            "test_durations": dict(self.test_durations),
            "coverage": self.coverage,
            "cpu_times": list(self.cpu_times),
            "baseline_cpu_times": list(self.baseline_cpu_times),
            "principles": dict(self.principles),
            "seconds": self.seconds,
            "cached": self.cached,
            "tests_seconds": self.tests_seconds,
            "executed_lines": {f: sorted(lines) for f, lines in self.executed_lines.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], sources: Mapping[str, str] | None = None) -> Observation:
        return cls(
            status=Status[str(data["status"]).upper()],
            gate=data.get("gate"),
            reason=data.get("reason", ""),
            sources=dict(sources or {}),
            tests=dict(data.get("tests") or {}),
            test_durations=dict(data.get("test_durations") or {}),
            coverage=data.get("coverage"),
            cpu_times=tuple(data.get("cpu_times") or ()),
            baseline_cpu_times=tuple(data.get("baseline_cpu_times") or ()),
            principles=dict(data.get("principles") or {}),
            seconds=float(data.get("seconds") or 0.0),
            cached=bool(data.get("cached")),
            tests_seconds=float(data.get("tests_seconds") or 0.0),
            executed_lines={f: frozenset(lines) for f, lines in (data.get("executed_lines") or {}).items()},
        )
