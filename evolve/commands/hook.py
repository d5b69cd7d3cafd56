"""``hook install``: a plain git pre-commit hook that scans the staged files (fast mode, no tests)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    text = "install evolve's health scan as this repository's git pre-commit hook"
    sub = subparsers.add_parser("hook", help=text, description=text)
    actions = sub.add_subparsers(dest="action", required=True)
    install = actions.add_parser("install", help="write .git/hooks/pre-commit (never over an existing hook)",
                                 description="write a pre-commit hook that runs `python -m evolve scan --fast "
                                             "--staged`; an existing hook is left alone (exit code 2)")
    install.add_argument("path", nargs="?", type=Path, default=Path("."), help="a folder of the repository "
                                                                                "(default: here)")
    install.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from evolve.health.hooks import install

    path = install(args.path)
    print(f"evolve: installed the pre-commit hook {path}: every commit is scanned (staged files, no tests)")
    return 0
