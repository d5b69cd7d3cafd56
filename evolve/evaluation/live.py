"""The client of the live test server (``_liveserver.py``): the fast path, one per worker process.

A worker's first fast job starts its server in a copy of the baseline project
that this worker owns (the server imports the project), asks it to profile the
baseline (which target functions each test calls, its outcome and duration),
and checks the profile against a reference: the baseline evaluated the slow
way, in this worker. Any disagreement (a test whose outcome differs, a test
that starts processes or reloads a target module, a collection error, a
server that does not start) switches the fast path off for this worker, and
every job takes the slow path: correctness first.

Per variant the server runs every collected test, in collection order, in a
forked child with the changes made (code swapped in, names rebound; see
``router``): the verdict equals a fresh ``python -m pytest``'s, shared state
and test order included (no test is assumed unaffected; see ``plan``). The
fast path is off for a project whose tests start processes, re-execute a
target module or read a target file's source. A variant the client cannot
plan for returns None and the caller takes the slow path: its change touches a function that ran while the
session was collected or that a live generator still executes, it wraps a
function that something other than a module-level name holds, or it rebinds
a constant that another file of the project mentions. So does a variant
whose code starts a process (the child says so the moment it happens): a
new process would see the baseline's files, and forked ones run on with the
child's state.

Coverage: the live path reports the baseline's coverage figure (coverage is
reported, never scored; the slow path, where the variant's module is rebuilt,
still measures it).

Screening (``EvaluationContext.screening``): the tests run in collection order
and the child stops at the first failure; the tests it did not reach are
reported as failed. A variant that passes has run all of them either way.
"""

from __future__ import annotations

import atexit
import base64
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from evolve.evaluation._client import ServerProcess
from evolve.evaluation.child import script
from evolve.evaluation.router import Swap
from evolve.evaluation.sandbox import Completed, Isolation, Limits, child_spec, sandbox_env
from fitness.observation import TEST_ERROR, TEST_FAILED, TEST_PASSED, TEST_SKIPPED, Observation, Status

__all__ = ["LiveClient", "LiveProfile", "close_live_clients", "live_client"]

SERVER = script("_liveserver")
START_SECONDS = 120.0
GRACE_SECONDS = 30.0
PROFILE_SECONDS = 300.0
UNSAFE_PYTEST_ARGS = frozenset({"-x", "--exitfirst", "--maxfail", "--sw", "--stepwise", "--lf", "--last-failed",
                                "--ff", "--failed-first", "--nf", "--new-first", "-n", "--numprocesses",
                                "--pdb", "--trace"})
"""pytest options whose run depends on more than each test alone (stop early, reorder, distribute)."""

Function = tuple[str, str]
"""A target function: (file, qualified name)."""


class LiveContext(Protocol):
    """What the client reads of the evaluator's context."""

    snapshot: Path
    files: tuple[str, ...]
    test_args: tuple[str, ...]
    coverage: bool
    limits: Limits
    scratch: Path


@dataclass(frozen=True)
class LiveProfile:
    """What the baseline profile run established, in collection order."""

    tests: tuple[str, ...]
    outcomes: Mapping[str, str]
    durations: Mapping[str, float]
    calls: Mapping[str, frozenset[Function]]
    everywhere: frozenset[Function]
    """Functions called in fixtures or outside any test: changing one runs every test."""
    unswappable: frozenset[Function]
    """Functions that ran while the session was collected, or that live generators execute."""
    functions: Mapping[str, frozenset[str]]
    rebindable: frozenset[Function]
    """Module-level functions only module namespaces hold: a variant may wrap them."""
    mentioned: frozenset[str]
    """Words in the project's other files: a constant they mention is never rebound here."""
    coverage: float | None

    def plan(self, swap: Mapping[str, Swap], screening: bool) -> list[str] | None:
        """The tests to run for a variant making the changes ``swap`` lists, in order; None: not here.

        Every collected test, in collection order, as a fresh ``python -m
        pytest`` runs them: which tests "cannot change" is not provable with
        shared state (a cache hit runs no Python frame, a registry is read by a
        test that calls no target function, a test needs what an earlier one
        left, and CPython drops a profile hook after a RecursionError), so none
        is skipped. ``screening`` keeps the order and only stops at the first
        failure. None when the change cannot be made in the live session.
        """
        changed = {(file, name) for file, change in swap.items() for name in change.touched}
        if changed & self.unswappable:
            return None
        if any(name not in self.functions.get(file, ()) for file, name in changed):
            return None
        for file, change in swap.items():
            if any((file, name) not in self.rebindable for name in change.cached):
                return None
            if any(name in self.mentioned for name, _ in change.constants):
                return None
        return list(self.tests)


@dataclass
class LiveStats:
    """What this client did: variants run, planned without a child, sent back to the slow path."""

    ran: int = 0
    no_tests: int = 0
    declined: int = 0
    restarts: int = 0
    disabled: str = ""
    tests_run: int = 0


class _Server(ServerProcess):
    """One ``_liveserver.py`` process: start, ask (``ServerProcess.ask``), stop."""

    def __init__(self, home: Path, ctx: LiveContext, pytest_args: tuple[str, ...]) -> None:
        super().__init__()
        self.home, self.ctx, self.pytest_args = home, ctx, pytest_args
        self.project = home / "project"
        self.ready: dict[str, Any] = {}

    def start(self) -> dict[str, Any]:
        argv = [sys.executable, str(SERVER), *(a for f in self.ctx.files for a in ("--target", f))]
        argv += ["--", *self.pytest_args]
        sandbox = getattr(self.ctx, "sandbox", None)  # the isolation level around the server, if any
        if sandbox is not None:
            argv = sandbox(self.home).wrap(argv, server=True)
        answer = self.spawn(argv, self.project, sandbox_env(self.home), START_SECONDS)
        if not isinstance(answer, dict) or not answer.get("ready"):
            reason = answer.get("reason") if isinstance(answer, dict) else None
            self.close()
            raise RuntimeError(f"the live test server did not start: {reason or 'no answer'}")
        self.ready = answer
        return answer


Reference = Callable[[], Observation]
"""Evaluates the baseline the slow way (in this worker); the profile must agree with it."""


class LiveClient:
    """The fast path of one worker process for one run's context."""

    def __init__(self, ctx: LiveContext, home: Path, pytest_args: tuple[str, ...]) -> None:
        self.ctx = ctx
        self.home = home
        self.server = _Server(home, ctx, pytest_args)
        self.profile: LiveProfile | None = None
        self.stats = LiveStats()
        self._started = False
        self._var = home / "variant"
        self._isolation: dict[Limits, dict[str, Any]] = {}

    # ------------------------------------------------------------ lifecycle

    def ensure(self, reference: Reference) -> bool:
        """Start (or restart) the server and profile the baseline once; False if the fast path is off."""
        if self.stats.disabled:
            return False
        if self._started and self.server.alive:
            return True
        try:
            if not self._started:
                self._start(reference)
            else:
                self.stats.restarts += 1
                self._check_ready(self.server.start())
        except (RuntimeError, OSError, ValueError, KeyError) as exc:
            self.stats.disabled = str(exc)[:300]
            self.server.close()
            return False
        return True

    def _start(self, reference: Reference) -> None:
        self._started = True
        unsafe = sorted({a.split("=")[0] for a in self.server.pytest_args} & UNSAFE_PYTEST_ARGS)
        if unsafe:
            raise RuntimeError(f"pytest options {', '.join(unsafe)} make a test's outcome depend on others")
        self.home.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.ctx.snapshot, self.server.project, symlinks=True)
        self._var.mkdir()
        self._env = sandbox_env(self._var)
        ready = self.server.start()
        answer = self.server.ask(self._request("profile"), PROFILE_SECONDS)
        if answer is None:
            raise RuntimeError("the live test server died while profiling the baseline")
        self.profile = _agree(_profile_from(ready, answer), _settled(reference))

    def _check_ready(self, ready: Mapping[str, Any]) -> None:
        assert self.profile is not None
        if tuple(ready.get("tests") or ()) != self.profile.tests:
            raise RuntimeError("the restarted live server collected other tests")

    def close(self) -> None:
        self.server.close()

    # ------------------------------------------------------------ variants

    def run(self, sources: Mapping[str, str], swap: Mapping[str, Swap], limits: Limits,
            screening: bool = False) -> tuple[Completed, dict[str, Any] | None] | None:
        """Run a variant's covering tests with its changes made in the live session.

        Returns how the child ended and the runner-style record (None when the
        child died before finishing), or None when this variant needs the
        slow path. Call ``ensure`` first.
        """
        profile = self.profile
        assert profile is not None
        tests = profile.plan(swap, screening)
        if tests is None:
            self.stats.declined += 1
            return None
        if not tests:
            self.stats.no_tests += 1
            return Completed(0, None, False, "", "", 0.0, 0.0), self._record(profile, [])
        self._clean_var()
        request = self._request("run", sources={f: sources[f] for f in swap}, tests=tests,
                                swap={f: _change(c) for f, c in swap.items()},
                                screen=screening, limits=limits)
        answer = self.server.ask(request, limits.wall_seconds + GRACE_SECONDS)
        if answer is None:  # the server is stopped; ``ensure`` starts another for the next variant
            return Completed(1, None, False, "", "the live test server died while running this variant",
                             0.0, 0.0), None
        planned = set(tests)
        records = [r for r in answer.get("records") or () if isinstance(r, dict)]
        last = records[-1] if records else {}
        if "swap_failed" in last or any("spawned" in r for r in records):
            self.stats.declined += 1  # not expressible here, or the variant started processes
            return None
        ran = [r for r in records if r.get("test") in planned and isinstance(r.get("outcome"), str)]
        self.stats.ran += 1
        self.stats.tests_run += len(ran)
        completed = Completed(
            returncode=answer["returncode"], signal=answer["signal"], timed_out=answer["timed_out"],
            stdout="", stderr=answer.get("output", ""), wall_seconds=answer["wall_seconds"],
            cpu_seconds=answer["cpu_seconds"], over_disk=bool(answer.get("over_disk")),
        )
        if not last.get("done") or answer["timed_out"]:
            return completed, None
        reached = {r["test"] for r in ran}
        unreached = [] if last.get("complete") else [t for t in tests if t not in reached]
        stop = next((r for r in records if r.get("interrupted") in planned), None)
        if stop is not None:  # the session stopped there: nothing after it ran, pytest exits with 2
            at = profile.tests.index(stop["interrupted"])
            ran.append({"test": stop["interrupted"], "outcome": str(stop.get("outcome", TEST_ERROR))})
            return completed, {**self._record(profile, ran, (), profile.tests[at + 1:]), "exit_code": 2}
        return completed, self._record(profile, ran, unreached)

    def _record(self, profile: LiveProfile, ran: list[dict[str, Any]], unreached: Iterable[str] = (),
                lost: Iterable[str] = ()) -> dict[str, Any]:
        """The record ``_testrunner`` would write: baseline outcomes, overlaid with what ran.

        ``unreached`` covering tests (screening stopped first) count as failed,
        ``lost`` tests (the session was interrupted before them) as errors,
        which is what a fresh run's record says of tests that never ran.
        """
        tests = dict(profile.outcomes)
        durations = dict(profile.durations)
        memory_errors = []
        for record in ran:
            tests[record["test"]] = record["outcome"]
            durations[record["test"]] = float(record.get("duration") or 0.0)
            if record.get("memory_error"):
                memory_errors.append(record["test"])
        for name in unreached:
            tests[name] = TEST_FAILED
        for name in lost:
            tests[name] = TEST_ERROR
        failing = any(o not in (TEST_PASSED, TEST_SKIPPED) for o in tests.values())
        return {"exit_code": 1 if failing else 0, "collected": len(tests), "tests": tests,
                "durations": durations, "coverage": profile.coverage, "collection_errors": [],
                "memory_errors": memory_errors}

    def _request(self, kind: str, limits: Limits | None = None, **fields: Any) -> dict[str, Any]:
        limits = limits or self.ctx.limits
        if limits not in self._isolation:  # computed once: reading the user database costs per call
            sandbox = getattr(self.ctx, "sandbox", None)
            walls = sandbox(self.home) if sandbox is not None else Isolation()
            # only the variant's HOME and TMPDIR are writable (a private copy under bwrap), never the live project
            self._isolation[limits] = child_spec(walls, limits, writable=[self._var])
        wall = PROFILE_SECONDS if kind == "profile" else limits.wall_seconds
        return {"kind": kind, "env": self._env, "output": str(self._var / "output.txt"),
                **self._isolation[limits], "wall_seconds": wall, **fields}

    def _clean_var(self) -> None:
        """Empty HOME and TMPDIR if the last variant left anything there (each variant starts clean)."""
        for name in (".home", ".tmp"):
            folder = self._var / name
            try:
                dirty = any(os.scandir(folder))
            except OSError:
                dirty = True
            if dirty:
                shutil.rmtree(folder, ignore_errors=True)
                self._env = sandbox_env(self._var)


def _change(change: Swap) -> dict[str, Any]:
    return {"functions": list(change.functions), "constants": [list(c) for c in change.constants],
            "cached": list(change.cached), "imports": list(change.imports),
            "code": base64.b64encode(change.code).decode("ascii")}


def _functions(pairs: Iterable[Iterable[str]]) -> frozenset[Function]:
    return frozenset((str(f), str(q)) for f, q in pairs)


def _profile_from(ready: Mapping[str, Any], answer: Mapping[str, Any]) -> LiveProfile:
    """Read the server's start message and its profile answer; RuntimeError when the fast path is unsafe."""
    records = answer.get("records") or []
    last = records[-1] if records else {}
    if not last.get("done"):
        raise RuntimeError(f"the baseline profile did not finish: {answer.get('output', '')[-300:]}")
    if last.get("spawned"):
        raise RuntimeError(f"tests start processes ({last['spawned'][0]}), which would import the baseline")
    if last.get("reloaded"):
        raise RuntimeError(f"tests re-execute a target module ({last['reloaded'][0]})")
    if last.get("read_sources"):
        raise RuntimeError(f"tests read a target file's source ({last['read_sources'][0]}), which would be "
                           "the baseline's in the live session")
    ran = [r for r in records if "test" in r]
    tests = tuple(r["test"] for r in ran)
    if tests != tuple(ready.get("tests") or ()):
        raise RuntimeError("the profile ran other tests than the session collected")
    everywhere = set(_functions(last.get("outside_calls") or ()))
    for record in ran:
        everywhere |= _functions(record.get("fixture_calls") or ())
    return LiveProfile(
        tests=tests,
        outcomes={r["test"]: r["outcome"] for r in ran},
        durations={r["test"]: float(r["duration"]) for r in ran},
        calls={r["test"]: _functions(r.get("calls") or ()) for r in ran},
        everywhere=frozenset(everywhere),
        unswappable=_functions(ready.get("import_calls") or ()) | _functions(ready.get("pinned") or ()),
        functions={f: frozenset(names) for f, names in (ready.get("functions") or {}).items()},
        rebindable=_functions(ready.get("rebindable") or ()),
        mentioned=frozenset(ready.get("mentioned") or ()),
        coverage=None,
    )


def _settled(reference: Reference, attempts: int = 3) -> Observation:
    """The baseline's reference run, tried again if it crashed or timed out.

    A baseline whose tests ran cannot crash by itself; the machine can (no
    process left for the sandbox user, say). Turning the fast path off for
    that would make a run's figures depend on the moment it started.
    """
    observed = reference()
    for _ in range(attempts - 1):
        if observed.status in (Status.PASSED, Status.TESTS_FAILED):
            break
        observed = reference()
    return observed


def _agree(profile: LiveProfile, reference: Observation) -> LiveProfile:
    """The profile, if it sees the baseline exactly as the slow path does (else RuntimeError)."""
    if reference.status not in (Status.PASSED, Status.TESTS_FAILED):
        raise RuntimeError(f"the reference run of the baseline {reference.status.name.lower()}: {reference.reason}")
    if dict(reference.tests) != dict(profile.outcomes):
        differ = sorted(set(reference.tests.items()) ^ set(profile.outcomes.items()))
        raise RuntimeError(f"the live session sees the baseline differently ({differ[0][0]})")
    return replace(profile, coverage=reference.coverage)


# ---------------------------------------------------------------- registry

_CLIENTS: dict[tuple[Any, ...], LiveClient] = {}


def live_client(ctx: LiveContext, pytest_args: tuple[str, ...]) -> LiveClient:
    """This process's client for this context (one live server per worker process and run)."""
    key = (ctx.scratch, ctx.snapshot, ctx.files, pytest_args, ctx.coverage, os.getpid())
    client = _CLIENTS.get(key)
    if client is None:
        home = ctx.scratch / f"live-{os.getpid()}-{len(_CLIENTS)}"
        client = _CLIENTS[key] = LiveClient(ctx, home, pytest_args)
    return client


def close_live_clients(folders: Iterable[Path] | None = None) -> int:
    """Stop this process's live servers (those under ``folders``, or all); how many."""
    roots = None if folders is None else [Path(f) for f in folders]
    keys = [k for k, c in _CLIENTS.items() if roots is None or any(c.home.is_relative_to(r) for r in roots)]
    for key in keys:
        _CLIENTS.pop(key).close()
    return len(keys)


atexit.register(close_live_clients)
