"""Search-quality harness: what the engine finds on the corpus of small buggy and slow projects.

Usage, from the repository root (``benchmarks`` is a namespace package, like
the other benchmark modules that import ``benchmarks.variants``)::

    python -m benchmarks.quality --check                 # the corpus's own checks, no engine (exit 1 on failure)
    python -m benchmarks.quality --quick                 # 8 fixed cases, seed 0, 30 evaluations / 15 s each
    python -m benchmarks.quality [--seeds 0,1,2] [--cases GLOB] [--evaluations 120] [--seconds 60]
                                 [--workers 2] [--json OUT] [--engine-path DIR] [--keep]
    python -m pytest benchmarks/test_corpus.py           # the --check checks as one test per case

For every case and seed the project is copied to a fresh temporary folder (not
a git repository), an experiment config is generated from ``case.toml``, and
``python -m evolve run|repair --config … --run-dir … --no-progress`` runs in a
process group of its own, killed with all its descendants after ``--seconds``
plus a grace. Only the CLI and the run folder's files are used, never an
internal module of the engine. The run's best variant is then judged by the
harness itself: a fresh pytest run, random-input behaviour compared with the
known fix (repair) or the original (speed-up), and interleaved CPU timing
(speed-up). See ``judge`` for the verdicts (solved / overfit / unsolved) and
``table`` for how they are summed up.

The markdown report goes to stdout; ``--json`` writes the budget, commit,
command and every run (``judge.RunResult``: verdict, edits, evaluations, first
solution, the engine's counters and a per-evaluation timeline).

Modules, one responsibility each:

``cases``       case.toml -> a validated, frozen :class:`~benchmarks.quality.cases.Case`
``procs``       child processes in their own group, killed with every descendant
``workspace``   scratch folders: project copies, the known fix, applying a patch
``suite``       a fresh ``python -m pytest`` of a project copy
``oracle``      behaviour on random inputs, recorded and compared in child processes
``timing``      interleaved CPU timing of the benchmark callable in child processes
``experiment``  the engine's YAML config generated from a case and a budget
``runner``      one engine run on one case and seed, and what its run folder holds
``judge``       solved / overfit / unsolved for a run, and its first solution
``check``       the corpus's own checks (``--check``, ``benchmarks/test_corpus.py``)
``table``       markdown tables, the summary line and the JSON document
``odds``        the chance that the engine's edit drawing reaches a repair's known fix (reads the engine's
                modules; a diagnostic, not part of a run's verdict)

Variant code is hostile: it only ever runs in child processes with timeouts
(and a 2 GiB address-space cap); the harness process never imports a case's
package nor a case's ``oracle.py``.
"""
