"""Subcommands of ``python -m evolve``: one module each, one line in ``MODULES``.

A command module defines ``register(subparsers)``, which adds its parser and
sets ``handler`` (a function of the parsed arguments returning the exit code).
Handlers raise ``EvolveError`` for bad input; ``evolve.cli`` turns it into one
line and exit code 2.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

MODULES = (
    "evolve.commands.run",
    "evolve.commands.promote",
    "evolve.commands.resume",
    "evolve.commands.runs",
    "evolve.commands.report",
    "evolve.commands.plot",
    "evolve.commands.memory",
    "evolve.commands.scan",
    "evolve.commands.hook",
)


def command_modules() -> list[ModuleType]:
    return [import_module(name) for name in MODULES]
