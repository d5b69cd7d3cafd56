"""Integer calculator (corpus case r36)."""
