"""Static objectives count only code the tests execute, and never docstrings."""

import pytest

from fitness import Maintainability, Observation, Scorer, Status, Tokens, Weights
from fitness.units import MODULE, changed_unexecuted, executed_units, tokens_by_unit, units

SOURCE = '''"""Two functions; the tests only ever call ``mean``."""

SCALE = 2


def mean(values):
    """The arithmetic mean."""
    total = 0
    for value in values:
        total = total + value
    return total / len(values)


def export(values, path):
    """Write the values, one per line (no test calls this)."""
    lines = [str(v * SCALE) for v in values]
    text = "\\n".join(lines)
    with open(path, "w") as handle:
        handle.write(text)
'''
EXECUTED = frozenset({3, 6, 9, 10, 11, 12, 13, 15})  # module level, mean's body; export's ``def`` line only
GUTTED = SOURCE.replace('''    lines = [str(v * SCALE) for v in values]
    text = "\\n".join(lines)
    with open(path, "w") as handle:
        handle.write(text)
''', '''    return None
''')
TIGHTER = SOURCE.replace("        total = total + value\n", "        total += value\n")
UNDOCUMENTED = SOURCE.replace('    """The arithmetic mean."""\n', "")


def test_units_and_what_ran() -> None:
    assert [u.name for u in units(SOURCE)] == ["mean", "export"]
    assert executed_units(SOURCE, EXECUTED) == {MODULE, "mean"}  # a def line runs at import: not a call
    assert changed_unexecuted(GUTTED, SOURCE, executed_units(SOURCE, EXECUTED))
    assert not changed_unexecuted(TIGHTER, SOURCE, executed_units(SOURCE, EXECUTED))


def test_docstrings_are_not_tokens() -> None:
    assert tokens_by_unit(UNDOCUMENTED) == tokens_by_unit(SOURCE)


def _scored(source: str, executed: frozenset[int] = EXECUTED):
    baseline = Observation(status=Status.PASSED, sources={"m.py": SOURCE}, tests={"t": "passed"},
                           executed_lines={"m.py": executed})
    scorer = Scorer(baseline, Weights.from_mapping({"tokens": 0.5, "maintainability": 0.5}))
    return scorer, scorer.score(Observation(status=Status.PASSED, sources={"m.py": source}, tests={"t": "passed"}))


def test_gutting_code_no_test_runs_is_no_gain() -> None:
    scorer, gutted = _scored(GUTTED)
    assert gutted.components["tokens"] == 1.0 and gutted.components["maintainability"] == 1.0
    assert gutted.value == pytest.approx(scorer.baseline_score.value)


def test_tightening_code_the_tests_run_is_a_gain() -> None:
    scorer, tighter = _scored(TIGHTER)
    assert tighter.components["tokens"] > 1.0 and tighter.value > scorer.baseline_score.value


def test_deleting_a_docstring_is_never_a_gain() -> None:
    _, undocumented = _scored(UNDOCUMENTED)
    assert undocumented.components["tokens"] == 1.0 and undocumented.components["maintainability"] <= 1.0


def test_without_coverage_every_unit_counts() -> None:
    baseline = Observation(status=Status.PASSED, sources={"m.py": SOURCE}, tests={"t": "passed"})
    gutted = Observation(status=Status.PASSED, sources={"m.py": GUTTED}, tests={"t": "passed"})
    tokens, mi = Tokens().for_baseline(baseline), Maintainability().for_baseline(baseline)
    assert tokens.measure(gutted) < tokens.measure(baseline)
    assert mi.measure(gutted) != mi.measure(baseline)
