"""Leaderboard (corpus case r29)."""
