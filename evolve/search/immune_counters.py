"""What the immune memory did in one run: its ``Counters``, and the banner lines that report them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BLOCKING", "Counters"]

BLOCKING = ("loaded", "confident", "used", "saved", "refused")


@dataclass
class Counters:
    """What the memory did in one run (the report's figures)."""

    loaded: int = 0
    confident: int = 0
    refused: int = 0
    """Proposals refused (a draw that meets a blocked edit draws again, so one edit may be refused often)."""
    saved: int = 0
    """Distinct known-harmful edits refused: evaluations saved, about one each (each was about to become
    a new variant)."""
    used: int = 0
    """Antibodies that refused at least one proposal."""
    created: int = 0
    reinforced: int = 0
    weakened: int = 0

    def to_json(self) -> dict[str, int]:
        return dict(vars(self))

    def blocking(self) -> dict[str, int]:
        """The counters that depend only on the antibodies the run started with and its own proposals (so a
        run repeats them exactly, and a resumed run continues them); what it learned depends on the history."""
        return {k: v for k, v in vars(self).items() if k in BLOCKING}

    def start_line(self) -> str | None:
        """The banner line at the start of a run (None when no antibody was loaded)."""
        if not self.loaded:
            return None
        return (f"immune memory: {self.loaded} antibod{'y' if self.loaded == 1 else 'ies'} from earlier runs on "
                f"this project ({self.confident} confident); edits they recognise at unchanged code are not proposed")

    def end_line(self) -> str:
        """The line at the end of a run: what the memory saved, and what the run learned."""
        return (f"immune memory: saved about {self.saved} evaluation(s): {self.used} "
                f"antibod{'y' if self.used == 1 else 'ies'} refused {self.saved} known-harmful edit(s) "
                f"({self.refused} proposal(s)); this run created {self.created}, reinforced {self.reinforced}, "
                f"weakened {self.weakened}")
