"""featurize(docs, attrs) -> TokenBatch: correctness against the Docs' own attributes."""
import numpy as np
import pytest
import torch

from heron.errors import HeronValueError
from heron.featurize import TokenBatch, featurize, normalize_attrs, unpad
from heron.tokens import Doc, Vocab
from heron.tokens.strings import get_string_id


@pytest.fixture
def docs(en_vocab):
    return [
        Doc(en_vocab, words=["Apple", "is", "buying", "U.K.", "startups", "for", "$1", "billion"]),
        Doc(en_vocab, words=["Hello", "world", "!"]),
        Doc(en_vocab, words=[]),
        Doc(en_vocab, words=["C3-PO"]),
    ]


def _expected(doc, attr):
    return np.array([getattr(token, attr.lower()) for token in doc], dtype=np.uint64)


@pytest.mark.parametrize("attrs", [("NORM", "PREFIX", "SUFFIX", "SHAPE"), ("ORTH", "LOWER"), ("SHAPE",)])
def test_featurize_matches_token_attributes(docs, attrs):
    batch = featurize(docs, attrs)
    assert batch.attrs == attrs
    assert batch.ids.dtype == torch.int64 and batch.mask.dtype == torch.bool
    assert batch.ids.shape == (4, 8, len(attrs))
    assert batch.lengths.tolist() == [8, 3, 0, 1]
    ids = batch.ids.numpy().view(np.uint64)
    for b, doc in enumerate(docs):
        for j, attr in enumerate(attrs):
            assert ids[b, : len(doc), j].tolist() == _expected(doc, attr).tolist()
        assert not ids[b, len(doc):].any(), "padding must hold 0"


def test_featurize_mask_and_lengths(docs):
    batch = featurize(docs, ["NORM"])
    assert batch.mask.tolist()[1] == [True] * 3 + [False] * 5
    assert not batch.mask[2].any()
    assert batch.n_tokens == 12 and len(batch) == 4


def test_featurize_hashes_are_string_ids(en_vocab):
    doc = Doc(en_vocab, words=["Dogs", "bark"])
    batch = featurize([doc], ["NORM", "ORTH", "PREFIX", "SUFFIX", "SHAPE"])
    got = batch.ids[0].numpy().view(np.uint64).tolist()
    assert got[0] == [get_string_id(s) for s in ("dogs", "Dogs", "D", "ogs", "Xxxx")]
    assert got[1] == [get_string_id(s) for s in ("bark", "bark", "b", "ark", "xxxx")]


def test_featurize_flags_and_length(en_vocab):
    doc = Doc(en_vocab, words=["Ten", "cats", "42", "!"])
    batch = featurize([doc], ["IS_ALPHA", "LIKE_NUM", "IS_PUNCT", "LENGTH"])
    assert batch.ids[0].tolist() == [[1, 1, 0, 3], [1, 0, 0, 4], [0, 1, 0, 2], [0, 0, 1, 1]]


def test_featurize_empty_inputs(en_vocab):
    batch = featurize([], ["NORM"])
    assert batch.ids.shape == (0, 1, 1) and batch.lengths.shape == (0,)
    batch = featurize([Doc(en_vocab, words=[])], ["NORM", "SHAPE"])
    assert batch.ids.shape == (1, 1, 2) and not batch.mask.any()


def test_featurize_uses_token_norm_overrides(en_vocab):
    doc = Doc(en_vocab, words=["do", "n't", "go"])
    doc[1].norm_ = "not"
    batch = featurize([doc], ["NORM", "ORTH"])
    norms = batch.ids[0, :, 0].numpy().view(np.uint64).tolist()
    assert norms == [get_string_id("do"), get_string_id("not"), get_string_id("go")]
    assert norms == _expected(doc, "NORM").tolist()
    assert batch.ids[0, 1, 1].numpy().view(np.uint64) == get_string_id("n't")


def test_featurize_sees_vocab_overrides_after_caching(en_vocab):
    doc = Doc(en_vocab, words=["colour", "red"])
    before = featurize([doc], ["NORM"]).ids[0, 0, 0].numpy().view(np.uint64)
    assert before == get_string_id("colour")
    en_vocab["colour"].norm_ = "color"  # lexeme-level change after the table was built
    after = featurize([doc], ["NORM"]).ids[0, 0, 0].numpy().view(np.uint64)
    assert after == get_string_id("color") == doc[0].norm


def test_featurize_contextual_attrs(en_vocab):
    doc = Doc(en_vocab, words=["I", "run"], tags=["PRP", "VBP"])
    batch = featurize([doc, Doc(en_vocab, words=["x"])], ["TAG", "NORM"])
    assert batch.ids[0, :, 0].numpy().view(np.uint64).tolist() == [get_string_id("PRP"), get_string_id("VBP")]
    assert batch.ids[1, 0, 0] == 0  # unset tag


def test_featurize_docs_from_several_vocabs():
    v1, v2 = Vocab(lang="en"), Vocab(lang="en")
    v2["Cat"].norm_ = "feline"
    docs = [Doc(v1, words=["Cat", "naps"]), Doc(v2, words=["Cat"])]
    ids = featurize(docs, ["NORM"]).ids.numpy().view(np.uint64)
    assert ids[0, 0, 0] == get_string_id("cat") and ids[1, 0, 0] == get_string_id("feline")
    assert ids[1, 1, 0] == 0


def test_featurize_unknown_attr_is_coded_error(docs):
    with pytest.raises(HeronValueError, match="E020"):
        featurize(docs, ["NORMM"])


def test_normalize_attrs_accepts_names_and_ids():
    from heron.tokens import attrs

    assert normalize_attrs(["norm", attrs.PREFIX, "suffix_"]) == ("NORM", "PREFIX", "SUFFIX")


def test_unpad_and_to():
    X = torch.arange(2 * 3 * 2, dtype=torch.float32).view(2, 3, 2)
    parts = unpad(X, torch.tensor([3, 1]))
    assert [p.shape for p in parts] == [(3, 2), (1, 2)]
    assert torch.equal(parts[1], X[1, :1])
    batch = TokenBatch(ids=torch.zeros(2, 3, 1, dtype=torch.int64), mask=torch.ones(2, 3, dtype=torch.bool),
                       lengths=torch.tensor([3, 3]), attrs=("NORM",))
    assert batch.vectors is None and batch.to("cpu").ids.shape == (2, 3, 1)


def test_featurize_is_stable_when_cache_grows(en_vocab):
    # Many unseen words force the per-vocab table to grow; earlier rows must survive.
    first = Doc(en_vocab, words=["alpha", "beta"])
    expected = featurize([first], ["NORM", "SUFFIX"]).ids.clone()
    many = [Doc(en_vocab, words=[f"w{i}x{j}" for j in range(50)]) for i in range(60)]
    featurize(many, ["NORM", "SUFFIX"])
    assert torch.equal(featurize([first], ["NORM", "SUFFIX"]).ids, expected)
