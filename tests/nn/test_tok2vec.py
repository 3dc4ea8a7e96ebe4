"""Tok2Vec trunk: build from config, run on Docs, batch invariance, gradients, errors."""
import pytest
import torch
from torch import nn

from heron.config import load_config_from_str, resolve_config
from heron.errors import HeronValueError
from heron.featurize import featurize
from heron.nn import MaxoutWindowEncoder, MishWindowEncoder, MultiHashEmbed, Tok2Vec, set_dropout_rate
from heron.registry import registry
from heron.tokens import Doc

CONFIG = """
[model]
@architectures = "heron.Tok2Vec.v1"

[model.embed]
@architectures = "heron.MultiHashEmbed.v1"
width = ${model.encode.width}
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [500, 100, 250, 250]
include_static_vectors = false

[model.encode]
@architectures = "heron.MaxoutWindowEncoder.v1"
width = 32
window_size = 1
maxout_pieces = 3
depth = 2
"""

CNN_CONFIG = """
[model]
@architectures = "heron.HashEmbedCNN.v1"
width = 24
depth = 2
embed_size = 300
window_size = 1
maxout_pieces = 3
subword_features = true
pretrained_vectors = null
"""


@pytest.fixture
def docs(en_vocab):
    texts = ["The cat sat on the mat .", "Heron runs fast", "Hi", "", "A much longer sentence that "
             "has quite a few more tokens than the others do ."]
    return [Doc(en_vocab, words=t.split()) for t in texts]


def _resolve(text):
    return resolve_config(load_config_from_str(text, interpolate=True), sections=False)["model"]


def test_resolve_tok2vec_from_config(docs):
    torch.manual_seed(0)
    model = _resolve(CONFIG)
    assert isinstance(model, Tok2Vec) and model.width == 32
    assert model.attrs == ("NORM", "PREFIX", "SUFFIX", "SHAPE")
    assert [e.n_rows for e in model.embed.embeds] == [500, 100, 250, 250]
    out = model.eval()(featurize(docs, model.attrs))
    assert out.shape == (5, 16, 32)
    assert not out[~featurize(docs, model.attrs).mask].any()


def test_hash_embed_cnn_rows_follow_spacy(docs):
    model = _resolve(CNN_CONFIG)
    assert model.attrs == ("NORM", "PREFIX", "SUFFIX", "SHAPE")
    assert [e.n_rows for e in model.embed.embeds] == [300, 150, 150, 150]
    assert isinstance(model.encode, MaxoutWindowEncoder) and model.encode.depth == 2
    model = _resolve(CNN_CONFIG.replace("subword_features = true", "subword_features = false")
                     .replace("maxout_pieces = 3", "maxout_pieces = 1"))
    assert model.attrs == ("NORM",) and [e.n_rows for e in model.embed.embeds] == [300]
    assert isinstance(model.encode, MishWindowEncoder)  # 1 piece: Mish, as spaCy documents
    assert model.eval()(featurize(docs, model.attrs)).shape == (5, 16, 24)


def test_registered_names_and_docs():
    for name in ("heron.HashEmbed.v1", "heron.MultiHashEmbed.v1", "heron.MaxoutWindowEncoder.v1",
                 "heron.MishWindowEncoder.v1", "heron.Tok2Vec.v1", "heron.HashEmbedCNN.v1"):
        info = registry.find("architectures", name)
        assert info["module"].startswith("heron.nn") and "width" in info["docstring"]


def test_config_with_wrong_argument_is_config_error():
    from heron.errors import ConfigError

    with pytest.raises(ConfigError, match="embed_sizes"):
        _resolve(CNN_CONFIG.replace("embed_size =", "embed_sizes ="))


def test_width_mismatch_is_coded_error():
    with pytest.raises(HeronValueError, match="E153"):
        Tok2Vec(MultiHashEmbed(16, ["NORM"], [10]), MaxoutWindowEncoder(32, 1, 3, 1))


def test_tok2vec_batch_invariance(docs):
    torch.manual_seed(0)
    model = _resolve(CNN_CONFIG).eval()
    together = model(featurize(docs, model.attrs))
    for b, doc in enumerate(docs):
        alone = model(featurize([doc], model.attrs))
        assert torch.allclose(alone[0, : len(doc)], together[b, : len(doc)], atol=1e-6, rtol=1e-5)


def test_tok2vec_gradients_reach_every_parameter(docs):
    torch.manual_seed(0)
    model = _resolve(CNN_CONFIG).train()
    set_dropout_rate(model, 0.1)
    out = model(featurize(docs, model.attrs))
    out.pow(2).sum().backward()
    for name, param in model.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    assert all(m.p == 0.1 for m in model.modules() if isinstance(m, nn.Dropout))


def test_dropout_only_in_train_mode(docs):
    torch.manual_seed(0)
    model = _resolve(CNN_CONFIG)
    set_dropout_rate(model, 0.5)
    batch = featurize(docs, model.attrs)
    model.eval()
    assert torch.equal(model(batch), model(batch))
    model.train()
    assert not torch.equal(model(batch), model(batch))
    with pytest.raises(HeronValueError, match="E152"):
        set_dropout_rate(model, 1.5)


def test_state_dict_roundtrip_gives_identical_output(docs):
    torch.manual_seed(0)
    model = _resolve(CNN_CONFIG).eval()
    torch.manual_seed(1)
    fresh = _resolve(CNN_CONFIG).eval()
    batch = featurize(docs, model.attrs)
    assert not torch.equal(model(batch), fresh(batch))
    state = model.state_dict()
    assert not any("salts" in key for key in state)  # derived from the config, not stored
    fresh.load_state_dict(state)
    assert torch.equal(model(batch), fresh(batch))


class _MeanEmbed(nn.Module):
    """A user-defined embed layer: the generic (non-packed) path."""

    attrs = ("ORTH",)
    width = 8

    def __init__(self):
        super().__init__()
        self.table = nn.Embedding(7, 8)

    def forward(self, batch):
        return self.table(batch.ids[..., 0].remainder(7)) * batch.mask[..., None]


def test_custom_embed_uses_generic_path(docs):
    model = Tok2Vec(_MeanEmbed(), MishWindowEncoder(8, 1, 1)).eval()
    batch = featurize(docs, model.attrs)
    out = model(batch)
    assert out.shape == (5, 16, 8) and not out[~batch.mask].any()


def test_packed_path_matches_generic_path(docs):
    """Tok2Vec's fast packed path gives the outputs and gradients of embed -> encode."""
    torch.manual_seed(0)
    model = _resolve(CNN_CONFIG).double()
    batch = featurize(docs, model.attrs)
    fast = model(batch)
    fast.pow(2).sum().backward()
    fast_grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    slow = model.encode(model.embed(batch), batch.mask)
    slow.pow(2).sum().backward()
    assert torch.allclose(fast, slow, atol=1e-12)
    for fast_grad, param in zip(fast_grads, model.parameters()):
        assert torch.allclose(fast_grad, param.grad, atol=1e-10)
