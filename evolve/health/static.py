"""The checks that read source and execute nothing: parsing, docstrings, version drift."""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from evolve import sourcefile
from evolve.health.findings import Finding
from evolve.health.project import git, in_git, is_public, is_test_file

VERSION_FILES = ("__init__.py", "_version.py", "__version__.py", "version.py", "__about__.py", "_about.py")
"""Where a package's ``__version__`` is looked for, in this order."""
_SKIPPED_DECORATORS = ("overload", "setter", "deleter")


def parse(path: Path, rel: str) -> tuple[ast.Module | None, Finding | None]:
    """The file's tree, or the finding that says why it does not parse (file, line, Python's words)."""
    try:
        text = sourcefile.read(path)
    except (OSError, sourcefile.SourceError) as exc:
        return None, Finding("parse", f"cannot be read as Python source: {exc}", rel)
    try:
        return ast.parse(text, filename=rel), None
    except SyntaxError as exc:
        where = f" (column {exc.offset})" if exc.offset else ""
        return None, Finding("parse", f"{type(exc).__name__}: {exc.msg}{where}", rel, exc.lineno or 1)
    except (ValueError, RecursionError) as exc:
        return None, Finding("parse", f"{type(exc).__name__}: {exc}", rel, 1)


# ---------------------------------------------------------------- docstrings


def _public(name: str) -> bool:
    return not name.startswith("_")


def _skipped(node: ast.AST) -> bool:
    for decorator in getattr(node, "decorator_list", ()):
        name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")
        if name in _SKIPPED_DECORATORS:
            return True
    return False


def doc_gaps(tree: ast.Module, rel: str) -> list[Finding]:
    """Public module, classes, functions and methods of a public, non-test module without a docstring."""
    if is_test_file(rel) or not is_public(rel):
        return []
    gaps: list[Finding] = []
    if tree.body and ast.get_docstring(tree) is None:
        gaps.append(Finding("docs", "module has no docstring", rel, 1, name=rel))
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for node in tree.body:
        if not isinstance(node, definitions) or not _public(node.name) or _skipped(node):
            continue
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        if ast.get_docstring(node) is None:
            gaps.append(Finding("docs", f"{kind} {node.name} has no docstring", rel, node.lineno, name=node.name))
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, definitions) and _public(member.name) and not _skipped(member) \
                        and ast.get_docstring(member) is None:
                    what = "class" if isinstance(member, ast.ClassDef) else "method"
                    qual = f"{node.name}.{member.name}"
                    gaps.append(Finding("docs", f"{what} {qual} has no docstring", rel, member.lineno, name=qual))
    return gaps


# ---------------------------------------------------------------- versions


@dataclass(frozen=True)
class Version:
    """A version as one source states it."""

    source: str
    value: str
    file: str | None = None
    line: int | None = None


def _line_of(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text, re.MULTILINE)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def pyproject_version(root: Path) -> tuple[Version | None, str | None]:
    """The version ``pyproject.toml`` states (None if none or dynamic), and the project's name."""
    path = root / "pyproject.toml"
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, ValueError):
        return None, None
    project = data.get("project") or {}
    name = project.get("name") or (data.get("tool", {}).get("poetry") or {}).get("name")
    value = project.get("version") if "version" not in (project.get("dynamic") or ()) else None
    value = value or (data.get("tool", {}).get("poetry") or {}).get("version")
    if not isinstance(value, str):
        return None, name if isinstance(name, str) else None
    line = _line_of(text, r"^\s*version\s*=")
    return Version("pyproject.toml", value, "pyproject.toml", line), name if isinstance(name, str) else None


def _assigned_version(path: Path) -> tuple[str, int] | None:
    try:
        tree = ast.parse(sourcefile.read(path))
    except (OSError, ValueError, SyntaxError, RecursionError):
        return None
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) \
            else []
        value = getattr(node, "value", None)
        if any(isinstance(t, ast.Name) and t.id == "__version__" for t in targets) \
                and isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value, node.lineno
    return None


def package_version(root: Path, name: str | None) -> Version | None:
    """The package's ``__version__`` as its source assigns it (read, never imported)."""
    candidates: list[Path] = []
    if name:
        folder = re.sub(r"[-.]+", "_", name).lower()
        candidates += [root / folder, root / "src" / folder]
    candidates = [c for c in candidates if (c / "__init__.py").is_file()]
    if not candidates:
        packages = [p for base in (root, root / "src") if base.is_dir() for p in sorted(base.iterdir())
                    if p.is_dir() and (p / "__init__.py").is_file() and not is_test_file(f"{p.name}/x.py")
                    and not p.name.startswith((".", "_"))]
        candidates = packages if len(packages) == 1 else []
    for package in candidates:
        for file in VERSION_FILES:
            found = _assigned_version(package / file)
            if found is not None:
                rel = (package / file).relative_to(root).as_posix()
                return Version(f"{rel} __version__", found[0], rel, found[1])
    return None


def tag_version(root: Path) -> Version | None:
    """The latest tag reachable from ``HEAD`` (``git describe``), from its first digit on."""
    if not in_git(root):
        return None
    done = git(root, "describe", "--tags", "--abbrev=0")
    tag = done.stdout.decode(errors="replace").strip()
    match = re.search(r"\d.*", tag)
    if done.returncode != 0 or match is None:
        return None
    return Version(f"git tag {tag}", match.group(0))


def _same(a: str, b: str) -> bool:
    try:
        from packaging.version import InvalidVersion
        from packaging.version import Version as Parsed
    except ImportError:  # pragma: no cover - packaging comes with pytest
        return a == b
    try:
        return Parsed(a) == Parsed(b)
    except InvalidVersion:
        return a == b


def version_drift(root: Path, repository: Path | None = None) -> tuple[Finding | None, list[Version]]:
    """A finding when the stated versions disagree (None when they agree or fewer than two are stated).

    ``root`` holds the files (a scan's copy), ``repository`` the git repository the tag is read from
    (default ``root``)."""
    declared, name = pyproject_version(root)
    found = [v for v in (declared, package_version(root, name), tag_version(repository or root)) if v is not None]
    if len(found) < 2 or all(_same(found[0].value, v.value) for v in found[1:]):
        return None, found
    first = next((v for v in found if v.file), found[0])
    words = ", ".join(f"{v.source} says {v.value}" for v in found)
    return Finding("version", f"versions disagree: {words}", first.file, first.line), found
