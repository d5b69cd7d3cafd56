"""Nearest-rank percentiles (corpus case r13)."""
