"""heron.CharacterEmbed.v1: the layer's arithmetic (spaCy's CharacterEmbed.v2), the packed
path of Tok2Vec, batch invariance, gradients, static vectors and coded errors."""
import numpy as np
import pytest
import torch

import heron
from heron.config import load_config_from_str, resolve_config
from heron.errors import HeronValueError
from heron.featurize import featurize
from heron.featurize.tokens import char_bytes
from heron.nn import CharacterEmbed, Tok2Vec, chars_needed
from heron.vectors import Vectors

CONFIG = """
[model]
@architectures = "heron.Tok2Vec.v1"

[model.embed]
@architectures = "heron.CharacterEmbed.v1"
width = ${model.encode.width}
rows = 300
nM = 6
nC = 8
include_static_vectors = false

[model.encode]
@architectures = "heron.MaxoutWindowEncoder.v1"
width = 24
window_size = 1
maxout_pieces = 3
depth = 2
"""
TEXTS = ["The jumping fox", "naïve cats purr loudly tonight", "ok", "東京 is big"]


def build(seed: int = 0) -> Tok2Vec:
    torch.manual_seed(seed)
    model = resolve_config(load_config_from_str(CONFIG, interpolate=True), sections=False)["model"]
    # spaCy zero-initialises the character table; random values make the tests see it.
    torch.nn.init.normal_(model.embed.char_table)
    return model.eval()


def batch_of(docs, model):
    return featurize(docs, model.attrs, n_chars=chars_needed(model))


@pytest.fixture
def docs():
    nlp = heron.blank("en")
    return [nlp.make_doc(t) for t in TEXTS]


def test_built_from_config(docs):
    model = build()
    assert isinstance(model.embed, CharacterEmbed) and model.attrs == ("LOWER",) and chars_needed(model) == 8
    assert model.embed.char_table.shape == (8, 256, 6) and model.width == 24
    assert not CharacterEmbed(8, 10, 4, 4).char_table.any(), "zero-initialised, as spaCy's"
    X = model(batch_of(docs, model))
    assert X.shape == (4, 5, 24)
    assert not X[2, 1:].any(), "padding is zero"


def test_embedding_is_spacys_char_concat_plus_feature_hash_then_maxout(docs):
    embed = build().embed
    batch = batch_of(docs[:1], embed)
    got = embed(batch)[0]  # (3, 24)
    words = docs[0].words
    chars = torch.from_numpy(char_bytes(words, 8)).long()  # (3, 8)
    table = embed.char_table
    char_part = torch.stack([torch.cat([table[j, chars[i, j]] for j in range(8)]) for i in range(len(words))])
    lower = batch.ids[0, :, 0]
    expected = embed.mix(torch.cat([char_part, embed.feature_embed(lower)], dim=-1))
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)


def test_packed_path_equals_padded_path_and_batch_invariance(docs):
    model = build()
    batch = batch_of(docs, model)
    with torch.no_grad():
        packed = model(batch)
        padded = model.encode(model.embed(batch), batch.mask)
        torch.testing.assert_close(packed, padded, rtol=1e-5, atol=1e-6)
        for b, doc in enumerate(docs):
            alone = model(batch_of([doc], model))[0]
            # Matrix products of other row counts may sum in another order: float noise only.
            torch.testing.assert_close(alone, packed[b, : len(doc)], rtol=1e-5, atol=1e-5)


def test_gradients_reach_used_character_rows_only(docs):
    model = build().train()
    batch = batch_of(docs[:1], model)
    model(batch).sum().backward()
    grad = model.embed.char_table.grad  # (nC, 256, nM)
    used = {(j, int(b)) for row in char_bytes(docs[0].words, 8) for j, b in enumerate(row)}
    touched = {(j, b) for j, b in zip(*np.nonzero(grad.abs().sum(-1).numpy()))}
    assert touched and touched <= used
    assert model.embed.feature_embed.weight.grad.abs().sum() > 0


def test_a_batch_with_more_bytes_serves_a_smaller_nC(docs):
    model = build()
    small = model(batch_of(docs, model))
    wide = model(featurize(docs, model.attrs, n_chars=12))
    torch.testing.assert_close(wide, small)


def test_errors(docs):
    model = build()
    with pytest.raises(HeronValueError, match="E158"):
        model(featurize(docs, model.attrs))  # no chars
    with pytest.raises(HeronValueError, match="E158"):
        model(featurize(docs, model.attrs, n_chars=4))  # too few
    with pytest.raises(HeronValueError, match="E154"):
        model(featurize(docs, ["NORM"], n_chars=8))  # the LOWER column is missing
    for bad in ({"nM": 0}, {"nC": -1}, {"rows": 1.5}, {"feature": ""}):
        settings = {"width": 8, "rows": 10, "nM": 4, "nC": 4, **bad}
        with pytest.raises(HeronValueError, match="E152"):
            CharacterEmbed(**settings)


def test_static_vectors(docs):
    nlp = heron.blank("en")
    words = ["The", "fox", "cats", "purr"]
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, keys=words,
                                data=np.random.default_rng(0).normal(size=(4, 5)).astype("float32"))
    docs = [nlp.make_doc(t) for t in TEXTS]
    torch.manual_seed(0)
    embed = CharacterEmbed(16, 100, 4, 6, include_static_vectors=True, feature="NORM")
    assert embed.attrs == ("NORM",) and embed.vectors_attr == "ORTH"
    with pytest.raises(HeronValueError, match="E650"):
        embed(featurize(docs, embed.attrs, n_chars=6))
    embed.set_vectors_dim(5)
    batch = featurize(docs, embed.attrs, n_chars=6, vectors_attr="ORTH")
    X = embed(batch)
    assert X.shape == (4, 5, 16)
    # The vectors take part: other vectors, other output for words that have one.
    other = featurize(docs, embed.attrs, n_chars=6, vectors_attr="ORTH")
    other.vectors = other.vectors * 2
    assert not torch.allclose(embed(other)[0, 0], X[0, 0])
