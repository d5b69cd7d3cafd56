"""Stock ledger (corpus case r22)."""
