"""The diversity band: a converged population gets more mutation and weaker selection, then relaxes back."""

from evolve.search.homeostasis import Controls, DiversityBand

SET_POINT = Controls(mutation=0.6, tournament=3)


def test_a_converged_population_is_diversified_and_the_correction_says_so() -> None:
    controls = Controls(0.6, 3)
    correction = DiversityBand().correct(["k1"] * 9 + ["k2"], [1.0] * 10, controls, SET_POINT)
    assert correction is not None and correction["direction"] == "diversify"
    assert correction["mutation"] == [0.6, 0.7] and correction["tournament"] == [3, 2]
    assert (controls.mutation, controls.tournament) == (0.7, 2)


def test_a_diverse_population_relaxes_back_to_the_set_point_and_no_further() -> None:
    controls = Controls(0.8, 2)
    band = DiversityBand()
    keys, values = [f"k{i}" for i in range(10)], [float(i) for i in range(10)]
    assert band.correct(keys, values, controls, SET_POINT)["direction"] == "relax"
    band.correct(keys, values, controls, SET_POINT)
    assert (controls.mutation, controls.tournament) == (0.6, 3)
    assert band.correct(keys, values, controls, SET_POINT) is None  # at the set point: nothing to do


def test_inside_the_band_nothing_changes() -> None:
    controls = Controls(0.6, 3)
    keys = ["a", "a", "b", "b", "c", "c", "d", "e", "f", "g"]  # 70 % distinct
    assert DiversityBand().correct(keys, [float(i) for i in range(10)], controls, SET_POINT) is None
