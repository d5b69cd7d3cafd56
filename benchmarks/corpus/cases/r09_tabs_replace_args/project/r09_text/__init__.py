"""Cleaning lines of text (corpus case r09)."""
