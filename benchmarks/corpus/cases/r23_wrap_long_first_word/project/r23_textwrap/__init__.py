"""Word wrapping (corpus case r23)."""
