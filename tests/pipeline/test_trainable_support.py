"""Shared helpers for the trainable-component tests (imported by test_contract.py,
test_tagger.py, test_listener.py, ...): tiny configs, hand-written training data,
Examples and a training loop. Holds one smoke test so pytest collects it harmlessly."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import torch

import heron
from heron.pipeline.update import trainable_parameters
from heron.registry import registry
from heron.training.example import Example

# Five hand-written sentences with Penn-style tags (never copied from any corpus).
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

WIDTH = 32
# Tests share 2 cores with other processes; one thread is several times faster here.
torch.set_num_threads(1)


def trunk_model(width: int = WIDTH) -> Dict[str, Any]:
    """A small HashEmbedCNN block (NN's heron.HashEmbedCNN.v1)."""
    return {"@architectures": "heron.HashEmbedCNN.v1", "width": width, "depth": 2,
            "embed_size": 500, "window_size": 1, "maxout_pieces": 3,
            "subword_features": True, "pretrained_vectors": None}


def listener_model(width: int = WIDTH, upstream: str = "*", grad_factor: float = 1.0) -> Dict[str, Any]:
    return {"@architectures": "heron.Tok2VecListener.v1", "width": width, "upstream": upstream,
            "grad_factor": grad_factor}


def head_config(tok2vec: Dict[str, Any]) -> Dict[str, Any]:
    return {"model": {"@architectures": "heron.Tagger.v1", "nO": None, "tok2vec": tok2vec}}


def make_nlp(heads: Sequence[str] = ("tagger",), *, shared: bool = True, width: int = WIDTH,
             grad_factors: Optional[Dict[str, float]] = None) -> "heron.language.Language":
    """blank("en") + [tok2vec] + heads; heads listen to the trunk (shared) or own a copy."""
    nlp = heron.blank("en")
    grad_factors = grad_factors or {}
    if shared:
        nlp.add_pipe("tok2vec", config={"model": trunk_model(width)})
    for head in heads:
        factory = head.split("#")[0]
        tok2vec = listener_model(width, grad_factor=grad_factors.get(head, 1.0)) if shared else trunk_model(width)
        nlp.add_pipe(factory, name=head.replace("#", "_"), config=head_config(tok2vec))
    return nlp


def tagged_examples(nlp: "heron.language.Language", data=TAGGED) -> List[Example]:
    return [Example.from_dict(nlp.make_doc(text), {"tags": tags}) for text, tags in data]


def sent_examples(nlp: "heron.language.Language", data=SENTS) -> List[Example]:
    out = []
    for text, starts in data:
        doc = nlp.make_doc(text)
        assert len(doc) == len(starts), [t.text for t in doc]
        out.append(Example.from_dict(doc, {"sent_starts": [bool(s) for s in starts]}))
    return out


def train(nlp: "heron.language.Language", examples: List[Example], *, steps: int = 60, lr: float = 0.01,
          **update_kwargs: Any) -> Dict[str, float]:
    """Overfit `examples` with plain torch Adam; returns the last step's losses."""
    optimizer = torch.optim.Adam(trainable_parameters(nlp), lr=lr)
    losses: Dict[str, float] = {}
    for step in range(steps):
        losses = nlp.update(examples, sgd=optimizer, step=step, **update_kwargs)
    return losses


def fresh_examples(nlp: "heron.language.Language", examples: List[Example]) -> List[Example]:
    """Same gold, new predicted Docs (no annotations from training)."""
    return [Example(nlp.make_doc(eg.reference.text), eg.reference) for eg in examples]


def test_support_data_is_consistent():
    nlp = heron.blank("en")
    for text, tags in TAGGED:
        assert len(nlp.make_doc(text)) == len(tags)
    assert len(sent_examples(nlp)) == 5
    assert registry.has("architectures", "heron.Tok2VecListener.v1")

