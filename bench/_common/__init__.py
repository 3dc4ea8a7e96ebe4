"""Helpers shared by the benchmark scripts: data location, machine info, results, peers.

Benchmarks read ../shared/data relative to the repository (never copied into it), and
exit 0 with "skipped: data absent" when it is missing, so `make bench` works anywhere.
Peers (spaCy) run inside their own venv, .venv-peers (`make bench-peers`), through a
subprocess: they are never heron dependencies.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
PEERS_PYTHON = REPO / ".venv-peers" / "bin" / "python"

sys.path.insert(0, str(REPO))  # run as a script from anywhere: import the working tree's heron


def shared_data(*parts: str) -> Path:
    """Path under ../shared/data (beside the repo); $HERON_SHARED_DATA overrides."""
    root = Path(os.environ.get("HERON_SHARED_DATA", REPO.parent / "shared" / "data"))
    return root.joinpath(*parts)


def require_data(path: Path, bench: str) -> Path:
    """Return `path`, or print a skip message and exit 0 when it does not exist."""
    if not path.exists():
        print(f"{bench}: skipped: data absent ({path} not found)")
        sys.exit(0)
    return path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(peer_versions: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """Cores, CPU model, python/torch/numpy versions (+ peer versions) for a results file."""
    info: Dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    for module in ("torch", "numpy"):
        try:
            info[module] = __import__(module).__version__
        except ImportError:
            info[module] = None
    info.update(peer_versions or {})
    return info


def write_results(name: str, data: Dict[str, Any], markdown: str) -> None:
    """Write bench/results/<name>.json and .md atomically and echo the markdown."""
    from heron.util import atomic_write_text

    RESULTS.mkdir(parents=True, exist_ok=True)
    atomic_write_text(RESULTS / f"{name}.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    atomic_write_text(RESULTS / f"{name}.md", markdown.rstrip() + "\n")
    print(markdown)
    print(f"wrote {RESULTS / name}.json and .md")


class Peer:
    """A peer script from bench/peers/ running in .venv-peers, spoken to in JSON lines.

    Keeping one process alive lets a benchmark alternate heron and peer passes. Use
    `Peer.start(script)`, which returns None (after a message) when the peers venv is
    missing, so a benchmark still reports heron's figures.
    """

    def __init__(self, script: str):
        self.script = script
        self.proc = subprocess.Popen(
            [str(PEERS_PYTHON), str(BENCH / "peers" / script)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf8",
        )

    @classmethod
    def start(cls, script: str) -> Optional["Peer"]:
        if not PEERS_PYTHON.exists():
            print(f"peer {script}: skipped ({PEERS_PYTHON} missing; run `make bench-peers`)")
            return None
        return cls(script)

    def request(self, **req: Any) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(req, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"peer {self.script} died (rc={self.proc.wait()}); see its stderr above")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def read_conllu(path: Path) -> Iterator[Dict[str, Any]]:
    """Yield sentences as {"text": str, "rows": [[id, form, ...10 columns], ...]}."""
    text: Optional[str] = None
    rows: List[List[str]] = []
    with open(path, encoding="utf8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if rows:
                    yield {"text": text, "rows": rows}
                text, rows = None, []
            elif line.startswith("# text = "):
                text = line[len("# text = "):]
            elif not line.startswith("#"):
                rows.append(line.split("\t"))
    if rows:
        yield {"text": text, "rows": rows}


def markdown_table(header: List[str], rows: List[List[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
