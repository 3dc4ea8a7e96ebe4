"""A custom transformer architecture that is NOT a TransformerModel: any torch module
following heron.transformer.protocol.WordpieceEncoder (issue 15, "custom architectures
without subclassing").

The module here is a tiny embedding + bidirectional GRU over wordpiece ids, using the
tiny BERT's tokenizer; it is registered in this file (as `--code` would register it),
trained a few steps with a listening tagger, saved, loaded, and must predict the same.
"""
from __future__ import annotations

from typing import Any, Dict

import numpy as np
import pytest
import torch
from torch import nn

import heron
from heron.pipeline.update import trainable_parameters
from heron.registry import registry
from heron.training.example import Example
from heron.transformer import TransformerData
from heron.transformer.encoder_tok2vec import EncoderTok2Vec
from heron.transformer.protocol import WordpieceEncoder

TAGGED = [
    ("I like green eggs", ["PRP", "VBP", "JJ", "NNS"]),
    ("Eat the blue ham now", ["VB", "DT", "JJ", "NN", "RB"]),
    ("Dogs bark loudly at night", ["NNS", "VBP", "RB", "IN", "NN"]),
]
TEXTS = ["I like blue ham", "Eat green eggs now", "Zürich café 😀", ""]


class GRUEncoder(nn.Module):
    """Wordpiece ids -> embeddings -> BiGRU; padding packed away, so it can't leak."""

    def __init__(self, tokenizer: Any, get_spans: Any, width: int, max_length: int):
        super().__init__()
        self.tokenizer = tokenizer
        self.get_spans = get_spans
        self.width = width
        self.max_length = max_length
        self.embed = nn.Embedding(len(tokenizer), width)
        self.gru = nn.GRU(width, width // 2, batch_first=True, bidirectional=True)

    def forward(self, windows: Any) -> torch.Tensor:
        ids, mask = windows.input_ids, windows.attention_mask  # (B, L)
        lengths = mask.sum(1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.embed(ids), lengths, batch_first=True,
                                                   enforce_sorted=False)
        out, _ = self.gru(packed)
        hidden, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        return hidden[mask.bool()]  # (n_pieces, width)


@registry.architectures("test.GRUEncoder.v1")
def gru_encoder_v1(*, tokenizer_path: str, get_spans: Any, width: int = 32,
                   max_length: int = 64) -> GRUEncoder:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_path, local_files_only=True)
    return GRUEncoder(tokenizer, get_spans, width, max_length)


def model_config(tokenizer_path, **extra) -> Dict[str, Any]:
    return {"@architectures": "test.GRUEncoder.v1", "tokenizer_path": str(tokenizer_path),
            "get_spans": {"@span_getters": "heron.doc_spans.v1"}, **extra}


def make_nlp(tokenizer_path, **extra):
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={"model": model_config(tokenizer_path, **extra)})
    nlp.add_pipe("tagger", config={"model": {"tok2vec": {"@architectures": "heron.TransformerListener.v1"}}})
    return nlp


@pytest.fixture(scope="module")
def trained(tiny_bert_dir, tmp_path_factory):
    """(pipeline folder, expected docs, the trained nlp): trained 30 steps, saved."""
    torch.manual_seed(0)
    nlp = make_nlp(tiny_bert_dir)
    egs = [Example.from_dict(nlp.make_doc(text), {"tags": tags}) for text, tags in TAGGED]
    nlp.initialize(lambda: egs)
    opt = registry.optimizers.get("heron.Adam.v1")(learn_rate=0.02)(trainable_parameters(nlp))
    before = {k: v.clone() for k, v in nlp.get_pipe("transformer").model.state_dict().items()}
    losses = {}
    for step in range(30):
        losses = nlp.update(egs, sgd=opt, step=step)
    assert losses["tagger"] < 0.5
    after = nlp.get_pipe("transformer").model.state_dict()
    assert all(not torch.equal(v, after[k]) for k, v in before.items())  # the encoder trained
    path = tmp_path_factory.mktemp("custom") / "nlp"
    nlp.to_disk(path)
    return path, list(nlp.pipe(TEXTS)), nlp


def _same(docs, expected):
    for doc, exp in zip(docs, expected):
        assert [t.tag_ for t in doc] == [t.tag_ for t in exp]
        assert doc._.trf_data.wordpieces == exp._.trf_data.wordpieces
        assert np.array_equal(doc._.trf_data.last_hidden, exp._.trf_data.last_hidden)


def test_the_module_follows_the_protocol(tiny_bert_dir):
    model = registry.resolve({"m": model_config(tiny_bert_dir)})["m"]
    assert isinstance(model, WordpieceEncoder) and not isinstance(model, heron.transformer.TransformerModel)


def test_trained_custom_encoder_tags_and_sets_trf_data(trained):
    _, expected, nlp = trained
    for (text, tags), doc in zip(TAGGED, nlp.pipe([t for t, _ in TAGGED])):
        assert [t.tag_ for t in doc] == tags
        data = doc._.trf_data
        assert isinstance(data, TransformerData) and data.last_hidden.shape == (data.n_pieces, 32)
        assert data.tensors[-1].shape == (1, data.n_pieces, 32)
    assert nlp.get_pipe("transformer").width == 32


def test_saved_folder_holds_its_state_dict(trained):
    path, _, nlp = trained
    names = {p.name for p in (path / "transformer").iterdir()}
    assert names == {"cfg.json", "model.safetensors"}
    from safetensors.torch import load_file

    saved = load_file(str(path / "transformer" / "model.safetensors"))
    assert set(saved) == set(nlp.get_pipe("transformer").model.state_dict())


def test_load_gives_identical_predictions(trained):
    path, expected, _ = trained
    _same(list(heron.load(path).pipe(TEXTS)), expected)


def test_bytes_round_trip_gives_identical_predictions(trained, tiny_bert_dir):
    _, expected, nlp = trained
    fresh = make_nlp(tiny_bert_dir)
    fresh.from_bytes(nlp.to_bytes())
    _same(list(fresh.pipe(TEXTS)), expected)


def test_output_does_not_depend_on_the_batch(trained):
    _, _, nlp = trained
    alone = nlp("I like green eggs")
    batched = list(nlp.pipe(["I like green eggs", "Dogs bark loudly at night " * 2], batch_size=2))[0]
    np.testing.assert_allclose(alone._.trf_data.last_hidden, batched._.trf_data.last_hidden, atol=1e-6)


def test_mismatched_saved_weights_are_a_coded_error(trained, tiny_bert_dir):
    path, _, _ = trained
    other = make_nlp(tiny_bert_dir, width=16)
    with pytest.raises(heron.HeronError, match="E355"):
        other.get_pipe("transformer").from_disk(path / "transformer")


class NoTokenizer(nn.Module):
    width = 8
    max_length = 16

    def get_spans(self, docs):
        return [[doc[:]] for doc in docs]


class WrongShape(GRUEncoder):
    def forward(self, windows: Any) -> torch.Tensor:
        return super().forward(windows)[:, :4]


def test_a_module_lacking_the_protocol_is_a_coded_error_naming_what_it_lacks():
    nlp = heron.blank("en")
    with pytest.raises(heron.HeronError, match=r"\[E757\].*lacks tokenizer \(a Hugging Face fast tokenizer\)"):
        heron.transformer.Transformer(nlp.vocab, NoTokenizer())


def test_a_forward_with_the_wrong_shape_is_a_coded_error(tiny_bert_dir):
    base = registry.resolve({"m": model_config(tiny_bert_dir)})["m"]
    model = WrongShape(base.tokenizer, base.get_spans, 32, 64)
    nlp = heron.blank("en")
    trf = heron.transformer.Transformer(nlp.vocab, model)
    with pytest.raises(heron.HeronError, match=r"\[E773\].*shape \(\d+, 4\).*\(\d+, 32\)"):
        trf.predict([nlp.make_doc("hello world")])


def test_replace_listeners_gives_the_head_its_own_encoder(trained, tmp_path):
    path, expected, _ = trained
    nlp = heron.load(path)
    nlp.replace_listeners("transformer", "tagger", ["model.tok2vec"])
    tok2vec = nlp.get_pipe("tagger").model.tok2vec
    assert isinstance(tok2vec, EncoderTok2Vec)
    block = nlp.config["components"]["tagger"]["model"]["tok2vec"]
    assert block["@architectures"] == "heron.EncoderTok2Vec.v1" and block["width"] == 32
    assert block["encoder"]["@architectures"] == "test.GRUEncoder.v1"
    assert tok2vec.encoder.tokenizer is nlp.get_pipe("transformer").model.tokenizer  # shared, not copied
    trunk = nlp.get_pipe("transformer").model
    assert all(a is not b for a, b in zip(tok2vec.encoder.parameters(), trunk.parameters()))
    docs = list(nlp.pipe(TEXTS))
    assert [[t.tag_ for t in d] for d in docs] == [[t.tag_ for t in d] for d in expected]
    nlp.to_disk(tmp_path / "replaced")
    reloaded = list(heron.load(tmp_path / "replaced").pipe(TEXTS))
    assert [[t.tag_ for t in d] for d in reloaded] == [[t.tag_ for t in d] for d in expected]


def test_encoder_tok2vec_checks_its_encoder_and_width(tiny_bert_dir):
    with pytest.raises(heron.HeronError, match=r"\[E774\].*width 32, but width = 16"):
        registry.resolve({"m": {"@architectures": "heron.EncoderTok2Vec.v1", "width": 16,
                                "encoder": model_config(tiny_bert_dir)}})
    with pytest.raises(heron.HeronError, match=r"\[E774\].*lacks"):
        registry.resolve({"m": {"@architectures": "heron.EncoderTok2Vec.v1",
                                "encoder": {"@layers": "heron.reduce_mean.v1"}}})
