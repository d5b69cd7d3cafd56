"""Random calls for s05_render: empty sections, booleans, None, non-string values."""
import random

ENTRY = "s05_render.ini:"


def _value(rng):
    return rng.choice([True, False, None, 0, -3, 2.5, "", "x y", "a=b", rng.randint(0, 99)])


def _sections(rng):
    return {
        rng.choice(["a", "b", "main", "db", "x.y"]): {
            rng.choice(["k", "key", "v2", "path"]): _value(rng) for _ in range(rng.randint(0, 4))
        }
        for _ in range(rng.randint(0, 4))
    }


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 3
        if pick == 0:
            calls.append((ENTRY + "render", (_sections(rng),), {}))
        elif pick == 1:
            calls.append((ENTRY + "format_value", (_value(rng),), {}))
        else:
            calls.append((ENTRY + "parse", ("[s]\nk = 1\n\n[t]\nz = q = r\n junk\n" * rng.randint(0, 2),), {}))
    return calls
