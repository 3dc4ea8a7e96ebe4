"""Systems in their own processes, timed the same way: peers, the heron worker, commands.

Each system (a heron pipeline, a spaCy pipeline) runs in its own process, so its peak RSS
is its own, and answers JSON lines (`Peer.request`). Keeping the processes alive lets a
benchmark alternate the systems round by round (`speed_rounds`), so a noisy neighbour on
the machine slows every system, not one.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from _common import BENCH, PEERS_PYTHON, thread_env


class Peer:
    """A peer script from bench/peers/ running in .venv-peers, spoken to in JSON lines.

    Use `Peer.start(script)`, which returns None (after a message) when the peers venv is
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


class HeronWorker(Peer):
    """heron in its own process (bench/_common/heron_worker.py), in heron's venv, at
    `threads` torch/BLAS threads; it speaks the peers' protocol."""

    def __init__(self, threads: int = 1) -> None:
        # Not super().__init__: that starts a script of bench/peers/ in the peers' venv.
        self.script = "heron_worker.py"
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("heron_worker.py"))],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     encoding="utf8", env=thread_env(threads))


def speed_rounds(systems: Dict[str, Peer], texts: List[str], n_words: int, rounds: int, *,
                 batch_size: int, warmup_docs: int) -> Dict[str, Any]:
    """Alternate the systems round by round (one nlp.pipe pass over `texts` each); keep
    every round, report the best. `n_words` (the gold word count) is every system's
    numerator. A warm-up pass over the first `warmup_docs` texts comes first (lazy
    loading, allocator, caches)."""
    for proc in systems.values():
        proc.request(cmd="speed", texts=texts[:warmup_docs], batch_size=batch_size)
    runs: Dict[str, List[float]] = {name: [] for name in systems}
    for r in range(rounds):
        for name, proc in systems.items():
            res = proc.request(cmd="speed", texts=texts, batch_size=batch_size)
            runs[name].append(n_words / res["seconds"])
            print(f"  round {r + 1} {name}: {runs[name][-1]:,.0f} words/s", flush=True)
    return {name: {"words_per_sec": round(max(v)), "rounds": [round(x) for x in v],
                   "peak_rss_mb": round(systems[name].request(cmd="rss")["peak_rss_mb"], 1)}
            for name, v in runs.items()}


def measured(cmd: List[str], log: Path, threads: int = 1) -> Dict[str, Any]:
    """Run `cmd` at `threads` threads under /usr/bin/time -v, output to `log`: wall and CPU
    seconds (CPU time is the fairer figure on a shared machine), peak RSS (MB)."""
    timing = log.with_suffix(".time")
    start = time.perf_counter()
    with open(log, "w") as f:
        rc = subprocess.call(["/usr/bin/time", "-v", "-o", str(timing), *cmd], stdout=f,
                             stderr=subprocess.STDOUT, env=thread_env(threads))
    wall = time.perf_counter() - start
    fields = dict(line.strip().rsplit(": ", 1) for line in timing.read_text().splitlines() if ": " in line)
    peak = int(fields.get("Maximum resident set size (kbytes)", 0))
    cpu = float(fields.get("User time (seconds)", 0)) + float(fields.get("System time (seconds)", 0))
    return {"rc": rc, "train_wall_s": round(wall, 1), "train_cpu_s": round(cpu, 1),
            "train_peak_rss_mb": round(peak / 1024, 1), "log": str(log)}


def pin_peer_threads(threads: int) -> None:
    """Set this process's thread variables, which the peers started after it inherit."""
    os.environ.update(thread_env(threads))
