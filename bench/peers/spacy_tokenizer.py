"""spaCy peer for the tokenizer benchmarks; runs inside .venv-peers, never imports heron.

Line protocol: each stdin line is a JSON request, each answer one stdout JSON line.
    {"op": "version"}                       -> {"spacy": "3.8.x"}
    {"op": "spans", "texts": [...]}         -> {"spans": [[[start, end], ...], ...]}
    {"op": "load", "texts": [...]}          -> {"n_texts": n} (kept for "time")
    {"op": "time"}                          -> {"seconds": s, "n_words": n}
        one pass of `nlp.tokenizer(text)` over the loaded texts (Doc creation included)
"""
import json
import sys
import time

import spacy

nlp = spacy.blank("en")
tokenizer = nlp.tokenizer
loaded = []


def handle(req):
    global loaded
    op = req["op"]
    if op == "version":
        return {"spacy": spacy.__version__}
    if op == "spans":
        return {"spans": [[[t.idx, t.idx + len(t.text)] for t in tokenizer(text)] for text in req["texts"]]}
    if op == "load":
        loaded = req["texts"]
        return {"n_texts": len(loaded)}
    if op == "time":
        n_words = 0
        start = time.perf_counter()
        for text in loaded:
            n_words += len(tokenizer(text))
        return {"seconds": time.perf_counter() - start, "n_words": n_words}
    raise ValueError(f"unknown op {op!r}")


for line in sys.stdin:
    sys.stdout.write(json.dumps(handle(json.loads(line))) + "\n")
    sys.stdout.flush()
