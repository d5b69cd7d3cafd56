"""Gregorian calendar arithmetic (corpus case r04)."""
