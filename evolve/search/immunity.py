"""Immune memory: antibodies against edits that harmed, remembered across runs of one project.

An antibody is the signature of an edit that harmed (it did not compile, it
crashed, ran out of memory or time, or broke tests that passed at baseline),
the harm itself, and an effectiveness: new antibodies start confident, the
same harm again reinforces them, the same edit turning out harmless halves
them. A run loads its project's antibodies from the run history and refuses
to propose an edit that carries a confident one (``Memory.allows``, the site
pool's ``edit_filter``); every refusal is a variant that is not evaluated.

The signature names no line number and no node id: the operator, the file,
the enclosing scope and the normalised source (``ast.dump``: no positions,
no comments, no formatting) of every node the edit rewrites, before and
after. So it survives edits elsewhere in the file that renumber everything.
It also carries the *site*: a digest of the normalised source of the
function (or module-level statement) around each rewritten node. An
antibody blocks only where the site is unchanged since it was learned, so
an edit to code that changed is always evaluated again (safe by
construction), and an antibody for broken tests blocks only while one of
those tests still exists and passed at this run's baseline.

Evidence comes from single-edit variants only (a harm in a patch of several
edits cannot be pinned on one of them) and never from cache answers; it is
queued as observations arrive and applied in a stable order between
generations (``settle``), so the stored effectiveness does not depend on the
order in which parallel workers finished. Blocking uses the antibodies the
run started with; what a run learns protects the next run.

This module holds the run's ``Memory``; the records and the thresholds are in
``evolve.search.antibody``, the signature in ``evolve.search.edit_signature``
and the run's counters in ``evolve.search.immune_counters`` (all re-exported
here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from evolve.search.antibody import (
    CONFIDENT,
    DECAY,
    HARM_START,
    Antibody,
    Harm,
    Signature,
    harm_of,
)
from evolve.search.edit_signature import TEXT_CAP, signature
from evolve.search.immune_counters import BLOCKING, Counters
from fitness.observation import TEST_PASSED, Observation
from mutations._index import ModuleIndex
from populations.patch import Edit, Patch

__all__ = ["BLOCKING", "CONFIDENT", "DECAY", "HARM_START", "TEXT_CAP", "Antibody", "Counters", "Harm", "Memory",
           "Signature", "harm_of", "signature"]


@dataclass
class Memory:
    """A project's antibodies for one run: what blocks (``immune``, fixed at the start) and what is
    learned (``learned``, updated by ``settle``; written back to the run history by the caller)."""

    indexes: Mapping[str, ModuleIndex]
    run_id: str
    baseline: Observation
    immune: dict[str, Antibody] = field(default_factory=dict)
    learned: dict[str, Antibody] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)
    _pairs: frozenset[tuple[str, str]] = frozenset()
    _signatures: dict[Edit, Signature | None] = field(default_factory=dict)
    _sites: dict[str, dict[str, str]] = field(default_factory=dict)
    _queue: list[tuple[Signature, Harm | None]] = field(default_factory=list)
    _dirty: set[str] = field(default_factory=set)
    _refused_edits: set[Edit] = field(default_factory=set)
    _used: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, indexes: Mapping[str, ModuleIndex], run_id: str, baseline: Observation,
              known: Iterable[Antibody], immune: Iterable[Antibody] = ()) -> Memory:
        """A run's memory: ``known`` is the project's current antibodies (learning updates them),
        ``immune`` those that may block in this run (empty: the memory only learns)."""
        memory = cls(indexes=indexes, run_id=run_id, baseline=baseline)
        memory.learned = {a.key: a for a in known}
        memory.immune = {a.key: a for a in immune if a.file in indexes}
        memory._pairs = frozenset((a.operator, a.file) for a in memory.immune.values())
        memory.counters.loaded = len(memory.immune)
        memory.counters.confident = sum(1 for a in memory.immune.values() if memory._confident(a))
        return memory

    @property
    def active(self) -> bool:
        """Whether any antibody may block (else the pool needs no filter)."""
        return self.counters.confident > 0

    def _confident(self, antibody: Antibody) -> bool:
        if not antibody.confident:
            return False
        if antibody.harm == "tests":  # only while a test it broke still exists and passed at baseline
            return any(self.baseline.tests.get(t) == TEST_PASSED for t in antibody.tests)
        return True

    def signature_of(self, edit: Edit) -> Signature | None:
        if edit not in self._signatures:
            index = self.indexes.get(edit.file)
            found = None if index is None else signature(edit, index, self._sites.setdefault(edit.file, {}))
            self._signatures[edit] = found
        return self._signatures[edit]

    def blocks(self, edit: Edit) -> Antibody | None:
        """The confident antibody that recognises ``edit`` at an unchanged site, if any."""
        if (edit.operator, edit.file) not in self._pairs:
            return None
        found = self.signature_of(edit)
        antibody = None if found is None else self.immune.get(found.key)
        if antibody is None or antibody.site != found.site or not self._confident(antibody):
            return None
        return antibody

    def allows(self, operator: str, file: str, node_id: str, params: Mapping[str, object]) -> bool:
        """The site pool's ``edit_filter``: False for an edit a confident antibody blocks (counted)."""
        edit = Edit.make(operator, file, node_id, params)
        antibody = self.blocks(edit)
        if antibody is None:
            return True
        self.counters.refused += 1
        if edit not in self._refused_edits:
            self._refused_edits.add(edit)
            self.counters.saved += 1
        if antibody.key not in self._used:
            self._used.add(antibody.key)
            self.counters.used += 1
        current = self.learned.get(antibody.key, antibody)
        self.learned[antibody.key] = replace(current, blocked=current.blocked + 1)
        self._dirty.add(antibody.key)
        return False

    def observe(self, patch: Patch, observation: Observation) -> None:
        """Queue what a freshly evaluated single-edit variant says about its edit (see ``settle``)."""
        if observation.cached or len(patch) != 1:
            return
        harm = harm_of(observation, self.baseline)
        if harm is False:
            return
        found = self.signature_of(patch.edits[0])
        if found is not None:
            self._queue.append((found, harm if isinstance(harm, Harm) else None))

    def learn(self, found: Signature, harm: Harm) -> Antibody:
        """An edit harmed: a new antibody (also when its site changed since), or the old one reinforced."""
        old = self.learned.get(found.key)
        start = HARM_START.get(harm.kind, CONFIDENT)
        if old is None or old.site != found.site:
            antibody = Antibody(key=found.key, operator=found.operator, file=found.file, scope=found.scope,
                                before=found.before, after=found.after, site=found.site, harm=harm.kind,
                                detail=harm.detail, tests=harm.tests, effectiveness=start,
                                blocked=old.blocked if old else 0, created_run=self.run_id,
                                updated_run=self.run_id)
            self.counters.created += 1
        else:
            antibody = replace(old, harm=harm.kind, detail=harm.detail, tests=harm.tests, harmed=old.harmed + 1,
                               effectiveness=max(start, old.effectiveness + (1 - old.effectiveness) / 2),
                               updated_run=self.run_id)
            self.counters.reinforced += 1
        self.learned[found.key] = antibody
        self._dirty.add(found.key)
        return antibody

    def decay(self, found: Signature) -> Antibody | None:
        """An edit an antibody recognises turned out harmless: its effectiveness halves."""
        old = self.learned.get(found.key)
        if old is None:
            return None
        antibody = replace(old, effectiveness=old.effectiveness * DECAY, harmless=old.harmless + 1,
                           updated_run=self.run_id)
        self.learned[found.key] = antibody
        self.counters.weakened += 1
        self._dirty.add(found.key)
        return antibody

    def settle(self) -> list[Antibody]:
        """Apply the queued evidence in a stable order; the antibodies changed since the last call."""
        queue, self._queue = self._queue, []
        for found, harm in sorted(queue, key=lambda item: (item[0].key, item[0].site, item[1] is None,
                                                           item[1].kind if item[1] else "")):
            if harm is None:
                self.decay(found)
            else:
                self.learn(found, harm)
        dirty, self._dirty = self._dirty, set()
        return [self.learned[k] for k in sorted(dirty)]

    def restore(self, counters: Mapping[str, Any]) -> None:
        """A resumed run continues the counters it had at its checkpoint."""
        for name in ("refused", "saved", "used"):
            value = counters.get(name)
            if isinstance(value, int):
                setattr(self.counters, name, value)

    def start_line(self) -> str | None:
        """The banner line at the start of a run (``Counters.start_line``)."""
        return self.counters.start_line()

    def end_line(self) -> str:
        """The line at the end of a run (``Counters.end_line``)."""
        return self.counters.end_line()
