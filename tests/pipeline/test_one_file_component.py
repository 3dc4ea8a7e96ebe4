"""A new trainable component is one class and one decorator, in one file: this one.

It registers through heron.registry (no import of heron.language), listens to the
shared tok2vec trunk through the stock listener, trains with nlp.update, saves and
loads with the pipeline, and predicts the same after loading.
"""
from __future__ import annotations

from typing import Any, List, Sequence, Tuple

import numpy as np
import torch
from torch import nn

import heron
from heron.pipeline.listener import embed_docs
from heron.pipeline.trainable import TrainablePipe
from heron.registry import registry
from heron.training.example import Example

WIDTH = 24
TEXTS = ["Alice met Bob in Paris", "the dog saw Carol", "We like Rome and Oslo", "no names here at all"]


@registry.factory("test_title_case", default_config={"model": {
    "@architectures": "heron.Tagger.v1", "nO": 2,
    "tok2vec": {"@architectures": "heron.Tok2VecListener.v1", "width": WIDTH}}})
class TitleCase(TrainablePipe):
    """Predicts whether each token is title-case; writes doc.user_data["title_case"]."""

    def __init__(self, nlp: Any, name: str, model: nn.Module):
        super().__init__(nlp.vocab, model, name)

    def _forward(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        X, mask = embed_docs(self.model.tok2vec, docs)  # (B, T, W), (B, T)
        return self.model(X), mask  # (B, T, 2)

    def _predictions(self, docs: Sequence[Any], scores: Tuple[torch.Tensor, torch.Tensor]) -> List[List[bool]]:
        logits, mask = scores
        best = logits.argmax(-1).cpu().numpy()
        return [[bool(b) for b in best[i, :n]] for i, n in enumerate(mask.sum(1).tolist())]

    def set_annotations(self, docs: Sequence[Any], predictions: List[List[bool]]) -> None:
        for doc, flags in zip(docs, predictions):
            doc.user_data["title_case"] = flags

    def get_loss(self, examples: Sequence[Any], scores: Tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        logits, mask = scores
        gold = np.zeros(tuple(mask.shape), np.int64)
        for row, eg in enumerate(examples):
            gold[row, : len(eg.reference)] = [token.text.istitle() for token in eg.reference]
        return nn.functional.cross_entropy(logits[mask], torch.from_numpy(gold)[mask])


def _nlp() -> Any:
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "heron.HashEmbedCNN.v1", "width": WIDTH, "depth": 1, "embed_size": 300,
        "window_size": 1, "maxout_pieces": 2, "subword_features": True, "pretrained_vectors": None}})
    nlp.add_pipe("test_title_case")
    return nlp


def test_a_component_in_one_file_trains_saves_and_loads(tmp_path):
    torch.manual_seed(0)
    nlp = _nlp()
    examples = [Example(nlp.make_doc(text), nlp.make_doc(text)) for text in TEXTS]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        losses = nlp.update(examples, sgd=optimizer)
    assert losses["test_title_case"] < 0.1 and losses["tok2vec"] > 0  # the trunk learned too
    texts = TEXTS + ["Tom and Ann"]
    expected = [[t.istitle() for t in text.split()] for text in texts]
    assert [doc.user_data["title_case"] for doc in nlp.pipe(texts)] == expected
    nlp.to_disk(tmp_path / "pipeline")
    loaded = heron.load(tmp_path / "pipeline")
    assert loaded.pipe_names == ["tok2vec", "test_title_case"]
    assert loaded.get_pipe("test_title_case").model.tok2vec.upstream is loaded.get_pipe("tok2vec")
    assert [doc.user_data["title_case"] for doc in loaded.pipe(texts)] == expected
