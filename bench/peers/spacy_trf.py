"""spacy-transformers side of the transformer benchmark (runs in .venv-peers), in JSON lines.

One process per pipeline, so its peak RSS is that pipeline's. Threads: $HERON_BENCH_THREADS
(default 2) for torch and the BLAS libraries, set before they load. Requests (one JSON
object per stdin line, one JSON answer per stdout line):
  {"cmd": "build", "config": CFG, "model_name": MODEL_DIR, "init_corpus": "train.spacy",
   "out": DIR}   -> builds the pipeline of CFG with the transformer read from MODEL_DIR,
      initializes it (labels from init_corpus; weights of the heads stay untrained) and
      saves it to DIR: {"pipe_names", "labels"}
  {"cmd": "load", "model": PATH}                -> {"pipe_names", "spacy", "spacy_transformers"}
  {"cmd": "evaluate", "path": "test.spacy"}     -> {"tag_acc", "ents_f", ...}
  {"cmd": "speed", "texts": [...], "batch_size": 64} -> {"seconds", "tokens"}
  {"cmd": "stream", "texts": [...], "n_docs": 20000, "every": 1000, "batch_size": 64}
      -> {"rss_mb": [RSS after every `every` docs], "seconds"}: texts cycled through nlp.pipe
  {"cmd": "rss"}                                -> {"peak_rss_mb"} (ru_maxrss)
Nothing is downloaded: HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are set.
"""
import os

THREADS = os.environ.get("HERON_BENCH_THREADS", "2")
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = THREADS
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import itertools  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import spacy  # noqa: E402
import torch  # noqa: E402
from _protocol import serve  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402
from spacy.training import Corpus, Example  # noqa: E402

torch.set_num_threads(int(THREADS))
NLP = None


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def build(req):
    config = spacy.util.load_config(req["config"])
    config["components"]["transformer"]["model"]["name"] = req["model_name"]
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    examples = list(Corpus(req["init_corpus"])(nlp))
    nlp.initialize(lambda: examples)
    nlp.to_disk(req["out"])
    return {"pipe_names": nlp.pipe_names,
            "labels": {name: len(nlp.get_pipe(name).labels) for name in ("tagger", "ner")}}


def handle(req):
    global NLP
    cmd = req["cmd"]
    if cmd == "build":
        return build(req)
    if cmd == "load":
        from importlib.metadata import version

        import spacy_transformers  # noqa: F401  (registers the factories; version below)

        NLP = spacy.load(req["model"])
        return {"pipe_names": NLP.pipe_names, "spacy": spacy.__version__,
                "spacy_transformers": version("spacy-transformers"), "torch": torch.__version__}
    if cmd == "evaluate":
        refs = DocBin().from_disk(req["path"]).get_docs(NLP.vocab)
        examples = [Example(NLP.make_doc(ref.text), ref) for ref in refs]
        scores = NLP.evaluate(examples, batch_size=64)
        keys = ("token_acc", "tag_acc", "pos_acc", "ents_p", "ents_r", "ents_f", "ents_per_type", "speed")
        return {k: scores.get(k) for k in keys}
    if cmd == "speed":
        start = time.perf_counter()
        tokens = sum(len(doc) for doc in NLP.pipe(req["texts"], batch_size=req.get("batch_size", 64)))
        return {"seconds": time.perf_counter() - start, "tokens": tokens}
    if cmd == "stream":
        texts = itertools.islice(itertools.cycle(req["texts"]), req["n_docs"])
        rss, start = [current_rss_mb()], time.perf_counter()
        for i, _ in enumerate(NLP.pipe(texts, batch_size=req.get("batch_size", 64)), 1):
            if i % req["every"] == 0:
                rss.append(current_rss_mb())
        return {"rss_mb": rss, "seconds": time.perf_counter() - start}
    return {"error": f"unknown cmd {cmd!r}"}


if __name__ == "__main__":
    sys.exit(serve(handle))
