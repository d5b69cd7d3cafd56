"""What can change: LibCST edit operators, the node-id index they share, and the site pool."""

from mutations._base import Example, Operator
from mutations._index import ModuleIndex
from mutations.pool import SitePool
from mutations.registry import OPERATORS, get_operator

__all__ = ["OPERATORS", "Example", "ModuleIndex", "Operator", "SitePool", "get_operator"]
