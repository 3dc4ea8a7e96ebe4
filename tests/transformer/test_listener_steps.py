"""Every grad-factor user reads the ONE global training step, also after replace_listeners
(under accumulate_gradient, for every listener kind at once: the trunk-kind table in
tests/pipeline/test_contract.py); negative factors are coded errors for every kind; a
listener's width comes from its own pipeline's transformer, never from another pipeline's."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Dict, List

import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.language import Language
from heron.tokens import Doc
from heron.training.example import Example

from fakes import StepRecorder

TAGGED = [
    ("Alice visits Paris today", ["NNP", "VBZ", "NNP", "NN"]),
    ("the small dog barks", ["DT", "JJ", "NN", "VBZ"]),
    ("Bob met Carol in Rome", ["NNP", "VBD", "NNP", "IN", "NNP"]),
    ("She paid twelve dollars", ["PRP", "VBD", "CD", "NNS"]),
]
SPANS = {"@span_getters": "heron.doc_spans.v1"}
CNN = {"@architectures": "heron.HashEmbedCNN.v1", "width": 16, "depth": 1, "embed_size": 200,
       "window_size": 1, "maxout_pieces": 2, "subword_features": True, "pretrained_vectors": None}


def _tagger(tok2vec: Dict[str, Any]) -> Dict[str, Any]:
    return {"model": {"@architectures": "heron.Tagger.v1", "tok2vec": tok2vec}}


def _trf_listener(**extra: Any) -> Dict[str, Any]:
    return {"@architectures": "heron.TransformerListener.v1", **extra}


def _inline(model_dir: Path, **extra: Any) -> Dict[str, Any]:
    return {"@architectures": "heron.TransformerTok2Vec.v1", "name": str(model_dir), "get_spans": SPANS,
            **extra}


def _examples(nlp: Any) -> List[Example]:
    out = []
    for text, tags in TAGGED:
        doc = nlp.make_doc(text)
        out.append(Example(doc, Doc(nlp.vocab, words=doc.words, spaces=doc.spaces, tags=tags)))
    return out


def _record(nlp: Any, heads: List[str]) -> Dict[str, StepRecorder]:
    recorders = {}
    for head in heads:
        recorders[head] = nlp.get_pipe(head).model.tok2vec.grad_factor = StepRecorder()
    return recorders


def test_inline_copy_keeps_the_global_step_after_replace_listeners(tiny_bert_dir):
    torch.manual_seed(0)
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={"model": {"name": str(tiny_bert_dir), "get_spans": SPANS}})
    nlp.add_pipe("tagger", config=_tagger(_trf_listener()))
    egs = _examples(nlp)
    optimizer = nlp.initialize(lambda: egs)
    for _ in range(3):  # no explicit step: the pipeline counts update calls (0, 1, 2)
        nlp.update(egs, sgd=optimizer)
    nlp.replace_listeners("transformer", "tagger", ["model.tok2vec"])
    recorder = _record(nlp, ["tagger"])["tagger"]
    nlp.update(egs, sgd=nlp.get_optimizer())
    nlp.update(egs, sgd=nlp.get_optimizer(), step=7)
    assert recorder.steps == [3, 7]  # not restarted at 0


@pytest.mark.parametrize("kind", ["transformer_listener", "inline"])
def test_negative_grad_factor_is_coded_for_transformer_kinds(tiny_bert_dir, kind):
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={"model": {"name": str(tiny_bert_dir), "get_spans": SPANS}})
    tok2vec = _trf_listener(grad_factor=-1.0) if kind != "inline" else _inline(tiny_bert_dir, grad_factor=-1.0)
    with pytest.raises(HeronValueError, match=r"\[E388\] grad_factor = -1.0"):
        nlp.add_pipe("tagger", config=_tagger(tok2vec))


def _wider_bert(source: Path, target: Path, hidden: int) -> Path:
    """The tiny BERT's tokenizer with a randomly initialised BertModel `hidden` wide."""
    from transformers import BertConfig, BertModel

    shutil.copytree(source, target)
    (target / "model.safetensors").unlink()
    config = BertConfig.from_pretrained(str(source), local_files_only=True)
    config.hidden_size, config.intermediate_size = hidden, 2 * hidden
    torch.manual_seed(0)
    BertModel(config).eval().save_pretrained(str(target))
    return target


def test_two_pipelines_with_different_widths_do_not_influence_each_other(tiny_bert_dir, tmp_path):
    narrow = heron.blank("en")
    narrow.add_pipe("transformer", config={"model": {"name": str(tiny_bert_dir), "get_spans": SPANS}})
    wide_dir = _wider_bert(tiny_bert_dir, tmp_path / "wide-bert", 48)
    wide = heron.blank("en")
    wide.add_pipe("transformer", config={"model": {"name": str(wide_dir), "get_spans": SPANS}})
    # Built after the wide pipeline's transformer: still the narrow pipeline's width.
    narrow.add_pipe("tagger", config=_tagger(_trf_listener()))
    wide.add_pipe("tagger", config=_tagger(_trf_listener()))
    assert narrow.get_pipe("tagger").model.tok2vec.width == 32
    assert wide.get_pipe("tagger").model.tok2vec.width == 48
    assert narrow.config["components"]["tagger"]["model"]["tok2vec"]["width"] == 32
    egs = _examples(narrow)
    narrow.initialize(lambda: egs)
    narrow.update(egs)
    rebuilt = Language.from_config(narrow.config)
    assert rebuilt.get_pipe("tagger").model.tok2vec.width == 32


def test_a_head_without_a_transformer_before_it_is_coded(tiny_bert_dir):
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={"model": {"name": str(tiny_bert_dir), "get_spans": SPANS}})
    with pytest.raises(HeronValueError, match=r"\[E751\].*no transformer component named 'other'"):
        nlp.add_pipe("tagger", config=_tagger(_trf_listener(upstream="other")))
