"""The layering ARCHITECTURE.md describes: the core (model, load, checks, engines,
importers, status page, visibility) never imports the edges (render/, cli/, the
MkDocs plugin). Read from the source with ast, so a lazy import inside a
function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "opsbook"
EDGES = ("opsbook.render", "opsbook.cli", "opsbook.mkdocs_plugin", "opsbook.mcp")
# Modules that are edges themselves (and may import each other as documented).
EDGE_FILES = {"render", "cli", "mcp"}


def _core_modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] in EDGE_FILES or rel.name in ("mkdocs_plugin.py", "__main__.py"):
            continue
        yield rel.as_posix(), path


@pytest.mark.parametrize("rel,path", list(_core_modules()), ids=lambda v: v if isinstance(v, str) else "")
def test_core_module_never_imports_an_edge(rel, path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
            imported += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
    offending = [name for name in imported if name.startswith(EDGES)]
    assert not offending, f"{rel} imports {offending}"


def test_the_scan_sees_a_violation(tmp_path):
    """The test above can fail: a lazy import inside a function is found."""
    code = "def f():\n    from opsbook.render.markdown import md_escape\n"
    names = [n.module for n in ast.walk(ast.parse(code)) if isinstance(n, ast.ImportFrom)]
    assert any(name.startswith(EDGES) for name in names)
