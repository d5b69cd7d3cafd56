"""Benchmark: character frequencies of a long generated text."""
from s09_counts.letters import char_counts

TEXT = "".join(chr(97 + (i * 7919) % 26) for i in range(500000))


def run():
    return char_counts(TEXT)["e"]
