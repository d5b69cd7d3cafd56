"""Jump-list walks (corpus case r33)."""
