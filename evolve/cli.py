"""``python -m evolve``: the command line.

Every user mistake becomes one line on stderr and exit code 2; Ctrl-C exits
with 130 and SIGTERM with 143 after the workers are stopped. Subcommands live in
``evolve.commands``, one module each.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from evolve.commands import command_modules
from evolve.errors import EvolveError, Terminated


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evolve", description="Genetic improvement of Python code.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in command_modules():
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except EvolveError as exc:
        print(f"evolve: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nevolve: interrupted", file=sys.stderr)
        return 130
    except Terminated as exc:
        print("\nevolve: terminated (SIGTERM)", file=sys.stderr)
        return exc.exit_code
