"""Base conversion (corpus case r30)."""
