"""Histograms (corpus case r38)."""
