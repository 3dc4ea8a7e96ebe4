"""CoNLL-U -> Doc -> CoNLL-U on real UD files: are columns 1-8 and the multi-word token lines kept?

    .venv/bin/python bench/experiments/conllu_roundtrip.py                 # UD English-EWT test
    .venv/bin/python bench/experiments/conllu_roundtrip.py path/to/x.conllu ...

Each file is read with heron's CoNLL-U reader (n_sents=0: the file's documents), written
with `docs_to_conllu`, and compared line by line on ID, FORM, LEMMA, UPOS, XPOS, FEATS,
HEAD and DEPREL for every word and range line (empty nodes "8.1" are left out: the reader
skips them), plus SpaceAfter=No in MISC and the `# text` comments. Prints the counts;
exits 1 when a column differs. Nothing is written to disk.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import require_data, shared_data  # noqa: E402

from heron.training.converters import conllu_to_docs  # noqa: E402
from heron.training.converters.conllu_writer import docs_to_conllu  # noqa: E402

COLUMNS = ["ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL"]


def sentences(text: str) -> Tuple[List[List[List[str]]], List[str], int]:
    """(token rows per sentence without empty nodes, `# text` values, number of empty nodes)."""
    sents: List[List[List[str]]] = []
    texts: List[str] = []
    current: List[List[str]] = []
    n_empty = 0
    for line in text.split("\n"):
        if not line.strip():
            if current:
                sents.append(current)
            current = []
        elif line.startswith("# text = "):
            texts.append(line[len("# text = "):])
        elif not line.startswith("#"):
            row = line.split("\t")
            if "." in row[0]:
                n_empty += 1
            else:
                current.append(row)
    if current:
        sents.append(current)
    return sents, texts, n_empty


def compare(path: Path) -> Dict[str, object]:
    original = path.read_text(encoding="utf8")
    docs = list(conllu_to_docs(path, n_sents=0))
    written = docs_to_conllu(docs)
    (a, texts_a, n_empty), (b, texts_b, _) = sentences(original), sentences(written)
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b)):
        raise SystemExit(f"{path}: the sentences or their lines differ in number")
    mismatches: Counter = Counter()
    examples: Dict[str, Tuple[List[str], List[str]]] = {}
    n_lines = n_ranges = 0
    for sa, sb in zip(a, b):
        for ra, rb in zip(sa, sb):
            n_lines += 1
            n_ranges += "-" in ra[0]
            for k, column in enumerate(COLUMNS):
                if ra[k] != rb[k]:
                    mismatches[column] += 1
                    examples.setdefault(column, (ra[:8], rb[:8]))
            if ("SpaceAfter=No" in ra[9].split("|")) != ("SpaceAfter=No" in rb[9].split("|")):
                mismatches["MISC SpaceAfter=No"] += 1
                examples.setdefault("MISC SpaceAfter=No", (ra, rb))
    text_diffs = [(x, y) for x, y in zip(texts_a, texts_b) if x != y]
    return {"path": path, "docs": len(docs), "sentences": len(a), "lines": n_lines, "ranges": n_ranges,
            "empty": n_empty, "mismatches": mismatches, "examples": examples, "text_diffs": text_diffs}


def main(argv: List[str]) -> int:
    paths = [Path(p) for p in argv] or [require_data(shared_data("ud_en_ewt", "en_ewt-ud-test.conllu"),
                                                     "conllu_roundtrip")]
    failed = False
    for path in paths:
        r = compare(path)
        mismatches: Counter = r["mismatches"]  # type: ignore[assignment]
        print(f"{path}: {r['docs']} docs, {r['sentences']} sentences, {r['lines']} token lines compared "
              f"({r['ranges']} multi-word token lines; {r['empty']} empty nodes skipped by the reader)")
        print("  mismatches: " + ", ".join(f"{c} {mismatches.get(c, 0)}" for c in [*COLUMNS, "MISC SpaceAfter=No"]))
        for column, (x, y) in r["examples"].items():  # type: ignore[attr-defined]
            print(f"  e.g. {column}:\n    original {x}\n    written  {y}")
        text_diffs = r["text_diffs"]
        print(f"  '# text' comments that differ: {len(text_diffs)}")  # type: ignore[arg-type]
        for x, y in text_diffs[:3]:  # type: ignore[index]
            print(f"    original {x!r}\n    written  {y!r}")
        failed |= any(mismatches.get(c) for c in COLUMNS)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
