"""evolve: genetic improvement of Python source.

The supported surface is the command line (``python -m evolve``) and the names
below; everything else may change.
"""

from evolve.config import Config, load_config
from evolve.errors import ConfigError, EvolveError

__all__ = ["Config", "ConfigError", "EvolveError", "load_config", "run_experiment"]


def run_experiment(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Run an experiment (see ``evolve.run.run_experiment``); imported lazily to keep start-up light."""
    from evolve.run import run_experiment as _run

    return _run(*args, **kwargs)
