"""Type-level word knowledge from spacy-lookups-data's English lexeme tables, as a vectors table.

    .venv/bin/python bench/experiments/lexeme_vectors.py [--out VECTORS/lexeme]

Why: the CNN's largest UPOS and lemma error class on EWT is PROPN/NOUN (and with it the
lemma's casing: "Laughter" -> "laughter" but "Perlingiere" -> "Perlingiere"), mostly on
words EWT train never shows. spacy-lookups-data (already heron's optional dependency for
the rule lemmatizer) ships, for 1M cased English words, a log frequency (`en_lexeme_prob`)
and for ~190k of them a Brown cluster (`en_lexeme_cluster`, spaCy v2's). Both are facts
about the word type from a large web corpus, so no EWT sentence leaks in.

Each word's row (24 columns, 0 where unknown):
- 18 Brown-cluster path bits (+1/-1; spaCy stores the path reversed, so bit i is the
  i-th branch), and a has-cluster flag;
- an in-table flag and the scaled log frequency;
- how much more frequent the word is in lower case, title case and upper case than as
  written (log-probability differences, clipped): the case profile that separates
  "Apple" from "Laughter".

Writes OUT.vec (text) and imports it with `heron init vectors` into OUT (a vectors
pipeline for `--paths.vectors`).
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import VECTORS  # noqa: E402

N_BITS = 18


def _table(name: str) -> dict:
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"en_{name}.json.gz"
    with gzip.open(path, "rt", encoding="utf8") as f:
        return json.load(f)


def rows(clusters: dict, probs: dict, oov: float):
    for word, lp in probs.items():
        if not word or any(ch.isspace() for ch in word):
            continue
        vec = np.zeros(N_BITS + 6, dtype=np.float32)
        cluster = int(clusters.get(word, 0))
        if cluster:
            vec[:N_BITS] = [1.0 if (cluster >> i) & 1 else -1.0 for i in range(N_BITS)]
            vec[N_BITS] = 1.0
        vec[N_BITS + 1] = 1.0
        vec[N_BITS + 2] = (lp + 12.0) / 6.0
        for j, variant in enumerate((word.lower(), word[:1].upper() + word[1:].lower(), word.upper())):
            vec[N_BITS + 3 + j] = np.clip(probs.get(variant, oov) - lp, -8.0, 8.0) / 4.0
        yield word, vec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=VECTORS / "lexeme")
    ap.add_argument("--rows", type=int, default=0, help="keep the N most frequent words (0: all)")
    args = ap.parse_args()
    clusters, probs = _table("lexeme_cluster"), _table("lexeme_prob")
    oov = float(_table("lexeme_settings")["oov_prob"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = args.out.with_suffix(".vec")
    items = list(rows(clusters, probs, oov))
    if args.rows:
        items = sorted(items, key=lambda item: -probs[item[0]])[:args.rows]
    with open(text, "w", encoding="utf8") as f:
        f.write(f"{len(items)} {N_BITS + 6}\n")
        for word, vec in items:
            f.write(word + " " + " ".join(f"{x:.3g}" for x in vec) + "\n")
    print(f"{len(items)} rows -> {text}")
    heron = Path(sys.executable).parent / "heron"
    subprocess.run([str(heron), "init", "vectors", "en", str(text), str(args.out), "--no-progress"], check=True)


if __name__ == "__main__":
    main()
