"""Tokenizer accuracy on UD English-EWT: heron vs spaCy 3.8 (`spacy.blank("en")`).

Each sentence's raw `# text =` is tokenized and the token character spans are scored
against the gold *syntactic words* (P/R/F1 over exact (start, end) spans, micro-averaged
over the corpus; whitespace-only tokens are ignored for both systems).

Gold spans. Surface tokens (single words and multi-word-token ranges like "don't" 3-4)
are located in the text left to right, skipping whitespace. A multi-word token's
surface is split into its words by matching each word form inside the surface in order
("don't" -> "do" "n't", "cannot" -> "can" "not"); where the forms do not spell the
surface (rare, e.g. a normalised form), each word but the last takes its own length
and the last word takes the rest. Sentences whose text cannot be aligned are counted
and skipped (reported as `unaligned`).

Usage: python bench/tokenizer_accuracy.py [--splits dev test] [--errors N]
(`--errors` prints N mismatches per split; use it on train/dev when tuning rules,
never on test.)
"""
from __future__ import annotations

import argparse
import sys
from typing import Dict, List, Optional, Tuple

from _common import machine_info, markdown_table, read_conllu, require_data, shared_data, write_results
from _common.processes import Peer

Span = Tuple[int, int]


def gold_spans(text: str, rows: List[List[str]]) -> Optional[List[Span]]:
    """Character spans of the syntactic words of one sentence, or None if unalignable."""
    spans: List[Span] = []
    pos = 0
    skip_until = 0
    for row in rows:
        tid, form = row[0], row[1]
        if "." in tid:  # empty nodes have no surface
            continue
        if "-" in tid:
            first, last = (int(x) for x in tid.split("-"))
            start = _locate(text, form, pos)
            if start is None:
                return None
            words = [r[1] for r in rows if "-" not in r[0] and "." not in r[0] and first <= int(r[0]) <= last]
            spans.extend(_split_mwt(form, words, start))
            pos = start + len(form)
            skip_until = last
            continue
        if int(tid) <= skip_until:
            continue
        start = _locate(text, form, pos)
        if start is None:
            return None
        spans.append((start, start + len(form)))
        pos = start + len(form)
    return spans


def _locate(text: str, form: str, pos: int) -> Optional[int]:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos if text.startswith(form, pos) else None


def _split_mwt(surface: str, words: List[str], start: int) -> List[Span]:
    spans, offset = [], 0
    for k, word in enumerate(words):
        last = k == len(words) - 1
        if surface.startswith(word, offset) and (not last or offset + len(word) == len(surface)):
            end = offset + len(word)
        elif surface.lower().startswith(word.lower(), offset) and not last:
            end = offset + len(word)
        else:
            end = len(surface) if last else min(len(surface), offset + len(word))
        spans.append((start + offset, start + end))
        offset = end
    return spans


def load_split(split: str):
    path = require_data(shared_data("ud_en_ewt", f"en_ewt-ud-{split}.conllu"), "tokenizer_accuracy")
    texts, golds, unaligned = [], [], 0
    for sent in read_conllu(path):
        spans = gold_spans(sent["text"], sent["rows"]) if sent["text"] is not None else None
        if spans is None:
            unaligned += 1
            continue
        texts.append(sent["text"])
        golds.append(spans)
    return texts, golds, unaligned


def heron_spans(texts: List[str]) -> List[List[Span]]:
    from heron.tokenizer import create_tokenizer

    tokenizer = create_tokenizer("en")
    out = []
    for text in texts:
        words, spaces = tokenizer.words_and_spaces(text)
        spans, pos = [], 0
        for word, space in zip(words, spaces):
            spans.append((pos, pos + len(word)))
            pos += len(word) + space
        out.append(spans)
    return out


def score(texts, golds, preds, n_errors: int = 0, label: str = "") -> Dict[str, float]:
    tp = n_pred = n_gold = 0
    shown = 0
    for text, gold, pred in zip(texts, golds, preds):
        pred = [tuple(s) for s in pred if not text[s[0]:s[1]].isspace()]
        gold_set, pred_set = set(gold), set(pred)
        tp += len(gold_set & pred_set)
        n_pred += len(pred_set)
        n_gold += len(gold_set)
        if shown < n_errors and gold_set != pred_set:
            shown += 1
            print(f"[{label}] {text}\n   gold: {[text[a:b] for a, b in gold]}\n   pred: {[text[a:b] for a, b in pred]}")
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 5), "recall": round(r, 5), "f1": round(f, 5), "n_gold": n_gold, "n_pred": n_pred}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", nargs="+", default=["dev", "test"])
    parser.add_argument("--errors", type=int, default=0, help="print N mismatches per split (tuning on dev/train only)")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results")
    args = parser.parse_args(argv)
    data = {split: load_split(split) for split in args.splits}  # exits 0 if data is absent
    peer = Peer.start("spacy_tokenizer.py")
    results: Dict[str, Dict] = {}
    for split, (texts, golds, unaligned) in data.items():
        results[split] = {"n_sentences": len(texts), "unaligned": unaligned,
                          "heron": score(texts, golds, heron_spans(texts), args.errors, f"heron {split}")}
        if peer is not None:
            spans = peer.request(op="spans", texts=texts)["spans"]
            results[split]["spacy"] = score(texts, golds, spans)
    versions = peer.request(op="version") if peer is not None else {}
    if peer is not None:
        peer.close()
    rows = [[split, system, r[system]["precision"], r[system]["recall"], r[system]["f1"]]
            for split, r in results.items() for system in ("heron", "spacy") if system in r]
    md = "## Tokenizer accuracy, UD English-EWT (token span P/R/F1 vs gold syntactic words)\n\n"
    md += markdown_table(["split", "system", "P", "R", "F1"], rows)
    md += ("\n\nGold: syntactic words; multi-word tokens split by matching their word forms inside "
           "the surface (method in bench/tokenizer_accuracy.py). Whitespace tokens ignored. "
           f"spaCy {versions.get('spacy', 'absent')} = `spacy.blank(\"en\")` run in .venv-peers. "
           "heron's rules were tuned on train/dev only.")
    if not args.no_write:
        write_results("tokenizer_accuracy", {"results": results, "machine": machine_info(versions)}, md)
    else:
        print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
