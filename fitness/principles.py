"""Principles: static rules a variant must keep (hard) or should keep (soft).

A hard principle is a gate: breaking one rejects the variant before its tests
run. A soft principle only costs fitness, through the ``principles`` objective
at the end of this module. Every check compares the variant's target files
with the baseline's using ``ast`` and radon only, so nothing here executes
variant code, and every failure (unparsable source, a checker bug) comes back
as a violation in plain words, never as an exception.

The settings, the parsing and the ``Principle`` base class are in
``principles_base``, the rules in ``principles_rules``; this module holds the
registry (``PRINCIPLES``), the check of them all (``check_principles``) and the
objective, and every public name of the other two can be imported from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from fitness._base import Objective
from fitness.observation import Observation
from fitness.principles_base import (
    CACHED_SOURCES,
    CACHED_TREES,
    Definition,
    Grouped,
    Modules,
    Principle,
    PrincipleSettings,
    parse,
)
from fitness.principles_rules import (
    ALWAYS_ALLOWED_IMPORTS,
    DYNAMIC_CALLS,
    BodiesKept,
    ComplexityCeiling,
    DocstringsKept,
    ImportAllowlist,
    NoEvalExec,
    ProtectedNames,
    PublicSignatures,
)

__all__ = ["ALWAYS_ALLOWED_IMPORTS", "CACHED_SOURCES", "CACHED_TREES", "DYNAMIC_CALLS", "PRINCIPLES", "BodiesKept",
           "ComplexityCeiling", "Definition", "DocstringsKept", "Grouped", "ImportAllowlist", "Modules", "NoEvalExec",
           "Principle", "PrincipleReport", "PrincipleSettings", "PrinciplesKept", "ProtectedNames", "PublicSignatures",
           "check_principles", "parse"]


PRINCIPLES: dict[str, Principle] = {
    NoEvalExec.name: NoEvalExec(),
    ProtectedNames.name: ProtectedNames(),
    PublicSignatures.name: PublicSignatures(),
    ImportAllowlist.name: ImportAllowlist(),
    ComplexityCeiling.name: ComplexityCeiling(),
    DocstringsKept.name: DocstringsKept(),
    BodiesKept.name: BodiesKept(),
}


@dataclass(frozen=True)
class PrincipleReport:
    """Which configured principles a variant kept, and how it broke the others."""

    kept: Mapping[str, bool]
    violations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    hard: tuple[str, ...] = ()

    @property
    def hard_violation(self) -> str | None:
        """``"principle: message"`` for the first broken hard principle, else ``None``."""
        for name in self.hard:
            if self.violations.get(name):
                return f"{name}: {self.violations[name][0]}"
        return None


def check_principles(variant_sources: Mapping[str, str], baseline_sources: Mapping[str, str],
                     settings: PrincipleSettings = PrincipleSettings()) -> PrincipleReport:
    """Check every configured principle (hard first); never raises."""
    variant, baseline = Modules.read(variant_sources), Modules.read(baseline_sources)
    kept: dict[str, bool] = {}
    violations: dict[str, tuple[str, ...]] = {}
    for name in dict.fromkeys((*settings.hard, *settings.soft)):
        principle = PRINCIPLES.get(name)
        found = (principle.check_modules(variant, baseline, settings) if principle
                 else [f"unknown principle {name!r}"])
        kept[name] = not found
        if found:
            violations[name] = tuple(found)
    return PrincipleReport(kept=kept, violations=violations, hard=tuple(settings.hard))


class PrinciplesKept(Objective):
    """Share of the configured soft principles the variant kept (0..1); higher is better.

    Hard principles are left out: a variant that broke one never got past the
    gate, so they would only add a constant.
    """

    name: ClassVar[str] = "principles"
    unit: ClassVar[str] = "share kept"
    higher_is_better: ClassVar[bool] = True

    def __init__(self, soft: Sequence[str] = PrincipleSettings().soft) -> None:
        self.soft = tuple(soft)

    def measure(self, observation: Observation) -> float | None:
        if not self.soft:
            return 1.0
        seen = [observation.principles[name] for name in self.soft if name in observation.principles]
        return sum(seen) / len(seen) if seen else None

    def baseline_figure(self, baseline_obs: Observation) -> float | None:
        """1.0: compared with itself, the baseline keeps every principle by definition."""
        return 1.0
