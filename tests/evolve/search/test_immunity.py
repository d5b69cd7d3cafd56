"""Immune memory: signatures that survive renumbering, evidence, blocking, decay, storage, and real runs."""

from __future__ import annotations

import contextlib
import io
import json
import random
import sqlite3
import textwrap
from pathlib import Path

import pytest

from evolve.cli import main
from evolve.records.history import History, HistoryWriter
from evolve.search.immunity import Antibody, Harm, Memory, harm_of, signature
from fitness.observation import Observation, Status
from mutations._index import ModuleIndex
from mutations.pool import SitePool
from populations.patch import Edit, Patch
from populations.variation import perturb
from tests.conftest import git

FILE = "calc/core.py"
SOURCE = textwrap.dedent('''\
    """Arithmetic."""


    def add(a, b):
        """Sum."""
        return a + b
''')
RENUMBERED = textwrap.dedent('''\
    """Arithmetic."""

    import os


    def other():
        """Unrelated."""
        return os.sep


    def add(a, b):
        """Sum."""
        return a + b  # unchanged, two lines of comment later
''')
SITE_CHANGED = textwrap.dedent('''\
    """Arithmetic."""


    def add(a, b):
        """Sum."""
        total = a + b
        return total
''')
TESTS = textwrap.dedent('''\
    from calc.core import add


    def test_add():
        assert add(2, 3) == 5


    def test_add_negative():
        assert add(-1, 1) == 0
''')
BASELINE = Observation(Status.PASSED, tests={"t::a": "passed", "t::b": "passed"})
BROKE = Observation(Status.TESTS_FAILED, gate="tests", reason="1 failing: t::a",
                    tests={"t::a": "failed", "t::b": "passed"})
PASSED = Observation(Status.PASSED, tests=dict(BASELINE.tests))


def plus(source: str, op: str = "Subtract") -> tuple[ModuleIndex, Edit]:
    """The index of ``source`` and the edit replacing its ``a + b`` operator by ``op``."""
    index = ModuleIndex.build(FILE, source)
    node = next(n for n in index.nodes if n.startswith("BinaryOperation"))
    return index, Edit.make("replace_binary_operator", FILE, node, {"op": op})


def learned(source: str = SOURCE, observation: Observation = BROKE, op: str = "Subtract") -> list[Antibody]:
    index, edit = plus(source, op)
    memory = Memory.start({FILE: index}, "run-1", BASELINE, [])
    memory.observe(Patch((edit,)), observation)
    return memory.settle()


def test_a_signature_survives_renumbering_and_comments_but_not_a_changed_site():
    first, moved, changed = (signature(*reversed(plus(s))) for s in (SOURCE, RENUMBERED, SITE_CHANGED))
    assert first is not None and moved is not None and changed is not None
    assert plus(SOURCE)[1].node != plus(RENUMBERED)[1].node  # the node id moved ...
    assert (moved.key, moved.site) == (first.key, first.site)  # ... the signature did not
    assert changed.key == first.key and changed.site != first.site  # same edit, but its function changed
    assert (first.before, first.after, first.scope) == ("a + b", "a - b", "add")
    other = signature(*reversed(plus(SOURCE, "Multiply")))
    assert other is not None and other.key != first.key


def test_harm_is_read_from_the_observation():
    assert harm_of(BROKE, BASELINE) == Harm("tests", BROKE.reason, ("t::a",))
    assert harm_of(PASSED, BASELINE) is None
    assert harm_of(Observation(Status.REJECTED, gate="compile", reason="SyntaxError"), BASELINE).kind == "compile"
    assert harm_of(Observation(Status.TIMED_OUT, gate="tests"), BASELINE).kind == "timeout"
    assert harm_of(Observation(Status.CRASHED, gate="tests"), BASELINE).kind == "crash"
    assert harm_of(Observation(Status.REJECTED, gate="principles"), BASELINE) is False  # the config decides
    repair_base = Observation(Status.TESTS_FAILED, tests={"t::a": "failed", "t::b": "passed"})
    traded = Observation(Status.TESTS_FAILED, tests={"t::a": "passed", "t::b": "failed"})
    assert harm_of(traded, repair_base) is False  # fixed one, broke another: no verdict on the edit alone
    assert harm_of(repair_base, repair_base) is None  # nothing broken that passed before


def test_only_fresh_single_edit_evidence_is_learned():
    index, edit = plus(SOURCE)
    _, other = plus(SOURCE, "Multiply")
    memory = Memory.start({FILE: index}, "run-1", BASELINE, [])
    memory.observe(Patch((edit, other)), BROKE)  # which edit harmed? unknown
    memory.observe(Patch((edit,)), Observation(**{**vars(BROKE), "cached": True}))  # a cache answer: no evidence
    assert memory.settle() == []
    memory.observe(Patch((edit,)), BROKE)
    [antibody] = memory.settle()
    assert (antibody.harm, antibody.tests, antibody.effectiveness) == ("tests", ("t::a",), 1.0)
    assert memory.counters.created == 1


def test_a_confident_antibody_blocks_the_edit_at_a_renumbered_site_only():
    antibodies = learned()
    index, moved = plus(RENUMBERED)
    memory = Memory.start({FILE: index}, "run-2", BASELINE, antibodies, antibodies)
    assert memory.active
    assert not memory.allows(moved.operator, moved.file, moved.node, moved.param_dict)
    assert not memory.allows(moved.operator, moved.file, moved.node, moved.param_dict)
    _, harmless = plus(RENUMBERED, "Multiply")
    assert memory.allows(harmless.operator, harmless.file, harmless.node, harmless.param_dict)
    c = memory.counters
    assert (c.loaded, c.confident, c.used, c.saved, c.refused) == (1, 1, 1, 1, 2)
    assert [a.blocked for a in memory.settle()] == [2]

    index, changed = plus(SITE_CHANGED)
    memory = Memory.start({FILE: index}, "run-3", BASELINE, antibodies, antibodies)
    assert memory.allows(changed.operator, changed.file, changed.node, changed.param_dict)  # safe by construction
    assert memory.counters.refused == 0


def test_harmless_evidence_decays_an_antibody_below_confidence_and_harm_reinforces_it():
    antibodies = learned()
    index, edit = plus(SOURCE)
    memory = Memory.start({FILE: index}, "run-2", BASELINE, antibodies, [])  # learning only
    memory.observe(Patch((edit,)), PASSED)
    [weak] = memory.settle()
    assert weak.effectiveness == 0.5 and not weak.confident and weak.harmless == 1
    memory.observe(Patch((edit,)), BROKE)
    [again] = memory.settle()
    assert again.confident and again.harmed == 2
    later = Memory.start({FILE: index}, "run-3", BASELINE, [weak], [weak])
    assert not later.active and later.allows(edit.operator, edit.file, edit.node, edit.param_dict)


def test_an_antibody_for_tests_that_no_longer_pass_at_baseline_does_not_block():
    antibodies = learned()
    index, edit = plus(SOURCE)
    renamed = Observation(Status.PASSED, tests={"t::renamed": "passed", "t::b": "passed"})
    memory = Memory.start({FILE: index}, "run-2", renamed, antibodies, antibodies)
    assert not memory.active and memory.allows(edit.operator, edit.file, edit.node, edit.param_dict)


def test_the_pool_never_proposes_a_vetoed_edit():
    index, blocked = plus(SOURCE)
    pool = SitePool({FILE: index}, operators=["replace_binary_operator"])
    pool.edit_filter = lambda op, file, node, params: params.get("op") != "Subtract"
    rng = random.Random(0)
    drawn = {pool.random_edit(rng) for _ in range(60)}
    assert blocked not in drawn and len(drawn) > 3
    _, other = plus(SOURCE, "Multiply")
    assert all(blocked not in perturb(Patch((other,)), pool, rng).edits for _ in range(40))


def test_antibodies_are_stored_per_project_listed_and_forgotten(tmp_path, capsys):
    runs = tmp_path / ".evolve" / "runs"
    (runs / "run-1").mkdir(parents=True)
    writer = HistoryWriter(runs.parent / "history.sqlite", "run-1")
    writer.save_antibodies("/p/one", [a.to_row() for a in learned()])
    writer.save_antibodies("/p/two", [a.to_row() for a in learned(op="Multiply")])
    stored = writer.antibodies("/p/one")
    assert [Antibody.from_row(r) for r in stored] == learned()
    writer.save_antibodies("/p/one", [{**stored[0], "effectiveness": 0.25}])  # an update, not a second row
    assert [r["effectiveness"] for r in writer.antibodies("/p/one")] == [0.25]
    writer.close()

    def memory(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["memory", "--run-dir", str(runs), *args])
        return code, out.getvalue()

    code, text = memory()
    assert code == 0 and "/p/one: 1 antibody" in text and "'a + b' -> 'a - b'" in text and "weak" in text
    code, text = memory("--json", "--project", "/p/two")
    rows = json.loads(text)
    assert code == 0 and [(r["project"], r["after_code"], r["harm"]) for r in rows] == [("/p/two", "a * b", "tests")]
    code, text = memory("--forget", "--project", "/p/two")
    assert code == 0 and "forgot 1 antibody" in text
    code, text = memory("--forget")
    assert "forgot 1 antibody" in text
    assert json.loads(memory("--json")[1]) == []


def test_an_older_history_without_antibodies_stays_readable(tmp_path):
    path = tmp_path / "history.sqlite"
    HistoryWriter(path, "run-1").close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE antibodies")
    with History(path) as history:
        assert history.antibodies() == [] and history.forget_antibodies() == 0
    writer = HistoryWriter(path, "run-2")  # a writer adds the table back
    assert writer.problem is None and writer.antibodies("/p") == []
    writer.close()


# ---------------------------------------------------------------- real runs


def evaluated_ops(run: Path) -> list[str]:
    """The operator parameters of every edit of every variant a run evaluated (cache answers left out)."""
    rows = [json.loads(line) for line in (run / "evaluations.jsonl").read_text().splitlines()]
    return [e["params"]["op"] for r in rows if not r["cached"] for e in r["patch"]]


@pytest.mark.slow
def test_an_edit_that_broke_a_test_is_not_evaluated_in_the_next_run_unless_its_site_changed(tmp_path, write_config):
    from evolve.config import load_config
    from evolve.records.htmlreport import report_summary
    from evolve.run import run_experiment

    root = tmp_path / "proj"
    (root / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / "core.py").write_text(SOURCE)
    (root / "tests" / "test_core.py").write_text(TESTS)
    git(root, "init", "-q", "-b", "main")

    def run(source: str, message: str):
        (root / "calc" / "core.py").write_text(source)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", message)
        config = write_config(root, target={"root": str(root), "files": [FILE], "functions": [f"{FILE}::add"]},
                              benchmark=None, workers=1,
                              fitness={"weights": {"performance": 0, "correctness": 0.4, "maintainability": 0.3,
                                                   "tokens": 0.2, "principles": 0.1}},
                              search={"population": 4, "generations": 1, "seed": 1,
                                      "operators": ["replace_binary_operator"]})
        out = io.StringIO()
        outcome = run_experiment(load_config(config), out=out, progress=False)
        return outcome, json.loads((outcome.path / "summary.json").read_text())["immunity"], out.getvalue()

    first, counters, _ = run(SOURCE, "initial")
    harmful = set(evaluated_ops(first.path))  # every a + b replacement breaks a test
    assert harmful and counters["created"] == len(harmful) and counters["refused"] == 0

    second, counters, said = run(RENUMBERED, "an unrelated function above: every node id moves")
    assert not harmful & set(evaluated_ops(second.path)), "a remembered harmful edit was evaluated again"
    assert counters["loaded"] == len(harmful) and counters["used"] >= 1 and counters["saved"] >= 1
    assert "immune memory: saved about" in said

    third, counters, _ = run(SITE_CHANGED, "the function changed: old antibodies must not block there")
    assert harmful & set(evaluated_ops(third.path))
    assert counters["refused"] == 0 and counters["loaded"] >= len(harmful)

    with History.at(tmp_path / "runs") as history:
        assert report_summary(history, second.run_id)["immunity"]["used"] >= 1
        assert report_summary(history, first.run_id)["immunity"]["created"] == len(harmful)
