"""Positional notation in bases 2 to 36 (corpus case r19)."""
