"""Roman numerals (corpus case r40)."""
