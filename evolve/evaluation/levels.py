"""Which sandbox level is in force, decided once per process, and the one line that says so.

``auto`` (the default) takes ``bwrap`` whenever bubblewrap can start an
unprivileged user namespace here: a real command is run through its walls to
find out. Where it cannot, the ``process`` level is taken with one warning
line naming what is not contained and how to get bubblewrap. ``bwrap`` asked
for explicitly and unable to start is an error (``OSError``) that says why.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from evolve.evaluation import _bwrap
from evolve.evaluation.sandbox import ISOLATION_LEVELS, Isolation, Limits, bwrap_path, hand_over, run_sandboxed
from evolve.evaluation.child import _landlock

__all__ = ["Level", "resolve_level"]


@dataclass(frozen=True)
class Level:
    """The level in force and the one line that says so (a warning when it is the fallback)."""

    name: str
    line: str
    warning: bool = False


_LEVELS: dict[tuple[str, str | None, int], Level] = {}


def resolve_level(requested: str) -> Level:
    """``auto`` -> ``bwrap`` when bubblewrap can start here (tried once per process), else ``process``.

    ``bwrap`` asked for explicitly and not able to start raises ``OSError``
    with the reason; ``process`` is taken as asked, with the warning line.
    """
    if requested not in ISOLATION_LEVELS:
        raise ValueError(f"sandbox level must be one of {', '.join(ISOLATION_LEVELS)}, got {requested!r}")
    try:
        found: str | None = bwrap_path()
    except OSError:
        found = None
    key = (requested, found, os.geteuid())
    if key not in _LEVELS:
        _LEVELS[key] = _resolve(requested, found)
    return _LEVELS[key]


def _resolve(requested: str, found: str | None) -> Level:
    if requested == "process":
        return Level("process", _fallback_line("asked for with sandbox: process"), warning=True)
    problem = _bwrap_problem() if found else "bubblewrap (bwrap) is not on PATH"
    if problem is None:
        return Level("bwrap", "evolve: sandbox: bubblewrap (project read-only, private disk, no network, "
                              "no home, own process namespace)")
    if requested == "bwrap":
        raise OSError(f"sandbox: bwrap cannot start: {problem}; {_bwrap.INSTALL_HINT}, and allow unprivileged "
                      "user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
                      "kernel.apparmor_restrict_unprivileged_userns=0), or use sandbox: process")
    return Level("process", _fallback_line(f"bubblewrap cannot start: {problem}"), warning=True)


def _fallback_line(why: str) -> str:
    if _landlock.abi() >= 1:
        open_ = ("Landlock keeps its reads to the system and the run's folders and its writes to its workspace"
                 + ("" if _landlock.abi() >= 6 else ", but it can signal your processes")
                 + ("" if _landlock.abi() >= 4 else ", and it can reach the network"))
    else:
        open_ = "it can read and write whatever your user can, and reach the network"
    return (f"evolve: warning: sandbox: process level only ({why}): variants run with limits but {open_}; "
            f"for full containment {_bwrap.INSTALL_HINT} and allow unprivileged user namespaces")


def _bwrap_problem() -> str | None:
    """None when a variant's walls go up under bubblewrap here (a real command through them), else why not."""
    probe = Path(tempfile.mkdtemp(prefix="evolve-probe-"))
    try:
        hand_over(probe)
        done = run_sandboxed(["/bin/sh", "-c", "echo ok > probe && cat probe"], cwd=probe,
                             limits=Limits(wall_seconds=30, cpu_seconds=30),
                             isolation=Isolation("bwrap", (("rw", str(probe)),)))
        private = not (probe / "probe").exists()  # written in the variant's copy, never here
    except OSError as exc:
        return str(exc)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if done.ok and done.stdout.strip() == "ok" and private:
        return None
    said = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
    return said[-1][:200]
