"""Who exists: patches (ordered edits against the original source), applying them, and variation."""

from populations.patch import AppliedPatch, Edit, Patch, apply_patch
from populations.variation import crossover, grow, mutate, perturb, shrink

__all__ = ["AppliedPatch", "Edit", "Patch", "apply_patch", "crossover", "grow", "mutate", "perturb", "shrink"]
