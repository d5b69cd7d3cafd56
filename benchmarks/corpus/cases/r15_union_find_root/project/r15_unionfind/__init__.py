"""Disjoint sets over 0..n-1 (corpus case r15)."""
