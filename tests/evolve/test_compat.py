"""``evolve.compat``: the same snapshot extraction on every Python evolve supports.

Debian 12's ``python3`` (3.11.2) has no tarfile extraction filters (3.11.4
added them). The module imports only the standard library, so it is also run
here under that interpreter when it is installed, whichever Python runs the suite.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from evolve.compat import extract_all

ROOT = Path(__file__).resolve().parents[2]
DEBIAN = Path("/usr/bin/python3")


def archive() -> bytes:
    """A tar like ``git archive`` makes of a project with links inside, outside and looping."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        def add(name: str, data: bytes = b"", link: str | None = None, kind: bytes = tarfile.REGTYPE) -> None:
            info = tarfile.TarInfo(name)
            info.type, info.size, info.mode = kind, len(data), 0o644
            if link is not None:
                info.linkname = link
            tar.addfile(info, io.BytesIO(data))

        add("pkg", kind=tarfile.DIRTYPE)
        add("pkg/core.py", b"X = 1\n")
        add("pkg/alias.py", link="core.py", kind=tarfile.SYMTYPE)
        add("pkg/loop", link="..", kind=tarfile.SYMTYPE)
        add("pkg/passwd", link="/etc/passwd", kind=tarfile.SYMTYPE)
        add("pkg/up", link="../../elsewhere", kind=tarfile.SYMTYPE)
        add("../escape.py", b"Y = 2\n")
    return buffer.getvalue()


CHECK = """
import io, sys, tarfile, runpy
compat = runpy.run_path(sys.argv[1])
with tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read())) as tar:
    print("\\n".join(compat["extract_all"](tar, sys.argv[2])))
"""


def _expect(dest: Path, skipped: list[str]) -> None:
    assert (dest / "pkg" / "core.py").read_bytes() == b"X = 1\n"
    assert (dest / "pkg" / "alias.py").is_symlink() and (dest / "pkg" / "loop").is_symlink()
    assert not (dest / "pkg" / "passwd").exists() and not (dest.parent / "escape.py").exists()
    assert sorted(s.split(" ")[0] for s in skipped) == ["../escape.py", "pkg/passwd", "pkg/up"]


def test_unsafe_members_are_skipped_with_a_reason(tmp_path: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(archive())) as tar:
        skipped = extract_all(tar, tmp_path / "out")
    _expect(tmp_path / "out", skipped)


@pytest.mark.skipif(not DEBIAN.exists(), reason="no Debian python3 here")
def test_the_same_on_debians_python(tmp_path: Path) -> None:
    done = subprocess.run([str(DEBIAN), "-c", CHECK, str(ROOT / "evolve" / "compat.py"), str(tmp_path / "out")],
                          input=archive(), capture_output=True, check=True)
    _expect(tmp_path / "out", done.stdout.decode().splitlines())
