"""Train word2vec and fastText vectors with gensim, import them with `heron init vectors`.

    .venv/bin/python bench/build_ewt_multitask.py     # EWT corpus (once)
    .venv/bin/python bench/experiments/train_vectors.py [--dim 100] [--epochs 5]

Text: the novels in ../shared/data/raw_text plus the EWT train text (for the tagger's and
ner's benchmark domain), tokenized with heron's English tokenizer so the vector keys are
exactly the ORTH strings heron looks up. One paragraph per line.
gensim (a bench-only dependency: `pip install gensim`) trains word2vec (CBOW) and fastText
(skip-gram with character 3-6 grams). Both are written in their usual file formats
(word2vec text `.txt`, fastText binary `.bin`) and imported with `heron init vectors`, in
its own process under /usr/bin/time: import words/sec (vector rows read per second) and
peak RSS. The fastText model is imported twice: its word table (default mode) and its
subword buckets (`--mode floret`, vectors for unseen words too). A sanity table lists the
nearest neighbours of a few common words in each table.

Writes VECTORS/{w2v,ft,ft-floret} (heron pipelines with vectors; VECTORS is
bench/_common's) and bench/results/experiments/vectors_import.json and .md.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import (  # noqa: E402
    EWT,
    EXPERIMENT_RESULTS,
    VECTORS,
    machine_info,
    markdown_table,
    require_data,
    shared_data,
    write_results,
)

PROBES = ["house", "good", "said", "London", "quickly", "three", "Monday", "walked"]
# Not in the corpus vocabulary (min_count 3): only the subword table has vectors for them.
UNSEEN = ["housekeeperly", "Londonward", "quicklyish", "walkedd"]


def paragraphs(raw_dir: Path) -> Iterator[str]:
    for path in sorted(raw_dir.glob("*.txt")):
        if path.name in ("README.md", "SOURCE.md"):
            continue
        block: List[str] = []
        for line in path.read_text(encoding="utf8").splitlines():
            if line.strip():
                block.append(line.strip())
            elif block:
                yield " ".join(block)
                block = []
        if block:
            yield " ".join(block)


def ewt_texts() -> Iterator[str]:
    import heron
    from heron.tokens import DocBin

    nlp = heron.blank("en")
    for doc in DocBin().from_disk(EWT / "train.heron").get_docs(nlp.vocab):
        yield doc.text


def write_corpus(raw_dir: Path, out: Path) -> Dict[str, Any]:
    """Tokenize with heron (batched), one paragraph per line; returns word/line counts."""
    import heron

    nlp = heron.blank("en")
    n_words = n_lines = 0
    start = time.perf_counter()
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf8") as f:
        for source in (paragraphs(raw_dir), ewt_texts()):
            for doc in nlp.tokenizer.pipe(source, batch_size=1000):
                words = [t.text for t in doc if not t.is_space]
                if words:
                    f.write(" ".join(words) + "\n")
                    n_words += len(words)
                    n_lines += 1
    os.replace(tmp, out)
    return {"words": n_words, "lines": n_lines, "tokenize_s": round(time.perf_counter() - start, 1)}


def train_gensim(corpus: Path, dim: int, epochs: int) -> Dict[str, Any]:
    from gensim.models import FastText, Word2Vec
    from gensim.models.fasttext import save_facebook_model

    stats: Dict[str, Any] = {}
    start = time.perf_counter()
    w2v = Word2Vec(corpus_file=str(corpus), vector_size=dim, window=5, min_count=3, sg=0,
                   epochs=epochs, workers=2, seed=1)
    w2v.wv.save_word2vec_format(str(VECTORS / "w2v.txt"))
    stats["word2vec"] = {"seconds": round(time.perf_counter() - start, 1), "rows": len(w2v.wv)}
    start = time.perf_counter()
    ft = FastText(corpus_file=str(corpus), vector_size=dim, window=5, min_count=3, sg=1,
                  min_n=3, max_n=6, bucket=200_000, epochs=epochs, workers=2, seed=1)
    save_facebook_model(ft, str(VECTORS / "ft.bin"))
    stats["fasttext"] = {"seconds": round(time.perf_counter() - start, 1), "rows": len(ft.wv),
                         "buckets": 200_000}
    return stats


def import_vectors(src: Path, out: Path, *extra: str) -> Dict[str, Any]:
    """`heron init vectors` in its own process: wall, peak RSS, rows/sec."""
    timing = out.with_suffix(".time")
    cmd = ["/usr/bin/time", "-v", "-o", str(timing), sys.executable, "-m", "heron", "init", "vectors",
           "en", str(src), str(out), "--name", f"bench_{out.name}", *extra]
    print(" ".join(cmd[4:]), flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"import failed:\n{proc.stdout}\n{proc.stderr}")
    fields = dict(line.strip().rsplit(": ", 1) for line in timing.read_text().splitlines() if ": " in line)
    from heron.vectors import load_vectors_table

    table = load_vectors_table(out)
    rows = _source_rows(src)
    cpu = float(fields["User time (seconds)"]) + float(fields["System time (seconds)"])
    import re

    read = re.search(r"Read ([\d,]+) rows in ([\d.]+)s", proc.stdout + proc.stderr)
    read_s = float(read.group(2)) if read else None
    return {"source": src.name, "args": list(extra), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "rows_read": rows, "words_per_s": round(rows / wall), "words_per_cpu_s": round(rows / cpu),
            "read_s": read_s, "read_words_per_s": round(rows / read_s) if read_s else None,
            "peak_rss_mb": round(int(fields["Maximum resident set size (kbytes)"]) / 1024, 1),
            "shape": list(table.shape), "mode": table.mode}


def _source_rows(src: Path) -> int:
    if src.suffix == ".txt":
        with open(src, encoding="utf8") as f:
            return int(f.readline().split()[0])
    from gensim.models.fasttext import load_facebook_vectors

    return len(load_facebook_vectors(str(src)))


def neighbours(out: Path, words: List[str], n: int = 5) -> Dict[str, List[str]]:
    """Top-n cosine neighbours of each probe word among the corpus vocabulary.

    A default table's rows are words, so `most_similar` answers directly. A subword
    table's rows are n-gram buckets, so the candidates are the words of the word2vec
    table, each given its subword vector by the table under test.
    """
    import numpy as np

    import heron

    table = heron.load(out).vocab.vectors
    if table.mode == "default":
        strings = heron.load(out).vocab.strings
        queries = table.get_batch(words)
        keys, _rows, _scores = table.most_similar(queries, n=n + 1)
        found = [[strings[int(k)] for k in row if int(k) in strings] for row in keys]
    else:
        w2v = heron.load(VECTORS / "w2v")
        vocab = [w2v.vocab.strings[int(k)] for k in w2v.vocab.vectors.keys()]
        cand = table.get_batch(vocab)
        cand /= np.linalg.norm(cand, axis=1, keepdims=True) + 1e-8
        q = table.get_batch(words)
        q /= np.linalg.norm(q, axis=1, keepdims=True) + 1e-8
        top = np.argsort(-(q @ cand.T), axis=1)[:, : n + 1]
        found = [[vocab[i] for i in row] for row in top]
    return {w: [x for x in row if x != w][:n] for w, row in zip(words, found)}


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--skip-train", action="store_true", help="reuse the gensim files in " + str(VECTORS))
    ap.add_argument("--neighbours-only", action="store_true", help="reuse the imported tables too")
    args = ap.parse_args(argv)
    raw = require_data(shared_data("raw_text"), "train_vectors")
    require_data(EWT / "train.heron", "train_vectors (run bench/build_ewt_multitask.py first)")
    VECTORS.mkdir(parents=True, exist_ok=True)
    data: Dict[str, Any] = {"machine": machine_info(), "dim": args.dim, "epochs": args.epochs}
    corpus = VECTORS / "corpus.txt"
    if not args.skip_train:
        data["corpus"] = write_corpus(raw, corpus)
        print("corpus:", data["corpus"], flush=True)
        data["gensim"] = train_gensim(corpus, args.dim, args.epochs)
        print("gensim:", data["gensim"], flush=True)
        (VECTORS / "gensim_stats.json").write_text(json.dumps({k: data[k] for k in ("corpus", "gensim")}))
    elif (VECTORS / "gensim_stats.json").exists():
        data.update(json.loads((VECTORS / "gensim_stats.json").read_text()))
    data["imports"] = {} if args.neighbours_only else {
        "word2vec .txt": import_vectors(VECTORS / "w2v.txt", VECTORS / "w2v"),
        "fastText .bin": import_vectors(VECTORS / "ft.bin", VECTORS / "ft"),
        "fastText .bin --mode floret": import_vectors(VECTORS / "ft.bin", VECTORS / "ft-floret", "--mode", "floret"),
    }
    data["neighbours"] = {name: neighbours(VECTORS / name, PROBES) for name in ("w2v", "ft", "ft-floret")}
    data["neighbours"]["ft-floret, unseen words"] = neighbours(VECTORS / "ft-floret", UNSEEN)
    (VECTORS / "summary.json").write_text(json.dumps(data, indent=2))
    write_results("vectors_import", data, report(data), EXPERIMENT_RESULTS)
    return 0


def report(data: Dict[str, Any]) -> str:
    m = data["machine"]
    lines = [f"# Static vectors: training and import ({m['cpu_count']} cores, torch {m['torch']})", ""]
    if "corpus" in data:
        c, g = data["corpus"], data["gensim"]
        lines += [f"Corpus: {c['words']:,} words in {c['lines']:,} paragraphs (raw_text novels + EWT train), "
                  f"heron-tokenized. gensim {data['dim']} dims, {data['epochs']} epochs, min_count 3: "
                  f"word2vec {g['word2vec']['rows']:,} rows in {g['word2vec']['seconds']} s; fastText "
                  f"{g['fasttext']['rows']:,} words + {g['fasttext']['buckets']:,} buckets in "
                  f"{g['fasttext']['seconds']} s.", ""]
    rows = [[k, f"{v['rows_read']:,}", f"{v['read_words_per_s']:,}", f"{v['words_per_s']:,}", v["wall_s"],
             v["cpu_s"], v["peak_rss_mb"], "x".join(map(str, v["shape"])), v["mode"]]
            for k, v in data["imports"].items()]
    lines += ["## `heron init vectors`", "",
              "Reading rate: rows per second of the file-reading phase that `heron init vectors` reports. "
              "Whole command: its own process, interpreter start-up, imports and saving included "
              "(wall clock, on a machine shared with training runs).", "",
              markdown_table(["input", "rows read", "read words/s", "words/s (whole command)", "wall s", "CPU s",
                              "peak RSS MB", "table", "mode"], rows), ""]
    lines += ["## Nearest neighbours (cosine)", ""]
    for name, nb in data["neighbours"].items():
        table = markdown_table(["word", "neighbours"], [[w, ", ".join(v)] for w, v in nb.items()])
        lines += [f"**{name}**", "", table, ""]
    lines += ["Command: `.venv/bin/python bench/experiments/train_vectors.py`"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
