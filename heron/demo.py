"""`make demo`: heron's main job on a small embedded default.

Builds an English pipeline from rules (tokenizer, sentencizer, entity_ruler), annotates
a few paragraphs written for this demo, saves the pipeline, reloads it and checks the
reloaded pipeline gives the same annotations. Later issues make this train a tiny
statistical pipeline.
"""
from __future__ import annotations

import sys
import tempfile
import time

import heron

TEXTS = [
    "Dr. Ada Lovelace didn't live in the U.S.; she wrote to Charles Babbage from London "
    "in 1843. Her notes ran to 20,000 words, e.g. on loops and tables!",
    "Heron Labs opened an office in San Francisco on Jan. 5th. Tickets cost $25 (10% off "
    "for students) at https://example.org/tickets or mail info@example.org :)",
    "\"We're gonna ship it,\" said Grace Hopper. The 10km run starts at 9 a.m. in New York.",
]

PATTERNS = [
    {"label": "PERSON", "pattern": "Ada Lovelace"},
    {"label": "PERSON", "pattern": "Charles Babbage"},
    {"label": "PERSON", "pattern": [{"LOWER": "grace"}, {"LOWER": "hopper"}]},
    {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}]},
    {"label": "GPE", "pattern": [{"LOWER": "new"}, {"LOWER": "york"}]},
    {"label": "GPE", "pattern": "London"},
    {"label": "GPE", "pattern": "U.S."},
    {"label": "ORG", "pattern": "Heron Labs"},
    {"label": "DATE", "pattern": [{"SHAPE": "dddd"}]},
    {"label": "MONEY", "pattern": [{"ORTH": "$"}, {"LIKE_NUM": True}]},
    {"label": "PERCENT", "pattern": [{"LIKE_NUM": True}, {"ORTH": "%"}]},
]


def build():
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(PATTERNS)
    return nlp


def show(doc) -> None:
    print("  tokens:", " | ".join(t.text for t in doc if not t.is_space))
    for sent in doc.sents:
        print("  sentence:", sent.text.strip())
    for ent in doc.ents:
        print(f"  entity: {ent.text!r:<22} {ent.label_}")


def main() -> int:
    start = time.perf_counter()
    nlp = build()
    print(f"heron {heron.__version__}: pipeline {nlp.pipe_names}\n")
    docs = list(nlp.pipe(TEXTS))
    for i, doc in enumerate(docs, 1):
        print(f"text {i}: {doc.text}")
        show(doc)
        print()
    with tempfile.TemporaryDirectory() as tmp:
        nlp.to_disk(tmp)
        reloaded = heron.load(tmp)
        again = list(reloaded.pipe(TEXTS))
    same = all(
        [t.text for t in a] == [t.text for t in b]
        and [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
        for a, b in zip(docs, again)
    )
    print(f"saved + reloaded pipeline gives identical annotations: {same}")
    print(f"done in {time.perf_counter() - start:.1f}s")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
