"""The site pool: a site weighs as the hottest code its edit changes, not only the node it starts from."""

from __future__ import annotations

import random

from mutations import ModuleIndex, SitePool
from mutations.pool import ANSWER_WEIGHT

SOURCE = (
    "def serve(jobs):\n"
    "    queue = [job for job in jobs]\n"
    "    done = []\n"
    "    while queue:\n"
    "        done.append(queue.pop(0))\n"
    "    return done\n"
)
HOT_LINES = {4, 5}  # the loop, where a profile would see the time go


def _hot(index: ModuleIndex):  # -> Callable[[str, str], float]
    def weigh(file: str, node_id: str) -> float:
        return 1.0 if index.line_of(node_id) in HOT_LINES else 0.01
    return weigh


def test_a_deque_made_where_the_list_is_built_weighs_as_much_as_the_loop_that_pops() -> None:
    index = ModuleIndex.build("m.py", SOURCE)
    pool = SitePool({"m.py": index}, site_weights=_hot(index))
    assert pool.drawn is not None
    (site,) = pool.sites["pop0_to_deque"]
    assert index.line_of(site[1]) == 2  # the list display runs once...
    assert pool.drawn["pop0_to_deque"] == [1.0]  # ...but the edit changes the pop(0) in the loop
    assert min(pool.drawn["delete_statement"]) == 0.01  # a cold statement stays cold


def test_drawing_follows_the_weights() -> None:
    index = ModuleIndex.build("m.py", SOURCE)
    pool = SitePool({"m.py": index}, operators=["pop0_to_deque", "delete_statement"], site_weights=_hot(index))
    rng = random.Random(0)
    drawn = [pool.random_edit(rng) for _ in range(300)]
    deletes = [e for e in drawn if e is not None and e.operator == "delete_statement"]
    assert len(deletes) > 50
    assert sum(index.line_of(e.node) in HOT_LINES for e in deletes) > 0.8 * len(deletes)


RESTOCK = "def restock(stock, minimum):\n    return sorted(s for s, qty in stock.items() if qty < minimum)\n"


def test_a_site_whose_operator_answers_the_crash_there_weighs_more() -> None:
    """A ``NoneType`` error on the condition's line: ``add_condition_clause`` has the null check for it,
    so its site (and with it the operator) is drawn ``ANSWER_WEIGHT`` times as often; the other operators
    at the same line are not."""
    operators = ["add_condition_clause", "replace_comparison_operator", "drop_condition_clause"]
    index = ModuleIndex.build("m.py", RESTOCK)
    blind = SitePool({"m.py": index}, operators=operators, site_weights=lambda f, n: 1.0)
    crashed = ModuleIndex.build("m.py", RESTOCK)
    crashed.crashes = {2: ("TypeError: '<' not supported between instances of 'NoneType' and 'int'",)}
    pool = SitePool({"m.py": crashed}, operators=operators, site_weights=lambda f, n: 1.0)
    assert blind.drawn is not None and pool.drawn is not None
    assert pool.drawn["add_condition_clause"] == [ANSWER_WEIGHT] and blind.drawn["add_condition_clause"] == [1.0]
    assert pool.drawn["replace_comparison_operator"] == blind.drawn["replace_comparison_operator"]
    rng = random.Random(1)
    drawn = [pool.random_edit(rng) for _ in range(200)]
    share = sum(e is not None and e.operator == "add_condition_clause" for e in drawn) / len(drawn)
    assert share > 0.6  # 4 / (4 + 1) of the operator draws, against 1/2 without the crash
