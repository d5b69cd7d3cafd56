"""Fault localisation: how suspicious each line is, from which passing and failing tests ran it.

Spectrum-based, with the Ochiai coefficient (R. Abreu, P. Zoeteweij and A. J. C.
van Gemund, "On the Accuracy of Spectrum-based Fault Localization", TAIC PART
2007):

    suspiciousness(line) = failed(line) / sqrt(total_failed * (failed(line) + passed(line)))

where ``failed(line)`` and ``passed(line)`` count the failing and passing tests
that ran the line. It is 1.0 for a line every failing test runs and no passing
test does, 0.0 for a line no failing test runs. Ochiai is the formula
automated-repair tools use by default (GZoltar, hence Astor/jGenProg, Nopol),
and on real faults it ranks with the best of the spectrum formulas (Pearson et
al., "Evaluating and Improving Fault Localization", ICSE 2017, found no
spectrum formula reliably better, DStar included). A test that errors counts as
failing; skipped tests count for neither side. Lines run at import count as run
by every test (``Senses.tests_by_line``).

A repair of several faults is found one fault at a time: once the search keeps a
partial repair (it passes some of the failing tests and breaks none), the
spectrum is read again with the tests it still fails as the failing ones
(``partial_outcomes``), so the suspicion moves to the faults that are left: the
one-fault-at-a-time debugging that Jones, Bowring and Harrold ("Debugging in
Parallel", ISSTA 2007) take as the sequential baseline for programs with many
faults. The lines each test ran are the baseline's.

The failing tests' crashes (``Senses.crashes``: where an exception left the
target files, and what it said) go to the files' indexes (``mark_crashes``),
where operators rank their options by them: PAR's templates are picked by the
same evidence (a ``NoneType`` error calls for a null check).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from evolve.evaluation.senses import Senses
from mutations import ModuleIndex

__all__ = ["Suspicion", "mark_crashes", "ochiai", "partial_outcomes", "suspicious_lines"]

FAILING = ("failed", "error")


@dataclass(frozen=True, slots=True)
class Suspicion:
    """One line's Ochiai score and the counts behind it."""

    score: float
    failed: int
    passed: int


def ochiai(failed: int, passed: int, total_failed: int) -> float:
    """The Ochiai coefficient; 0.0 when no failing test ran the line (or none fails at all)."""
    if failed == 0 or total_failed == 0:
        return 0.0
    return failed / math.sqrt(total_failed * (failed + passed))


def suspicious_lines(senses: Senses) -> dict[tuple[str, int], Suspicion]:
    """(file, line) -> its suspicion, for every line of the target files some test ran."""
    failing = {n for n, o in senses.outcomes.items() if o in FAILING}
    passing = {n for n, o in senses.outcomes.items() if o == "passed"}
    found: dict[tuple[str, int], Suspicion] = {}
    for file in senses.files:
        for line, tests in senses.tests_by_line(file).items():
            f, p = len(tests & failing), len(tests & passing)
            found[(file, line)] = Suspicion(ochiai(f, p, len(failing)), f, p)
    return found


def mark_crashes(indexes: Mapping[str, ModuleIndex], senses: Senses | None) -> None:
    """Set each index's ``crashes`` (line -> errors) and ``nones`` (line -> variables that held ``None``)
    from ``senses``; left empty without senses."""
    for file, index in indexes.items():
        index.crashes = senses.crashes_in(file) if senses is not None else {}
        index.nones = senses.nones_in(file) if senses is not None else {}


def partial_outcomes(baseline: Mapping[str, str], variant: Mapping[str, str]) -> dict[str, str] | None:
    """The ``baseline``'s test outcomes (node id -> outcome) as a partial repair leaves them: a failing
    test the ``variant`` passes counts as passed. None when the variant is no partial repair: it passes
    none of the failing tests, or all of them, or fails a test that passed (a test it did not run
    counts as still failing, never as broken)."""
    failing = {t for t, o in baseline.items() if o in FAILING}
    fixed = {t for t in failing if variant.get(t) == "passed"}
    broke = any(variant.get(t) in FAILING for t, o in baseline.items() if o == "passed")
    if broke or not fixed or fixed == failing:
        return None
    return {t: "passed" if t in fixed else o for t, o in baseline.items()}
