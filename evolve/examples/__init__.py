"""Bundled example targets. ``default/`` is what ``python -m evolve run`` evolves when no config is given."""
