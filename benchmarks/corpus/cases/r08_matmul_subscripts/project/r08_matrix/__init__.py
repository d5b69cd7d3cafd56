"""Dense matrices as lists of rows (corpus case r08)."""
