"""StaticVectors: projection of batch.vectors, sizing, save/load, no gradient to the data."""
from __future__ import annotations

import pytest
import torch

from heron.errors import HeronValueError
from heron.featurize import TokenBatch
from heron.nn import MultiHashEmbed, StaticVectors, Tok2Vec, set_vectors_dim, vectors_attr
from heron.nn.encode import MaxoutWindowEncoder
from heron.nn.tok2vec import build_hash_embed_cnn
from heron.registry import registry

torch.set_num_threads(1)


def _batch(B=2, T=4, D=5, attrs=("NORM", "PREFIX", "SUFFIX", "SHAPE"), seed=0):
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.tensor([T] + [T - 2] * (B - 1))
    mask = torch.arange(T)[None, :] < lengths[:, None]
    ids = torch.randint(0, 2 ** 40, (B, T, len(attrs)), generator=gen) * mask.unsqueeze(-1)
    vectors = torch.randn(B, T, D, generator=gen) * mask.unsqueeze(-1)  # zeros on padding
    return TokenBatch(ids=ids, mask=mask, lengths=lengths, attrs=tuple(attrs), vectors=vectors)


def test_projection_and_zero_padding():
    layer = StaticVectors(6, nM=5)
    batch = _batch()
    out = layer(batch)
    assert out.shape == (2, 4, 6)
    torch.testing.assert_close(out, batch.vectors @ layer.weight.t() * batch.mask.unsqueeze(-1))
    assert torch.all(out[~batch.mask] == 0)
    assert layer.attrs == () and layer.vectors_attr == "ORTH"


def test_unsized_until_set_vectors_dim_then_params_exist():
    embed = MultiHashEmbed(8, ["NORM"], [50], include_static_vectors=True)
    assert embed.vectors_attr == "ORTH"
    assert "static_proj.weight" not in embed.state_dict()
    # Hash tables (1) + mix Maxout (weight, bias) + LayerNorm (2): nothing lazy.
    assert not any(isinstance(p, torch.nn.parameter.UninitializedParameter) for p in embed.parameters())
    assert set_vectors_dim(embed, 5) == 1
    assert embed.state_dict()["static_proj.weight"].shape == (8, 5)
    assert embed.mix.n_in == 8 * 2  # hash embeddings and projected vectors, concatenated
    weight = embed.static_proj.weight
    set_vectors_dim(embed, 5)  # same size: weights kept
    assert embed.static_proj.weight is weight


def test_state_dict_round_trip_into_unsized_model():
    torch.manual_seed(0)
    trained = build_hash_embed_cnn(width=8, depth=1, embed_size=50, window_size=1, maxout_pieces=2,
                                   pretrained_vectors=True)
    set_vectors_dim(trained, 5)
    fresh = build_hash_embed_cnn(width=8, depth=1, embed_size=50, window_size=1, maxout_pieces=2,
                                 pretrained_vectors=True)
    fresh.load_state_dict(trained.state_dict())  # the saved weight sizes the projection
    trained.eval(), fresh.eval()
    batch = _batch(attrs=("NORM", "PREFIX", "SUFFIX", "SHAPE"))
    torch.testing.assert_close(trained(batch), fresh(batch))
    assert fresh.vectors_attr == "ORTH"


def test_dim_source_sizes_before_state_dict():
    layer = StaticVectors(4)
    layer.bind_dim_source(lambda: None)  # vectors not loaded yet: stays unsized
    assert not layer.is_sized
    dims = {"dim": None}
    layer.bind_dim_source(lambda: dims["dim"])
    dims["dim"] = 3  # vectors loaded later (e.g. vocab.from_disk)
    assert layer.state_dict()["weight"].shape == (4, 3)


def test_no_gradient_reaches_vectors_and_projection_learns():
    torch.manual_seed(0)
    layer = StaticVectors(3, nM=5)
    batch = _batch()
    before = batch.vectors.clone()
    weight_before = layer.weight.detach().clone()
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    for _ in range(3):
        loss = layer(batch).pow(2).sum()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    assert not batch.vectors.requires_grad and batch.vectors.grad is None
    assert torch.equal(batch.vectors, before)
    assert not torch.equal(layer.weight.detach(), weight_before)


def test_wrong_dim_missing_vectors_and_bad_key_attr_are_coded_errors():
    layer = StaticVectors(4, nM=7)
    with pytest.raises(HeronValueError, match=r"E651.*dim 7.*dim 5"):
        layer(_batch(D=5))
    batch = _batch()
    batch.vectors = None
    with pytest.raises(HeronValueError, match="E650"):
        layer(batch)
    with pytest.raises(HeronValueError, match=r"E652.*key_attr.*SHAPE"):
        StaticVectors(4, key_attr="shape")


def test_late_sizing_warns():
    layer = StaticVectors(4)
    with pytest.warns(Warning, match="W650"):
        out = layer(_batch(D=5))
    assert out.shape == (2, 4, 4) and layer.nM == 5


def test_registered_as_embed_of_tok2vec_v1():
    embed = registry.resolve({"x": {"@architectures": "heron.StaticVectors.v1", "nO": 8,
                                    "key_attr": "LOWER", "dropout": 0.1}})["x"]
    tok2vec = registry.resolve({"x": {"@architectures": "heron.Tok2Vec.v1", "embed": embed,
                                      "encode": MaxoutWindowEncoder(8, 1, 2, 1)}})["x"]
    assert isinstance(tok2vec, Tok2Vec)
    assert tok2vec.attrs == () and tok2vec.vectors_attr == "LOWER"
    set_vectors_dim(tok2vec, 5)
    tok2vec.eval()
    batch = _batch(attrs=())
    out = tok2vec(batch)
    assert out.shape == (2, 4, 8) and torch.all(out[~batch.mask] == 0)


def test_vectors_attr_conflict():
    model = torch.nn.ModuleList([StaticVectors(4, key_attr="ORTH"), StaticVectors(4, key_attr="NORM")])
    with pytest.raises(HeronValueError, match=r"E653.*NORM.*ORTH"):
        vectors_attr(model)
    assert vectors_attr(MultiHashEmbed(8, ["NORM"], [50])) is None
