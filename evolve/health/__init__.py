"""The health scan: what is wrong with a project right now (``python -m evolve scan``).

Files that do not parse, modules that do not import, failing tests, version
drift and public names without a docstring, each one finding with a place.
Parsing and docstrings are read in the engine; imports and tests run in a
sandboxed child inside a copy of the project (``evolve.evaluation.health``).
``hooks`` installs the scan as a git pre-commit hook; ``repair`` hands failing
tests to a repair run whose fix can only ever become a branch.
"""

from evolve.health.findings import Finding, ScanReport
from evolve.health.scan import ScanOptions, scan

__all__ = ["Finding", "ScanOptions", "ScanReport", "scan"]
