"""`make demo`: train a tiny shared tok2vec + tagger + ner pipeline, annotate, save, reload.

The training data is heron's own small corpus (heron/demo_data/en_demo.txt: ~55 short
English sentences written for this demo, with Penn Treebank tags and PER/ORG/LOC
entities). The pipeline is what `heron init config -p tok2vec,tagger,ner` writes (the
heads listen to one shared trunk), trained with the custom-loop API a spaCy user knows:

    nlp.initialize(lambda: examples)
    for batch in ...: nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses)

then a sentencizer is added for sentence boundaries, sample texts are annotated, the
pipeline is saved and reloaded, and the reloaded pipeline must annotate identically.
Takes well under a minute on 2 CPU cores (`python -m heron.demo --steps N` to change).
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from importlib import resources
from typing import Any, List, Optional, Sequence, Tuple

import heron

CORPUS = "en_demo.txt"
TEXTS = [
    "Maria Lopez flew from Lisbon to Berlin on Monday. She met Julia Chen at Harbor Bank.",
    "Tom Baker opened a new shop in Denver. The bread was fresh and the coffee was warm.",
    "Did Ravi Kumar call you from Dublin? He will join Google next week.",
]
_END = re.compile(r"^(.*)\](\w+)$")


def read_corpus(text: str, vocab: Any) -> List[Any]:
    """Parse the demo format (see the file's header) into gold Docs, one per document."""
    from .tokens import Doc

    docs, sents = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if sents:
                docs.append(_doc_from_sents(Doc, vocab, sents))
            sents = []
        else:
            sents.append(_parse_sentence(line))
    return docs


def _parse_sentence(line: str) -> List[Tuple[str, bool, str, str]]:
    """-> [(word, space_before, tag, IOB2 entity tag)] for one sentence line."""
    out, label, inside = [], None, False
    for raw in line.split():
        glue, raw = raw.startswith("~"), raw.lstrip("~")
        begin = raw.startswith("[")
        raw = raw[1:] if begin else raw
        end = _END.match(raw)
        if end:
            raw, label = end.group(1), end.group(2)
        word, tag = raw.rsplit("/", 1)
        out.append((word, not glue, tag, "B" if begin else ("I" if inside else "O")))
        inside = (inside or begin) and not end
        if end:  # give the entity's tokens their label
            for k in range(len(out) - 1, -1, -1):
                out[k] = out[k][:3] + (f"{out[k][3]}-{label}",)
                if out[k][3].startswith("B-"):
                    break
    return out


def _doc_from_sents(doc_cls: Any, vocab: Any, sents: List[List[Tuple[str, bool, str, str]]]) -> Any:
    tokens = [tok for sent in sents for tok in sent]
    spaces = [nxt[1] for nxt in tokens[1:]] + [False]
    starts = [i == 0 for sent in sents for i in range(len(sent))]
    return doc_cls(vocab, words=[t[0] for t in tokens], spaces=spaces, tags=[t[2] for t in tokens],
                   ents=[t[3] for t in tokens], sent_starts=starts)


def corpus_text() -> str:
    return resources.files("heron").joinpath("demo_data", CORPUS).read_text(encoding="utf8")


def build(*, width: int = 64, depth: int = 2, pipeline: Sequence[str] = ("tok2vec", "tagger", "ner")) -> Any:
    """The `heron init config -p tok2vec,tagger,ner` pipeline, with a smaller trunk."""
    from confection import Config

    from .cli.init_config import Optimize, Options, build_config
    from .config import fill_config

    config = build_config(Options("en", list(pipeline), Optimize.efficiency, False, False))
    config["components"]["tok2vec"]["model"]["encode"].update(width=width, depth=depth)
    # No lexeme vectors (heron.lexeme_vectors.v1): `make demo` installs heron alone, without
    # spacy-lookups-data, and a 2-minute demo has no use for them.
    config["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] = False
    config["initialize"]["vectors"] = None
    config = fill_config(Config(config, is_interpolated=False)).interpolate()
    from .language import Language

    return Language.from_config(config)


def train(nlp: Any, gold: Sequence[Any], *, steps: int, seed: int = 0,
          batch_size: int = 8, log_every: int = 50) -> None:
    """Initialize on the gold docs, then `steps` updates on random batches of docs."""
    import torch

    from .training import Example

    random.seed(seed)
    torch.manual_seed(seed)
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in gold]
    optimizer = nlp.initialize(lambda: examples)  # heron.Adam.v1, lr 0.001 (= the config's)
    losses: dict = {}
    for step in range(1, steps + 1):
        batch = random.sample(examples, min(batch_size, len(examples)))
        nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses, step=step)
        if log_every and step % log_every == 0:
            shown = ", ".join(f"{k} {v / log_every:.3f}" for k, v in losses.items())
            print(f"  step {step:>4}: loss {shown}", flush=True)
            losses = {}


def annotations(docs: Sequence[Any]) -> List[Any]:
    """What must survive save/reload: tokens, tags, entities, sentences."""
    return [([t.text for t in d], [t.tag_ for t in d], [(e.start, e.end, e.label_) for e in d.ents],
             [(s.start, s.end) for s in d.sents]) for d in docs]


def show(doc: Any) -> None:
    print("  tagged:", " ".join(f"{t.text}/{t.tag_}" for t in doc if not t.is_space))
    for sent in doc.sents:
        print("  sentence:", sent.text.strip())
    for ent in doc.ents:
        print(f"  entity: {ent.text!r:<22} {ent.label_}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=200, help="training updates (default 200)")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)  # tiny batches: threads cost more than they give
    start = time.perf_counter()
    nlp = build()
    gold = read_corpus(corpus_text(), nlp.vocab)
    n_words = sum(len(d) for d in gold)
    print(f"heron {heron.__version__}: training {nlp.pipe_names} on {len(gold)} docs "
          f"({n_words} words), {args.steps} steps")
    train(nlp, gold, steps=args.steps)
    nlp.add_pipe("sentencizer", first=True)
    print(f"trained in {time.perf_counter() - start:.1f}s; pipeline {nlp.pipe_names}\n")
    docs = list(nlp.pipe(TEXTS))
    for i, doc in enumerate(docs, 1):
        print(f"text {i}: {doc.text}")
        show(doc)
        print()
    with tempfile.TemporaryDirectory() as tmp:
        nlp.to_disk(tmp)
        again = list(heron.load(tmp).pipe(TEXTS))
    same = annotations(docs) == annotations(again)
    print(f"saved + reloaded pipeline gives identical annotations: {same}")
    print(f"done in {time.perf_counter() - start:.1f}s")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
