"""A pipeline with static vectors survives to_bytes/from_bytes and nlp.pipe(n_process=2):
the vocab's bytes carry the vectors table (its workers rebuild from those bytes)."""
from __future__ import annotations

import numpy as np

import heron
from heron.language import Language
from heron.vectors.table import Vectors

from fakes import TAGGED, listener_model, tagged_examples, train, trunk_model


def make_vectors(vocab) -> Vectors:
    words = sorted({w for text, _ in TAGGED for w in text.split()})
    data = np.random.default_rng(0).standard_normal((len(words), 6)).astype(np.float32)
    return Vectors(strings=vocab.strings, data=data, keys=words, name="test_vectors")


def trained_with_vectors() -> Language:
    nlp = heron.blank("en")
    nlp.vocab.vectors = make_vectors(nlp.vocab)
    nlp.add_pipe("tok2vec", config={"model": dict(trunk_model(), pretrained_vectors=True)})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1", "tok2vec": listener_model()}})
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=20)
    return nlp


def test_vocab_bytes_carry_the_vectors_table():
    nlp = heron.blank("en")
    table = nlp.vocab.vectors = make_vectors(nlp.vocab)
    vocab = heron.blank("en").vocab.from_bytes(nlp.vocab.to_bytes())
    assert vocab.vectors.shape == table.shape and vocab.vectors.name == table.name
    np.testing.assert_array_equal(vocab.vectors["cat"], table["cat"])
    assert heron.blank("en").vocab.from_bytes(nlp.vocab.to_bytes(exclude=["vectors"])).vectors is None


def test_pipeline_with_vectors_round_trips_through_bytes_and_workers():
    nlp = trained_with_vectors()
    texts = [text for text, _ in TAGGED]
    expected = [[t.tag_ for t in doc] for doc in nlp.pipe(texts)]
    copy = Language.from_config(nlp.config).from_bytes(nlp.to_bytes())
    assert [[t.tag_ for t in doc] for doc in copy.pipe(texts)] == expected
    assert [[t.tag_ for t in doc] for doc in nlp.pipe(texts, n_process=2, batch_size=2)] == expected
