"""The search-quality corpus checks itself: ``python -m pytest benchmarks/test_corpus.py``.

One test per case folder of ``benchmarks/corpus/cases``, running the same
checks as ``python -m benchmarks.quality --check`` (see
``benchmarks/quality/check.py``): a valid ``case.toml``, the known fix or
speed-up solves the case, the unchanged program does not, and the oracle tells
them apart (repair) or finds them alike (speed-up). No engine run is involved.
Outside the default test run (``testpaths = tests``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.quality.cases import CORPUS, discover
from benchmarks.quality.check import check_folder, load_all
from benchmarks.quality.workspace import Scratch

FOLDERS = discover(CORPUS)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Scratch]:
    with Scratch() as folder:
        yield folder


@pytest.fixture(scope="module")
def invalid() -> dict[str, str]:
    """Problems of invalid cases by id, package clashes across the whole corpus included."""
    return load_all(CORPUS)[1]


def test_the_corpus_has_cases() -> None:
    assert FOLDERS, f"no case folder (with a case.toml) under {CORPUS}"


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_case(folder: Path, invalid: dict[str, str], scratch: Scratch) -> None:
    line = check_folder(folder, invalid, scratch)
    assert line.ok, line.line()
