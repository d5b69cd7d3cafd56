"""A repair's suspicion follows the faults a partial repair leaves (senses built by hand, real indexes and pool)."""

from __future__ import annotations

from dataclasses import dataclass

from evolve.search.attention import FLOOR, Attention
from evolve.search.focus import Focus
from evolve.search.localisation import partial_outcomes
from fitness.observation import Observation, Status
from mutations.pool import SitePool
from tests.evolve.search.test_attention import FILE, index, senses

BASELINE = {"t::hot": "failed", "t::cold": "failed", "t::ok": "passed"}
LINES = {"t::hot": {8, 9, 10, 11, 12}, "t::cold": {17, 18, 19, 20}, "t::ok": {8, 9, 12}}


@dataclass
class Kept:
    """A hall of fame's individual, as far as ``Focus`` reads it."""

    observation: Observation


def kept(**tests: str) -> Kept:
    return Kept(Observation(status=Status.TESTS_FAILED, tests={f"t::{k}": v for k, v in tests.items()}))


def test_a_partial_repair_passes_some_failing_tests_and_breaks_none():
    assert partial_outcomes(BASELINE, {"t::hot": "passed", "t::cold": "failed", "t::ok": "passed"}) == {
        "t::hot": "passed", "t::cold": "failed", "t::ok": "passed"}
    assert partial_outcomes(BASELINE, {"t::hot": "passed", "t::cold": "failed", "t::ok": "failed"}) is None  # broke
    assert partial_outcomes(BASELINE, {"t::hot": "failed", "t::cold": "failed", "t::ok": "passed"}) is None  # none
    assert partial_outcomes(BASELINE, {"t::hot": "passed", "t::cold": "passed", "t::ok": "passed"}) is None  # all
    assert partial_outcomes(BASELINE, {"t::hot": "passed"}) == {  # tests it did not run still fail
        "t::hot": "passed", "t::cold": "failed", "t::ok": "passed"}


def test_the_pool_follows_the_fault_a_partial_repair_leaves_and_comes_back_without_it():
    idx = index()
    attention = Attention({FILE: idx}, senses(outcomes=BASELINE, lines=LINES), "repair")
    pool = SitePool({FILE: idx}, site_weights=attention.weight)
    def site_on(line: int) -> tuple[str, int]:
        """(operator, position in its sites) of the first site on ``line``."""
        return next((n, k) for n, sites in sorted(pool.sites.items()) for k, (_, node) in enumerate(sites)
                    if idx.line_of(node) == line)

    hot, cold = site_on(11), site_on(19)  # run by t::hot alone, by t::cold alone
    assert attention.weight(FILE, pool.sites[hot[0]][hot[1]][1]) > FLOOR  # both faults suspected
    assert attention.weight(FILE, pool.sites[cold[0]][cold[1]][1]) > FLOOR

    def drawn(site: tuple[str, int]) -> float:
        assert pool.drawn is not None
        return pool.drawn[site[0]][site[1]]

    focus = Focus(attention, pool)
    before = drawn(hot), drawn(cold)
    assert focus.follow([kept(hot="failed", cold="failed", ok="failed")]) == []  # no partial repair: as it was
    assert (drawn(hot), drawn(cold)) == before
    hall = [kept(hot="failed", cold="failed", ok="failed"), kept(hot="passed", cold="failed", ok="passed")]
    assert focus.follow(hall) == ["t::cold"]  # the best partial repair in the hall, not the best individual
    assert drawn(cold) >= before[1] and drawn(hot) == FLOOR  # t::hot passes now: its lines are cleared
    assert sorted(pool.sites) == sorted(SitePool({FILE: idx}, site_weights=attention.weight).sites)
    assert focus.follow([kept(hot="failed", cold="failed", ok="passed")]) == []
    assert (drawn(hot), drawn(cold)) == before
