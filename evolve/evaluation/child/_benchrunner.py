"""Time a function of the baseline and of a variant, interleaved, in forked children.

This is a script, not a module of the engine: it runs by path in a sandboxed
process (standard library only, never ``evolve``) as

    python /abs/path/_benchrunner.py --target pkg.mod:func --baseline DIR --variant DIR \
        --repeats N --number K --sample-timeout S

Each sample is a fresh fork, so the two trees (which hold modules of the same
names) never share ``sys.modules`` and every sample starts from a cold import;
the import itself is not timed. Round r measures baseline then variant, the
next round the other way round, so drift in the machine hits both alike.

It prints one JSON line, ``{"baseline": [...], "variant": [...], "error": str|null,
"timed_out": bool}``, and stops at the first failed sample, keeping the samples
taken so far. A sample that overran its time (wall or CPU) sets ``timed_out``.
"""

from __future__ import annotations

import os
import sys

# Run by path, sys.path[0] is the engine's package folder; drop it so that it
# can never shadow a module of the measured trees.
if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
    del sys.path[0]

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402

_MAX_MESSAGE = 64 * 1024


class SampleError(Exception):
    """A sample produced no timing; the message says why."""

    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def child(write_fd: int, directory: str, target: str, number: int, timeout: int) -> None:
    """In the forked grandchild: import, time ``number`` calls, report, ``_exit``.

    The clock is bound before the target is imported, so a module that
    replaces ``time.process_time`` does not change what we measure with.
    """
    clock = time.process_time
    try:
        signal.alarm(timeout)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # the function's prints must not corrupt our JSON
        sys.path.insert(0, directory)
        os.chdir(directory)
        module_name, _, func_name = target.partition(":")
        func = getattr(importlib.import_module(module_name), func_name)
        start = clock()
        for _ in range(number):
            func()
        message = {"seconds": clock() - start}
    except BaseException as exc:  # anything the variant raises is a result
        message = {"error": f"{type(exc).__name__}: {exc}"[:1000]}
    try:
        os.write(write_fd, (json.dumps(message) + "\n").encode())
    finally:
        os._exit(0)


def read_message(read_fd: int, deadline: float) -> bytes:
    """Read up to the first newline, EOF or the deadline, whichever comes first."""
    data = b""
    while b"\n" not in data and len(data) < _MAX_MESSAGE:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]:
            raise SampleError("timed out", timed_out=True)
        chunk = os.read(read_fd, 4096)
        if not chunk:
            break
        data += chunk
    return data


def sample(directory: str, args: argparse.Namespace) -> float:
    """One timing in a fresh fork; the alarm in the child and the deadline here both bound it."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        child(write_fd, directory, args.target, args.number, args.sample_timeout)
    os.close(write_fd)
    try:
        data = read_message(read_fd, time.monotonic() + args.sample_timeout + 1)
    finally:
        os.close(read_fd)
        kill_quietly(pid)
        _, status = os.waitpid(pid, 0)
    return parse_message(data, status)


def kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def describe_status(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code in (-signal.SIGALRM, -signal.SIGXCPU):
        return "timed out"
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def parse_message(data: bytes, status: int) -> float:
    try:
        message = json.loads(data)
    except ValueError:
        why = describe_status(status)
        raise SampleError(f"no result ({why})", timed_out=why == "timed out") from None
    if not isinstance(message, dict):
        raise SampleError("malformed result")
    if "error" in message:
        raise SampleError(str(message["error"]))
    seconds = message.get("seconds")
    if not isinstance(seconds, (int, float)) or seconds < 0:
        raise SampleError(f"malformed timing {seconds!r}")
    return float(seconds)


def measure(args: argparse.Namespace) -> dict[str, object]:
    samples: dict[str, list[float]] = {"baseline": [], "variant": []}
    for round_ in range(args.repeats):
        order = ("baseline", "variant") if round_ % 2 == 0 else ("variant", "baseline")
        for side in order:
            try:
                samples[side].append(sample(getattr(args, side), args))
            except SampleError as exc:
                return {**samples, "error": f"{side}: {exc}", "timed_out": exc.timed_out}
    return {**samples, "error": None, "timed_out": False}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="package.module:function")
    parser.add_argument("--baseline", required=True, type=os.path.abspath)
    parser.add_argument("--variant", required=True, type=os.path.abspath)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--number", type=int, default=1)
    parser.add_argument("--sample-timeout", type=int, default=60)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    result = measure(parse_args(argv))
    print(json.dumps(result), flush=True)
    return 0 if result["error"] is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
