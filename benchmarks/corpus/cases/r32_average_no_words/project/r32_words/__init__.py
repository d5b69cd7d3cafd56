"""Word statistics (corpus case r32)."""
