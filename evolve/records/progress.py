"""The progress line: generation, evaluations per second, cache hits, best fitness.

On a terminal it redraws one line; elsewhere (CI, a log file) it prints one
line per generation so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.perf_counter()
        self.tty = self.stream.isatty()

    def update(self, gen: int, evaluations: int, cache_hits: int, best: float, best_status: str) -> None:
        if not self.enabled:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        width = 24
        done = int(width * gen / max(self.total, 1))
        bar = "#" * done + "-" * (width - done)
        hits = 100.0 * cache_hits / evaluations if evaluations else 0.0
        line = (f"gen {gen:>3}/{self.total} [{bar}] {evaluations / elapsed:6.1f} eval/s "
                f"cache {hits:4.1f}% best {best:.4f} ({best_status})")
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()
