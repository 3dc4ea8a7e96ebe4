"""Silver training data: raw text annotated by the fine-tuned transformer pipeline.

    .venv/bin/python bench/experiments/silver_corpus.py [--words 1000000] [--threads 2]

Distillation ("uptraining"): the transformer pipeline of bench/train_trf.py (EWT test TAG
95.1 / ENTS F 73.0) tags and recognises entities in paragraphs of ../shared/data/raw_text
(19th-century novels), and a CNN pipeline then trains on the gold EWT train set plus these
silver docs (variants "i3silver*" of bench/experiments/cnn_variants.json, trained by
bench/cnn_variants.py). The CNN keeps its speed; it learns from ten times more
(noisier) annotated text than EWT has.

Paragraphs are taken round-robin over the novels (one paragraph from each in turn, so no
single book dominates), hard line wraps joined, paragraphs under 4 words skipped, until
--words words. Writes WORK/silver/silver-{words}.heron (DocBin: words, tags, entities;
WORK is bench/_common's work folder) atomically; an existing file is reused. Then links it
and EWT train into WORK/silver/gold-plus-silver-{words}/, the variants' training corpus.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import EWT, TRF_MODEL, WORK, require_data, shared_data  # noqa: E402
from _common.novels import round_robin  # noqa: E402

SILVER = WORK / "silver"


def annotate(texts: List[str], teacher: Path, out: Path, threads: int) -> int:
    import torch
    from tqdm import tqdm

    import heron
    from heron.tokenizer import create_tokenizer
    from heron.tokens import DocBin

    torch.set_num_threads(threads)
    nlp = heron.load(teacher)
    # Tokenize with this heron's English rules, not the ones saved with the teacher, so
    # the silver tokens follow the same conventions as the student's tokenizer.
    nlp.tokenizer = create_tokenizer(nlp.lang, nlp.vocab)
    db = DocBin(attrs=["ORTH", "TAG", "ENT_IOB", "ENT_TYPE"])
    n_words = 0
    with tqdm(total=sum(len(t.split()) for t in texts), unit="w", desc="silver") as bar:
        for text, doc in zip(texts, nlp.pipe(texts, batch_size=64)):
            db.add(doc)
            n_words += len(doc)
            bar.update(len(text.split()))
    db.to_disk(out)  # atomic
    return n_words


def prefix_of_bigger(texts: List[str], out: Path) -> bool:
    """Write `out` from the first docs of a bigger silver file, if there is one: the same
    paragraphs come first in every run, and heron's predictions do not depend on the batch."""
    from heron.tokens import DocBin
    from heron.tokens.vocab import Vocab

    n_words = len(" ".join(texts).split())
    bigger = sorted((p for p in SILVER.glob("silver-*.heron") if int(p.stem.split("-")[1]) > n_words),
                    key=lambda p: int(p.stem.split("-")[1]))
    if not bigger:
        return False
    docs = list(DocBin().from_disk(bigger[0]).get_docs(Vocab(lang="en")))[: len(texts)]
    if [d.text for d in docs] != texts:
        return False
    db = DocBin(attrs=["ORTH", "TAG", "ENT_IOB", "ENT_TYPE"])
    for doc in docs:
        db.add(doc)
    db.to_disk(out)
    print(f"{len(docs):,} paragraphs, {sum(map(len, docs)):,} tokens: the first docs of {bigger[0]} -> {out}")
    return True


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--teacher", type=Path, default=TRF_MODEL)
    args = ap.parse_args(argv)
    raw = require_data(shared_data("raw_text"), "silver_corpus")
    require_data(args.teacher, "silver_corpus (train the teacher first: bench/train_trf.py)")
    out = SILVER / f"silver-{args.words}.heron"
    if out.exists():
        print(f"reusing {out}")
    else:
        SILVER.mkdir(parents=True, exist_ok=True)
        texts = round_robin(sorted(raw.glob("*.txt")), args.words)
        if not prefix_of_bigger(texts, out):
            start = time.perf_counter()
            n = annotate(texts, args.teacher, out, args.threads)
            print(f"{len(texts):,} paragraphs, {n:,} tokens in {time.perf_counter() - start:.0f} s -> {out}")
    gold_plus_silver(out, args.words)
    return 0


def gold_plus_silver(silver: Path, words: int) -> Path:
    """A corpus folder of EWT train + the silver docs (links), for `--paths.train`:
    what the i3silver* variants of bench/experiments/cnn_variants.json train on."""
    folder = SILVER / f"gold-plus-silver-{words}"
    folder.mkdir(exist_ok=True)
    for link, target in ((folder / "gold.heron", EWT / "train.heron"), (folder / "silver.heron", silver)):
        if not link.exists():
            link.symlink_to(target)
    print(f"train on {folder}")
    return folder


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
