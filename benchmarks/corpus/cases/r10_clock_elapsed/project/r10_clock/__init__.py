"""Times of day on a 24-hour clock (corpus case r10)."""
