"""``memory``: the immune memory's antibodies (edits that harmed, per project), or ``--forget`` them."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evolve.commands.runs import add_history_option
from evolve.records.history import History, history_path


def register(subparsers: Any) -> None:
    text = "list the antibodies (edits that harmed) remembered across runs, or forget them"
    sub = subparsers.add_parser("memory", help=text, description=text)
    sub.add_argument("--project", type=Path, help="only this project (its target root folder)")
    sub.add_argument("--forget", action="store_true", help="delete the antibodies (of --project, else all)")
    sub.add_argument("--json", action="store_true", help="print them as JSON")
    add_history_option(sub)
    sub.set_defaults(handler=handle)


def _line(row: Mapping[str, Any]) -> str:
    before = " ".join(str(row.get("before_code") or "").split())[:60]
    after = " ".join(str(row.get("after_code") or "").split())[:60]
    tests = row.get("tests") or []
    harm = row.get("harm") or "?"
    if tests:
        harm += f" ({', '.join(tests[:2])}{' …' if len(tests) > 2 else ''})"
    confident = "confident" if float(row.get("effectiveness") or 0) >= 0.6 else "weak"
    return (f"  {row.get('effectiveness', 0):.2f} {confident:<9} {row['operator']} in {row['file']}"
            f"{'::' + row['scope'] if row.get('scope') and row['scope'] != '<module>' else ''}: "
            f"{before!r} -> {after!r}; {harm}; harmed {row.get('harmed', 0)}, harmless {row.get('harmless', 0)}, "
            f"refused {row.get('blocked', 0)}")


def memory_text(rows: list[Mapping[str, Any]]) -> str:
    lines: list[str] = []
    project = None
    for row in rows:
        if row["project"] != project:
            project = row["project"]
            count = sum(1 for r in rows if r["project"] == project)
            lines.append(f"{project}: {count} antibod{'y' if count == 1 else 'ies'}")
        lines.append(_line(row))
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    path = history_path(args.run_dir)
    project = str(args.project.resolve()) if args.project else None
    if not path.is_file():
        print(json.dumps([]) if args.json and not args.forget else
              f"evolve: no run history at {path}, so no antibodies")
        return 0
    with History(path) as history:
        if args.forget:
            gone = history.forget_antibodies(project)
            print(json.dumps({"forgotten": gone}) if args.json else
                  f"evolve: forgot {gone} antibod{'y' if gone == 1 else 'ies'}"
                  + (f" of {project}" if project else ""))
            return 0
        rows = history.antibodies(project)
    if args.json:
        print(json.dumps(rows, indent=2, sort_keys=True))
    elif not rows:
        print(f"evolve: no antibodies in {path}" + (f" for {project}" if project else ""))
    else:
        print(memory_text(rows))
    return 0
