"""spaCy side of the CNN benchmark (runs in .venv-peers), spoken to in JSON lines.

One process per pipeline, so its peak RSS is that pipeline's. Requests (one JSON object
per stdin line, one JSON answer per stdout line):
  {"cmd": "load", "model": PATH_OR_PACKAGE, "exclude": [...]}   -> {"pipe_names": [...]}
  {"cmd": "evaluate", "path": "test.spacy"}   -> {"tag_acc", "ents_f", "ents_p", "ents_r", ...}
  {"cmd": "speed", "texts": [...], "batch_size": 256}
        -> {"seconds", "tokens"}: one nlp.pipe pass over the texts, timed
  {"cmd": "cats", "texts": [...], "batch_size": 256}  -> {"cats": [doc.cats of each text]}
  {"cmd": "rss"}   -> {"peak_rss_mb"} (ru_maxrss of this process)
Threads are pinned to 1 (OMP/MKL/OPENBLAS env set before numpy loads).
"""
import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402
import time  # noqa: E402

import spacy  # noqa: E402
from _protocol import serve  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402
from spacy.training import Example  # noqa: E402

NLP = None


def handle(req):
    global NLP
    cmd = req["cmd"]
    if cmd == "load":
        NLP = spacy.load(req["model"], exclude=req.get("exclude", []))
        return {"pipe_names": NLP.pipe_names, "spacy": spacy.__version__}
    if cmd == "evaluate":
        refs = DocBin().from_disk(req["path"]).get_docs(NLP.vocab)
        examples = [Example(NLP.make_doc(ref.text), ref) for ref in refs]
        scores = NLP.evaluate(examples, batch_size=256)
        keys = ("token_acc", "tag_acc", "pos_acc", "ents_p", "ents_r", "ents_f", "ents_per_type", "dep_uas", "dep_las",
                "sents_p", "sents_r", "sents_f", "speed")
        return {k: scores.get(k) for k in keys}
    if cmd == "speed":
        texts = req["texts"]
        start = time.perf_counter()
        tokens = sum(len(doc) for doc in NLP.pipe(texts, batch_size=req.get("batch_size", 256)))
        return {"seconds": time.perf_counter() - start, "tokens": tokens}
    if cmd == "cats":
        return {"cats": [doc.cats for doc in NLP.pipe(req["texts"], batch_size=req.get("batch_size", 256))]}
    return {"error": f"unknown cmd {cmd!r}"}


if __name__ == "__main__":
    sys.exit(serve(handle))
