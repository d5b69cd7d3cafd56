"""Random calls for s04_filter: mixed case, duplicates, empty lists."""
import random

ENTRY = "s04_filter.words:"


def _word(rng):
    return "".join(rng.choice("aAbBc'") for _ in range(rng.randint(1, 3)))


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 3
        words = [_word(rng) for _ in range(rng.randint(0, 10))]
        banned = [_word(rng) for _ in range(rng.randint(0, 5))]
        if pick == 0:
            calls.append((ENTRY + "remove_banned", (words, banned), {}))
        elif pick == 1:
            calls.append((ENTRY + "banned_ratio", (words, banned), {}))
        else:
            text = " ".join(words) + rng.choice(["", ".", " 7x!", ", Z"])
            calls.append((ENTRY + "tokenize", (text,), {}))
    return calls
