"""A heron pipeline in its own process, spoken to in JSON lines (the child of `HeronWorker`).

Its own process, so its peak RSS is the pipeline's and nothing of the parent's (other
pipelines, the corpus) counts. It speaks the protocol of the spaCy peers
(bench/peers/spacy_cnn.py, spacy_trf.py), so a benchmark alternates heron and a peer with
the same calls. Torch threads: $HERON_BENCH_THREADS (bench/_common `thread_env`, default 1).
Requests, one JSON object per stdin line, one JSON answer per stdout line:
  {"cmd": "load", "model": PATH, "independent": bool, "unpacked": bool}
      -> {"pipe_names", "heron", "torch"}. independent: every head gets its own copy of
      the shared tok2vec (replace_listeners), which is removed; unpacked: transformers run
      the plain Hugging Face forward pass (use_packed = False)
  {"cmd": "build", "config": CFG, "model_name": DIR, "init_corpus": DOCBIN, "out": DIR}
      -> the transformer pipeline of CFG with the model from DIR, initialized on
      init_corpus (labels; the heads stay untrained), saved to out: {"pipe_names", "labels"}
  {"cmd": "evaluate", "path": DOCBIN, "batch_size": N, "limit": N}
      -> {"tag_acc", "lemma_acc", "ents_f", ...}: from raw text; limit > 0: the first N Docs
  {"cmd": "speed", "texts": [...], "batch_size": N}     -> {"seconds", "tokens"}
  {"cmd": "cats", "texts": [...], "batch_size": N}      -> {"cats": [doc.cats of each text]}
  {"cmd": "stream", "texts": [...], "n_docs": N, "every": K, "batch_size": N}
      -> {"rss_mb": [current RSS every K docs], "seconds"}: the texts cycled through nlp.pipe
  {"cmd": "rss"}                                        -> {"peak_rss_mb"} (ru_maxrss)
"""
from __future__ import annotations

import itertools
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any, Dict

# The working tree's heron, or another checkout's ($HERON_BENCH_REPO: bench/experiments/old_vs_new.py).
sys.path.insert(0, os.environ.get("HERON_BENCH_REPO") or str(Path(__file__).resolve().parents[2]))

TRF_NAME_KEY = "components.transformer.model.name"
SCORE_KEYS = ("token_acc", "tag_acc", "pos_acc", "morph_acc", "lemma_acc", "ents_p", "ents_r", "ents_f",
              "ents_per_type", "dep_uas", "dep_las", "sents_p", "sents_r", "sents_f", "speed")


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def load(req: Dict[str, Any]) -> Any:
    import heron

    nlp = heron.load(req["model"])
    if req.get("independent"):
        heads = [n for n in nlp.pipe_names if n != "tok2vec"]
        for head in heads:
            nlp.replace_listeners("tok2vec", head, ["model.tok2vec"])
        nlp.remove_pipe("tok2vec")  # nothing listens any more: each head runs its own copy
    for _, pipe in nlp.pipeline:  # transformers: padding-free forward unless "unpacked"
        if hasattr(getattr(pipe, "model", None), "use_packed"):
            pipe.model.use_packed = not req.get("unpacked", False)
    return nlp


def build(req: Dict[str, Any]) -> Dict[str, Any]:
    from heron.config import load_config
    from heron.training.initialize import init_nlp

    config = load_config(req["config"], overrides={
        TRF_NAME_KEY: req["model_name"], "paths.train": req["init_corpus"], "paths.dev": req["init_corpus"]})
    nlp = init_nlp(config)
    nlp.to_disk(req["out"])
    return {"pipe_names": nlp.pipe_names,
            "labels": {name: len(nlp.get_pipe(name).labels) for name in ("tagger", "ner")}}


def evaluate(nlp: Any, path: str, batch_size: int, limit: int = 0) -> Dict[str, Any]:
    from heron.tokens import DocBin
    from heron.training import Example

    refs = list(DocBin().from_disk(path).get_docs(nlp.vocab))[: limit or None]
    scores = nlp.evaluate([Example(nlp.make_doc(ref.text), ref) for ref in refs], batch_size=batch_size)
    return {k: scores.get(k) for k in SCORE_KEYS}


def stream(nlp: Any, req: Dict[str, Any]) -> Dict[str, Any]:
    texts = itertools.islice(itertools.cycle(req["texts"]), req["n_docs"])
    rss, start = [current_rss_mb()], time.perf_counter()
    for i, _ in enumerate(nlp.pipe(texts, batch_size=req.get("batch_size", 64)), 1):
        if i % req["every"] == 0:
            rss.append(current_rss_mb())
    return {"rss_mb": rss, "seconds": time.perf_counter() - start}


def main() -> int:
    import torch

    import heron

    torch.set_num_threads(int(os.environ.get("HERON_BENCH_THREADS", "1")))
    nlp = None
    for line in sys.stdin:
        req = json.loads(line)
        cmd = req["cmd"]
        if cmd == "load":
            nlp = load(req)
            out: Dict[str, Any] = {"pipe_names": nlp.pipe_names, "heron": heron.__version__,
                                   "torch": torch.__version__}
        elif cmd == "build":
            out = build(req)
        elif cmd == "evaluate":
            out = evaluate(nlp, req["path"], req.get("batch_size", 256), req.get("limit", 0))
        elif cmd == "speed":
            start = time.perf_counter()
            tokens = sum(len(d) for d in nlp.pipe(req["texts"], batch_size=req.get("batch_size", 256)))
            out = {"seconds": time.perf_counter() - start, "tokens": tokens}
        elif cmd == "cats":
            out = {"cats": [doc.cats for doc in nlp.pipe(req["texts"], batch_size=req.get("batch_size", 256))]}
        elif cmd == "stream":
            out = stream(nlp, req)
        else:
            out = {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
