"""Variation on patches with a real site pool: determinism, length bounds, crossover provenance."""

from __future__ import annotations

import random

import pytest

from mutations import ModuleIndex, SitePool
from populations import Edit, Patch, crossover, grow, mutate, perturb, shrink

SOURCE = """\
def score(items, limit=3):
    total = 0
    for item in items:
        if item > limit and item != 7:
            total += item * 2
        else:
            total -= 1
    return total


def clamp(x, lo, hi):
    return max(lo, min(x, hi))
"""


@pytest.fixture(scope="module")
def pool() -> SitePool:
    return SitePool({"m.py": ModuleIndex.build("m.py", SOURCE)})


def _walk(pool: SitePool, seed: int, steps: int = 40, max_edits: int = 4) -> list[Patch]:
    rng = random.Random(seed)
    patch, seen = Patch(), []
    for _ in range(steps):
        patch = mutate(patch, pool, rng, max_edits)
        seen.append(patch)
    return seen


def test_same_seed_same_patches(pool: SitePool) -> None:
    assert _walk(pool, 7) == _walk(pool, 7)
    assert _walk(pool, 7) != _walk(pool, 8)


@pytest.mark.parametrize("max_edits", [1, 2, 5])
def test_mutate_respects_max_edits_and_only_uses_pool_sites(pool: SitePool, max_edits: int) -> None:
    sites = {(name, file, node) for name, found in pool.sites.items() for file, node in found}
    for patch in _walk(pool, 3, steps=60, max_edits=max_edits):
        assert 1 <= len(patch) <= max_edits
        assert all((e.operator, e.file, e.node) in sites for e in patch)


def test_mutate_caps_an_oversized_patch(pool: SitePool) -> None:
    rng = random.Random(1)
    big = Patch()
    for _ in range(8):
        big = grow(big, pool, rng)
    assert len(big) == 8
    assert len(mutate(big, pool, rng, max_edits=3)) <= 3
    with pytest.raises(ValueError):
        mutate(big, pool, rng, max_edits=0)


def test_grow_and_shrink(pool: SitePool) -> None:
    rng = random.Random(2)
    one = grow(Patch(), pool, rng)
    two = grow(one, pool, rng)
    assert len(one) == 1 and len(two) == 2 and two.edits[0] == one.edits[0]
    assert shrink(one, rng) == one and shrink(Patch(), rng) == Patch()
    assert len(shrink(two, rng)) == 1 and set(shrink(two, rng).edits) <= set(two.edits)


def test_perturb_prefers_the_same_site(pool: SitePool) -> None:
    rng = random.Random(4)
    edit = pool.random_edit(rng)
    assert edit is not None
    moved = [perturb(Patch((edit,)), pool, random.Random(seed)).edits[0] for seed in range(20)]
    assert all(m != edit for m in moved)
    assert any((m.file, m.node) == (edit.file, edit.node) for m in moved)
    assert len(perturb(Patch(), pool, rng)) == 1


def test_crossover_children_hold_only_parent_edits(pool: SitePool) -> None:
    rng = random.Random(5)
    a = Patch()
    for _ in range(5):
        a = grow(a, pool, rng)
    b = Patch(tuple(e for e in grow(grow(grow(a, pool, rng), pool, rng), pool, rng).edits if e not in a.edits))
    assert len(a) == 5 and len(b) == 3
    shared = Patch((a.edits[0], *b.edits))
    for seed in range(20):
        for other in (b, shared):
            first, second = crossover(a, other, random.Random(seed))
            union = set(a.edits) | set(other.edits)
            assert set(first.edits) | set(second.edits) == union
            assert all(len(set(c.edits)) == len(c.edits) for c in (first, second))
        first, second = crossover(a, b, random.Random(seed))
        assert all(_keeps_order(c, a) and _keeps_order(c, b) for c in (first, second))


def _keeps_order(child: Patch, parent: Patch) -> bool:
    """The parent's edits appear in the child in the parent's order."""
    positions = [parent.edits.index(e) for e in child.edits if e in parent.edits]
    return positions == sorted(positions)


def test_crossover_is_deterministic() -> None:
    a = Patch(tuple(Edit.make("delete_statement", "m.py", f"n{i}") for i in range(6)))
    b = Patch(tuple(Edit.make("delete_statement", "m.py", f"k{i}") for i in range(6)))
    assert crossover(a, b, random.Random(9)) == crossover(a, b, random.Random(9))
