"""Convert the benchmark's interchange JSONL to spaCy DocBins (runs in .venv-peers).

    .venv-peers/bin/python bench/peers/spacy_docbin.py DATA_DIR

reads DATA_DIR/{train,dev,test}.jsonl (one Doc per line: words, spaces, tags, pos,
sent_starts, ents as IOB2 strings; lemmas, morphs, heads, deps when present, and then the
trees give the sentence starts) and writes DATA_DIR/{split}.spacy, so spaCy trains on
exactly the Docs heron trains on.
"""
import json
import sys
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin


def convert(path: Path, out: Path) -> int:
    nlp = spacy.blank("en")
    db = DocBin(store_user_data=False)
    n = 0
    with open(path, encoding="utf8") as f:
        for line in f:
            r = json.loads(line)
            trees = {"heads": r["heads"], "deps": r["deps"]} if "heads" in r else {"sent_starts": r["sent_starts"]}
            doc = Doc(nlp.vocab, words=r["words"], spaces=r["spaces"], tags=r["tags"],
                      pos=r["pos"], ents=r["ents"], lemmas=r.get("lemmas"), morphs=r.get("morphs"), **trees)
            db.add(doc)
            n += 1
    tmp = out.with_suffix(".spacy.tmp")
    db.to_disk(tmp)
    tmp.replace(out)
    return n


def main() -> int:
    data = Path(sys.argv[1])
    for split in ("train", "dev", "test"):
        n = convert(data / f"{split}.jsonl", data / f"{split}.spacy")
        print(f"spacy_docbin: {split}: {n} docs -> {data / (split + '.spacy')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
