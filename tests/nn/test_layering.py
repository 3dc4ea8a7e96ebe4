"""heron/nn is pure torch: it never imports the Doc layer (DESIGN: Torch modules never import Doc)."""
import ast
from pathlib import Path

import heron.nn

NN_DIR = Path(heron.nn.__file__).parent


def test_nn_never_imports_tokens():
    for path in sorted(NN_DIR.glob("*.py")):
        tree = ast.parse(path.read_text("utf8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = ("." * node.level) + (node.module or "")
                assert "tokens" not in module and "featurize" not in module, f"{path.name}: {module}"
            elif isinstance(node, ast.Import):
                assert not any("heron.tokens" in alias.name for alias in node.names), path.name
