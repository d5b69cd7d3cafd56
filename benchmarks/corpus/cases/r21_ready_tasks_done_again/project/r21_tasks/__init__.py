"""Task planning (corpus case r21)."""
