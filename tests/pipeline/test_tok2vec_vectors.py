"""Static vectors as features: featurize(vectors_attr=), the tok2vec component's sizing
and vectors checks, save/load, inline trunks and user-registered embedding layers."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest
import torch

import heron
from heron.config import import_code
from heron.errors import HeronValueError
from heron.featurize import featurize
from heron.language import Language
from heron.pipeline.update import trainable_parameters
from heron.vectors.table import Vectors

from fakes import TAGGED, WIDTH, listener_model, tagged_examples, train, trunk_model

DIM = 6
WORDS = sorted({w for text, _ in TAGGED for w in text.split()} - {"mat", "quickly"})


def make_vectors(vocab, *, name="test_vectors", dim=DIM, seed=0, words=WORDS) -> Vectors:
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((len(words), dim)).astype(np.float32)
    return Vectors(strings=vocab.strings, data=data, keys=list(words), name=name)


def vectors_trunk() -> dict:
    return dict(trunk_model(), pretrained_vectors=True)


def make_nlp(*, inline: bool = False, vectors: bool = True) -> Language:
    nlp = heron.blank("en")
    if vectors:
        nlp.vocab.vectors = make_vectors(nlp.vocab)
    if not inline:
        nlp.add_pipe("tok2vec", config={"model": vectors_trunk()})
    tok2vec = vectors_trunk() if inline else listener_model()
    nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1", "tok2vec": tok2vec}})
    return nlp


def load_without_saved_vectors(nlp: Language, path, vectors) -> Language:
    """A pipeline built from nlp's config, given `vectors` (None: none), then loaded from
    `path` without its vocab (so without the vectors it was saved with)."""
    new = Language.from_config(nlp.config)
    new.vocab.vectors = vectors(new.vocab) if vectors is not None else None
    return new.from_disk(path, exclude=["vocab"])


# ---- featurize -----------------------------------------------------------------------


def test_featurize_fills_vectors_rows_zeros_for_missing_and_padding():
    nlp = heron.blank("en")
    table = nlp.vocab.vectors = make_vectors(nlp.vocab)
    docs = [nlp.make_doc("The cat sat on the warm mat ."), nlp.make_doc("We walked")]
    batch = featurize(docs, ["NORM", "PREFIX"], vectors_attr="ORTH")
    assert batch.attrs == ("NORM", "PREFIX") and batch.ids.shape == (2, 8, 2)
    assert batch.vectors.shape == (2, 8, DIM) and batch.vectors.dtype == torch.float32
    assert not batch.vectors.requires_grad
    np.testing.assert_array_equal(batch.vectors[0, 1].numpy(), table["cat"])
    np.testing.assert_array_equal(batch.vectors[0, 6].numpy(), np.zeros(DIM))  # "mat": no vector
    np.testing.assert_array_equal(batch.vectors[1, 2:].numpy(), np.zeros((6, DIM)))  # padding
    # Same ids as without vectors; LOWER keys "The" by "the".
    assert torch.equal(batch.ids, featurize(docs, ["NORM", "PREFIX"]).ids)
    lower = featurize(docs, ["NORM"], vectors_attr="LOWER")
    np.testing.assert_array_equal(lower.vectors[0, 0].numpy(), table["the"])
    assert featurize(docs, ["NORM"]).vectors is None


def test_featurize_vectors_batch_invariant_and_checked():
    nlp = heron.blank("en")
    nlp.vocab.vectors = make_vectors(nlp.vocab)
    docs = [nlp.make_doc(text) for text, _ in TAGGED]
    batched = featurize(docs, ["NORM"], vectors_attr="ORTH").vectors
    for b, doc in enumerate(docs):
        alone = featurize([doc], ["NORM"], vectors_attr="ORTH").vectors[0]
        assert torch.equal(batched[b, : len(doc)], alone)
    with pytest.raises(HeronValueError, match=r"E652.*vectors_attr"):
        featurize(docs, ["NORM"], vectors_attr="SHAPE")


# ---- the tok2vec component -------------------------------------------------------------


def test_initialize_sizes_records_and_trains_without_touching_the_table():
    torch.manual_seed(0)
    nlp = make_nlp()
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    trunk = nlp.get_pipe("tok2vec")
    assert trunk.cfg["vectors"] == {"name": "test_vectors", "shape": [len(WORDS), DIM]}
    proj = trunk.model.embed.static_proj
    assert proj.weight.shape == (WIDTH, DIM)
    assert any(p is proj.weight for p in trainable_parameters(nlp))  # sized before the optimizer
    data = np.array(nlp.vocab.vectors.data, copy=True)
    weight = proj.weight.detach().clone()
    train(nlp, examples, steps=3)
    assert np.array_equal(np.asarray(nlp.vocab.vectors.data), data)  # bit-identical
    assert not torch.equal(proj.weight.detach(), weight)  # the projection did learn


def test_predictions_batch_invariant_with_vectors():
    torch.manual_seed(0)
    nlp = make_nlp()
    nlp.initialize(lambda: tagged_examples(nlp))
    texts = [text for text, _ in TAGGED]
    alone = [nlp(text).tensor for text in texts]
    for a, doc in zip(alone, nlp.pipe(texts, batch_size=5)):
        np.testing.assert_allclose(a, doc.tensor, rtol=1e-5, atol=1e-6)


def test_refuses_to_initialise_without_or_with_other_vectors():
    nlp = make_nlp(vectors=False)
    with pytest.raises(HeronValueError, match=r"E356.*'tok2vec'"):
        nlp.initialize(lambda: tagged_examples(nlp))
    nlp = make_nlp()
    nlp.initialize(lambda: tagged_examples(nlp))
    nlp.vocab.vectors = make_vectors(nlp.vocab, name="other_vectors")
    with pytest.raises(HeronValueError, match=r"E654.*'tok2vec' can't be initialised.*test_vectors.*other_vectors"):
        nlp.initialize(lambda: tagged_examples(nlp))


def test_save_load_round_trip_and_refusals(tmp_path):
    torch.manual_seed(0)
    nlp = make_nlp()
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=5)
    nlp.to_disk(tmp_path / "p")
    texts = [text for text, _ in TAGGED]
    expected = [doc.tensor for doc in nlp.pipe(texts)]
    loaded = heron.load(tmp_path / "p")
    assert loaded.vocab.vectors.name == "test_vectors"
    for want, doc in zip(expected, loaded.pipe(texts)):
        np.testing.assert_allclose(want, doc.tensor, rtol=1e-5, atol=1e-6)
    assert [t.tag_ for t in loaded(texts[0])] == [t.tag_ for t in nlp(texts[0])]
    with pytest.raises(HeronValueError, match=r"E654.*'tok2vec' can't be loaded.*but the vocab has no vectors"):
        load_without_saved_vectors(nlp, tmp_path / "p", None)
    with pytest.raises(HeronValueError, match=r"E654.*shape \(\d+, 6\).*shape \(\d+, 4\)"):
        load_without_saved_vectors(nlp, tmp_path / "p", lambda vocab: make_vectors(vocab, dim=4))
    with pytest.raises(HeronValueError, match=r"E654.*'test_vectors'.*'renamed'"):
        load_without_saved_vectors(nlp, tmp_path / "p", lambda vocab: make_vectors(vocab, name="renamed"))


def test_inline_trunk_in_head_sized_at_initialize_and_reloads(tmp_path):
    torch.manual_seed(0)
    nlp = make_nlp(inline=True)
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    proj = nlp.get_pipe("tagger").model.tok2vec.embed.static_proj
    assert proj.is_sized and any(p is proj.weight for p in trainable_parameters(nlp))
    train(nlp, examples, steps=5)
    nlp.to_disk(tmp_path / "p")
    loaded = heron.load(tmp_path / "p")
    for text, _ in TAGGED:
        assert [t.tag_ for t in loaded(text)] == [t.tag_ for t in nlp(text)]


# ---- user-registered embedding layers (--code) ---------------------------------------

USER_CODE = '''
import torch
from torch import nn
from heron.registry import registry
from heron.nn import StaticVectors
from heron.nn.embed import HashEmbed


class SumEmbed(nn.Module):
    """Static vectors projected to width, plus a small learned hash table of ORTH."""

    attrs = ("ORTH",)

    def __init__(self, width, rows):
        super().__init__()
        self.width = width
        self.vectors = StaticVectors(width)
        self.table = HashEmbed(width, rows, seed=3)

    def forward(self, batch):
        return self.vectors(batch) + self.table(batch.ids[..., 0]) * batch.mask.unsqueeze(-1)


@registry.architectures("test_user.SumVectorsEmbed.v1")
def sum_vectors_embed(*, width: int, rows: int = 200) -> SumEmbed:
    return SumEmbed(width, rows)
'''

USER_CONFIG = f'''
[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger"]

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "heron.Tok2Vec.v1"

[components.tok2vec.model.embed]
@architectures = "test_user.SumVectorsEmbed.v1"
width = {WIDTH}

[components.tok2vec.model.encode]
@architectures = "heron.MaxoutWindowEncoder.v1"
width = {WIDTH}
window_size = 1
maxout_pieces = 2
depth = 1

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "heron.Tagger.v1"

[components.tagger.model.tok2vec]
@architectures = "heron.Tok2VecListener.v1"
width = {WIDTH}
'''


def test_user_registered_embed_from_code_file_trains(tmp_path):
    from heron.config import load_config_from_str

    code = tmp_path / "user_embed.py"
    code.write_text(textwrap.dedent(USER_CODE), encoding="utf8")
    import_code(code)
    torch.manual_seed(0)
    nlp = Language.from_config(load_config_from_str(USER_CONFIG))
    nlp.vocab.vectors = make_vectors(nlp.vocab)
    trunk = nlp.get_pipe("tok2vec")
    assert trunk.model.vectors_attr == "ORTH" and trunk.model.attrs == ("ORTH",)
    examples = tagged_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    assert trunk.cfg["vectors"]["shape"] == [len(WORDS), DIM]
    data = np.array(nlp.vocab.vectors.data, copy=True)
    first = None
    for step in range(8):
        losses = nlp.update(examples, sgd=optimizer, step=step)
        first = losses["tagger"] if first is None else first
    assert losses["tagger"] < first
    assert np.array_equal(np.asarray(nlp.vocab.vectors.data), data)
