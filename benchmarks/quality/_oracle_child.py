"""Child-process side of the oracle: call a project's entries on a case's random inputs.

Run as a script (never imported by the harness)::

    python -s -P _oracle_child.py PROJECT ORACLE N SEED BUDGET REPORT (--record REF | --compare REF)

It puts PROJECT first on ``sys.path``, loads ORACLE (the case's ``oracle.py``),
draws ``inputs(random.Random(SEED), N)`` and calls every entry on a deep copy of
its arguments, all within BUDGET seconds of wall time (after that every call
left counts as timed out). An outcome is ``("ok", result, args, kwargs)`` (the
arguments as the call left them), ``("raise", "module.ExceptionType")`` or
``("timeout",)``. ``--record`` pickles the outcomes to REF (values that do not
pickle are kept as their ``repr``); ``--compare`` loads REF (pickled by the
reference version) and compares. Results compare by value, exceptions by type.
REPORT receives a JSON summary: ``calls``, ``raised``, ``timeouts`` and, when
comparing, ``differ`` and ``examples`` (the first few differences in words).
"""

from __future__ import annotations

import collections.abc
import copy
import importlib
import importlib.util
import json
import math
import os
import pickle
import random
import re
import signal
import sys
from typing import Any

MAX_ITEMS = 10_000  # items taken from an iterator returned by an entry
EXAMPLES = 3
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class _Deadline(BaseException):
    """The budget of the whole comparison ran out."""


def main(argv: list[str]) -> int:
    project, oracle_path, n, seed, budget, report, mode, ref = argv
    sys.path.insert(0, project)
    os.chdir(project)
    calls = _load_inputs(oracle_path, int(n), int(seed))
    outcomes = _run_all(calls, float(budget))
    summary: dict[str, Any] = {
        "calls": len(calls),
        "raised": sum(o[0] == "raise" for o in outcomes),
        "timeouts": sum(o[0] == "timeout" for o in outcomes),
    }
    if mode == "--record":
        with open(ref, "wb") as handle:
            pickle.dump([_picklable(o) for o in outcomes], handle)
    else:
        with open(ref, "rb") as handle:
            expected = pickle.load(handle)
        summary.update(_compare(calls, expected, outcomes))
    with open(report, "w", encoding="utf-8") as handle:
        json.dump(summary, handle)
    return 0


def _load_inputs(path: str, n: int, seed: int) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    spec = importlib.util.spec_from_file_location("_case_oracle", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [(entry, tuple(args), dict(kwargs)) for entry, args, kwargs in module.inputs(random.Random(seed), n)]


class _Clock:
    """The budget's alarm. Once the budget ran out it fires every ``RETRY`` seconds, raising
    :class:`_Deadline` only while a variant's function runs (``calling``), so a variant that
    swallows one is interrupted again, and the harness's own code never is."""

    RETRY = 0.1

    def __init__(self, budget: float) -> None:
        self.calling = False
        self.expired = False
        signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, max(budget, 0.001), self.RETRY)

    def _fire(self, signum: int, frame: Any) -> None:
        self.expired = True
        if self.calling:
            raise _Deadline

    def stop(self) -> None:
        self.calling = False
        signal.setitimer(signal.ITIMER_REAL, 0)


def _run_all(calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]], budget: float) -> list[tuple[Any, ...]]:
    """Outcomes of every call, in order; calls left when the budget ran out are ``("timeout",)``."""
    outcomes: list[tuple[Any, ...]] = []
    stdout, stderr = sys.stdout, sys.stderr
    with open(os.devnull, "w") as quiet:
        sys.stdout = sys.stderr = quiet
        clock = _Clock(budget)
        try:
            for entry, args, kwargs in calls:
                if clock.expired:
                    break
                outcomes.append(_call(entry, args, kwargs, clock))
        finally:
            clock.stop()
            sys.stdout, sys.stderr = stdout, stderr
    outcomes.extend([("timeout",)] * (len(calls) - len(outcomes)))
    return outcomes


def _call(entry: str, args: tuple[Any, ...], kwargs: dict[str, Any], clock: _Clock) -> tuple[Any, ...]:
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    try:
        module, _, name = entry.partition(":")
        clock.calling = True
        function = getattr(importlib.import_module(module), name)
        result = function(*args, **kwargs)
        if isinstance(result, collections.abc.Iterator):
            result = ("iterator", [x for _, x in zip(range(MAX_ITEMS), result)])
        clock.calling = False
        return ("ok", result, args, kwargs)
    except _Deadline:
        clock.calling = False
        return ("timeout",)
    except BaseException as exc:  # noqa: BLE001 - a variant may raise anything, SystemExit included
        clock.calling = False
        if clock.expired:  # raised while being interrupted at the deadline
            return ("timeout",)
        return ("raise", f"{type(exc).__module__}.{type(exc).__qualname__}")


def _picklable(outcome: tuple[Any, ...]) -> tuple[Any, ...]:
    try:
        pickle.dumps(outcome)
        return outcome
    except Exception:  # noqa: BLE001
        return ("repr", *(_repr(x) for x in outcome[1:]))


def _repr(value: Any) -> str:
    try:
        return _ADDRESS.sub("", repr(value))[:10_000]
    except Exception as exc:  # noqa: BLE001
        return f"<unrepresentable {type(exc).__name__}>"


def _compare(calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]], expected: list[tuple[Any, ...]],
             got: list[tuple[Any, ...]]) -> dict[str, Any]:
    if len(expected) != len(got):
        return {"differ": len(calls), "examples": [f"{len(expected)} reference outcomes for {len(got)} calls"]}
    differ, examples = 0, []
    for (entry, args, kwargs), want, have in zip(calls, expected, got):
        if _same_outcome(want, have):
            continue
        differ += 1
        if len(examples) < EXAMPLES:
            call = f"{entry.split(':')[-1]}(*{_repr(args)[:120]}, **{_repr(kwargs)[:60]})"
            examples.append(f"{call}: expected {_describe(want)}, got {_describe(have)}")
    return {"differ": differ, "examples": examples}


def _describe(outcome: tuple[Any, ...]) -> str:
    if outcome[0] == "ok":
        return _repr(outcome[1])[:120]
    if outcome[0] == "repr":
        return outcome[1][:120]
    if outcome[0] == "raise":
        return f"raise {outcome[1]}"
    return "timeout"


def _same_outcome(want: tuple[Any, ...], have: tuple[Any, ...]) -> bool:
    if want[0] == "repr":
        return have[0] == "ok" and all(w == _repr(h) for w, h in zip(want[1:], have[1:]))
    if want[0] != have[0]:
        return False
    if want[0] == "ok":
        return all(_same(w, h) for w, h in zip(want[1:], have[1:]))
    return want == have


def _same(a: Any, b: Any, depth: int = 0) -> bool:
    """Equal by value and type; floats within 1e-9 relative (NaN equals NaN); objects without
    ``__eq__`` by their attributes."""
    if depth > 60:
        return _repr(a) == _repr(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, depth + 1) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], depth + 1) for k in a)
    if type(a).__eq__ is object.__eq__ and hasattr(a, "__dict__"):
        return _same(vars(a), vars(b), depth + 1)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return _repr(a) == _repr(b)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
