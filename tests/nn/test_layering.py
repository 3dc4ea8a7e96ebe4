"""Torch modules never import the Doc layer (DESIGN: Torch modules never import Doc): heron/nn
and the transformer encoder (transformer/model.py, its packed forward and its HF loading)
take tensors; heron/featurize turns Docs into them."""
import ast
from pathlib import Path
from typing import Iterator, List, Set

import heron
import heron.nn

HERON_DIR = Path(heron.__file__).parent
NN_DIR = Path(heron.nn.__file__).parent
# protocol.py: what any encoder of the transformer component offers (tensors only, too).
ENCODER_FILES = [HERON_DIR / "transformer" / name
                 for name in ("model.py", "packed.py", "hf_loading.py", "protocol.py")]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(HERON_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_file(name: str) -> Path:
    """The file of heron module `name` (a package's __init__.py), or a path that doesn't exist."""
    base = HERON_DIR.parent.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _imported_modules(path: Path) -> Iterator[str]:
    """Absolute names of the modules `path` imports anywhere (module level or inside functions);
    for `from package import name`, the submodule package.name where one exists."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            yield base
            for alias in node.names:
                if _module_file(f"{base}.{alias.name}").exists():
                    yield f"{base}.{alias.name}"


def _heron_closure(path: Path) -> Set[Path]:
    """Every heron file reachable from `path` through imports. The __init__ of a package a
    module sits in is not followed (Python runs it, but it only gathers the package's parts)."""
    seen: Set[Path] = set()
    todo: List[Path] = [path]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name in _imported_modules(current):
            if name == "heron" or name.startswith("heron."):
                target = _module_file(name)
                if target.exists() and name != "heron":
                    todo.append(target)
    return seen


def test_nn_never_imports_tokens():
    for path in sorted(NN_DIR.glob("*.py")):
        tree = ast.parse(path.read_text("utf8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = ("." * node.level) + (node.module or "")
                assert "tokens" not in module and "featurize" not in module, f"{path.name}: {module}"
            elif isinstance(node, ast.Import):
                assert not any("heron.tokens" in alias.name for alias in node.names), path.name


def test_transformer_encoder_never_imports_tokens_or_featurize():
    for path in ENCODER_FILES:
        for name in _imported_modules(path):
            assert not name.startswith(("heron.tokens", "heron.language", "heron.pipeline")), f"{path.name}: {name}"
        tree = ast.parse(path.read_text("utf8"))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                 for alias in node.names}
        assert "Doc" not in names, path.name
    # model.py and packed.py take tensors: not even the Doc -> tensor layer.
    for path in ENCODER_FILES[:2]:
        assert not any(n.startswith("heron.featurize") for n in _imported_modules(path)), path.name


def test_nothing_the_encoder_or_nn_imports_reaches_the_doc_layer():
    tokens_dir = HERON_DIR / "tokens"
    for path in [*ENCODER_FILES, *sorted(NN_DIR.glob("*.py"))]:
        reached = _heron_closure(path)
        assert not any(tokens_dir in p.parents for p in reached), \
            f"{path.name} reaches {sorted(str(p.relative_to(HERON_DIR)) for p in reached if tokens_dir in p.parents)}"
        assert not any(p.name in ("language.py",) for p in reached), path.name


def test_the_import_walk_sees_relative_and_function_level_imports():
    # The checks above are only as good as the import walk: it must find the Doc layer from
    # modules that do import it, and imports inside functions (hf_loading's lazy transformers).
    assert HERON_DIR / "tokens" / "attrs.py" in _heron_closure(HERON_DIR / "featurize" / "tokens.py")
    assert any((HERON_DIR / "tokens") in p.parents for p in _heron_closure(HERON_DIR / "transformer" / "batch.py"))
    assert "transformers" in set(_imported_modules(HERON_DIR / "transformer" / "hf_loading.py"))
