"""Static word vectors distilled from the fine-tuned transformer pipeline.

    .venv/bin/python bench/experiments/distill_vectors.py [--novel-words 300000] [--threads 1]

Each word type's vector is the mean of its contextual vectors (the transformer's last
hidden states, mean-pooled over the word's wordpieces) over every occurrence in EWT train
and the first --novel-words words of the raw_text novels (bench/_common/novels.py order,
as bench/experiments/silver_corpus.py).
The transformer is the one fine-tuned on EWT train for tagging and NER (bench/train_trf.py),
so the vectors carry what it learned about each word (is "CPA" a name?) into a table a
CNN pipeline can use at CNN speed (variant "i3distill" of bench/experiments/cnn_variants.json).
No dev or test text is read. Keys are the exact token texts (ORTH), so case is kept.

Writes VECTORS/distill.txt (word2vec text; VECTORS is bench/_common's) and imports it with
`heron init vectors` into VECTORS/distill.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import EWT, TRF_MODEL, VECTORS, require_data, shared_data  # noqa: E402
from _common.novels import round_robin  # noqa: E402


def texts(novel_words: int) -> List[str]:
    import heron
    from heron.tokens import DocBin

    nlp = heron.blank("en")
    ewt = [doc.text for doc in DocBin().from_disk(EWT / "train.heron").get_docs(nlp.vocab)]
    novels = round_robin(sorted(shared_data("raw_text").glob("*.txt")), novel_words) if novel_words else []
    return ewt + novels


def mean_vectors(all_texts: List[str], threads: int) -> Dict[str, np.ndarray]:
    import torch
    from tqdm import tqdm

    import heron
    from heron.registry import registry
    from heron.tokenizer import create_tokenizer

    torch.set_num_threads(threads)
    nlp = heron.load(TRF_MODEL)
    nlp.tokenizer = create_tokenizer(nlp.lang, nlp.vocab)  # this heron's rules, as the student's
    trf = nlp.get_pipe("transformer")
    trf.set_extra_annotations = registry.annotation_setters.get("heron.trf_tensor_setter.v1")()
    sums: Dict[str, np.ndarray] = {}
    counts: Dict[str, int] = {}
    with tqdm(total=len(all_texts), unit="doc", desc="distill") as bar:
        for doc in nlp.pipe(all_texts, batch_size=64, disable=["tagger", "ner"]):
            for token, vec in zip(doc, doc.tensor):
                if token.is_space:
                    continue
                key = token.text
                if key in sums:
                    sums[key] += vec
                    counts[key] += 1
                else:
                    sums[key] = vec.astype(np.float64)
                    counts[key] = 1
            bar.update(1)
    return {k: (sums[k] / counts[k]).astype(np.float32) for k in sorted(sums, key=lambda k: -counts[k])}


def write_word2vec(vectors: Dict[str, np.ndarray], path: Path) -> None:
    dim = len(next(iter(vectors.values())))
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf8") as f:
        f.write(f"{len(vectors)} {dim}\n")
        for word, vec in vectors.items():
            f.write(word + " " + " ".join(f"{x:.5f}" for x in vec) + "\n")
    tmp.replace(path)


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--novel-words", type=int, default=300_000)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    require_data(EWT / "train.heron", "distill_vectors (run bench/build_ewt_multitask.py first)")
    require_data(TRF_MODEL, "distill_vectors (train the teacher first: bench/train_trf.py)")
    VECTORS.mkdir(parents=True, exist_ok=True)
    txt = VECTORS / "distill.txt"
    if not txt.exists():
        vectors = mean_vectors(texts(args.novel_words), args.threads)
        write_word2vec(vectors, txt)
        print(f"{len(vectors):,} word types -> {txt}")
    subprocess.check_call([sys.executable, "-m", "heron", "init", "vectors", "en", str(txt), str(VECTORS / "distill"),
                           "--no-progress"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
