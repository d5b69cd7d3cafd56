"""Descriptive statistics on plain lists (corpus case r06)."""
