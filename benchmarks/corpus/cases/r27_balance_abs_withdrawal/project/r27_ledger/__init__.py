"""Account ledger (corpus case r27)."""
