"""Maintainability: radon's index, weighted by lines, with complexity details."""

from fitness import Maintainability, Observation, Status, function_complexities

MI = Maintainability()

PLAIN = '''
def clamp(x, low, high):
    return min(max(x, low), high)
'''

BRANCHY = '''
def clamp(x, low, high):
    if x < low:
        return low
    if x > high:
        return high
    return x
'''


def obs(*sources: str) -> Observation:
    return Observation(status=Status.PASSED, sources={f"m{i}.py": s for i, s in enumerate(sources)})


def test_added_branch_scores_lower() -> None:
    plain, branchy = MI.measure(obs(PLAIN)), MI.measure(obs(BRANCHY))
    assert plain is not None and branchy is not None
    assert branchy < plain
    assert MI.score(branchy, plain) < 1.0 == MI.score(plain, plain)


def test_complexity_details() -> None:
    details = MI.details(obs(PLAIN, BRANCHY))
    assert details == {"complexity_total": 4.0, "complexity_max": 3.0}


def test_mean_weighted_by_lines() -> None:
    long_plain = PLAIN * 1 + "".join(f"\ndef f{i}(a):\n    return a + {i}\n" for i in range(20))
    both = MI.measure(obs(long_plain, BRANCHY))
    one, other = MI.measure(obs(long_plain)), MI.measure(obs(BRANCHY))
    assert both is not None and one is not None and other is not None
    assert abs(both - one) < abs(both - other)


def test_unparsable_source_gives_none() -> None:
    assert MI.measure(obs(PLAIN, "def broken(:\n")) is None
    assert MI.details(obs("def broken(:\n")) == {}


def test_function_complexities_reaches_methods_and_closures() -> None:
    source = '''
class A:
    def m(self, x):
        def inner(y):
            return 1 if y else 2
        return inner(x) if x else 0
    class B:
        def n(self):
            pass
'''
    assert function_complexities(source) == {"A.m": 2, "A.m.inner": 2, "A.B.n": 1}
