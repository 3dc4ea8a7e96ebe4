"""Tokenizer speed: heron (pure Python) vs spaCy 3.8's Cython tokenizer, same texts, one run.

Texts: every `# text =` line of UD English-EWT train plus the paragraphs of two raw-text
novels (../shared/data). Each system is timed over all texts per pass (text -> Doc,
Doc creation included); passes alternate heron / spaCy, `--repeats` times, after one
warm-up pass each (which fills both tokenizers' caches, as in a long-running service).
Words/sec = whitespace-delimited words of the corpus / seconds, so both systems share
the numerator; the headline is the median pass. heron's tokenization without Doc
creation (`words_and_spaces`) is timed too, to show what the Doc costs.

Usage: python bench/tokenizer_speed.py [--repeats 5] [--max-paragraphs 20000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Callable, List, Optional

from _common import machine_info, markdown_table, read_conllu, require_data, shared_data, write_results
from _common.processes import Peer

NOVELS = ("Dickens_Bleak_1853.txt", "Eliot_Daniel_1876.txt")


def load_texts(max_paragraphs: int) -> List[str]:
    train = require_data(shared_data("ud_en_ewt", "en_ewt-ud-train.conllu"), "tokenizer_speed")
    texts = [s["text"] for s in read_conllu(train) if s["text"]]
    paragraphs: List[str] = []
    for name in NOVELS:
        path = shared_data("raw_text", name)
        if path.exists():
            paragraphs += [p.strip() for p in path.read_text(encoding="utf8").split("\n\n") if p.strip()]
    return texts + paragraphs[:max_paragraphs]


def time_pass(func: Callable, texts: List[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        func(text)
    return time.perf_counter() - start


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--max-paragraphs", type=int, default=20000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    texts = load_texts(args.max_paragraphs)
    n_words = sum(len(t.split()) for t in texts)
    n_chars = sum(len(t) for t in texts)

    from heron.tokenizer import create_tokenizer

    tokenizer = create_tokenizer("en")
    n_tokens_heron = sum(len(tokenizer(t)) for t in texts)  # warm-up pass, fills the cache
    peer = Peer.start("spacy_tokenizer.py")
    spacy_version, n_tokens_spacy = None, None
    if peer is not None:
        spacy_version = peer.request(op="version")["spacy"]
        peer.request(op="load", texts=texts)
        n_tokens_spacy = peer.request(op="time")["n_words"]  # warm-up pass
    times = {"heron": [], "heron_no_doc": [], "spacy": []}
    for _ in range(args.repeats):
        times["heron"].append(time_pass(tokenizer, texts))
        times["heron_no_doc"].append(time_pass(tokenizer.words_and_spaces, texts))
        if peer is not None:
            times["spacy"].append(peer.request(op="time")["seconds"])
    if peer is not None:
        peer.close()

    def wps(seconds: List[float]) -> dict:
        return {"median_words_per_sec": round(n_words / statistics.median(seconds)),
                "best_words_per_sec": round(n_words / min(seconds)), "seconds": [round(s, 4) for s in seconds]}

    results = {name: wps(secs) for name, secs in times.items() if secs}
    ratio = None
    if times["spacy"]:
        ratio = round(statistics.median(times["spacy"]) / statistics.median(times["heron"]), 3)
    rows = [[name, f"{r['median_words_per_sec']:,}", f"{r['best_words_per_sec']:,}"] for name, r in results.items()]
    md = (f"## Tokenizer speed (text -> Doc, single process; {len(texts):,} texts, {n_words:,} words)\n\n"
          + markdown_table(["system", "words/sec (median)", "words/sec (best)"], rows)
          + (f"\n\nheron / spaCy speed ratio (median): **{ratio}x**" if ratio is not None else "")
          + "\n\n`heron_no_doc` = heron's `words_and_spaces` (tokenization without building the Doc).")
    data = {"results": results, "ratio_heron_over_spacy": ratio, "n_texts": len(texts), "n_words": n_words,
            "n_chars": n_chars, "n_tokens": {"heron": n_tokens_heron, "spacy": n_tokens_spacy},
            "repeats": args.repeats, "machine": machine_info({"spacy": spacy_version})}
    if args.no_write:
        print(md)
    else:
        write_results("tokenizer_speed", data, md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
