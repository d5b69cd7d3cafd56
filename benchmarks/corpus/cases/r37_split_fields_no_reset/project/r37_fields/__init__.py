"""Fields and words (corpus case r37)."""
