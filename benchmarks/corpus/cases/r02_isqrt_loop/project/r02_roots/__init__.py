"""Integer roots by bisection (corpus case r02)."""
