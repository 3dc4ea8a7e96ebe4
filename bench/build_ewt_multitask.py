"""Build the EWT multi-task corpus (tags + POS + sentences + entities) for the CNN benchmark.

UD English-EWT (../shared/data/ud_en_ewt) gives words, spaces (SpaceAfter=No), tag = XPOS,
pos = UPOS, lemmas, morphological features, heads, dependency labels and sentence starts,
read with heron's CoNLL-U converter. Universal NER
English-EWT (../shared/data/uner_en_ewt; dev/test final, train = preliminary_2022, see its
SOURCE.md) gives PER/LOC/ORG entities, joined on `# sent_id`. `OTH` and `B-O` become O
(counted). A sentence whose UNER words differ from UD's (UNER follows an older UD commit)
or that UNER lacks is dropped and counted. Sentences are grouped into Docs of up to 10
(spaCy's `convert` default), never across `# newdoc`.

Writes, to a data dir OUTSIDE the repo (default WORK/ewt, WORK being bench/_common's work
folder, /tmp/heron-bench unless $HERON_BENCH_WORK; or argv[1]):
  {train,dev,test}.heron   heron DocBins
  {train,dev,test}.jsonl   interchange (words, spaces, tags, pos, sent_starts, ents IOB2,
                           lemmas, morphs, heads (Doc indices), deps)
  {train,dev,test}.spacy   spaCy DocBins, converted by bench/peers/spacy_docbin.py in
                           .venv-peers (skipped when the peer venv is missing)
and the counts to bench/results/cnn_corpus.json.

    .venv/bin/python bench/build_ewt_multitask.py [DATA_DIR]
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH, EWT, PEERS_PYTHON, RESULTS, machine_info, require_data, shared_data  # noqa: E402

SPLITS = {  # split -> (UD file, UNER file)
    "train": ("en_ewt-ud-train.conllu", "preliminary_2022/en_ewt-ud-train.iob2"),
    "dev": ("en_ewt-ud-dev.conllu", "en_ewt-ud-dev.iob2"),
    "test": ("en_ewt-ud-test.conllu", "en_ewt-ud-test.iob2"),
}
N_SENTS = 10


def read_sent_ids(path: Path) -> List[Optional[str]]:
    """`# sent_id` of every sentence of a CoNLL-U file, in order (None when absent)."""
    ids: List[Optional[str]] = []
    current: Optional[str] = None
    has_words = False
    with open(path, encoding="utf8") as f:
        for line in f:
            if line.startswith("# sent_id"):
                current = line.split("=", 1)[1].strip()
            elif line.strip() and not line.startswith("#"):
                has_words = True
            elif not line.strip() and has_words:
                ids.append(current)
                current, has_words = None, False
    if has_words:
        ids.append(current)
    return ids


def read_uner(path: Path) -> Iterator[Tuple[str, List[str], List[str]]]:
    """Yield (sent_id, words, raw tags) per sentence of a UNER .iob2 file (3 or 5 columns)."""
    sent_id, words, tags = "", [], []
    with open(path, encoding="utf8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# sent_id"):
                sent_id = line.split("=", 1)[1].strip()
            elif line.startswith("#"):
                continue
            elif not line.strip():
                if words:
                    yield sent_id, words, tags
                sent_id, words, tags = "", [], []
            else:
                cols = line.split("\t")
                words.append(cols[1])
                tags.append(cols[2])
    if words:
        yield sent_id, words, tags


def clean_tags(tags: List[str], counts: Counter) -> List[str]:
    """Map OTH and B-O/I-O to O (counted per kind), then normalise to IOB2."""
    from heron.training.converters._common import tags_to_iob2

    out = []
    for tag in tags:
        kind = tag.split("-", 1)[1] if "-" in tag else None
        if kind in ("OTH", "O"):
            counts[f"{tag[:1]}-{kind}"] += 1
            tag = "O"
        out.append(tag)
    return tags_to_iob2(out, list(range(len(out))), "uner", "tag")


def join_split(split: str, counts: Dict[str, Counter]):
    """Read UD + UNER for one split; return the kept Sentence records and the stats."""
    from heron.training.converters._common import read_lines
    from heron.training.converters.conllu import read_conllu_sentences

    ud_file, uner_file = SPLITS[split]
    ud_path = shared_data("ud_en_ewt", ud_file)
    uner = {sid: (words, tags) for sid, words, tags in read_uner(shared_data("uner_en_ewt", uner_file))}
    mapped: Counter = Counter()
    name, lines = read_lines(ud_path)
    kept, stats = [], Counter()
    sents = read_conllu_sentences(lines, name)
    for sent_id, sent in zip(read_sent_ids(ud_path), sents):
        stats["ud_sentences"] += 1
        if sent_id not in uner:
            stats["dropped_no_uner"] += 1
            continue
        words, tags = uner[sent_id]
        if words != sent.words:
            stats["dropped_token_mismatch"] += 1
            continue
        sent.ents = clean_tags(tags, mapped)
        # Every UD layer is kept (the parser, morphologizer and lemmatizer benchmarks train
        # on them); the interchange JSONL carries them all, so the peer gets the same Docs.
        kept.append(sent)
    stats["uner_sentences"] = len(uner)
    stats["sentences"] = len(kept)
    stats["words"] = sum(len(s.words) for s in kept)
    ents = Counter(t[2:] for s in kept for t in s.ents if t.startswith("B-"))
    counts[split] = stats
    return kept, {**stats, "entities": dict(sorted(ents.items())), "mapped_to_O": dict(mapped)}


def doc_record(doc) -> dict:
    """Interchange record of a heron Doc (what the spaCy peer script reads)."""
    return {
        "words": [t.text for t in doc], "spaces": [bool(t.whitespace_) for t in doc],
        "tags": [t.tag_ for t in doc], "pos": [t.pos_ for t in doc],
        "sent_starts": [bool(t.is_sent_start) for t in doc],
        "ents": [(f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else t.ent_iob_ or "O")
                 for t in doc],
        "lemmas": [t.lemma_ for t in doc], "morphs": [str(t.morph) for t in doc],
        "heads": [t.head.i for t in doc], "deps": [t.dep_ for t in doc],
    }


def write_split(out: Path, split: str, sents) -> int:
    from heron.tokens import DocBin, Vocab
    from heron.training.converters._common import group_sentences, sentences_to_doc
    from heron.util import atomic_write_text

    vocab, docbin, records = Vocab(), DocBin(), []
    for group in group_sentences(sents, N_SENTS):
        doc = sentences_to_doc(vocab, group)
        docbin.add(doc)
        records.append(json.dumps(doc_record(doc), ensure_ascii=False))
    docbin.to_disk(out / f"{split}.heron")
    atomic_write_text(out / f"{split}.jsonl", "\n".join(records) + "\n")
    return len(records)


def main(argv: List[str]) -> int:
    require_data(shared_data("ud_en_ewt", SPLITS["train"][0]), "build_ewt_multitask")
    require_data(shared_data("uner_en_ewt", SPLITS["train"][1]), "build_ewt_multitask")
    out = Path(argv[0]) if argv else EWT
    out.mkdir(parents=True, exist_ok=True)
    counts: Dict[str, Counter] = {}
    summary = {}
    for split in SPLITS:
        sents, stats = join_split(split, counts)
        stats["docs"] = write_split(out, split, sents)
        summary[split] = stats
        print(f"{split}: {json.dumps(stats)}", flush=True)
    if PEERS_PYTHON.exists():
        rc = subprocess.call([str(PEERS_PYTHON), str(BENCH / "peers" / "spacy_docbin.py"), str(out)])
        if rc != 0:
            print("spaCy DocBin conversion failed", file=sys.stderr)
            return rc
    else:
        print(f"spaCy .spacy files skipped: {PEERS_PYTHON} missing (run `make bench-peers`)")
    from heron.util import atomic_write_text

    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"data_dir": str(out), "docs_of_n_sents": N_SENTS, "splits": summary,
            "machine": machine_info()}
    atomic_write_text(RESULTS / "cnn_corpus.json", json.dumps(data, indent=2) + "\n")
    print(f"wrote {RESULTS / 'cnn_corpus.json'}; data in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
