"""Random calls for s09_counts: repeats, mixed case, spaces, empty strings, odd k."""
import random

ENTRY = "s09_counts.letters:"


def _text(rng):
    return "".join(rng.choice("aAbc d\u00e9") for _ in range(rng.randint(0, 15)))


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 4
        if pick == 0:
            calls.append((ENTRY + "char_counts", (_text(rng),), {}))
        elif pick == 1:
            calls.append((ENTRY + "most_common", (_text(rng), rng.randint(-1, 7)), {}))
        elif pick == 2:
            a = _text(rng)
            b = "".join(rng.sample(a, len(a))) if rng.random() < 0.5 else _text(rng)
            calls.append((ENTRY + "is_anagram", (a, b.upper() if rng.random() < 0.3 else b), {}))
        else:
            calls.append((ENTRY + "unique_chars", (_text(rng),), {}))
    return calls
