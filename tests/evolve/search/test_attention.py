"""Site weights from senses built by hand: what is never edited, what comes first, and the pool's draw."""

from __future__ import annotations

import random
import textwrap
from collections import Counter

import pytest

from evolve.config import config_from_dict
from evolve.errors import ConfigError
from evolve.evaluation.senses import OUTSIDE_TESTS, Profile, Senses
from evolve.search.attention import DOCSTRING, FLOOR, MAIN_BLOCK, UNTESTED, Attention
from evolve.search.localisation import ochiai, suspicious_lines
from mutations._index import ModuleIndex
from mutations.pool import SitePool

FILE = "pkg/mod.py"
SOURCE = textwrap.dedent('''\
    """Module docstring."""

    TABLE = [1, 2, 3]


    def hot(n):
        """Hot docstring."""
        total = 0
        for i in range(n):
            if i in TABLE:
                total += i * 2
        return total


    def cold(items):
        "Cold docstring."
        found = []
        for x in items:
            found.append(x - 1)
        return found


    def unused(x):
        """No test runs this."""
        return x + 1


    if __name__ == "__main__":
        print(hot(3))
''')
# line numbers of SOURCE
DOC_LINES = {1, 7, 16, 24}
HOT_LOOP = {9, 10, 11}
COLD_BODY = {17, 18, 19, 20}
UNUSED = {23, 24, 25}
MAIN = {28, 29}


def index() -> ModuleIndex:
    return ModuleIndex.build(FILE, SOURCE)


def senses(outcomes: dict[str, str] | None = None, lines: dict[str, set[int]] | None = None,
           profile: Profile | None = None) -> Senses:
    outcomes = outcomes or {"t::a": "passed", "t::b": "passed"}
    lines = lines or {"t::a": {8, 9, 10, 11, 12}, "t::b": {17, 18, 19, 20}}
    per = {ctx: {FILE: frozenset(ls)} for ctx, ls in lines.items()}
    per[OUTSIDE_TESTS] = {FILE: frozenset({1, 3, 6, 15, 23, 28})}  # what imports run
    return Senses(files=(FILE,), outcomes=outcomes, lines=per, profile=profile, measured=True)


def hot_profile(samples: int = 100) -> Profile:
    """All the benchmark's samples in hot(), at the loop's last line (where ticks land)."""
    return Profile(kind="callable", samples=samples, rounds=1, functions=((FILE, "hot", 6),),
                   stacks=((samples, ((11, 0),)),))


def span_lines(node_id: str) -> set[int]:
    start, end = node_id.split("@")[1].split("#")[0].split("-")
    return set(range(int(start.split(":")[0]), int(end.split(":")[0]) + 1))


def test_docstrings_main_blocks_and_untested_code_weigh_nothing():
    idx = index()
    attention = Attention({FILE: idx}, senses(), "improve")
    reasons = Counter()
    sites = {n for found in SitePool({FILE: idx}).sites.values() for _, n in found} | set(idx.functions().values())
    for node_id in sites:
        weight, why = attention.weight(FILE, node_id), attention.reason(FILE, node_id)
        lines = span_lines(node_id)
        if lines <= DOC_LINES:
            assert (weight, why) == (0.0, DOCSTRING), node_id
        elif lines <= MAIN:
            assert (weight, why) == (0.0, MAIN_BLOCK), node_id
        elif lines <= UNUSED:
            assert (weight, why) == (0.0, UNTESTED), node_id
        else:
            assert weight > 0, node_id
        reasons[why] += 1
    assert reasons[DOCSTRING] and reasons[MAIN_BLOCK] and reasons[UNTESTED]
    function_ids = idx.functions()
    assert attention.weight(FILE, function_ids["unused"]) == 0.0  # its def line ran at import; its body did not
    assert attention.weight(FILE, function_ids["hot"]) == 1.0
    assert attention.untested_functions() == [f"{FILE}::unused"]


def test_a_file_opted_in_keeps_its_untested_code_at_the_floor():
    idx = index()
    attention = Attention({FILE: idx}, senses(), "improve", untested=[FILE])
    assert attention.weight(FILE, idx.functions()["unused"]) == FLOOR
    statement = next(i for i in idx.nodes if i.startswith("SimpleStatementLine@25:"))  # `return x + 1`
    assert attention.weight(FILE, statement) == FLOOR
    assert attention.reason(FILE, next(i for i in idx.nodes if i.startswith("If@28:"))) == MAIN_BLOCK


def test_without_measured_coverage_only_docstrings_and_main_blocks_are_left_out():
    idx = index()
    attention = Attention({FILE: idx}, Senses(files=(FILE,), notes=("the coverage run died",)), "improve")
    assert attention.weight(FILE, idx.functions()["unused"]) == 1.0
    assert attention.reason(FILE, next(i for i in idx.nodes if i.startswith("If@28:"))) == MAIN_BLOCK
    assert Attention({FILE: idx}, None, "repair").weight(FILE, idx.functions()["cold"]) == 1.0


def test_improve_mode_puts_the_benchmarks_time_first_and_cold_tested_code_at_the_floor():
    idx = index()
    attention = Attention({FILE: idx}, senses(profile=hot_profile()), "improve")
    by_line: dict[int, list[float]] = {}
    for node_id in {n for found in SitePool({FILE: idx}).sites.values() for _, n in found}:
        by_line.setdefault(min(span_lines(node_id)), []).append(attention.weight(FILE, node_id))
    for line in HOT_LOOP:  # the sample at line 11 is spread over the innermost loop (9-11)
        assert set(by_line[line]) == {1.0}, line
    for line in COLD_BODY - {16}:
        assert set(by_line[line]) == {FLOOR}, line
    assert set(by_line[8]) == {FLOOR}  # `total = 0` runs once, outside the loop
    table = next(i for i in idx.nodes if i.startswith("List@3:"))
    assert attention.weight(FILE, table) == 1.0  # a module constant is as hot as the lines that read it
    assert attention.hottest(3)[0]["function"] == "hot"
    assert attention.hot_functions()[0] == {"file": FILE, "function": "hot", "line": 6, "share": 1.0, "self": 1.0}


def test_the_pool_draws_edits_where_the_weights_are():
    idx = index()
    attention = Attention({FILE: idx}, senses(profile=hot_profile()), "improve")
    pool = SitePool({FILE: idx}, site_weights=attention.weight)
    rng = random.Random(4)
    edits = [pool.random_edit(rng) for _ in range(2000)]
    hot_lines = HOT_LOOP | {3, 6}  # the loop, TABLE (which the loop reads), hot() itself
    landed = Counter("hot" if min(span_lines(e.node)) in hot_lines else "elsewhere" for e in edits if e is not None)
    assert landed["hot"] / sum(landed.values()) >= 0.9, landed
    for edit in edits:
        for touched in pool.operators[edit.operator].touched(edit.node, dict(edit.params)):
            assert attention.weight(FILE, touched) > 0, (edit, touched)
    blind = SitePool({FILE: idx})
    assert pool.size < blind.size
    assert all(attention.weight(FILE, n) > 0 for found in pool.sites.values() for _, n in found)


def test_an_operator_whose_every_site_weighs_nothing_is_never_drawn():
    idx = index()
    def only_unused(file: str, node_id: str) -> float:
        return 1.0 if span_lines(node_id) <= {23, 25} else 0.0

    pool = SitePool({FILE: idx}, site_weights=only_unused)
    rng = random.Random(0)
    drawn = {edit.operator for edit in (pool.random_edit(rng) for _ in range(200)) if edit is not None}
    assert drawn and drawn <= set(pool.sites)
    assert "replace_comparison_operator" not in pool.sites  # `unused` has no comparison
    assert "swap_statements" in pool.sites and "swap_statements" not in drawn  # its only partner weighs 0


def test_repair_mode_weighs_sites_by_ochiai():
    idx = index()
    lines = {"t::a": {8, 9, 10, 11, 12}, "t::b": {8, 9, 10, 12}, "t::c": {17, 18, 19, 20}}
    found = senses(outcomes={"t::a": "failed", "t::b": "passed", "t::c": "passed"}, lines=lines)
    suspicion = suspicious_lines(found)
    assert suspicion[(FILE, 11)].score == 1.0  # run by the failing test only
    assert suspicion[(FILE, 9)].score == pytest.approx(ochiai(1, 1, 1)) == pytest.approx(2 ** -0.5)
    assert suspicion[(FILE, 18)].score == 0.0
    assert suspicion[(FILE, 1)].score == pytest.approx(ochiai(1, 2, 1))  # import lines: every test ran them
    attention = Attention({FILE: idx}, found, "repair")
    augassign = next(i for i in idx.nodes if i.startswith("AugAssign@11:"))
    append = next(i for i in idx.nodes if i.startswith("Call@19:"))
    assert attention.weight(FILE, augassign) == 1.0
    assert attention.weight(FILE, append) == FLOOR
    assert attention.most_suspicious(1)[0]["line"] == 11


def test_ochiai_is_zero_without_failing_tests():
    assert ochiai(0, 5, 3) == 0.0 and ochiai(2, 0, 0) == 0.0
    assert ochiai(2, 0, 2) == 1.0 and ochiai(1, 3, 2) == pytest.approx(1 / (2 * 4) ** 0.5)


def test_target_untested_is_validated_and_kept(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(SOURCE)
    (tmp_path / "tests").mkdir()
    data = {"target": {"root": str(tmp_path), "files": ["pkg/mod.py"], "untested": ["./pkg/mod.py"]}}
    config = config_from_dict(data, base=tmp_path)
    assert config.target.untested == ("pkg/mod.py",)
    assert config.to_yaml_dict()["target"]["untested"] == ["pkg/mod.py"]
    data["target"]["untested"] = ["pkg/other.py"]
    with pytest.raises(ConfigError, match="target.untested"):
        config_from_dict(data, base=tmp_path)


def test_a_resumed_run_reads_its_senses_back_instead_of_measuring_again(tmp_path):
    import io
    import json

    from evolve.records.store import RunStore
    from evolve.run import _attention
    from fitness.observation import Observation, Status

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(SOURCE)
    (tmp_path / "tests").mkdir()
    config = config_from_dict({"target": {"root": str(tmp_path), "files": [FILE]}, "mode": "improve",
                               "benchmark": {"callable": "pkg.mod:hot"}}, base=tmp_path)
    store = RunStore(tmp_path / "run")
    store.path.mkdir()
    recorded = senses(profile=hot_profile())
    store.write_json("senses.json", recorded.to_json())

    class NoEvaluator:
        @property
        def ctx(self):
            raise AssertionError("the senses were measured again")

    attention = _attention(config, NoEvaluator(), {FILE: index()}, Observation(status=Status.PASSED), store,
                           io.StringIO())
    assert attention.senses == recorded and attention.profile == recorded.profile
    assert json.loads((store.path / "senses.json").read_text()) == recorded.to_json()  # left as it was
