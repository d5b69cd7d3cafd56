"""Behaviour on random inputs: a reference version's outcomes recorded once, variants compared against them.

Both steps run ``_oracle_child.py`` in a child process (see its docstring for
what is called and how outcomes compare); this process only reads the JSON
report the child writes, never the pickled outcomes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from benchmarks.quality.cases import Case
from benchmarks.quality.procs import python, run_contained

CHILD = Path(__file__).with_name("_oracle_child.py")
CALLS = 200
SEED = 20260101
STARTUP_SECONDS = 10.0  # allowance over call_timeout for interpreter start and imports


@dataclass(frozen=True)
class Reference:
    """A reference version's recorded outcomes: ``path`` of the pickle; ``calls``, ``raised``, ``timeouts`` counts."""

    path: Path
    calls: int
    raised: int
    timeouts: int


@dataclass(frozen=True)
class Comparison:
    """A variant against a reference: ``differ`` calls out of ``calls`` (all of them when the child
    failed, with ``error`` saying how), ``examples`` of differences in words."""

    calls: int
    differ: int
    examples: tuple[str, ...]
    error: str | None = None

    @property
    def same(self) -> bool:
        return self.error is None and self.differ == 0

    def describe(self) -> str:
        if self.error:
            return f"oracle: {self.error}"
        return f"oracle: {self.differ}/{self.calls} differ" + (f" (e.g. {self.examples[0]})" if self.examples else "")


class OracleError(RuntimeError):
    """The reference version could not be recorded (the case, not a variant, is at fault)."""


def record(case: Case, project: Path, work: Path) -> Reference:
    """Record the outcomes of ``project`` (a copy of the case's reference version) into ``work/reference.pickle``.

    Raises :class:`OracleError` when the child fails or any call times out.
    """
    ref = work / "reference.pickle"
    report, error = _run(case, project, work / "record.json", "--record", ref)
    if error is not None or report is None:
        raise OracleError(f"recording the reference failed: {error}")
    if report["timeouts"]:
        raise OracleError(f"the reference timed out on {report['timeouts']} of {report['calls']} calls "
                          f"within call_timeout={case.call_timeout:g} s")
    return Reference(ref, report["calls"], report["raised"], report["timeouts"])


def compare(case: Case, project: Path, reference: Reference, work: Path) -> Comparison:
    """Compare ``project`` (a variant copy) with ``reference``; the report goes to ``work/compare.json``."""
    report, error = _run(case, project, work / "compare.json", "--compare", reference.path)
    if error is not None or report is None:
        return Comparison(reference.calls, reference.calls, (), error)
    differ = int(report["differ"])
    if report["timeouts"]:
        return Comparison(report["calls"], differ, tuple(report["examples"]),
                          f"timed out on {report['timeouts']} calls; {differ}/{report['calls']} differ")
    return Comparison(report["calls"], differ, tuple(report["examples"]))


def _run(case: Case, project: Path, report: Path, mode: str, ref: Path) -> tuple[dict | None, str | None]:
    """Run the child; (its JSON report, None) or (None, what went wrong)."""
    argv = python("-P", str(CHILD), str(project), str(case.oracle.resolve()), str(CALLS), str(SEED),
                  str(case.call_timeout), str(report), mode, str(ref))
    report.unlink(missing_ok=True)
    done = run_contained(argv, project, case.call_timeout + STARTUP_SECONDS)
    if done.timed_out:
        return None, f"killed after {done.seconds:.1f} s"
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return None, f"no report ({last[:200]})"
    if not isinstance(data, dict) or not {"calls", "raised", "timeouts"} <= data.keys():
        return None, "malformed report"
    return data, None
