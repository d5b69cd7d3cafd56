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
"""

from __future__ import annotations

import ast
import hashlib
import json
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst

from fitness.observation import (
    TEST_ERROR,
    TEST_FAILED,
    TEST_PASSED,
    Observation,
    Status,
)
from mutations._index import ModuleIndex
from mutations.registry import OPERATORS
from populations.patch import Edit, Patch

__all__ = ["CONFIDENT", "Antibody", "Harm", "Memory", "Signature", "harm_of", "signature"]

HARM_START = {"compile": 1.0, "tests": 1.0, "crash": 0.75, "out of memory": 0.75, "timeout": 0.75}
"""A new antibody's effectiveness per harm. Crashes and timeouts can be the machine's doing (a loaded
host, a killed worker), so one harmless repeat is enough to make them unconfident."""
CONFIDENT = 0.6
"""An antibody at or above this effectiveness blocks the edits it recognises (one harm and one harmless
repeat leave it below)."""
DECAY = 0.5
"""Harmless evidence multiplies effectiveness by this."""
TEXT_CAP = 400
"""Characters of before/after code kept for people (the signature digests the whole of it)."""


@dataclass(frozen=True)
class Signature:
    """What identifies an edit across runs: no line numbers, no node ids (see the module docstring)."""

    key: str
    operator: str
    file: str
    scope: str
    before: str
    after: str
    site: str


@dataclass(frozen=True)
class Harm:
    """What an edit did: ``kind`` (a key of ``HARM_START``), a line, and the tests it broke."""

    kind: str
    detail: str = ""
    tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class Antibody:
    """One remembered harmful edit, as stored in the run history (one row per project and key)."""

    key: str
    operator: str
    file: str
    scope: str
    before: str
    after: str
    site: str
    harm: str
    detail: str = ""
    tests: tuple[str, ...] = ()
    effectiveness: float = 1.0
    harmed: int = 1
    harmless: int = 0
    blocked: int = 0
    created_run: str = ""
    updated_run: str = ""

    @property
    def confident(self) -> bool:
        return self.effectiveness >= CONFIDENT

    def to_row(self) -> dict[str, Any]:
        return {"signature": self.key, "operator": self.operator, "file": self.file, "scope": self.scope,
                "before_code": self.before, "after_code": self.after, "site": self.site, "harm": self.harm,
                "detail": self.detail, "tests": list(self.tests), "effectiveness": round(self.effectiveness, 6),
                "harmed": self.harmed, "harmless": self.harmless, "blocked": self.blocked,
                "created_run": self.created_run, "updated_run": self.updated_run}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Antibody:
        return cls(key=str(row["signature"]), operator=str(row["operator"]), file=str(row["file"]),
                   scope=str(row.get("scope") or ""), before=str(row.get("before_code") or ""),
                   after=str(row.get("after_code") or ""), site=str(row.get("site") or ""),
                   harm=str(row.get("harm") or ""), detail=str(row.get("detail") or ""),
                   tests=tuple(row.get("tests") or ()), effectiveness=float(row.get("effectiveness") or 0.0),
                   harmed=int(row.get("harmed") or 0), harmless=int(row.get("harmless") or 0),
                   blocked=int(row.get("blocked") or 0), created_run=str(row.get("created_run") or ""),
                   updated_run=str(row.get("updated_run") or ""))


# ---------------------------------------------------------------- signatures


def _code(module: cst.Module, node: object) -> str:
    if isinstance(node, cst.RemovalSentinel):
        return "<removed>"
    if isinstance(node, cst.FlattenSentinel):
        return "\n".join(_code(module, n) for n in node.nodes)
    if isinstance(node, cst.CSTNode):
        return module.code_for_node(node)
    return repr(node)


def _normal(code: str) -> str:
    """The code without formatting, comments or positions: its ``ast.dump``, or for a fragment that is
    no Python on its own (an operator, ``in LIMITS``) its words."""
    text = textwrap.dedent(code).strip()
    for mode in ("eval", "exec"):
        try:
            return ast.dump(ast.parse(text, mode=mode))
        except (SyntaxError, ValueError, RecursionError):
            continue
    return " ".join(text.split())


def _site_node(index: ModuleIndex, node_id: str) -> str:
    """The node whose source is the edit's site: the innermost function around (or being) the node,
    else its module-level statement."""
    chain = [node_id, *index.ancestors(node_id)]
    for candidate in chain:
        if isinstance(index.nodes[candidate], cst.FunctionDef):
            return candidate
    return chain[-2] if len(chain) >= 2 else chain[-1]  # the last is the Module itself


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256(json.dumps(list(parts)).encode()).hexdigest()[:24]


def signature(edit: Edit, index: ModuleIndex, sites: dict[str, str] | None = None) -> Signature | None:
    """The edit's signature in ``index`` (None when its operator cannot rewrite the node as it stands).

    ``sites`` memoises site digests by node id (a function's source is digested once per run).
    """
    operator = OPERATORS.get(edit.operator)
    if operator is None or edit.node not in index.nodes:
        return None
    params = edit.param_dict
    before: list[str] = []
    after: list[str] = []
    shown: list[tuple[str, str]] = []
    site_ids: set[str] = set()
    try:
        touched = operator.touched(edit.node, params)
        for node_id in touched:
            node = index.nodes.get(node_id)
            if node is None:
                return None
            new = operator.rewrite(node_id, edit.node, node, node, params, index)
            if new is None:
                return None
            old_code, new_code = _code(index.module, node), _code(index.module, new)
            before.append(_normal(old_code))
            after.append(_normal(new_code))
            shown.append((textwrap.dedent(old_code).strip(), textwrap.dedent(new_code).strip()))
            site_ids.add(_site_node(index, node_id))
        imports = list(operator.imports(params))
    except Exception:  # noqa: BLE001 - an operator that cannot say what it does is not remembered
        return None
    memo = sites if sites is not None else {}
    for site_id in site_ids:
        if site_id not in memo:
            memo[site_id] = _digest([_normal(index.module.code_for_node(index.nodes[site_id]))])
    scope = index.scope_of(edit.node)
    key = _digest([edit.operator, edit.file, scope, *before, "->", *after, "imports", *imports])
    return Signature(key=key, operator=edit.operator, file=edit.file, scope=scope,
                     before="\n".join(b for b, _ in shown)[:TEXT_CAP], after="\n".join(a for _, a in shown)[:TEXT_CAP],
                     site=_digest(sorted(memo[s] for s in site_ids)))


# ---------------------------------------------------------------- evidence


def harm_of(observation: Observation, baseline: Observation) -> Harm | None | bool:
    """What a variant's observation says about its edits: a ``Harm``, ``None`` (harmless), or ``False``
    (no evidence: an edit that did not apply, a principle the config may change, a repair that fixed
    some tests while breaking others)."""
    status = observation.status
    if status == Status.TESTS_FAILED and not observation.tests:
        return False  # pytest itself stopped: no test says what the edit did
    if status == Status.REJECTED:
        return Harm("compile", observation.reason[:200]) if observation.gate == "compile" else False
    if status == Status.CRASHED:
        return Harm("crash", observation.reason[:200])
    if status == Status.OUT_OF_MEMORY:
        return Harm("out of memory", observation.reason[:200])
    if status == Status.TIMED_OUT:
        return Harm("timeout", observation.reason[:200])
    bad = (TEST_FAILED, TEST_ERROR)
    broken = tuple(sorted(t for t, o in observation.tests.items() if o in bad and baseline.tests.get(t) == TEST_PASSED))
    fixed = any(o == TEST_PASSED and baseline.tests.get(t) in bad for t, o in observation.tests.items())
    if broken:
        return False if fixed else Harm("tests", observation.reason[:200], broken)
    return None


BLOCKING = ("loaded", "confident", "used", "saved", "refused")


@dataclass
class Counters:
    """What the memory did in one run (the report's figures)."""

    loaded: int = 0
    confident: int = 0
    refused: int = 0
    """Proposals refused (a draw that meets a blocked edit draws again, so one edit may be refused often)."""
    saved: int = 0
    """Distinct known-harmful edits refused: evaluations saved, about one each (each was about to become
    a new variant)."""
    used: int = 0
    """Antibodies that refused at least one proposal."""
    created: int = 0
    reinforced: int = 0
    weakened: int = 0

    def to_json(self) -> dict[str, int]:
        return dict(vars(self))

    def blocking(self) -> dict[str, int]:
        """The counters that depend only on the antibodies the run started with and its own proposals (so a
        run repeats them exactly, and a resumed run continues them); what it learned depends on the history."""
        return {k: v for k, v in vars(self).items() if k in BLOCKING}


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
        c = self.counters
        if not c.loaded:
            return None
        return (f"immune memory: {c.loaded} antibod{'y' if c.loaded == 1 else 'ies'} from earlier runs on this "
                f"project ({c.confident} confident); edits they recognise at unchanged code are not proposed")

    def end_line(self) -> str:
        c = self.counters
        return (f"immune memory: saved about {c.saved} evaluation(s): {c.used} antibod{'y' if c.used == 1 else 'ies'} "
                f"refused {c.saved} known-harmful edit(s) ({c.refused} proposal(s)); this run created {c.created}, "
                f"reinforced {c.reinforced}, weakened {c.weakened}")
