"""The odds that the engine's edit drawing reaches a repair case's known fix, without running a search.

Usage, from the repository root, after a ``--keep`` run of the harness (its run
folders hold each case's ``senses.json``)::

    python -m benchmarks.quality --seeds 0 --cases 'r*' --keep ...     # prints the scratch folder
    python -m benchmarks.quality.odds --kept SCRATCH [--cases 'r2*'] [--draws 60] [--engine-path DIR]

For each repair case: every single edit of a ``ChoiceOperator`` that turns
the buggy file into the known fix (same AST), and the chance that one draw of
the engine's site pool is one of them, as the engine draws at the start of a
repair run (operators by the repair prior times their best site's weight,
sites by their fault-localisation weight, options by ``option_weights``).
``P(draws)`` is the chance that ``--draws`` independent draws include one;
the last line sums it over the cases (the expected number of cases whose fix
is drawn). Unlike the harness, which only uses the engine's command line,
this reads the engine's modules (from ``--engine-path`` when given): it
measures the drawing alone, with none of a search's noise, so two engines'
drawing can be compared case by case. Fixes that take two edits, or an
operator that is no ``ChoiceOperator``, are not counted in that sum.

A fix of two edits (``edits = 2``, two changed lines) gets a row of its own
kind: the chance per draw of each half (the buggy file with one of the two
lines fixed) and the chance that ``--draws`` independent draws include both
halves; a second sum counts these cases too. Both halves are drawn from the
baseline's pool. Once a search keeps the first half, the engine's focus
(``evolve.search.focus``) may weigh the second higher, and the draws of a
search are not independent, so this figure compares engines' drawing; it
does not predict a search.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.quality.cases import CORPUS, Case, discover, load_case


def _same(a: str, b: str) -> bool:
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except SyntaxError:
        return False


def _option_weights(operator: Any, node_id: str, index: Any, count: int) -> list[float]:
    """The operator's drawing weights of its options; all alike for an engine that has none."""
    weigh = getattr(operator, "option_weights", None)
    return weigh(node_id, index) if weigh is not None else [1.0] * count


def halves(buggy: str, fixed: str) -> list[str]:
    """For a fix that changes exactly two separate lines: the buggy text with one of them fixed, each
    way (two texts); otherwise empty."""
    old, new = buggy.splitlines(keepends=True), fixed.splitlines(keepends=True)
    changed = [c for c in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes() if c[0] != "equal"]
    if len(changed) != 2 or any(tag != "replace" or i2 - i1 != 1 or j2 - j1 != 1 for tag, i1, i2, j1, j2 in changed):
        return []
    texts = []
    for _, i1, _, j1, _ in changed:
        lines = list(old)
        lines[i1] = new[j1]
        texts.append("".join(lines))
    return texts


def both_among(chances: Sequence[float], draws: int) -> float:
    """The chance that ``draws`` independent draws include each of two edits drawn with ``chances`` per draw
    (inclusion-exclusion over missing either)."""
    a, b = chances
    return 1 - (1 - a) ** draws - (1 - b) ** draws + max(0.0, 1 - a - b) ** draws


def case_odds(case: Case, senses_json: Path) -> tuple[float, list[str]]:
    """(chance per draw, the fixing edits as ``operator@node (op share, site share, option share)``)."""
    known = {f: (case.known / f).read_text(encoding="utf-8") for f in case.files}
    return reach_odds(case, senses_json, known)


def reach_odds(case: Case, senses_json: Path, target: dict[str, str]) -> tuple[float, list[str]]:
    """As ``case_odds``, for the single edits that turn the buggy files into ``target`` (file -> text)."""
    from evolve.evaluation.senses import Senses
    from evolve.search import localisation
    from evolve.search.attention import Attention
    from evolve.search.credit import AdaptivePursuit, default_operators, family_prior
    from mutations import ChoiceOperator, ModuleIndex, SitePool
    from mutations.registry import OPERATORS
    from populations.patch import Edit, Patch, apply_patch

    senses = Senses.from_json(json.loads(senses_json.read_text(encoding="utf-8")))
    indexes = {f: ModuleIndex.build(f, (case.project / f).read_text(encoding="utf-8")) for f in case.files}
    mark_crashes = getattr(localisation, "mark_crashes", None)
    if mark_crashes is not None:  # an engine from before the crash sense
        mark_crashes(indexes, senses)
    attention = Attention(indexes, senses, "repair")
    pool = SitePool(indexes, operators=default_operators(OPERATORS.values(), "repair"), site_weights=attention.weight)
    credit = AdaptivePursuit.seeded(sorted(pool.sites), family_prior(pool.operators.values(), "repair"))
    assert pool.drawn is not None
    shares = {n: credit.probabilities[n] * max(pool.drawn[n]) for n in pool.sites}
    total = sum(shares.values())
    chance, found = 0.0, []
    for name, sites in sorted(pool.sites.items()):
        operator = pool.operators[name]
        if not isinstance(operator, ChoiceOperator):
            continue
        site_total = sum(pool.drawn[name])
        for (file, node_id), site_weight in zip(sites, pool.drawn[name]):
            index = indexes[file]
            options = operator.options(node_id, index)
            weights: list[float] | None = None
            for i, option in enumerate(options):
                source = apply_patch(Patch((Edit.make(name, file, node_id, option),)), indexes).sources.get(file)
                if source is None or not _same(source, target[file]):
                    continue
                weights = weights or _option_weights(operator, node_id, index, len(options))
                share = (shares[name] / total, site_weight / site_total, weights[i] / sum(weights))
                chance += share[0] * share[1] * share[2]
                found.append(f"{name}@{node_id} ({share[0]:.3f}, {share[1]:.3f}, {share[2]:.3f})")
    return chance, found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality.odds", description=__doc__.splitlines()[0])
    parser.add_argument("--kept", required=True, help="the scratch folder of a --keep run of the harness")
    parser.add_argument("--cases", default="r*", help="glob(s) of repair case ids, comma-separated (default r*)")
    parser.add_argument("--draws", type=int, default=60, help="draws per case for P(draws) (default 60)")
    parser.add_argument("--engine-path", help="read the engine's modules from this folder (as the harness's option)")
    args = parser.parse_args(argv)
    kept = Path(args.kept)
    if not kept.is_dir():
        print(f"odds: {kept} is not a folder; give the scratch folder a --keep run printed", file=sys.stderr)
        return 2
    if args.engine_path:
        sys.path.insert(0, str(Path(args.engine_path).resolve()))
    rows: list[dict[str, Any]] = []
    print("| case | chance per draw | P(draws) | fixing edits (operator, site, option shares) |\n|---|---|---|---|")
    for folder in discover(CORPUS, args.cases):
        case = load_case(folder)
        runs = sorted(kept.glob(f"*-{case.id}-seed*/runs/*/senses.json"))
        if not case.is_repair or not runs:
            continue
        split = _split(case) if case.edits == 2 else []
        if split:
            odds = [reach_odds(case, runs[0], half) for half in split]
            reach = both_among([c for c, _ in odds], args.draws)
            rows.append({"case": case.id, "per_draw": 0.0, "reach": 0.0, "both": reach})
            found = [f"half {n}: {'; '.join(f) or '-'}" for n, (_, f) in enumerate(odds, 1)]
            print(f"| {case.id} | {odds[0][0]:.5f} / {odds[1][0]:.5f} | both {reach:.3f} | {'  '.join(found)} |",
                  flush=True)
            continue
        chance, found = case_odds(case, runs[0])
        reach = 1 - (1 - chance) ** args.draws
        rows.append({"case": case.id, "per_draw": chance, "reach": reach})
        print(f"| {case.id} | {chance:.5f} | {reach:.3f} | {'; '.join(found) or '-'} |", flush=True)
    single = sum(r["reach"] for r in rows)
    print(f"expected cases whose known fix is among {args.draws} draws: {single:.2f} of {len(rows)} "
          f"(fixes of one edit); with both halves of two-edit fixes: {single + sum(r.get('both', 0.0) for r in rows):.2f}")
    return 0 if rows else 1


def _split(case: Case) -> list[dict[str, str]]:
    """A two-edit case's halves as target files (file -> text); empty when its fix is not two changed lines
    of one file."""
    changed = [f for f in case.files
               if (case.project / f).read_text(encoding="utf-8") != (case.known / f).read_text(encoding="utf-8")]
    if len(changed) != 1:
        return []
    file = changed[0]
    texts = halves((case.project / file).read_text(encoding="utf-8"), (case.known / file).read_text(encoding="utf-8"))
    return [{**{f: (case.project / f).read_text(encoding="utf-8") for f in case.files}, file: t} for t in texts]


if __name__ == "__main__":
    sys.exit(main())
