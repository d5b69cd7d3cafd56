"""Principles: each one kept and broken with small real sources; nothing ever raises."""

from dataclasses import dataclass

import pytest

from fitness import PRINCIPLES, Observation, PrinciplesKept, PrincipleSettings, Status, check_principles


@dataclass(frozen=True)
class Case:
    """A baseline, a variant that keeps the principle and one that breaks it."""

    baseline: str
    kept: str
    broken: str
    settings: PrincipleSettings = PrincipleSettings()


BRANCHES = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(4))

CASES = {
    "no_eval_exec": Case(
        baseline="def f(s):\n    return eval(s)\n",
        kept="def f(s):\n    return eval(s.strip())\n",
        broken="def f(s):\n    exec(s)\n    return eval(s)\n",
    ),
    "protected_names": Case(
        baseline="def keep(a):\n    return a + 1\n\ndef other(a):\n    return a\n",
        kept="def keep(a):\n    return a + 1\n\ndef other(a):\n    return a * 1\n",
        broken="def keep(a):\n    return 1 + a\n\ndef other(a):\n    return a\n",
        settings=PrincipleSettings(protected=("keep",)),
    ),
    "public_signatures": Case(
        baseline="def api(a, b=1, *, c):\n    return a\n\nclass K:\n    def m(self, x):\n        return x\n",
        kept="def api(a: int, b=1, *, c):\n    return a + b\n\nclass K:\n    def m(self, x):\n        return x\n"
             "\ndef _helper(z):\n    return z\n",
        broken="def api(a, b=1, *, c):\n    return a\n\nclass K:\n    def m(self, x, y=0):\n        return x\n",
    ),
    "import_allowlist": Case(
        baseline="import os\n\ndef f():\n    return os.sep\n",
        kept="import os.path\nfrom functools import lru_cache\nimport json\n\n@lru_cache\ndef f():\n    return os.sep\n",
        broken="import os\nimport subprocess\n\ndef f():\n    return os.sep\n",
        settings=PrincipleSettings(allowed_imports=("json",)),
    ),
    "complexity_ceiling": Case(
        baseline="def f(x):\n    return x\n",
        kept="def f(x):\n    if x:\n        return 1\n    return x\n",
        broken=f"def f(x):\n{BRANCHES}    return x\n",
        settings=PrincipleSettings(complexity_ceiling=3),
    ),
    "docstrings_kept": Case(
        baseline='"""Module."""\n\ndef f(x):\n    """Why f exists."""\n    return x\n',
        kept='"""Module."""\n\ndef f(x):\n    """Why f exists."""\n    y = x\n    return y\n',
        broken='"""Module."""\n\ndef f(x):\n    return x\n',
    ),
    "bodies_kept": Case(
        baseline='def report(rows):\n    """Print them."""\n    for row in rows:\n        print(row)\n\ndef stub():\n    pass\n',
        kept='def report(rows):\n    """Print them."""\n    print(*rows, sep="\\n")\n\ndef stub():\n    pass\n',
        broken='def report(rows):\n    """Print them."""\n    pass\n\ndef stub():\n    pass\n',
    ),
}


def test_every_principle_has_a_case() -> None:
    assert set(CASES) == set(PRINCIPLES)
    assert all(p.name == name and p.description for name, p in PRINCIPLES.items())


@pytest.mark.parametrize("name", sorted(CASES))
def test_kept_and_broken(name: str) -> None:
    case, principle = CASES[name], PRINCIPLES[name]
    base = {"m.py": case.baseline}
    assert principle.check(base, base, case.settings) == []
    assert principle.check({"m.py": case.kept}, base, case.settings) == []
    violations = principle.check({"m.py": case.broken}, base, case.settings)
    assert violations and all(isinstance(v, str) and v.startswith("m.py") for v in violations)


def test_messages_say_what_broke() -> None:
    sig = PRINCIPLES["public_signatures"].check({"m.py": CASES["public_signatures"].broken},
                                                {"m.py": CASES["public_signatures"].baseline}, PrincipleSettings())
    assert sig == ["m.py: signature of K.m changed from (self, x) to (self, x, y=0)"]
    gone = PRINCIPLES["public_signatures"].check({"m.py": "x = 1\n"}, {"m.py": "def api():\n    pass\n"},
                                                 PrincipleSettings())
    assert gone == ["m.py: public api was removed"]


def test_complexity_over_ceiling_allowed_when_baseline_already_was() -> None:
    complex_source = CASES["complexity_ceiling"].broken
    settings = PrincipleSettings(complexity_ceiling=3)
    assert PRINCIPLES["complexity_ceiling"].check({"m.py": complex_source + "\n"}, {"m.py": complex_source},
                                                  settings) == []


def test_moving_eval_into_another_function_is_new() -> None:
    base = {"m.py": "def f(s):\n    return eval(s)\n\ndef g(s):\n    return s\n"}
    moved = {"m.py": "def f(s):\n    return eval(s)\n\ndef g(s):\n    return eval(s)\n"}
    assert PRINCIPLES["no_eval_exec"].check(moved, base, PrincipleSettings()) == ["m.py: new call to eval() in g"]


@pytest.mark.parametrize("bad", ["def f(:\n", "x = (\n", "\0", "    indented\n", "(" * 1000 + ")" * 1000,
                                 "-" * 100_000 + "1"], ids=["syntax", "eof", "nul", "indent", "nesting", "memory"])
def test_unparsable_variant_is_a_violation_never_an_exception(bad: str) -> None:
    settings = PrincipleSettings(protected=("f",))
    report = check_principles({"m.py": bad}, {"m.py": CASES["docstrings_kept"].baseline}, settings)
    names = (*settings.hard, *settings.soft)
    assert set(report.kept) == set(names) and not any(report.kept.values())
    assert report.hard_violation is not None and report.hard_violation.startswith("no_eval_exec: m.py")


def test_report_for_a_clean_variant() -> None:
    base = {"a.py": CASES["docstrings_kept"].baseline, "b.py": CASES["public_signatures"].baseline}
    report = check_principles(base, base)
    assert all(report.kept.values()) and report.violations == {} and report.hard_violation is None


def test_report_soft_violation_is_not_hard() -> None:
    report = check_principles({"m.py": CASES["docstrings_kept"].broken}, {"m.py": CASES["docstrings_kept"].baseline})
    assert report.kept["docstrings_kept"] is False and report.hard_violation is None
    assert report.violations["docstrings_kept"] == ("m.py: docstring of f was removed or changed",)


def test_unknown_principle_is_reported_not_raised() -> None:
    report = check_principles({}, {}, PrincipleSettings(hard=("nonsense",), soft=()))
    assert report.kept == {"nonsense": False}
    assert report.hard_violation == "nonsense: unknown principle 'nonsense'"


def test_objective_counts_soft_principles_only() -> None:
    objective = PrinciplesKept(("docstrings_kept", "complexity_ceiling"))
    principles = {"no_eval_exec": False, "docstrings_kept": False, "complexity_ceiling": True}
    assert objective.measure(Observation(status=Status.PASSED, principles=principles)) == 0.5
    assert objective.measure(Observation(status=Status.CRASHED)) is None
    assert PrinciplesKept(()).measure(Observation(status=Status.CRASHED)) == 1.0
    assert objective.baseline_figure(Observation(status=Status.PASSED)) == 1.0


def test_removed_and_added_files() -> None:
    base = {"a.py": "def api(x):\n    return x\n"}
    moved = {"b.py": "import socket\n\ndef api(x):\n    return x\n"}
    report = check_principles(moved, base)
    assert report.violations["public_signatures"] == ("a.py: public api was removed",)
    assert report.violations["import_allowlist"] == (
        "b.py: imports socket, which neither the baseline nor the allowlist has",)


def test_protected_includes_decorators_and_methods() -> None:
    base = {"m.py": "import functools\n\nclass K:\n    @staticmethod\n    def keep(a):\n        return a\n"}
    undecorated = {"m.py": "import functools\n\nclass K:\n    def keep(a):\n        return a\n"}
    for protected in ("keep", "K.keep"):
        settings = PrincipleSettings(protected=(protected,))
        assert PRINCIPLES["protected_names"].check(undecorated, base, settings) == ["m.py: protected K.keep was changed"]


def test_private_and_nested_functions_are_not_public_api() -> None:
    base = {"m.py": "def _private(a):\n    return a\n\ndef api(a):\n    def inner(b):\n        return b\n"
                    "    return inner(a)\n"}
    changed = {"m.py": "def _private(a, b):\n    return a\n\ndef api(a):\n    return a\n"}
    assert PRINCIPLES["public_signatures"].check(changed, base, PrincipleSettings()) == []


def test_a_checker_bug_becomes_a_violation() -> None:
    from fitness import Modules, Principle

    class Buggy(Principle):
        name = "buggy"
        description = "always fails to check"

        def _check(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
            raise KeyError("oops")

    assert Buggy().check({"m.py": "x = 1\n"}, {}, PrincipleSettings()) == ["could not be checked (KeyError: 'oops')"]


def test_modules_the_operators_import_pass_the_import_allowlist() -> None:
    """A speed-up that imports ``collections`` (a deque, a Counter) must not be refused for it."""
    from mutations import OPERATORS

    needed = {module for op in OPERATORS.values() for example in op.examples
              for module in op.imports(example.params)}
    assert {"collections", "functools"} <= needed
    base = {"m.py": "def f(x):\n    return x\n"}
    for module in sorted(needed):
        variant = {"m.py": f"import {module}\n\n\ndef f(x):\n    return x\n"}
        assert "import_allowlist" not in check_principles(variant, base).violations, module
    refused = check_principles({"m.py": "import socket\n\n\ndef f(x):\n    return x\n"}, base)
    assert "import_allowlist" in refused.violations
