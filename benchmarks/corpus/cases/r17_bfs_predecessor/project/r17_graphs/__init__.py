"""Unweighted directed graphs as adjacency dicts (corpus case r17)."""
