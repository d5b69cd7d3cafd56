"""Weighted averages (corpus case r26)."""
