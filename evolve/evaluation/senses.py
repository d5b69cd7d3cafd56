"""The baseline's senses: which lines each test runs, and where the benchmark spends its time.

Measured once per run, at baseline, in sandboxed children (``child/_senses.py``)
in a copy of the snapshot; nothing of the project runs in the engine. The
record (``Senses``) goes to the run folder as ``senses.json`` and is read back
on resume, so a resumed run draws its edits with the same weights.

Coverage per test: one pytest run under coverage.py, one dynamic context per
test switched by a pytest plugin (exact node ids), surviving a trace hook that
CPython drops after a ``RecursionError`` (the child re-installs it and names
the test whose lines are cut short, ``Senses.partial``).

Profile: a statistical profiler on ``ITIMER_PROF``, the approach of py-spy,
pyinstrument and Austin (sample the stack at a fixed rate rather than hook every
call), chosen because it costs the same on every line, so it does not distort
what it measures the way a deterministic hook does for call-heavy code (cProfile
charges each call its hook's overhead, a Python line tracer every line), it
yields lines and functions from the same samples (every target frame on the
stack: inclusive time per line and per function; the deepest: self time), it
ticks on CPU time as the performance fitness does, and no hook is left for a
``RecursionError`` to remove. The price: a tick lands where the interpreter next
checks for signals (a call, a loop's back edge), so within a loop body without
calls the samples gather on one line; ``evolve.search.attention`` spreads a
sample over the innermost loop around it. Only for improve mode with a
``callable`` or ``pytest`` benchmark; a ``command`` benchmark is not profiled
(a note says so): its processes are not Python the sampler can enter.

Nothing here raises for what the project does: a measurement that fails
leaves its part empty and says why in ``notes``.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from evolve.errors import exception_line
from evolve.evaluation.child import script
from evolve.evaluation.jobs import EvaluationContext, pytest_args
from evolve.evaluation.sandbox import RESULT_FD, Completed, Limits, hand_over, run_sandboxed

__all__ = ["OUTSIDE_TESTS", "Crash", "Profile", "Senses", "measure_senses", "test_seconds_for"]

_SENSES = script("_senses")
OUTSIDE_TESTS = ""
"""The coverage context of lines run outside every test (imports while pytest collects)."""
FORMAT = 1
PROFILE_SECONDS = 5.0
"""Wall-time budget of the profile (it stops earlier once it has ``PROFILE_SAMPLES`` samples)."""
PROFILE_SAMPLES = 200
TEST_RUN_FACTOR = 3
"""The coverage run may take this many times ``tests.timeout`` (per-test contexts slow the tracer)."""

Frame = tuple[int, int]
"""A sampled frame: (line, index into ``Profile.functions``)."""


@dataclass(frozen=True)
class Profile:
    """Where the benchmark spent its CPU time, as sampled stacks of the target files' frames.

    ``functions``: (file, qualified name, first line) per function seen.
    ``stacks``: (samples, frames deepest first, each (file, line, function) once).
    ``samples``: every tick while the benchmark ran (with or without a
    target frame on the stack); ``dropped``: ticks of the rarest stacks not kept.
    """

    kind: str
    samples: int
    rounds: int
    functions: tuple[tuple[str, str, int], ...]
    stacks: tuple[tuple[int, tuple[Frame, ...]], ...]
    dropped: int = 0
    error: str | None = None

    @cached_property
    def target_samples(self) -> int:
        """Ticks with a target file's frame on the stack: the time the edits can change."""
        return sum(count for count, _ in self.stacks)

    def function_samples(self) -> dict[tuple[str, str], tuple[int, int, int]]:
        """(file, qualname) -> (inclusive ticks, self ticks, first line)."""
        found: dict[tuple[str, str], list[int]] = {}
        for count, frames in self.stacks:
            for n, fn in enumerate(dict.fromkeys(fn for _, fn in frames)):
                file, name, first = self.functions[fn]
                entry = found.setdefault((file, name), [0, 0, first])
                entry[0] += count
                if n == 0:
                    entry[1] += count
        return {key: (a, b, c) for key, (a, b, c) in found.items()}

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "samples": self.samples, "rounds": self.rounds, "dropped": self.dropped,
                "error": self.error, "functions": [list(f) for f in self.functions],
                "stacks": [[count, [list(frame) for frame in frames]] for count, frames in self.stacks]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Profile:
        return cls(kind=str(data["kind"]), samples=int(data["samples"]), rounds=int(data["rounds"]),
                   functions=tuple((str(f), str(q), int(n)) for f, q, n in data["functions"]),
                   stacks=tuple((int(count), tuple((int(line), int(fn)) for line, fn in frames))
                                for count, frames in data["stacks"]),
                   dropped=int(data.get("dropped") or 0), error=data.get("error"))


@dataclass(frozen=True)
class Crash:
    """Where a failing test's exception left the target files: ``file`` and ``line`` (1-based) of the
    innermost frame in one of them, ``error``, the exception as one line (``TypeError: ...``; a test
    that hung says ``TestDeadline: ...`` and ``line`` is where its deadline interrupted it), and
    ``nones``, the variables of that frame that held ``None`` (none for a generator's frame, a
    generator expression's too: its variables are gone once it raised)."""

    file: str
    line: int
    error: str
    nones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Senses:
    """What the baseline showed: outcomes and lines per test, and the benchmark's profile.

    ``lines``: coverage context (a test's node id, or ``OUTSIDE_TESTS``) ->
    target file -> lines run. ``partial``: tests whose tracing was lost (and
    re-installed after them): their lines are those run before. ``measured``:
    the coverage run gave a record; when False nothing is known about which
    code the tests run (``notes`` says why) and nothing may be judged untested.
    ``crashes``: failing test's node id -> its ``Crash`` (tests whose exception
    never passed through a target file have none).
    """

    files: tuple[str, ...]
    outcomes: Mapping[str, str] = field(default_factory=dict)
    lines: Mapping[str, Mapping[str, frozenset[int]]] = field(default_factory=dict)
    partial: tuple[str, ...] = ()
    profile: Profile | None = None
    notes: tuple[str, ...] = ()
    measured: bool = False
    core: str = ""
    crashes: Mapping[str, Crash] = field(default_factory=dict)

    def executed(self, file: str) -> frozenset[int]:
        """Lines of ``file`` that ran while the tests ran (in a test, or at import)."""
        return frozenset().union(*(per.get(file, frozenset()) for per in self.lines.values()))

    def tests_by_line(self, file: str) -> dict[int, frozenset[str]]:
        """Line -> the tests that ran it (lines run at import count for every test that ran)."""
        everyone = frozenset(n for n, o in self.outcomes.items() if o != "skipped")
        found: dict[int, set[str]] = {}
        for context, per in self.lines.items():
            for line in per.get(file, ()):
                found.setdefault(line, set()).update(everyone if context == OUTSIDE_TESTS else (context,))
        return {line: frozenset(tests) for line, tests in found.items()}

    def crashes_in(self, file: str) -> dict[int, tuple[str, ...]]:
        """Line of ``file`` -> the errors (one line each, sorted, distinct) of the failing tests whose
        exception left the target files there."""
        found: dict[int, set[str]] = {}
        for crash in self.crashes.values():
            if crash.file == file:
                found.setdefault(crash.line, set()).add(crash.error)
        return {line: tuple(sorted(errors)) for line, errors in found.items()}

    def nones_in(self, file: str) -> dict[int, frozenset[str]]:
        """Line of ``file`` -> the variables that held ``None`` in the frames that crashed there."""
        found: dict[int, frozenset[str]] = {}
        for crash in self.crashes.values():
            if crash.file == file and crash.nones:
                found[crash.line] = found.get(crash.line, frozenset()) | frozenset(crash.nones)
        return found

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "files": list(self.files), "measured": self.measured, "core": self.core,
                "outcomes": dict(self.outcomes), "partial": list(self.partial), "notes": list(self.notes),
                "crashes": {n: {"file": c.file, "line": c.line, "error": c.error, "nones": list(c.nones)}
                            for n, c in self.crashes.items()},
                "lines": {ctx: {f: sorted(ls) for f, ls in per.items()} for ctx, per in self.lines.items()},
                "profile": None if self.profile is None else self.profile.to_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Senses:
        profile = data.get("profile")
        return cls(files=tuple(data["files"]), outcomes=dict(data.get("outcomes") or {}),
                   lines={ctx: {f: frozenset(int(n) for n in ls) for f, ls in per.items()}
                          for ctx, per in (data.get("lines") or {}).items()},
                   partial=tuple(data.get("partial") or ()), notes=tuple(data.get("notes") or ()),
                   profile=None if profile is None else Profile.from_json(profile),
                   measured=bool(data.get("measured")), core=str(data.get("core") or ""),
                   crashes=_crashes(data.get("crashes"), tuple(data["files"])))


# ---------------------------------------------------------------- measuring


def measure_senses(ctx: EvaluationContext, profile: bool, test_seconds: float | None = None,
                   core: str | None = None, profile_seconds: float = PROFILE_SECONDS,
                   profile_samples: int = PROFILE_SAMPLES) -> Senses:
    """Measure coverage per test and, with ``profile`` and a benchmark in ``ctx``, the benchmark's profile.

    ``test_seconds`` bounds each test's call phase (a test that hangs fails
    instead of costing the measurement); ``core`` forces coverage's tracer
    (``pytrace``: the pure-Python one, which CPython drops after a
    ``RecursionError``; None: the C tracer where built). Never raises for what
    the project does.
    """
    workspace = Path(tempfile.mkdtemp(prefix="senses-", dir=ctx.scratch))
    try:
        project = workspace / "project"
        shutil.copytree(ctx.snapshot, project, symlinks=True)
        hand_over(workspace)
        senses = _sense_tests(ctx, workspace, project, test_seconds, core)
        if profile and ctx.benchmark is not None:
            found, note = _sense_profile(ctx, workspace, project, profile_seconds, profile_samples)
            senses = replace(senses, profile=found, notes=senses.notes + ((note,) if note else ()))
        return senses
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _cover_args(ctx: EvaluationContext) -> list[str]:
    return [arg for file in ctx.files for arg in ("--cover", file)]


def _sense_tests(ctx: EvaluationContext, workspace: Path, project: Path, test_seconds: float | None,
                 core: str | None) -> Senses:
    argv = [sys.executable, str(_SENSES), "tests", "--result-fd", str(RESULT_FD), *_cover_args(ctx)]
    if core:
        argv += ["--core", core]
    if test_seconds:
        argv += ["--test-seconds", f"{test_seconds:.3f}"]
    argv += ["--", *pytest_args(ctx)]
    wall = ctx.limits.wall_seconds * TEST_RUN_FACTOR
    limits = replace(ctx.limits, wall_seconds=wall, cpu_seconds=wall)
    done = run_sandboxed(argv, cwd=project, limits=limits, isolation=ctx.sandbox(workspace), result=True)
    record, problem = _record(done, "the coverage run")
    files = tuple(ctx.files)
    if record is None or not record.get("outcomes"):
        why = problem or (f"pytest ran no test ({record.get('error') or 'exit code ' + str(record.get('exit_code'))})"
                          if record else "no record")
        return Senses(files=files, notes=(f"coverage per test not measured: {why}; every site may be edited",))
    lines = {str(ctx_): {str(f): frozenset(int(n) for n in ls) for f, ls in per.items()}
             for ctx_, per in (record.get("lines") or {}).items()}
    partial = tuple(str(n) for n in record.get("partial") or ())
    notes: tuple[str, ...] = ()
    if partial:
        lost = (f"coverage tracing was lost in {len(partial)} test(s) and re-installed after them "
                f"(first: {partial[0]}); their lines are those run before")
        notes = (lost,)
    return Senses(files=files, outcomes={str(k): str(v) for k, v in record["outcomes"].items()}, lines=lines,
                  partial=partial, notes=notes, measured=True, core=str(record.get("core") or ""),
                  crashes=_crashes(record.get("crashes"), files))


def _crashes(found: Any, files: tuple[str, ...]) -> dict[str, Crash]:
    """The crashes of a child's record or of ``senses.json`` in the target ``files``: an entry that is not
    ``{file, line, error[, nones]}`` is left out (the record comes from a process the project's code ran
    in; the file may have been edited)."""
    crashes: dict[str, Crash] = {}
    for nodeid, crash in (found.items() if isinstance(found, dict) else ()):
        try:
            made = Crash(str(crash["file"]), int(crash["line"]), str(crash["error"]),
                         tuple(str(n) for n in crash.get("nones") or ()))
        except (KeyError, TypeError, ValueError):
            continue
        if made.file in files:
            crashes[str(nodeid)] = made
    return crashes


def _sense_profile(ctx: EvaluationContext, workspace: Path, project: Path, seconds: float,
                   samples: int) -> tuple[Profile | None, str | None]:
    spec = ctx.benchmark
    assert spec is not None
    if spec.kind == "command":
        return None, "profile not taken: a command benchmark runs outside the sampler's reach"
    per_round = max(1.0, ctx.limits.wall_seconds)
    argv = [sys.executable, str(_SENSES), "profile", "--result-fd", str(RESULT_FD), *_cover_args(ctx),
            "--kind", spec.kind, "--target", spec.target, "--number", str(spec.number),
            "--seconds", f"{seconds:g}", "--min-samples", str(samples), "--round-seconds", f"{per_round:g}"]
    wall = seconds + 2 * per_round + 10
    limits = replace(ctx.limits, wall_seconds=wall, cpu_seconds=math.inf)
    done = run_sandboxed(argv, cwd=project, limits=limits, isolation=ctx.sandbox(workspace), result=True)
    record, problem = _record(done, "the profile")
    if record is None:
        return None, f"profile not taken: {problem}"
    if record.get("error") and not record.get("stacks"):
        return None, f"profile not taken: the benchmark failed ({record['error']})"
    files = list(record.get("files") or ctx.files)
    functions = tuple((files[int(f)], str(q), int(n)) for f, q, n in record.get("functions") or ())
    stacks = tuple((int(count), tuple((int(line), int(fn)) for _, line, fn in frames))
                   for count, frames in record.get("stacks") or ())
    found = Profile(kind=spec.kind, samples=int(record.get("samples") or 0), rounds=int(record.get("rounds") or 0),
                    functions=functions, stacks=stacks, dropped=int(record.get("dropped") or 0),
                    error=record.get("error"))
    if found.target_samples == 0:
        return found, (f"the profile saw no time in the target files ({found.samples} samples); "
                       "sites are weighted as if the benchmark ran none of them")
    return found, None


def _record(done: Completed, what: str) -> tuple[dict[str, Any] | None, str | None]:
    """The child's JSON record, or None and why there is none."""
    if done.timed_out:
        return None, f"{what} did not finish within {done.wall_seconds:.0f} s"
    try:
        record = json.loads(done.result or b"")
    except (ValueError, RecursionError):
        record = None
    if isinstance(record, dict):
        return record, None
    said = exception_line(done.stderr or done.stdout)
    how = f"signal {done.signal}" if done.signal else f"exit code {done.returncode}"
    return None, f"{what} died ({said + '; ' if said else ''}{how})"


def test_seconds_for(durations: Mapping[str, float], limits: Limits) -> float:
    """A test's call phase may take, while senses are measured, 5 x the slowest baseline test plus a
    second, at least 2 s, at most the run's test limit."""
    slowest = max(durations.values(), default=0.0)
    return min(limits.wall_seconds, max(2.0, 5 * slowest + 1.0))
