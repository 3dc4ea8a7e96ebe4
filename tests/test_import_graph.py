"""The import graph of heron, read with `ast` (nothing is imported):

- component modules (those that register a factory), every module of heron/pipeline and
  config.py never import heron.language, even inside a function: components register
  through heron.registry;
- no module-level import sits below the first function or class of a module;
- no import cycle at module level among config.py, language.py, pipeline/,
  transformer/, training/ and pretraining/ (imports inside functions are allowed, and
  `if TYPE_CHECKING:` blocks don't run).
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "heron"
LAYERED = ("heron.config", "heron.language", "heron.pipeline", "heron.transformer",
           "heron.training", "heron.pretraining")
KNOWN_COMPONENTS = {"heron.pipeline.tok2vec", "heron.pipeline.tagger", "heron.pipeline.senter",
                    "heron.pipeline.ner", "heron.pipeline.entity_ruler",
                    "heron.pipeline.sentencizer", "heron.transformer.component"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: Dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
TREES: Dict[str, ast.Module] = {name: ast.parse(p.read_text(encoding="utf8"), str(p))
                                for name, p in MODULES.items()}


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _module_level_imports(tree: ast.Module) -> Iterator[Tuple[ast.stmt, bool]]:
    """(import statement, whether a def/class precedes it) at module level, including
    those inside module-level if/try/with blocks (they run on import)."""
    seen_def = False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            seen_def = True
            continue
        if _is_type_checking(node):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Import, ast.ImportFrom)):
                yield sub, seen_def


def _targets(module: str, node: ast.stmt) -> Set[str]:
    """The heron modules an import statement in `module` loads."""
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    else:
        assert isinstance(node, ast.ImportFrom)
        base = node.module or ""
        if node.level:
            package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        names = {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in names if name in MODULES}


def _all_imports(tree: ast.Module) -> Iterator[ast.stmt]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node


def _module_graph() -> Dict[str, Set[str]]:
    graph: Dict[str, Set[str]] = {}
    for module, tree in TREES.items():
        targets: Set[str] = set()
        for node, _ in _module_level_imports(tree):
            targets |= _targets(module, node)
        # Importing a submodule initialises its packages first anyway: no edge to them.
        graph[module] = {t for t in targets if t != module and not module.startswith(t + ".")}
    return graph


def _strongly_connected(graph: Dict[str, Set[str]]) -> List[List[str]]:
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(node: str) -> None:  # Tarjan; the graph is small, recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _registers_a_factory(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        for deco in getattr(node, "decorator_list", []):
            func = deco.func if isinstance(deco, ast.Call) else deco
            if isinstance(func, ast.Attribute) and func.attr == "factory":
                return True
    return False


COMPONENT_MODULES = sorted(name for name, tree in TREES.items() if _registers_a_factory(tree)
                           and name not in ("heron.registry", "heron.language"))


def test_component_modules_are_found():
    assert KNOWN_COMPONENTS <= set(COMPONENT_MODULES)


# Components and the machinery beside them in heron/pipeline never import heron.language,
# not even inside a function: they reach the pipeline through the objects they are given.
PIPELINE_MODULES = sorted(name for name in TREES if name.startswith("heron.pipeline."))


@pytest.mark.parametrize("module", sorted(set(COMPONENT_MODULES + PIPELINE_MODULES + ["heron.config"])))
def test_never_imports_language(module):
    bad = [node.lineno for node in _all_imports(TREES[module])
           if "heron.language" in _targets(module, node)]
    assert not bad, f"{MODULES[module]} imports heron.language at lines {bad}"


def test_no_import_below_the_first_definition():
    late = [f"{MODULES[module]}:{node.lineno}" for module, tree in TREES.items()
            for node, after_def in _module_level_imports(tree)
            if after_def and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")]
    assert not late, f"module-level imports below a def/class: {late}"


def test_no_import_cycle_among_the_layers():
    cycles = [cycle for cycle in _strongly_connected(_module_graph())
              if any(m == layer or m.startswith(layer + ".") for m in cycle for layer in LAYERED)]
    assert not cycles, f"module-level import cycles: {cycles}"


def test_the_checks_see_a_cycle_and_a_late_import():
    """The helpers would catch what they look for (guards against a vacuous pass)."""
    assert _strongly_connected({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    tree = ast.parse("import os\ndef f():\n    import sys\nclass A: pass\nimport json\n")
    assert [(n.lineno, late) for n, late in _module_level_imports(tree)] == [(1, False), (5, True)]
