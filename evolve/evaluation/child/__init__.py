"""Scripts that run in the child processes around a variant, never in the engine.

Each is started or loaded by path (``script(name)``) with the standard library,
pytest and coverage only, so a variant's interpreter never imports ``evolve``:
``_testrunner`` (one pytest run, result record), ``_benchrunner`` (interleaved
CPU timing), ``_forkserver`` (the warm server: one fork per variant),
``_liveserver`` and ``_livechild`` (the live-session fast path), ``_senses``
(the baseline's senses: ``_sensetests`` for coverage per test,
``_senseprofile`` for the sampling profile), ``_importcheck`` (the health
scan's imports), ``_keeper``
(the first process of every ``run_sandboxed`` command), ``_prologue`` (what
every forked child does first), and the walls they put up: ``_privdrop``
(dropping to the sandbox user, no capability), ``_cell`` (bubblewrap level:
private bounded overlays; process level: homes hidden from a root engine's
variants; the sweep after each variant) and ``_landlock`` (process level).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def script(name: str) -> Path:
    """The path of the child-side script ``name`` (e.g. ``"_testrunner"``)."""
    return HERE / f"{name}.py"
