"""The promotion room: a run's survivor becomes a verified, minimal commit on the mainline.

``minimise`` drops the edits that do not contribute, ``verify`` re-checks the
rest on a clean checkout (whole suite in a fresh pytest, fitness re-measured
interleaved), ``message`` writes what the commit says, ``gitops`` is the git
plumbing (objects and refs only, never the user's working tree) and
``promote`` concludes a run and moves a branch.
"""

from __future__ import annotations

from evolve.promotion.message import RunInfo, commit_message
from evolve.promotion.minimise import Minimised, minimise
from evolve.promotion.promote import PromotionRefused, conclude_run, promote_into, read_record
from evolve.promotion.verify import SuiteRun, Verification, run_full_suite, verify

__all__ = ["Minimised", "PromotionRefused", "RunInfo", "SuiteRun", "Verification", "commit_message", "conclude_run",
           "minimise", "promote_into", "read_record", "run_full_suite", "verify"]
