"""A small shop's pricing, with one deliberate bug for repair mode to fix."""
