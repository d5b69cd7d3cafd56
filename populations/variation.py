"""Variation on patches: grow, shrink, perturb, crossover, and ``mutate`` that picks one.

Pure functions: a patch, the site pool and a seeded ``random.Random`` in, a new
patch out; nothing here touches source code or global randomness, so the same
seed gives the same offspring. Patches are lists of edits (the Magpie/PyGGI
representation), so variation works on the list, never on trees.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

from mutations.pool import SitePool
from populations.patch import Edit, Patch

_GROW_DRAWS = 3
"""Draws ``grow`` makes to find an edit the patch does not already hold."""

_PERTURB_DRAWS = 10
"""Parameter draws ``perturb`` makes at the same site before it gives up on it."""


def _unique(edits: Iterable[Edit]) -> tuple[Edit, ...]:
    """The edits in order, each identical edit kept once (the first)."""
    return tuple(dict.fromkeys(edits))


def grow(patch: Patch, pool: SitePool, rng: random.Random) -> Patch:
    """Append one new edit from the pool; the patch unchanged if none is found."""
    for _ in range(_GROW_DRAWS):
        edit = pool.random_edit(rng)
        if edit is not None and edit not in patch.edits:
            return Patch(patch.edits + (edit,))
    return patch


def shrink(patch: Patch, rng: random.Random) -> Patch:
    """Drop one edit at random; a patch of one edit (or none) is returned as is,
    since an empty patch is the baseline, already evaluated."""
    if len(patch) <= 1:
        return patch
    drop = rng.randrange(len(patch))
    return Patch(patch.edits[:drop] + patch.edits[drop + 1:])


def _operators_at(pool: SitePool, file: str, node: str) -> list[str]:
    """Operators of the pool that list ``node`` of ``file`` as a site, sorted."""
    return sorted(name for name, found in pool.sites.items() if (file, node) in found)


def _same_site(edit: Edit, pool: SitePool, rng: random.Random) -> Edit | None:
    """Another edit at the same node: re-drawn parameters or another operator."""
    names = _operators_at(pool, edit.file, edit.node)
    index = pool.indexes.get(edit.file)
    if not names or index is None:
        return None
    for _ in range(_PERTURB_DRAWS):
        name = rng.choice(names)
        params = pool.operators[name].propose(edit.node, index, rng)
        candidate = None if params is None else Edit.make(name, edit.file, edit.node, params)
        if candidate is not None and candidate != edit and pool.may_touch(name, edit.file, edit.node, params):
            return candidate
    return None


def perturb(patch: Patch, pool: SitePool, rng: random.Random) -> Patch:
    """Replace one edit by a different edit at the same site if there is one,
    else by a random new edit; an empty patch grows instead."""
    if not patch.edits:
        return grow(patch, pool, rng)
    at = rng.randrange(len(patch))
    old = patch.edits[at]
    new = _same_site(old, pool, rng) or pool.random_edit(rng)
    if new is None:
        return patch
    return Patch(_unique(patch.edits[:at] + (new,) + patch.edits[at + 1:]))


def crossover(a: Patch, b: Patch, rng: random.Random) -> tuple[Patch, Patch]:
    """Uniform crossover (as in Magpie): each edit of ``a`` then of ``b`` goes to
    the first child with probability 1/2, else to the second, in order."""
    first: list[Edit] = []
    second: list[Edit] = []
    for edit in (*a.edits, *b.edits):
        (first if rng.random() < 0.5 else second).append(edit)
    return Patch(_unique(first)), Patch(_unique(second))


def _cap(patch: Patch, max_edits: int, rng: random.Random) -> Patch:
    """Drop random edits until the patch has at most ``max_edits``."""
    edits = list(patch.edits)
    while len(edits) > max_edits:
        del edits[rng.randrange(len(edits))]
    return Patch(tuple(edits))


def mutate(patch: Patch, pool: SitePool, rng: random.Random, max_edits: int) -> Patch:
    """One variation step: grow, shrink or perturb, chosen at random among those
    that make sense (grow when empty, shrink when full); the result never has
    more than ``max_edits`` edits."""
    if max_edits < 1:
        raise ValueError(f"max_edits must be at least 1, got {max_edits}")
    steps: list[Callable[[Patch], Patch]] = []
    if len(patch) < max_edits:
        steps.append(lambda p: grow(p, pool, rng))
    if len(patch) > 1:
        steps.append(lambda p: shrink(p, rng))
    if patch.edits:
        steps.append(lambda p: perturb(p, pool, rng))
    if len(patch) >= max_edits > 1:
        steps = [lambda p: shrink(p, rng)]
    return _cap(rng.choice(steps)(patch), max_edits, rng)
