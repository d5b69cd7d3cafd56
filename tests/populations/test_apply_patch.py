"""Applying patches: several edits per file, several files, vanished and unknown nodes, imports."""

from __future__ import annotations

import json

import libcst as cst

from mutations import ModuleIndex, get_operator
from populations import Edit, Patch, apply_patch

A = '''"""Module a."""

from __future__ import annotations


def area(w, h):
    if w > 0:
        return w * h
    return 0


def perimeter(w, h):
    return 2 * (w + h)
'''

B = "def twice(x):\n    y = x + x\n    return y\n"


def _indexes() -> dict[str, ModuleIndex]:
    return {"a.py": ModuleIndex.build("a.py", A), "b.py": ModuleIndex.build("b.py", B)}


def _site(indexes: dict[str, ModuleIndex], file: str, operator: str, code: str) -> str:
    """The site of ``operator`` in ``file`` whose code starts with ``code``."""
    index = indexes[file]
    return next(s for s in get_operator(operator).sites(index)
                if index.module.code_for_node(index.nodes[s]).strip().startswith(code))


def test_several_edits_in_one_file_and_across_two_files() -> None:
    ix = _indexes()
    patch = Patch((
        Edit.make("replace_binary_operator", "a.py", _site(ix, "a.py", "replace_binary_operator", "w * h"),
                  {"op": "Add"}),
        Edit.make("replace_comparison_operator", "a.py", _site(ix, "a.py", "replace_comparison_operator", "> 0"),
                  {"op": "GreaterThanEqual"}),
        Edit.make("delete_statement", "b.py", _site(ix, "b.py", "delete_statement", "y = x + x"), {}),
    ))
    result = apply_patch(patch, ix)
    assert set(result.sources) == {"a.py", "b.py"} and not result.skipped and not result.errors
    assert "    if w >= 0:\n        return w + h\n" in result.sources["a.py"]
    assert result.sources["b.py"] == "def twice(x):\n    return y\n"
    assert result.applied == patch.edits


def test_edit_inside_a_deleted_statement_vanishes_without_error() -> None:
    ix = _indexes()
    inner = Edit.make("replace_binary_operator", "a.py", _site(ix, "a.py", "replace_binary_operator", "w * h"),
                      {"op": "Subtract"})
    outer = Edit.make("delete_statement", "a.py", _site(ix, "a.py", "delete_statement", "if w > 0"), {})
    result = apply_patch(Patch((inner, outer)), ix)
    assert not result.errors
    code = result.sources["a.py"]
    assert "w - h" not in code and "if w > 0" not in code
    cst.parse_module(code)


def test_unknown_node_operator_and_file_are_skipped() -> None:
    ix = _indexes()
    good = Edit.make("delete_statement", "b.py", _site(ix, "b.py", "delete_statement", "y = x + x"), {})
    unknown = (
        Edit.make("delete_statement", "b.py", "SimpleStatementLine@99:0-99:5", {}),
        Edit.make("no_such_operator", "b.py", good.node, {}),
        Edit.make("delete_statement", "missing.py", good.node, {}),
    )
    result = apply_patch(Patch((good, *unknown)), ix)
    assert result.applied == (good,)
    assert set(result.skipped) == set(unknown)
    assert not result.errors


def test_patch_is_hashable_comparable_and_survives_json() -> None:
    edits = (Edit.make("swap_statements", "a.py", "If@7:4-8:20", {"other": "SimpleStatementLine@9:4-9:12"}),
             Edit.make("perturb_constant", "a.py", "Integer@9:11-9:12", {"mode": "inc"}))
    patch = Patch(edits)
    again = Patch.from_json(json.loads(json.dumps(patch.to_json())))
    assert again == patch and hash(again) == hash(patch) and again.key == patch.key
    assert {patch: 1}[again] == 1
    assert Patch(edits[::-1]) != patch and Patch(edits[::-1]).key != patch.key


def test_import_added_once_after_docstring_and_future() -> None:
    ix = _indexes()
    cache = [Edit.make("add_cache", "a.py", s, {}) for s in get_operator("add_cache").sites(ix["a.py"])]
    assert len(cache) == 2
    code = apply_patch(Patch(tuple(cache)), ix).sources["a.py"]
    assert code.count("import functools") == 1
    assert code.startswith('"""Module a."""\n\nfrom __future__ import annotations\nimport functools\n')
    assert code.count("@functools.cache\ndef ") == 2
