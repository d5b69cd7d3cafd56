"""Tokens: only code counts, not comments or layout."""

from fitness import Observation, Status, Tokens, count_tokens

TOKENS = Tokens()


def obs(source: str) -> Observation:
    return Observation(status=Status.PASSED, sources={"m.py": source})


def test_counts_significant_tokens_only() -> None:
    assert count_tokens("x = 1\n") == 3
    assert count_tokens("# a comment\n\nx = 1  # again\n\n\n") == 3


def test_longer_function_scores_lower() -> None:
    short = TOKENS.measure(obs("def f(a):\n    return a\n"))
    long = TOKENS.measure(obs("def f(a):\n    b = a\n    return b\n"))
    assert short is not None and long is not None and long > short
    assert TOKENS.score(long, short) < 1.0 < TOKENS.score(short, long)


def test_untokenizable_source_gives_none() -> None:
    assert TOKENS.measure(obs("x = (\n")) is None
    assert TOKENS.measure(Observation(status=Status.CRASHED)) is None
