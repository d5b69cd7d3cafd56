"""Closed integer intervals (corpus case r01)."""
