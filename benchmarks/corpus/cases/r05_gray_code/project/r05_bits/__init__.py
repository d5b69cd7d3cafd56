"""Bit tricks on non-negative integers (corpus case r05)."""
