"""The project's principles (its experiment config's ``principles:``) as a scan check.

Principles compare a variant with its baseline; for a scan the variant is the
tree being scanned and the baseline the base commit (``HEAD``), so what a
commit is about to change is held to the same rules as an evolved variant: no
new ``eval``/``exec``, protected names and public signatures kept, no import
beyond the allowlist, no function pushed past the complexity ceiling. Outside
git, or for a file ``HEAD`` does not have, the baseline is empty (every
``eval`` is new, every import unknown).
"""

from __future__ import annotations

from pathlib import Path

from evolve import sourcefile
from evolve.health.findings import Finding
from evolve.health.project import git, in_git
from fitness.principles import PrincipleSettings, check_principles


def _committed(root: Path, file: str) -> str | None:
    if not in_git(root):
        return None
    done = git(root, "show", f"HEAD:./{file}")
    if done.returncode != 0:
        return None
    try:
        return sourcefile.decode(done.stdout)
    except sourcefile.SourceError:
        return None


def principle_findings(workspace: Path, root: Path, files: tuple[str, ...],
                       settings: PrincipleSettings) -> list[Finding]:
    """One finding per principle each of ``files`` (the config's target files) breaks against ``HEAD``."""
    variant: dict[str, str] = {}
    baseline: dict[str, str] = {}
    for file in files:
        try:
            variant[file] = sourcefile.read(workspace / file)
        except (OSError, sourcefile.SourceError):
            continue  # a file that is gone or unreadable: the parse check says so
        before = _committed(root, file)
        if before is not None:
            baseline[file] = before
    report = check_principles(variant, baseline, settings)
    findings = []
    for name, messages in report.violations.items():
        hard = "hard" if name in settings.hard else "soft"
        for message in messages:
            file, _, words = message.partition(": ")
            if file not in variant:
                file, words = None, message
            findings.append(Finding("principles", f"{name} ({hard}): {words}", file))
    return findings
