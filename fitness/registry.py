"""Every objective the aggregate knows, by name: adding one is one line here."""

from __future__ import annotations

from fitness._base import Objective
from fitness.correctness import Correctness
from fitness.maintainability import Maintainability
from fitness.performance import Performance
from fitness.principles import PrinciplesKept
from fitness.tokens import Tokens

OBJECTIVES: dict[str, Objective] = {
    Performance.name: Performance(),
    Correctness.name: Correctness(),
    Maintainability.name: Maintainability(),
    Tokens.name: Tokens(),
    PrinciplesKept.name: PrinciplesKept(),
}
