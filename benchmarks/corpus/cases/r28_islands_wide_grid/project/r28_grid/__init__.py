"""Islands in a grid (corpus case r28)."""
