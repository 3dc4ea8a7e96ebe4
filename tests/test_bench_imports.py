"""No bench script imports another (issue 14 item 6): a script is run, not imported, and a
script reaching into another's internals (as cnn_variants.py and trf_speed.py once were)
couples two measurements. Shared code lives in bench/_common/ (any script may import it),
and the peers' wire protocol in bench/peers/_protocol.py (only the peers' workers use it).

Read with `ast`, nothing under bench/ is imported or run.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import List, Set

BENCH = Path(__file__).resolve().parents[1] / "bench"
SHARED = "_common"  # importable from every bench script
PEERS_PROTOCOL = "_protocol"  # importable from bench/peers/*.py only


def local_modules(bench: Path) -> Set[str]:
    """Top-level names a bench script could import from bench/: every .py file's stem and
    the name of every folder holding .py files, at any depth (scripts put their own folder
    or bench/ on sys.path). Folders of results or configs only are not importable code."""
    names = set()
    for path in bench.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        if path.stem != "__init__":
            names.add(path.stem)
        names.update(path.relative_to(bench).parts[:-1])
    return names


def allowed_imports(relative: Path) -> Set[str]:
    allowed = {SHARED}
    if relative.parts[0] == "peers":
        allowed.add(PEERS_PROTOCOL)
    return allowed


def forbidden_imports(source: str, relative: Path, local: Set[str]) -> List[str]:
    """The imports in `source` (the file bench/`relative`) of another bench script: a local
    top-level name outside `allowed_imports`, or a relative import outside bench/_common/."""
    allowed = allowed_imports(relative)
    in_shared_package = relative.parts[0] == SHARED
    found = []
    for node in ast.walk(ast.parse(source, filename=str(relative))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # `from . import x`: fine inside the _common package only
                if not in_shared_package:
                    found.append(f"line {node.lineno}: relative import {'.' * node.level}{node.module or ''}")
                continue
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in local and top not in allowed:
                found.append(f"line {node.lineno}: import of {name}")
    return found


def test_no_bench_script_imports_another():
    local = local_modules(BENCH)
    scripts = sorted(p for p in BENCH.rglob("*.py") if "__pycache__" not in p.parts)
    assert len(scripts) > 10  # bench/ is where this test thinks it is
    problems = {}
    for path in scripts:
        relative = path.relative_to(BENCH)
        found = forbidden_imports(path.read_text(encoding="utf8"), relative, local)
        if found:
            problems[str(relative)] = found
    assert problems == {}, (
        "bench scripts import other bench scripts; move what they share to bench/_common/: "
        f"{problems}")


def test_the_check_catches_a_script_importing_another():
    local = {"_common", "_protocol", "cnn_variants", "trf_speed", "peers", "experiments"}
    script = Path("train_cnn.py")
    assert forbidden_imports("from cnn_variants import VARIANTS\n", script, local) == [
        "line 1: import of cnn_variants"]
    assert forbidden_imports("import os\nimport trf_speed as speed\n", script, local) == [
        "line 2: import of trf_speed"]
    assert forbidden_imports("def f():\n    from experiments.x import y\n", script, local) == [
        "line 2: import of experiments.x"]
    assert forbidden_imports("from . import seeds\n", script, local) == ["line 1: relative import ."]
    # What is allowed: _common everywhere, _protocol inside peers/, any non-local module.
    ok = "import heron\nfrom _common import shared_data\nfrom _common.seeds import STEPS\n"
    assert forbidden_imports(ok, script, local) == []
    assert forbidden_imports("from _protocol import serve\n", Path("peers/spacy_cnn.py"), local) == []
    assert forbidden_imports("from _protocol import serve\n", script, local) == [
        "line 1: import of _protocol"]
    assert forbidden_imports("from .processes import Peer\n", Path("_common/seeds.py"), local) == []
