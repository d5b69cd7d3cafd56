"""Every operator against its own examples, and every site of a realistic module."""

from __future__ import annotations

import io
import random
import tokenize

import pytest

from mutations import OPERATORS, Example, ModuleIndex, Operator
from populations import Edit, Patch, apply_patch

CASES = [
    pytest.param(op, ex, id=f"{op.name}-{n}")
    for op in OPERATORS.values()
    for n, ex in enumerate(op.examples)
]


def _apply_one(op: Operator, source: str, site: int, params: dict) -> str:
    index = ModuleIndex.build("m.py", source)
    node_id = op.sites(index)[site]
    result = apply_patch(Patch((Edit.make(op.name, "m.py", node_id, params),)), {"m.py": index})
    assert not result.errors
    return result.sources.get("m.py", source)


@pytest.mark.parametrize(("op", "example"), CASES)
def test_example_gives_exactly_its_after(op: Operator, example: Example) -> None:
    assert _apply_one(op, example.before, example.site, dict(example.params)) == example.after


def test_every_operator_has_an_example() -> None:
    assert all(op.examples for op in OPERATORS.values())


def test_registry_keys_are_operator_names() -> None:
    assert all(name == op.name for name, op in OPERATORS.items())


SAMPLE = '''"""A small module of the kind evolve targets."""

import math

STOPWORDS = ["a", "an", "the"]  # common words
LIMIT = 10


def words(text):
    # split and filter
    out = []
    for word in text.split():  # each word
        if word.lower() in STOPWORDS:
            continue
        out.append(word)
    return out


def total_length(items, scale=2):
    total = 0
    for item in items:
        total += len(item) * scale  # weighted
    return total


def any_negative(values):
    for v in values:
        if v < 0 and not math.isnan(v):
            return True
    return False


def normalise(data):
    result = []
    # divide by the norm
    for x in data:
        if x in (0, 1, 2):
            result.append(x)
        elif x > LIMIT or x is None:
            break
        else:
            result.append(x / math.sqrt(len(data)))
    while not result:
        result = [0.5, True, "pad"]
    return result


def counter():
    global LIMIT
    LIMIT += 1
    n = 0
    while n < LIMIT:
        n += 2
        yield pow(n, 2)


async def fetch(client, url):
    try:
        data = await client.get(url)
    except ValueError:  # bad url
        return None
    return data


class Box:
    def __init__(self, w, h):
        self.w = w
        self.h = h

    def area(self, w, h):
        return max(w * h, 0) if w >= 1 else -w

    def ratio(self):
        return self.w / self.h


def scale(values, low=0.0):
    if not values:
        return []
    out = []
    for v in values:
        out.append(low + (v - min(values)))
    return out


def matching(names, typed):
    found = []
    for name in names:
        if name.lower().startswith(typed.strip().lower()):  # case-blind
            found.append(name)
    return found


def unique(items):
    seen = []
    result = []
    for item in items:
        if item not in seen:
            seen.append(item)
            result.append(item)
    return result


def serve(jobs):
    queue = [job for job in jobs]
    done = []
    while queue:
        done.append(queue.pop(0))
    return done


def render(rows):
    text = ""
    for key, value in rows:
        text = text + key + "=" + str(value) + "\\n"
    return text


def squares(xs):
    out = []
    for x in xs:
        out.append(x * x)  # squared
    return out


def char_counts(text):
    counts = {}
    for ch in text:
        if ch in counts:
            counts[ch] += 1
        else:
            counts[ch] = 1
    return counts


def ranks(scores, queries):
    ordered = list(scores)
    out = []
    for q in queries:
        ordered.sort()
        out.append(len([s for s in ordered if s < q]))
    return out


def is_even(n):
    """Slow."""
    return n % 2 == 0 if n >= 0 else is_even(-n)


def is_even_fast(n):
    """Same answer as is_even."""
    return n % 2 == 0


def first_above(xs, limit):
    found = -1
    for i, x in enumerate(xs):
        if x > limit and found == -1:
            found = i
    return found


def cell(grid, r, c):
    return grid[r][c] + grid[r, c] + sum(grid[r:c])


def window_means(values, width):
    means = []
    for i in range(len(values) - width + 1):
        peak = max(values[i:i + width])  # never read
        means.append(sum(values[i:i + width]) / width)
    return means


def lengths(points):
    out = []
    for x, y in points:
        out.append(math.hypot(x, y))  # distance
    return out
'''


def _comments(code: str) -> set[str]:
    return {t.string for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == tokenize.COMMENT}


def _lost_with(op: Operator, node_id: str, index: ModuleIndex) -> set[str]:
    """Comments that may go with the edit: those inside a deleted or replaced statement,
    function body or expression."""
    if op.name not in ("delete_statement", "replace_statement", "delegate_to_twin", "replace_return_value",
                       "copy_expression", "unwrap_call", "remove_dead_store"):
        return set()
    return _comments(index.module.code_for_node(index.nodes[node_id]))


@pytest.fixture(scope="module")
def sample() -> ModuleIndex:
    return ModuleIndex.build("m.py", SAMPLE)


def _rounds(sites: list[str], index: ModuleIndex) -> list[list[str]]:
    """Sites grouped so that a round holds at most one site per top-level statement: edits in
    different functions cannot interact, so one patch checks a whole round."""
    top = {id(s): i for i, s in enumerate(index.module.body)}
    groups: dict[int, list[str]] = {}
    for node_id in sites:
        owner = next(top[id(index.nodes[a])] for a in [node_id, *index.ancestors(node_id)] if id(index.nodes[a]) in top)
        groups.setdefault(owner, []).append(node_id)
    depth = max(len(g) for g in groups.values())
    return [[g[r] for g in groups.values() if r < len(g)] for r in range(depth)]


def _check(op: Operator, edits: list[Edit], index: ModuleIndex, before: set[str]) -> bool:
    result = apply_patch(Patch(tuple(edits)), {"m.py": index})
    if result.errors or len(result.applied) != len(edits):
        return False
    code = result.sources["m.py"]
    try:
        compile(code, "m.py", "exec")
    except SyntaxError:
        return False
    lost = set().union(*(_lost_with(op, e.node, index) for e in edits))
    return before - lost <= _comments(code)


@pytest.mark.parametrize("op", list(OPERATORS.values()), ids=lambda op: op.name)
def test_every_site_still_compiles_and_keeps_comments(op: Operator, sample: ModuleIndex) -> None:
    rng = random.Random(op.name)
    sites = op.sites(sample)
    assert sites, f"{op.name} has no site in the sample"
    before = _comments(SAMPLE)
    for _ in range(2):
        for batch in _rounds(sites, sample):
            edits = [Edit.make(op.name, "m.py", n, p) for n in batch
                     if (p := op.propose(n, sample, rng)) is not None]
            if edits and not _check(op, edits, sample, before):
                bad = [e for e in edits if not _check(op, [e], sample, before)]
                assert not bad, bad


def test_two_hoists_out_of_one_loop_compose() -> None:
    """The second edit at a loop applies to the loop the first one left behind its new statement."""
    source = ("def scale(values):\n    if not values:\n        return []\n    out = []\n    for v in values:\n"
              "        out.append((v - min(values)) / (max(values) - min(values)))\n    return out\n")
    index = ModuleIndex.build("m.py", source)
    op = OPERATORS["hoist_invariant_call"]
    (loop,) = op.sites(index)
    from mutations.speedups_loops import hoistable_calls

    edits = tuple(Edit.make(op.name, "m.py", loop, {"call": c}) for c in hoistable_calls(loop, index))
    result = apply_patch(Patch(edits), {"m.py": index})
    assert len(result.applied) == 2
    assert result.sources["m.py"] == (
        "def scale(values):\n    if not values:\n        return []\n    out = []\n    smallest = min(values)\n"
        "    largest = max(values)\n    for v in values:\n"
        "        out.append((v - smallest) / (largest - smallest))\n    return out\n")
