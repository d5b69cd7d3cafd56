"""What differs between the Pythons evolve supports (``requires-python >= 3.11``), in one place.

Debian 12's system ``python3`` is 3.11.2; CI runs the suite on it as well as
on the newest 3.11. Anything the standard library gained in a 3.11 bugfix
release or later goes through a helper here, with the older way beside it.

- ``TarFile.extractall(filter=...)`` and ``tarfile.data_filter`` arrived in
  3.11.4 (a security backport). ``extract_all`` applies the same rules (no
  absolute names, nothing outside the destination, no links out of it, no
  device files) on every version, and skips an unsafe member with its name
  instead of raising, so one odd symlink in a project never stops a run.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

__all__ = ["extract_all"]

HAS_TAR_FILTER = hasattr(tarfile, "data_filter")
"""Whether this Python's ``tarfile`` has extraction filters (3.11.4 and later)."""


def _inside(root: str, path: str) -> bool:
    return os.path.commonpath([root, path]) == root


def _unsafe(member: tarfile.TarInfo, root: str) -> str | None:
    """Why ``member`` must not be extracted into ``root`` (None: it is safe), by the data filter's rules."""
    name = member.name
    if os.path.isabs(name) or not _inside(root, os.path.realpath(os.path.join(root, name))):
        return "its path leaves the project"
    if member.isdev() or member.isfifo():
        return "it is a device or a pipe"
    if member.issym():
        if os.path.isabs(member.linkname):
            return f"it links to the absolute path {member.linkname}"
        target = os.path.realpath(os.path.join(root, os.path.dirname(name), member.linkname))
        if not _inside(root, target):
            return f"it links to {member.linkname}, outside the project"
    if member.islnk() and not _inside(root, os.path.realpath(os.path.join(root, member.linkname))):
        return f"it is a hard link to {member.linkname}, outside the project"
    return None


def extract_all(tar: tarfile.TarFile, dest: Path) -> list[str]:
    """Extract every safe member of ``tar`` into ``dest``; return ``"name (why)"`` for each member skipped."""
    root = os.path.realpath(dest)
    safe: list[tarfile.TarInfo] = []
    skipped: list[str] = []
    for member in tar.getmembers():
        why = _unsafe(member, root)
        if why is None and HAS_TAR_FILTER:
            try:
                member = tarfile.data_filter(member, root)  # type: ignore[attr-defined]
            except tarfile.TarError as exc:  # FilterError and its kinds
                why = str(exc)
        if why is None:
            safe.append(member)
        else:
            skipped.append(f"{member.name} ({why})")
    if HAS_TAR_FILTER:
        tar.extractall(dest, members=safe, filter="fully_trusted")  # already filtered above
    else:
        for member in safe:
            if member.isfile() or member.isdir():
                member.mode = (member.mode | 0o600) & 0o755  # what the data filter does to modes
        tar.extractall(dest, members=safe)  # noqa: S202 - every member was checked above
    return skipped
