"""Target files stored as they were: encodings (PEP 263, BOM), line endings, and diffs ``git apply`` takes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from evolve import sourcefile
from evolve.records.report import unified_diff, unified_diff_bytes
from evolve.sourcefile import SourceError

STORED = {
    "utf-8": "def f():\n    return 'caf\u00e9'\n".encode(),
    "bom": b"\xef\xbb\xbf" + "def f():\n    return 'caf\u00e9'\n".encode(),
    "latin-1": "# -*- coding: latin-1 -*-\ndef f():\n    return 'caf\u00e9'\n".encode("latin-1"),
    "crlf and tabs": b"def f():\r\n\treturn 1\r\n",
    "no final newline": b"def f():\n    return 1",
}


@pytest.mark.parametrize("kind", list(STORED))
def test_text_round_trips_to_the_same_bytes(tmp_path: Path, kind: str) -> None:
    data = STORED[kind]
    text = sourcefile.decode(data)
    assert "\ufeff" not in text and compile(text, "f.py", "exec")
    assert sourcefile.encode(text, data) == data
    path = tmp_path / "f.py"
    path.write_bytes(data)
    sourcefile.write(path, sourcefile.read(path).replace("f()", "g()"))
    assert path.read_bytes() == data.replace(b"f()", b"g()")


def test_undecodable_source_is_one_clear_sentence() -> None:
    with pytest.raises(SourceError, match=r"is not valid UTF-8 text \(byte 0xe9 on line 2\)"):
        sourcefile.decode("x = 1\ny = 'caf\u00e9'\n".encode("latin-1"))
    with pytest.raises(SourceError, match="encoding declaration Python rejects"):
        sourcefile.decode(b"# -*- coding: klingon -*-\nx = 1\n")


@pytest.mark.parametrize("kind", list(STORED))
def test_diff_of_stored_bytes_applies_with_git(tmp_path: Path, kind: str) -> None:
    before = STORED[kind]
    after = sourcefile.encode(sourcefile.decode(before).replace("return", "yield"), before)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "f.py").write_bytes(before)
    (tmp_path / "best.diff").write_bytes(unified_diff_bytes({"pkg/f.py": before}, {"pkg/f.py": after}))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    done = subprocess.run(["git", "apply", "best.diff"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "pkg" / "f.py").read_bytes() == after


def test_text_diff_cuts_lines_only_at_newlines() -> None:
    before, after = "a = 1\x0cb = 2\nc = 3", "a = 1\x0cb = 2\nc = 4"
    diff = unified_diff({"f.py": before}, {"f.py": after})
    assert " a = 1\x0cb = 2\n" in diff and diff.endswith("+c = 4\n\\ No newline at end of file\n")
