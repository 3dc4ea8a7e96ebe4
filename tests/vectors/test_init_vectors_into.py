"""load_vectors_into: `[initialize] vectors = PATH` puts a saved table into nlp.vocab."""
from __future__ import annotations

import numpy as np
import pytest

import heron
from heron.errors import HeronValueError
from heron.tokens.strings import get_string_id
from heron.vectors.init import load_vectors_into
from heron.vectors.table import Vectors

WORDS = ["apple", "pear", "plum", "river"]


def _vectors_pipeline(path, *, name="fruit_vectors"):
    """What `heron init vectors` writes: a blank pipeline whose vocab has the table."""
    nlp = heron.blank("en")
    data = np.arange(len(WORDS) * 3, dtype=np.float32).reshape(len(WORDS), 3)
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=data, keys=WORDS, name=name)
    nlp.to_disk(path)
    return data


def test_loads_table_merges_strings_and_sizes_layers(tmp_path):
    data = _vectors_pipeline(tmp_path / "vecs")
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "heron.HashEmbedCNN.v1", "width": 16, "depth": 1, "embed_size": 100,
        "window_size": 1, "maxout_pieces": 2, "subword_features": False, "pretrained_vectors": True}})
    proj = nlp.get_pipe("tok2vec").model.embed.static_proj
    assert not proj.is_sized
    table = load_vectors_into(nlp, tmp_path / "vecs")
    assert nlp.vocab.vectors is table and table.strings is nlp.vocab.strings
    assert table.shape == (len(WORDS), 3) and table.name == "fruit_vectors"
    np.testing.assert_array_equal(table.get_batch(np.array([get_string_id("plum")], dtype=np.uint64))[0], data[2])
    assert "river" in nlp.vocab.strings  # the table's strings were merged
    assert proj.is_sized and proj.weight.shape == (16, 3)
    doc = nlp.make_doc("apple river")
    nlp.initialize(lambda: [])
    assert nlp.get_pipe("tok2vec").cfg["vectors"] == {"name": "fruit_vectors", "shape": [4, 3]}
    assert nlp(doc.text).tensor.shape == (2, 16)


def test_bare_vectors_folder_and_none(tmp_path):
    data = np.ones((2, 4), dtype=np.float32)
    Vectors(data=data, keys=["a", "b"], name="bare").to_disk(tmp_path / "bare")
    nlp = heron.blank("en")
    assert load_vectors_into(nlp, tmp_path / "bare").shape == (2, 4)
    other = heron.blank("en")
    assert load_vectors_into(other, None) is None and other.vocab.vectors is None


def test_folder_without_vectors_is_a_coded_error(tmp_path):
    heron.blank("en").to_disk(tmp_path / "blank")
    nlp = heron.blank("en")
    with pytest.raises(HeronValueError, match=r"E655.*\[initialize\] vectors = '.*blank'.*holds no vectors"):
        load_vectors_into(nlp, tmp_path / "blank")
    with pytest.raises(HeronValueError, match=r"E655.*missing.*does not exist"):
        load_vectors_into(nlp, tmp_path / "missing")
    assert nlp.vocab.vectors is None
