"""Greedy word wrapping (corpus case r18)."""
