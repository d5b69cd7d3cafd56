"""The one error type a user sees: a single line that says what is wrong and what to do."""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class EvolveError(Exception):
    """Bad input or an unusable target. The CLI prints it as one line and exits with 2."""

    exit_code = 2


class ConfigError(EvolveError):
    """The experiment config is wrong; the message names the key."""


class Terminated(BaseException):
    """SIGTERM arrived (a CI job limit, a scheduler, ``kill``): unwind like Ctrl-C, saving what can be saved.

    A ``BaseException`` so that no ``except Exception`` on the way swallows it.
    The CLI exits with 143 (128 + SIGTERM).
    """

    exit_code = 143


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """Within the block, SIGTERM raises ``Terminated`` in the main thread; outside it, or off the main thread,
    nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning|Failure|Timeout)\b.*")


def exception_line(output: str, limit: int = 300) -> str:
    """The line of a process's output that says what went wrong, exception type first.

    After a traceback that is the line after its last frame (``ValueError: bad``),
    not the output's last line, which may be the tail of a multi-line message or
    whatever the process printed after. Without a traceback: the last line that
    names an exception, else the last non-blank line.
    """
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.lstrip(" +|").startswith("Traceback (most recent call last)")]
    if starts:
        after = (line for line in lines[starts[-1] + 1:] if line.strip() and not line[:1].isspace())
        found = next(after, "")
        if found:
            return found.strip()[:limit]
    named = [line.strip() for line in lines if _EXCEPTION.match(line.strip())]
    if named:
        return named[-1][:limit]
    told = [line.strip() for line in lines if "error:" in line.lower()]  # ``pytest: error: ...`` and the like
    if told:
        return told[-1][:limit]
    return next((line.strip() for line in reversed(lines) if line.strip()), "")[:limit]
