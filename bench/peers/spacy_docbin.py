"""Convert the benchmark's interchange JSONL to spaCy DocBins (runs in .venv-peers).

    .venv-peers/bin/python bench/peers/spacy_docbin.py DATA_DIR [--spans-from-ents KEY]

reads DATA_DIR/{train,dev,test}.jsonl (those present; one Doc per line: words, spaces,
tags, pos, sent_starts, ents as IOB2 strings; lemmas, morphs, heads, deps when present,
and then the trees give the sentence starts; or, for text classification, words, spaces
and cats only) and writes DATA_DIR/{split}.spacy, so spaCy trains on exactly the Docs
heron trains on. With `--spans-from-ents KEY` each Doc's entities are also written as the
span group doc.spans[KEY] (bench/spancat_uner.py).
"""
import json
import sys
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

SPANS_KEY = ""


def convert(path: Path, out: Path) -> int:
    nlp = spacy.blank("en")
    db = DocBin(store_user_data=False)
    n = 0
    with open(path, encoding="utf8") as f:
        for line in f:
            r = json.loads(line)
            if "tags" not in r:  # text classification: words, spaces and cats only
                doc = Doc(nlp.vocab, words=r["words"], spaces=r["spaces"])
                doc.cats = r["cats"]
                db.add(doc)
                n += 1
                continue
            trees = {"heads": r["heads"], "deps": r["deps"]} if "heads" in r else {"sent_starts": r["sent_starts"]}
            doc = Doc(nlp.vocab, words=r["words"], spaces=r["spaces"], tags=r["tags"],
                      pos=r["pos"], ents=r["ents"], lemmas=r.get("lemmas"), morphs=r.get("morphs"), **trees)
            if SPANS_KEY:  # spancat benchmarks: the entities also as a span group
                doc.spans[SPANS_KEY] = list(doc.ents)
            db.add(doc)
            n += 1
    tmp = out.with_suffix(".spacy.tmp")
    db.to_disk(tmp)
    tmp.replace(out)
    return n


def main() -> int:
    global SPANS_KEY
    data = Path(sys.argv[1])
    if "--spans-from-ents" in sys.argv:
        SPANS_KEY = sys.argv[sys.argv.index("--spans-from-ents") + 1]
    for split in ("train", "dev", "test"):
        if not (data / f"{split}.jsonl").exists():  # GoEmotions has no test split here
            continue
        n = convert(data / f"{split}.jsonl", data / f"{split}.spacy")
        print(f"spacy_docbin: {split}: {n} docs -> {data / (split + '.spacy')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
