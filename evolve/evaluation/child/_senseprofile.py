"""``_senses.py profile``: where the benchmark spends its CPU time, by sampled stacks of the target files.

Loaded by path by ``_senses.py`` (standard library and pytest only, never
``evolve``); never run on its own.

A statistical profiler on ``ITIMER_PROF`` (process CPU time, what the
benchmark's fitness counts). At each tick the handler walks the interrupted
stack and keeps the frames of the target files, deepest first, once per
(file, line, function): the sample counts once for every line and function on
it, so a call line carries what its callee costs (inclusive time), and the
deepest target frame's line carries the time spent there and in library code
it called (self time). A frame stopped on an instruction without a line (a
loop's back edge, in CPython 3.11) counts at the line before it. A round
starts where a benchmark sample does, in a fresh fork that imports the
target: ``callable`` makes ``--number`` calls, again until the round has used
``ROUND_CPU_SECONDS`` (the kernel ticks CPU timers at its own rate, often
250 Hz, so a short benchmark needs several passes to be seen); ``pytest``
runs the one pytest-benchmark test with the timer on during its call phase.
Rounds repeat until ``--min-samples`` samples or ``--seconds`` of wall time.
Record: ``{"files": [...], "functions": [[file index, qualname, first
line]], "stacks": [[count, [[file index, line, function index], ...]]],
"samples": int, "rounds": int, "error": str|null}``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import select
import signal
import sys
import time
from collections import Counter
from typing import Any

MAX_STACKS = 20_000
"""Distinct sampled stacks kept (the rarest beyond this are dropped and counted in ``dropped``)."""
INTERVAL = 0.001
"""The profiler's tick in CPU seconds; the kernel rounds CPU timers up to its own tick (often 4 ms)."""
ROUND_CPU_SECONDS = 0.25
"""A ``callable`` round repeats the sample's calls until it has used this much CPU time."""


class Sampler:
    """Counts the target files' frames on the stack at every ``ITIMER_PROF`` tick."""

    def __init__(self, files: list[str]) -> None:
        self.files = {os.path.realpath(f): i for i, f in enumerate(files)}
        self.known: dict[str, int | None] = {}
        self.functions: dict[tuple[int, str, int], int] = {}
        self.stacks: Counter[tuple[tuple[int, int, int], ...]] = Counter()
        self.lines: dict[tuple[Any, int], int] = {}
        self.samples = 0

    def _file(self, filename: str) -> int | None:
        found = self.known.get(filename, -1)
        if found == -1:
            found = self.known[filename] = self.files.get(os.path.realpath(filename))
        return found

    def tick(self, signum: int, frame: Any) -> None:
        self.samples += 1
        seen: dict[tuple[int, int, int], None] = {}
        while frame is not None:
            code = frame.f_code
            fi = self._file(code.co_filename)
            if fi is not None:
                key = (fi, code.co_qualname, code.co_firstlineno)
                fn = self.functions.setdefault(key, len(self.functions))
                seen.setdefault((fi, frame.f_lineno or self._line_before(code, frame.f_lasti), fn), None)
            frame = frame.f_back
        if seen:
            self.stacks[tuple(seen)] += 1

    def _line_before(self, code: Any, offset: int) -> int:
        """The line of the last instruction before ``offset`` that has one.

        The interpreter runs signal handlers where it checks for them: at calls and at loops' back
        edges, and a back edge has no line of its own (CPython 3.11); the code just before it is
        the end of the loop's body."""
        key = (code, offset)
        found = self.lines.get(key)
        if found is None:
            found = code.co_firstlineno
            for start, _, line in code.co_lines():
                if start > offset:
                    break
                if line is not None:
                    found = line
            self.lines[key] = found
        return found

    def start(self) -> None:
        signal.signal(signal.SIGPROF, self.tick)
        signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_IGN)

    def take(self) -> dict[str, Any]:
        functions = sorted(self.functions.items(), key=lambda kv: kv[1])
        return {"samples": self.samples, "functions": [list(key) for key, _ in functions],
                "stacks": [[count, [list(frame) for frame in stack]] for stack, count in self.stacks.items()]}


def _round_callable(args: argparse.Namespace, sampler: Sampler) -> None:
    module_name, _, func_name = args.target.partition(":")
    func = getattr(importlib.import_module(module_name), func_name)
    clock = time.process_time
    start = clock()
    sampler.start()
    try:
        while True:  # at least one sample's worth of calls, more until the round has its CPU time
            for _ in range(args.number):
                func()
            if clock() - start >= ROUND_CPU_SECONDS:
                break
    finally:
        sampler.stop()


def _round_pytest(args: argparse.Namespace, sampler: Sampler) -> None:
    """One pytest session on the benchmark test, the sampler on only during its call phase."""
    import pytest

    class During:
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_call(self, item: Any) -> Any:
            sampler.start()
            try:
                yield
            finally:
                sampler.stop()

    class Guard:  # no xdist workers and no second tracer; pytest-benchmark times as it does when measured
        @pytest.hookimpl(hookwrapper=True)
        def pytest_cmdline_main(self, config: Any) -> Any:
            option, loaded = config.option, config.pluginmanager.hasplugin
            if loaded("xdist"):
                option.numprocesses, option.dist, option.tx = 0, "no", []
            if loaded("pytest_cov"):
                option.no_cov = True
            yield

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    code = pytest.main([args.target, "-q", "-p", "no:cacheprovider"], plugins=[During(), Guard()])
    if int(code) != 0:
        raise RuntimeError(f"the benchmark test did not pass (pytest exit code {int(code)})")


def _one_round(args: argparse.Namespace) -> dict[str, Any]:
    """A round in a fresh fork, as one benchmark sample runs; its counts, or its error."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        message: dict[str, Any]
        try:
            signal.alarm(max(1, int(args.round_seconds)))
            sampler = Sampler(args.cover)
            (_round_pytest if args.kind == "pytest" else _round_callable)(args, sampler)
            message = sampler.take()
        except BaseException as exc:  # what the measured code raises is a result
            message = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        try:
            data = json.dumps(message).encode()
            while data:
                data = data[os.write(write_fd, data):]
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + args.round_seconds + 2
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]:
                return {"error": f"a round ran past {args.round_seconds:g} s"}
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return {"error": "a round died without a result"}


def sense_profile(args: argparse.Namespace) -> dict[str, Any]:
    """Profile rounds until enough samples or the wall-time budget; the ``profile`` record."""
    functions: dict[tuple[int, str, int], int] = {}
    stacks: Counter[tuple[tuple[int, int, int], ...]] = Counter()
    samples = rounds = 0
    error: str | None = None
    started = time.monotonic()
    while samples < args.min_samples and (rounds == 0 or time.monotonic() - started < args.seconds):
        found = _one_round(args)
        rounds += 1
        if "error" in found:
            error = str(found["error"])
            break
        local = [functions.setdefault((int(f), str(q), int(n)), len(functions)) for f, q, n in found["functions"]]
        for count, frames in found["stacks"]:
            stacks[tuple((int(f), int(line), local[int(fn)]) for f, line, fn in frames)] += int(count)
        samples += int(found["samples"])
    kept = stacks.most_common(MAX_STACKS)
    return {"files": args.cover_names, "kind": args.kind, "samples": samples, "rounds": rounds, "error": error,
            "functions": [list(key) for key, _ in sorted(functions.items(), key=lambda kv: kv[1])],
            "stacks": [[count, [list(frame) for frame in stack]] for stack, count in kept],
            "dropped": sum(stacks.values()) - sum(count for _, count in kept), "interval": INTERVAL}
