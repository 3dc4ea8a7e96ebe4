"""Silver training data: raw text annotated by the fine-tuned transformer pipeline.

    .venv/bin/python bench/silver_corpus.py [--words 1000000] [--threads 2]

Distillation ("uptraining"): the transformer pipeline of bench/train_trf.py (EWT test TAG
95.1 / ENTS F 73.0) tags and recognises entities in paragraphs of ../shared/data/raw_text
(19th-century novels), and a CNN pipeline then trains on the gold EWT train set plus these
silver docs (bench/cnn_variants.py variants "i3silver*"). The CNN keeps its speed; it
learns from ten times more (noisier) annotated text than EWT has.

Paragraphs are taken round-robin over the novels (one paragraph from each in turn, so no
single book dominates), hard line wraps joined, paragraphs under 4 words skipped, until
--words words. Writes /tmp/heron-bench/silver/silver-{words}.heron (DocBin: words, tags,
entities) atomically; an existing file is reused.
"""
from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
from pathlib import Path
from typing import Iterator, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import require_data, shared_data  # noqa: E402

WORK = Path("/tmp/heron-bench/silver")
TEACHER = Path("/tmp/heron-bench/heron_trf/model/model-best")


def paragraphs(path: Path) -> Iterator[str]:
    """Paragraphs of one novel, line wraps joined, >= 4 words.

    Most files wrap lines at ~70 characters and separate paragraphs by blank lines; some
    hold one paragraph per line (long lines): there each line is a paragraph.
    """
    text = path.read_text(encoding="utf8").lstrip("\ufeff")
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if line.strip()]
        unwrapped = lines and sum(map(len, lines)) / len(lines) > 150
        for para in (lines if unwrapped else [block]):
            yield from _chunks(" ".join(para.split()))


def _chunks(para: str, most: int = 300, size: int = 150) -> Iterator[str]:
    """`para` if it has 4 to `most` words; longer ones (files without paragraph breaks)
    in pieces of about `size` words, cut after sentence ends."""
    n_words = len(para.split())
    if n_words <= most:
        if n_words >= 4:
            yield para
        return
    piece: List[str] = []
    for sent in _SENT_END.split(para):
        piece.append(sent)
        if sum(len(p.split()) for p in piece) >= size:
            yield " ".join(piece)
            piece = []
    if len(" ".join(piece).split()) >= 4:
        yield " ".join(piece)


_SENT_END = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"']?[A-Z])")


def round_robin(files: List[Path], words: int) -> List[str]:
    """Paragraphs one from each novel in turn until about `words` whitespace words."""
    out, total = [], 0
    for para in (p for group in itertools.zip_longest(*(paragraphs(f) for f in files)) for p in group if p):
        out.append(para)
        total += len(para.split())
        if total >= words:
            break
    return out


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

    bigger = sorted((p for p in WORK.glob("silver-*.heron") if int(p.stem.split("-")[1]) > len(" ".join(texts).split())),
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
    ap.add_argument("--teacher", type=Path, default=TEACHER)
    args = ap.parse_args(argv)
    raw = require_data(shared_data("raw_text"), "silver_corpus")
    require_data(args.teacher, "silver_corpus (train the teacher first: bench/train_trf.py)")
    out = WORK / f"silver-{args.words}.heron"
    if out.exists():
        print(f"reusing {out}")
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    texts = round_robin(sorted(raw.glob("*.txt")), args.words)
    if prefix_of_bigger(texts, out):
        return 0
    start = time.perf_counter()
    n = annotate(texts, args.teacher, out, args.threads)
    print(f"{len(texts):,} paragraphs, {n:,} tokens in {time.perf_counter() - start:.0f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
