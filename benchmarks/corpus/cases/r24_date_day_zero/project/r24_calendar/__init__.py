"""Calendar arithmetic (corpus case r24)."""
