"""Dense matrices (corpus case r31)."""
