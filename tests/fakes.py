"""Tiny fakes shared by the tests (DESIGN.md house style 12): small CNN trunk and head
configs, hand-written training data for the tagger, senter and ner, a plain training
loop, a tiny trained tagger + ner pipeline and a grad_factor schedule that records the
steps it is read at.

A plain module, not a test module: tests/conftest.py puts tests/ on sys.path, so any test
folder can `from fakes import ...`. The tiny Hugging Face models live in
tiny_transformers.py.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

import heron
from heron.language import Language
from heron.pipeline.update import trainable_parameters
from heron.tokens import Doc
from heron.training.example import Example

# Tests share 2 cores with other processes; one thread is several times faster here.
torch.set_num_threads(1)

WIDTH = 32

# ---- hand-written data (never copied from any corpus) ----------------------------------
# Five sentences with Penn-style tags.
TAGGED = [
    ("The cat sat on the warm mat .", ["DT", "NN", "VBD", "IN", "DT", "JJ", "NN", "."]),
    ("A dog barked loudly at night .", ["DT", "NN", "VBD", "RB", "IN", "NN", "."]),
    ("Small birds sing in the morning .", ["JJ", "NNS", "VBP", "IN", "DT", "NN", "."]),
    ("She reads old books .", ["PRP", "VBZ", "JJ", "NNS", "."]),
    ("We walked home quickly .", ["PRP", "VBD", "NN", "RB", "."]),
]
# Multi-sentence texts for the senter (boundaries are the training signal).
SENTS = [
    ("The cat sat . A dog barked loudly . It rained", [1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]),
    ("Birds sing . We walked home quickly .", [1, 0, 0, 1, 0, 0, 0, 0]),
    ("She reads books . Small birds sing in the morning .", [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ("Run ! Dogs bark at night . Cats sleep .", [1, 0, 1, 0, 0, 0, 0, 1, 0, 0]),
    ("It is warm . The mat is old .", [1, 0, 0, 0, 1, 0, 0, 0, 0]),
]
# Entities as (start token, end token, label).
NER = [
    ("Alice Smith flew to Paris on Monday .", [(0, 2, "PER"), (4, 5, "LOC")]),
    ("Bob works for Acme Corp in New York City .", [(0, 1, "PER"), (3, 5, "ORG"), (6, 9, "LOC")]),
    ("Nothing much happened today .", []),
    ("The river Thames runs through London", [(2, 3, "LOC"), (5, 6, "LOC")]),
    ("Carol and Dave Jones met at Globex .", [(0, 1, "PER"), (2, 4, "PER"), (6, 7, "ORG")]),
]


# ---- configs ------------------------------------------------------------------------
def trunk_model(width: int = WIDTH) -> Dict[str, Any]:
    """A small HashEmbedCNN block (heron.HashEmbedCNN.v1)."""
    return {"@architectures": "heron.HashEmbedCNN.v1", "width": width, "depth": 2,
            "embed_size": 500, "window_size": 1, "maxout_pieces": 3,
            "subword_features": True, "pretrained_vectors": None}

# A tok2vec + tagger training config over [paths] train/dev, without its [training]
# block: tests append their own (`TINY_TAGGER_TRAIN_CONFIG + "[training]\n..."`).
TINY_TAGGER_TRAIN_CONFIG = """
[paths]
train = null
dev = null

[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger"]

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "heron.HashEmbedCNN.v1"
width = 16
depth = 1
embed_size = 200
window_size = 1
maxout_pieces = 2
subword_features = true
pretrained_vectors = null

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "heron.Tagger.v1"
nO = null

[components.tagger.model.tok2vec]
@architectures = "heron.Tok2VecListener.v1"
width = 16
upstream = "*"

[corpora]

[corpora.train]
@readers = "heron.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "heron.Corpus.v1"
path = ${paths.dev}

"""



def listener_model(width: int = WIDTH, upstream: str = "*", grad_factor: float = 1.0) -> Dict[str, Any]:
    return {"@architectures": "heron.Tok2VecListener.v1", "width": width, "upstream": upstream,
            "grad_factor": grad_factor}


def head_config(tok2vec: Dict[str, Any]) -> Dict[str, Any]:
    return {"model": {"@architectures": "heron.Tagger.v1", "nO": None, "tok2vec": tok2vec}}


def ner_config(shared: bool, **model: Any) -> Dict[str, Any]:
    """A ner block over a listener (shared) or its own small CNN."""
    tok2vec = listener_model(WIDTH) if shared else trunk_model(WIDTH)
    return {"model": {"@architectures": "heron.TransitionBasedParser.v1", "tok2vec": tok2vec,
                      "hidden_width": 32, **model}}


def make_nlp(heads: Sequence[str] = ("tagger",), *, shared: bool = True, width: int = WIDTH,
             grad_factors: Optional[Dict[str, float]] = None) -> Language:
    """blank("en") + [tok2vec] + Tagger.v1 heads (tagger, senter; "tagger#2" adds a second
    tagger named tagger_2); heads listen to the trunk (shared) or own a copy."""
    nlp = heron.blank("en")
    grad_factors = grad_factors or {}
    if shared:
        nlp.add_pipe("tok2vec", config={"model": trunk_model(width)})
    for head in heads:
        factory = head.split("#")[0]
        tok2vec = listener_model(width, grad_factor=grad_factors.get(head, 1.0)) if shared else trunk_model(width)
        nlp.add_pipe(factory, name=head.replace("#", "_"), config=head_config(tok2vec))
    return nlp


# ---- Examples -----------------------------------------------------------------------
def tagged_examples(nlp: Language, data: Sequence[Tuple[str, List[str]]] = TAGGED) -> List[Example]:
    return [Example.from_dict(nlp.make_doc(text), {"tags": tags}) for text, tags in data]


def sent_examples(nlp: Language, data: Sequence[Tuple[str, List[int]]] = SENTS) -> List[Example]:
    out = []
    for text, starts in data:
        doc = nlp.make_doc(text)
        assert len(doc) == len(starts), [t.text for t in doc]
        out.append(Example.from_dict(doc, {"sent_starts": [bool(s) for s in starts]}))
    return out


def biluo(n: int, spans: Sequence[Tuple[int, int, str]]) -> List[str]:
    """BILUO tags of `n` tokens with entities `spans` ((start, end, label), end exclusive)."""
    tags = ["O"] * n
    for start, end, label in spans:
        if end - start == 1:
            tags[start] = f"U-{label}"
        else:
            tags[start] = f"B-{label}"
            tags[start + 1:end - 1] = [f"I-{label}"] * (end - start - 2)
            tags[end - 1] = f"L-{label}"
    return tags


def make_example(nlp: Language, text: str, tags: List[Optional[str]]) -> Example:
    """An Example whose reference has BILUO entity tags (None = missing annotation)."""
    doc = nlp.make_doc(text)
    assert len(doc) == len(tags), [t.text for t in doc]
    return Example(doc, Doc(nlp.vocab, words=doc.words, spaces=doc.spaces, ents=tags))


def ner_examples(nlp: Language, data: Sequence[Tuple[str, list]] = NER) -> List[Example]:
    return [make_example(nlp, text, biluo(len(text.split()), spans)) for text, spans in data]


def ents_of(doc: Any) -> List[Tuple[str, int, int]]:
    return [(e.label_, e.start, e.end) for e in doc.ents]


def fresh_examples(nlp: Language, examples: List[Example]) -> List[Example]:
    """Same gold, new predicted Docs (no annotations from training)."""
    return [Example(nlp.make_doc(eg.reference.text), eg.reference) for eg in examples]


# ---- training -----------------------------------------------------------------------
def train(nlp: Language, examples: List[Example], *, steps: int = 60, lr: float = 0.01,
          **update_kwargs: Any) -> Dict[str, float]:
    """Overfit `examples` with plain torch Adam; returns the last step's losses."""
    optimizer = torch.optim.Adam(trainable_parameters(nlp), lr=lr)
    losses: Dict[str, float] = {}
    for step in range(steps):
        losses = nlp.update(examples, sgd=optimizer, step=step, **update_kwargs)
    return losses


def trained_tagger_ner(steps: int = 5, extra: Sequence[str] = ()) -> Language:
    """tok2vec + tagger + ner (both listening), trained briefly on TAGGED and NER: a
    pipeline that annotates every token, for tests of what runs around the models.
    steps=0: initialized only (arbitrary but deterministic predictions). extra: factory
    names added after ner, before initialize."""
    torch.manual_seed(0)
    nlp = make_nlp(("tagger",))
    nlp.add_pipe("ner", config=ner_config(shared=True))
    for name in extra:
        nlp.add_pipe(name)
    examples = tagged_examples(nlp) + ner_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=steps)
    return nlp


class StepRecorder:
    """A grad_factor schedule that records the training steps it is read at (always 1.0)."""

    def __init__(self) -> None:
        self.steps: List[int] = []

    def __call__(self, step: int) -> float:
        self.steps.append(step)
        return 1.0
