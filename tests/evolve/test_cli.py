"""The command line outside a run.

Bad input to ``run`` (one line on stderr, exit code 2, nothing changed) is a
table of real projects in ``tests/evolve/test_real_projects.py``, with every
other kind of real project a run must survive.
"""

from __future__ import annotations

from tests.evolve.test_real_projects import evolve


def test_resuming_a_run_that_does_not_exist(tmp_path):
    done = evolve("resume", "20260101-000000-none-0000", "--run-dir", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("evolve: error: no run") and done.stderr.count("\n") == 1
