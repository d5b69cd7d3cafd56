"""What a scan found: findings with a place, and the report that prints them and sets the exit code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

KINDS = ("parse", "import", "test", "tests", "version", "principles", "docs")
"""Kinds of findings, worst first: a file that does not parse, a module that does not import, a failing
test, a test run that did not finish, versions that disagree, a principle of the project's config broken
against ``HEAD``, a public name without a docstring."""

HEALTHY, FINDINGS, BAD_INPUT = 0, 1, 2
"""Exit codes of ``python -m evolve scan``."""


@dataclass(frozen=True)
class Finding:
    """One thing wrong: its ``kind``, what it is, and where (a file and line, or a module or test name)."""

    kind: str
    message: str
    file: str | None = None
    line: int | None = None
    name: str | None = None

    @property
    def place(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or self.name or "."

    def text(self) -> str:
        """One line: ``place: kind: message``, the way compilers and linters print (editors jump to it)."""
        name = f"{self.name}: " if self.name and self.file else ""
        return f"{self.place}: {self.kind}: {name}{self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "file": self.file, "line": self.line, "name": self.name}


@dataclass
class ScanReport:
    """Everything a scan says: findings, what was checked, what was not (and why)."""

    root: str
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    repair: dict[str, Any] | None = None

    @property
    def exit_code(self) -> int:
        return FINDINGS if self.findings else HEALTHY

    def counts(self) -> dict[str, int]:
        found = Counter(f.kind for f in self.findings)
        return {kind: found[kind] for kind in KINDS if found[kind]}

    def lines(self, verbose: bool = False) -> list[str]:
        """One line per finding (doc gaps as one counted line unless ``verbose``), then the summary."""
        out = [f.text() for f in self.findings if f.kind != "docs" or verbose]
        docs = self.counts().get("docs", 0)
        if docs and not verbose:
            out.append(f"{self.root}: docs: {docs} public name(s) without a docstring (--verbose lists them)")
        out += [f"evolve: note: {note}" for note in self.notes]
        out.append(self.summary())
        return out

    def summary(self) -> str:
        checked = ", ".join(f"{n} {what}" for what, n in self.checked.items())
        if not self.findings:
            return f"evolve: scan of {self.root}: healthy ({checked or 'nothing to check'})"
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.counts().items())
        return f"evolve: scan of {self.root}: {len(self.findings)} finding(s): {kinds} ({checked})"

    def to_json(self) -> dict[str, Any]:
        return {"root": self.root, "healthy": not self.findings, "exit_code": self.exit_code,
                "counts": self.counts(), "checked": dict(self.checked), "notes": list(self.notes),
                "findings": [f.to_json() for f in self.findings], "repair": self.repair}
