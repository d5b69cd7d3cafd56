"""This process's test servers: the warm fork servers and live-session servers its jobs started.

A server outlives the jobs that started it (it is reused), so whoever ran jobs
in a process stops that process's servers when the run ends: the backends in
the engine's or a pool's process, ``_dask_snapshot.release`` on a dask worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from evolve.evaluation import live, warm

__all__ = ["close_test_servers", "running_server_pids"]


def close_test_servers(folders: Iterable[Path]) -> int:
    """Stop this process's warm and live test servers whose home is under one of ``folders``; how many."""
    roots = [Path(folder) for folder in folders]
    servers = warm._SERVERS  # the registry of this process's warm servers, keyed by home folder
    homes = [home for home in list(servers) if any(home.is_relative_to(root) for root in roots)]
    for home in homes:
        servers.pop(home).close()
    return len(homes) + live.close_live_clients(roots)


def running_server_pids() -> list[int]:
    """Process ids of this process's test servers that are running now (for tests and diagnostics)."""
    procs = [s.proc for s in warm._SERVERS.values()]
    procs += [getattr(c.server, "proc", None) for c in live._CLIENTS.values()]
    return [p.pid for p in procs if p is not None and p.poll() is None]
