"""Binary search (corpus case r39)."""
