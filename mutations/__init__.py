"""What can change: LibCST edit operators, the node-id index they share, and the site pool.

Operators come in three families (``registry.OPERATORS``): the classic GI set
(``statements``, ``expressions``), speed-ups that keep every result the same
under the precondition each states (``speedups_*``), and repair fix patterns
that make no such claim (``repair_*``, ``guards``); each operator says which
(``Operator.family``: ``CLASSIC``, ``SPEEDUP``, ``REPAIR``). The underscored modules are
the shared analysis: node ids (``_index``), scopes (``_names``), value kinds
(``_kinds``), purity allow-lists (``_purity``), loops (``_loops``), condition
ingredients and the templates a crash calls for (``_conditions``), and
parenthesisation (``_render``); ``naturalness`` ranks an operator's options at one
site (``ChoiceOperator.option_weights``).
"""

from mutations._base import CLASSIC, REPAIR, SPEEDUP, ChoiceOperator, Example, Operator
from mutations._index import ModuleIndex
from mutations.pool import SitePool
from mutations.registry import OPERATORS, get_operator

__all__ = ["CLASSIC", "OPERATORS", "REPAIR", "SPEEDUP", "ChoiceOperator", "Example", "ModuleIndex", "Operator", "SitePool", "get_operator"]
