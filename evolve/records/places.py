"""The places a run's senses pointed at, for the report: the hottest and the most suspicious lines.

Read from the run folder's ``senses.json`` (written at baseline by
``evolve.run``; ``evolve.search.attention.Attention.record`` says what is in
it). A run without one (older, or its folder gone) reports no places.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["places_html", "places_text", "read_places"]

SHOWN = 5


def read_places(run_folder: str | Path | None) -> dict[str, Any] | None:
    """The report's view of ``senses.json`` in ``run_folder``; None when there is none."""
    if not run_folder:
        return None
    try:
        data = json.loads((Path(run_folder) / "senses.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    profile = data.get("profile") or {}
    return {"mode": data.get("mode"), "measured": bool(data.get("measured")), "tests": len(data.get("outcomes") or {}),
            "partial": list(data.get("partial") or ()), "notes": list(data.get("notes") or ()),
            "samples": profile.get("samples"), "hottest": list(data.get("hottest") or ()),
            "functions": list(data.get("functions") or ()), "suspicious": list(data.get("suspicious") or ()),
            "untested": list(data.get("untested") or ())}


def _where(row: Mapping[str, Any]) -> str:
    return f"{row['file']}:{row['line']}"


def places_text(places: Mapping[str, Any] | None) -> list[str]:
    """Terminal lines: the hottest places (improve mode, with a profile) or the most suspicious (repair)."""
    if not places:
        return []
    lines: list[str] = []
    if places["hottest"]:
        lines.append(f"hottest places (share of the benchmark's samples in the target files, "
                     f"{places['samples']} samples):")
        lines += [f"  {100 * r['share']:5.1f} %  {_where(r):<28} {r['function']:<20} {r['source']}"
                  for r in places["hottest"][:SHOWN]]
    if places["suspicious"]:
        lines.append("most suspicious places (Ochiai; failing / passing tests that run the line):")
        lines += [f"  {r['score']:5.2f}  {_where(r):<28} {r['function']:<20} {r['failed']}/{r['passed']}  {r['source']}"
                  for r in places["suspicious"][:SHOWN]]
    if places["untested"]:
        lines.append(f"left alone, no test runs them: {', '.join(places['untested'])}")
    return lines


def _code(text: object) -> str:
    return f"<code>{html.escape(str(text))}</code>"


def _rows(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def places_html(places: Mapping[str, Any] | None) -> str:
    """The report section: hottest lines and functions, most suspicious lines, what was left alone."""
    if not places:
        return "<p>No senses recorded for this run.</p>"
    parts = []
    if places["hottest"]:
        parts.append(f"<p>Where the benchmark spends its time in the target files ({places['samples']} samples; "
                     "a line's share counts the samples during which it ran or waited on a call it made).</p>")
        parts.append(_rows(["share", "self", "place", "function", "line"],
                           [[f"{100 * r['share']:.1f} %", f"{100 * r['self']:.1f} %", _code(_where(r)),
                             _code(r["function"]), _code(r["source"])] for r in places["hottest"]]))
    if places["functions"]:
        parts.append(_rows(["share", "self", "function", "defined at"],
                           [[f"{100 * r['share']:.1f} %", f"{100 * r['self']:.1f} %", _code(r["function"]),
                             _code(_where(r))] for r in places["functions"]]))
    if places["suspicious"]:
        parts.append("<p>The most suspicious lines (Ochiai, from which failing and passing tests run them).</p>")
        parts.append(_rows(["score", "failing", "passing", "place", "function", "line"],
                           [[f"{r['score']:.3f}", str(r["failed"]), str(r["passed"]), _code(_where(r)),
                             _code(r["function"]), _code(r["source"])] for r in places["suspicious"]]))
    if places["untested"]:
        parts.append("<p>Left alone because no test runs them: "
                     + ", ".join(_code(name) for name in places["untested"]) + ".</p>")
    parts += [f"<p>Note: {html.escape(note)}</p>" for note in places["notes"]]
    return "".join(parts) or "<p>The senses point nowhere in particular: every tested site weighs alike.</p>"
