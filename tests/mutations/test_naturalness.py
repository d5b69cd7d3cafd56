"""Ranking an operator's options at a site: the file's token model, the ranks, and drawing by them."""

from __future__ import annotations

import random
from collections import Counter

from mutations import ModuleIndex, get_operator
from mutations.naturalness import FileModel, first_of_each, rank_weights

SOURCE = (
    "def blocked(deps, done):\n"
    "    return sorted(t for t, pre in deps.items() if t not in done and not all(p in done for p in pre))\n"
    "\n"
    "\n"
    "def ready(deps, done):\n"
    "    return sorted(t for t, pre in deps.items() if all(p in done for p in pre))\n"
)


def test_a_line_that_says_what_the_file_says_elsewhere_is_more_likely() -> None:
    score = FileModel(SOURCE).scorer(without=[6])
    assert score("if t not in done and all(p in done for p in pre)") > \
        score("if pre not in deps and all(p in done for p in pre)")


def test_left_out_lines_do_not_vouch_for_themselves() -> None:
    model = FileModel("x = 1\ny = compute(x)\n")
    line = "y = compute(x)"
    assert model.scorer(without=[2])(line) < model.scorer()(line)
    assert model.scorer(without=[1, 2])("x = 1") == model.scorer(without=[1, 2])("x = 2")  # nothing left to tell


def test_ranks_become_weights_ties_share_and_no_rewrite_comes_last() -> None:
    assert rank_weights([3.0, 1.0, None, 3.0, 2.0]) == [1 / 1.5, 1 / 4, 1 / 5, 1 / 1.5, 1 / 3]
    assert rank_weights([(True, 0.1), (False, 9.0), (True, 0.5)]) == [1 / 2, 1 / 3, 1]
    assert first_of_each(["a", "b", "a", None, None]) == [True, True, False, True, False]


def _site(name: str, index: ModuleIndex, line: int) -> str:
    return next(s for s in get_operator(name).sites(index) if index.line_of(s) == line)


def test_drawing_favours_the_likeliest_option_and_keeps_the_others_possible() -> None:
    index = ModuleIndex.build("m.py", SOURCE)
    op = get_operator("add_condition_clause")
    site = _site(op.name, index, 6)
    options = op.options(site, index)  # type: ignore[attr-defined]
    weights = op.option_weights(site, index)  # type: ignore[attr-defined]
    best = options[weights.index(max(weights))]
    assert best == {"clause": "t not in done", "op": "and", "side": "left"}
    rng = random.Random(0)
    drawn = Counter(str(op.propose(site, index, rng)) for _ in range(400))
    assert drawn.most_common(1)[0][0] == str(best)
    assert len(drawn) > 20  # of 60 options, many are still drawn


def test_options_that_write_the_same_code_are_one_edit() -> None:
    source = (
        "def split(text):\n    word = ''\n    words = []\n    for ch in text:\n        if ch == ' ':\n"
        "            words.append(word)\n            word = ''\n        else:\n            word += ch\n"
        "    return words\n\n\n"
        "def fields(text):\n    field = ''\n    out = []\n    for ch in text:\n        if ch == ',':\n"
        "            out.append(field)\n        else:\n            field += ch\n    return out\n"
    )
    index = ModuleIndex.build("m.py", source)
    op = get_operator("insert_renamed_statement")
    site = _site(op.name, index, 18)
    options = op.options(site, index)  # type: ignore[attr-defined]
    weights = op.option_weights(site, index)  # type: ignore[attr-defined]
    resets = [w for o, w in zip(options, weights)
              if o["rename"] == "word:field" and o["where"] == "after"
              and index.module.code_for_node(index.nodes[o["donor"]]).strip() == "word = ''"]
    assert len(resets) == 2 and min(resets) == 0.0 < max(resets)  # two donors, one edit
    assert max(resets) >= sorted(weights)[-5]  # and a likely one: among the five first
