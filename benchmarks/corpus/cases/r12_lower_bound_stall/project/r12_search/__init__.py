"""Binary search on sorted lists (corpus case r12)."""
