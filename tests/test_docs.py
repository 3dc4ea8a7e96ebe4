"""Every code block of the user guide runs, so the docs can't rot.

Each page of docs/usage/ is one test: its fenced blocks run in order in a fresh temporary
folder (the working directory), sharing one Python namespace:

- ```python           executed;
- ```ini file=NAME    written to NAME (a config the following blocks use);
- ```python file=NAME written to NAME, not executed (a module for `--code` or
                      heron.config.import_code);
- ```sh               each non-comment line run with bash (heron's CLI on PATH); a line
                      ending in `# fails` must exit non-zero;
- other fences (```text, ```json, output)  shown, not run.

A block whose info string has `skip` is shown only (say why in the page).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs" / "usage"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.M | re.S)


def blocks(text: str) -> List[Tuple[str, str, int]]:
    """(info string, body, line number) of every fenced block."""
    return [(m.group(1).strip(), m.group(2), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


def pages() -> List[Path]:
    return sorted(DOCS.glob("*.md")) if DOCS.exists() else []


def run_page(path: Path, workdir: Path) -> None:
    namespace: dict = {"__name__": f"docs_{path.stem}"}
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONHASHSEED="0")
    for info, body, line in blocks(path.read_text(encoding="utf8")):
        words = info.split()
        kind = words[0] if words else ""
        where = f"{path.name}:{line}"
        if "skip" in words:
            continue
        if kind in ("ini", "python") and any(w.startswith("file=") for w in words):
            name = next(w for w in words if w.startswith("file="))[len("file="):]
            (workdir / name).parent.mkdir(parents=True, exist_ok=True)
            (workdir / name).write_text(body, encoding="utf8")
        elif kind == "python":
            exec(compile(body, where, "exec"), namespace)  # noqa: S102  (the guide's own code)
        elif kind in ("sh", "bash"):
            for command in _commands(body):
                expect_fail = command.rstrip().endswith("# fails")
                result = subprocess.run(["bash", "-c", command], cwd=workdir, env=env,
                                        capture_output=True, text=True, timeout=600)
                ok = (result.returncode != 0) if expect_fail else (result.returncode == 0)
                assert ok, f"{where}: `{command}` exited {result.returncode}\n{result.stdout}\n{result.stderr}"


def _commands(body: str) -> List[str]:
    """Lines of a shell block, with backslash continuations joined; comments dropped."""
    commands, current = [], ""
    for line in body.splitlines():
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip() and not current.strip().startswith("#"):
            commands.append(current.strip())
        current = ""
    return commands


@pytest.mark.parametrize("path", pages(), ids=lambda p: p.name)
def test_usage_page_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_page(path, tmp_path)


def test_fences_are_parsed():
    text = "a\n```python\nx = 1\n```\n\n```ini file=c.cfg\n[nlp]\n```\n```sh\nheron --help \\\n  # c\n```\n"
    found = blocks(text)
    assert [(info, line) for info, _, line in found] == [("python", 2), ("ini file=c.cfg", 6), ("sh", 9)]
    assert _commands("heron a \\\n  --b 1\n# note\nheron c  # fails\n") == ["heron a    --b 1", "heron c  # fails"]
