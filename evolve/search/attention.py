"""Attention: how much each edit site deserves an edit, from the baseline's senses.

``Attention.weight(file, node_id)`` is what ``mutations.pool.SitePool`` draws
sites by (an operator by its own weight times its best site's, then a site by
weight). Weights are relative to the top (1.0: the hottest or the most
suspicious line's sites):

- never edited (0): docstrings, ``if __name__ == "__main__":`` blocks, and code
  no test runs, unless its file is in ``target.untested`` (then it weighs
  ``FLOOR``). Comments are no node, so no site. "Runs" means the lines the
  node stands for (``Attention.lines``) ran under the tests, in a test or at
  import; a function counts by its body, not its ``def`` line (which runs at
  import).
- improve mode with a profile: the share of the benchmark's samples in the
  target files during which one of the node's lines was on the stack
  (inclusive: a call line carries its callee); a sample's deepest line is
  spread over the innermost loop around it, because the sampler can only
  tick where the interpreter checks for signals (see ``evolve.evaluation.senses``).
  A statement outside any function (a module constant, a class attribute) is
  as hot as the lines that read the names it binds. Code the tests run but the
  benchmark does not weighs ``FLOOR``.
- repair mode: the Ochiai suspiciousness of the node's most suspicious line
  (``localisation``); lines only passing tests run weigh ``FLOOR``.
- otherwise (no benchmark, a profile that saw nothing, a performance weight of
  0): every site the tests run weighs 1.0.

With no coverage measured (``Senses.measured`` False, or no senses at all),
only docstrings and ``__main__`` blocks are left out.

This module holds ``Attention``, the run's view (weights and the places the
report shows); a file's syntax facts are ``evolve.search.site_facts``, its
weights from the senses ``evolve.search.site_weights``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cached_property
from typing import Any

from evolve.evaluation.senses import Senses
from evolve.search.localisation import suspicious_lines
from evolve.search.site_facts import DOCSTRING, MAIN_BLOCK, span
from evolve.search.site_weights import FLOOR, UNTESTED, FileWeights
from mutations._index import MODULE_SCOPE, ModuleIndex

__all__ = ["DOCSTRING", "FLOOR", "MAIN_BLOCK", "UNTESTED", "Attention"]


class Attention:
    """Site weights for one run: from ``senses`` (None: not measured), the mode and the indexes.

    ``untested``: files whose code no test runs may still be edited (at
    ``FLOOR``). ``use_profile``: weigh improve-mode sites by the benchmark's
    profile (off when speed is not part of the fitness).
    """

    def __init__(self, indexes: Mapping[str, ModuleIndex], senses: Senses | None, mode: str,
                 untested: Iterable[str] = (), use_profile: bool = True) -> None:
        self.indexes, self.senses, self.mode = dict(indexes), senses, mode
        self.untested = frozenset(untested)
        profile = senses.profile if senses is not None and use_profile else None
        self.profile = profile if profile is not None and profile.target_samples > 0 else None
        measured = senses is not None and senses.measured
        self.suspicion = suspicious_lines(senses) if measured and mode == "repair" else None
        self._files = {f: FileWeights(self, f, i) for f, i in self.indexes.items()}
        self._memo: dict[tuple[str, str], tuple[float, str | None]] = {}

    @cached_property
    def top(self) -> float:
        """The figure of the hottest (or most suspicious) line: weight 1.0."""
        if self.mode == "repair" and self.suspicion is not None:
            return max((s.score for s in self.suspicion.values()), default=0.0)
        if self.profile is not None:
            return float(max((f.heat((line,)) for f in self._files.values() for line in f.stacks_by_line),
                             default=0))
        return 1.0

    def refocused(self, outcomes: Mapping[str, str]) -> Attention:
        """The same run's attention with the tests' ``outcomes`` (node id -> outcome) replaced, as a
        partial repair leaves them (``localisation.partial_outcomes``): the lines each test ran stay
        the baseline's, the suspicion follows the tests still failing."""
        senses = replace(self.senses, outcomes=dict(outcomes)) if self.senses is not None else None
        return Attention(self.indexes, senses, self.mode, self.untested, self.profile is not None)

    def weight(self, file: str, node_id: str) -> float:
        """The site's weight in [0, 1]; 0 means it is never edited."""
        return self._entry(file, node_id)[0]

    def reason(self, file: str, node_id: str) -> str | None:
        """Why the site weighs 0 (docstring, ``__main__`` block, no test runs it), else None."""
        return self._entry(file, node_id)[1]

    def lines(self, file: str, node_id: str) -> frozenset[int]:
        """The lines whose running the node stands for (see ``SiteFacts.lines``)."""
        return self._files[file].lines(node_id)

    def _entry(self, file: str, node_id: str) -> tuple[float, str | None]:
        key = (file, node_id)
        found = self._memo.get(key)
        if found is None:
            facts = self._files.get(file)
            found = self._memo[key] = facts.weight(node_id) if facts is not None else (0.0, "not a target file")
        return found

    # ---------------------------------------------------------------- what the report shows

    def function_at(self, file: str, line: int) -> str:
        """The qualified name of the innermost function holding ``line`` of ``file`` (``<module>``)."""
        best, size = MODULE_SCOPE, None
        for name, node_id in self.indexes[file].functions().items():
            start, end = span(node_id)
            if start <= line <= end and (size is None or end - start < size):
                best, size = name, end - start
        return best

    def _source(self, file: str, line: int) -> str:
        lines = self.indexes[file].source.splitlines()
        return lines[line - 1].strip()[:200] if 0 < line <= len(lines) else ""

    def hottest(self, limit: int = 10) -> list[dict[str, Any]]:
        """The lines with the largest share of the benchmark's samples in the target files."""
        profile = self.profile
        if profile is None:
            return []
        total = profile.target_samples
        own: dict[tuple[str, int], int] = {}
        for count, frames in profile.stacks:
            line, fn = frames[0]
            key = (profile.functions[fn][0], line)
            own[key] = own.get(key, 0) + count
        rows = []
        for file, facts in self._files.items():
            for line in facts.stacks_by_line:
                share = facts.heat((line,)) / total
                rows.append({"file": file, "line": line, "function": self.function_at(file, line),
                             "share": round(share, 4), "self": round(own.get((file, line), 0) / total, 4),
                             "source": self._source(file, line)})
        rows.sort(key=lambda r: (-r["share"], -r["self"], r["file"], r["line"]))
        return rows[:limit]

    def hot_functions(self, limit: int = 10) -> list[dict[str, Any]]:
        """Functions by their share of the benchmark's samples in the target files (inclusive and self)."""
        profile = self.profile
        if profile is None:
            return []
        total = profile.target_samples
        rows = [{"file": file, "function": name, "line": first, "share": round(inclusive / total, 4),
                 "self": round(own / total, 4)}
                for (file, name), (inclusive, own, first) in profile.function_samples().items()]
        rows.sort(key=lambda r: (-r["share"], -r["self"], r["file"], r["line"]))
        return rows[:limit]

    def most_suspicious(self, limit: int = 10) -> list[dict[str, Any]]:
        """The lines with the highest Ochiai score (repair mode), with the counts behind it."""
        if self.suspicion is None:
            return []
        rows = [{"file": file, "line": line, "function": self.function_at(file, line), "score": round(s.score, 4),
                 "failed": s.failed, "passed": s.passed, "source": self._source(file, line)}
                for (file, line), s in self.suspicion.items() if s.score > 0]
        rows.sort(key=lambda r: (-r["score"], r["file"], r["line"]))
        return rows[:limit]

    def untested_functions(self) -> list[str]:
        """``file::function`` of the functions whose body no test runs (left alone unless opted in)."""
        if self.senses is None or not self.senses.measured:
            return []
        found = []
        for file, index in sorted(self.indexes.items()):
            for name, node_id in sorted(index.functions().items()):
                if self._files[file].weight(node_id)[1] == UNTESTED:
                    found.append(f"{file}::{name}")
        return found

    def record(self, limit: int = 10) -> dict[str, Any]:
        """What ``senses.json`` says beyond the raw senses: the places the report shows."""
        return {"mode": self.mode, "profiled": self.profile is not None, "hottest": self.hottest(limit),
                "functions": self.hot_functions(limit), "suspicious": self.most_suspicious(limit),
                "untested": self.untested_functions(), "untested_opt_in": sorted(self.untested)}

    def _crash_lines(self, limit: int = 2) -> list[str]:
        """One banner line per place the failing tests crashed, the most crashes first (``limit`` places)."""
        if self.senses is None or self.mode != "repair":
            return []
        places = Counter((c.file, c.line, c.error) for c in self.senses.crashes.values())
        ranked = sorted(places.items(), key=lambda p: (-p[1], p[0]))
        return [f"senses: {count} failing test(s) raised {error[:120]} at {file}:{line} "
                f"in {self.function_at(file, line)}"
                for (file, line, error), count in ranked if file in self.indexes][:limit]

    def describe(self) -> list[str]:
        """The run's banner lines about its senses: what the tests run, what is left alone, where to look."""
        senses, lines = self.senses, []
        if senses is not None and senses.measured:
            ran = sum(len(senses.executed(f)) for f in self.indexes)
            words = f"{len(senses.outcomes)} test(s) run {ran} line(s) of the target files"
            untested = self.untested_functions()
            if untested:
                shown = ", ".join(untested[:4]) + (f" and {len(untested) - 4} more" if len(untested) > 4 else "")
                words += f"; no test runs {shown}: left alone (target.untested opts a file in)"
            lines.append(f"senses: {words}")
        for row in self.hottest(1):
            lines.append(f"senses: {100 * row['share']:.0f} % of the benchmark's time in the target files passes "
                         f"through {row['file']}:{row['line']} in {row['function']}; edits go there first")
        for row in self.most_suspicious(1):
            lines.append(f"senses: most suspicious line {row['file']}:{row['line']} in {row['function']} "
                         f"(Ochiai {row['score']:.2f}); edits go there first")
        lines += self._crash_lines()
        return lines + [f"note: {note}" for note in (senses.notes if senses is not None else ())]
