"""Summary statistics (corpus case r25)."""
