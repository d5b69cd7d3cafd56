"""A case's test suite, run fresh: ``python -m pytest tests`` in a project copy, in a child process with a timeout.

Third-party pytest plugins are not auto-loaded (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``):
the corpus's suites are plain pytest, and importing e.g. hypothesis's plugin
alone costs about two seconds per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.quality.procs import child_env, python, run_contained


@dataclass(frozen=True)
class SuiteResult:
    """``passed`` when pytest exited 0 within the timeout; ``timed_out`` when it was killed;
    ``seconds`` of wall time; ``summary`` pytest's last line (or why there is none)."""

    passed: bool
    timed_out: bool
    seconds: float
    summary: str

    def describe(self) -> str:
        if self.timed_out:
            return f"timed out after {self.seconds:.1f} s"
        return f"{'passed' if self.passed else 'failed'} ({self.summary})"


def run_suite(project: Path, timeout: float) -> SuiteResult:
    """Run the tests of the project copy ``project`` (stops at the first failure) within ``timeout`` seconds."""
    argv = python("-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--rootdir", str(project), "tests")
    done = run_contained(argv, project, timeout, env=child_env({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}))
    lines = [line for line in done.stdout.strip().splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else (done.stderr.strip().splitlines() or ["no output"])[-1]
    return SuiteResult(done.ok, done.timed_out, done.seconds, summary[:200])
