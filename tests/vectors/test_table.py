"""Vectors table: lookup, batches, editing, similarity, pruning, disk round trip, floret mode,
and the Token/Span/Doc vector API on top of it."""
import subprocess
import sys

import numpy as np
import pytest

import heron
from heron.errors import HeronError
from heron.tokens.strings import StringStore, get_string_id
from heron.vectors import Vectors, load_vectors_table

WORDS = ["king", "queen", "apple", "pear", "car"]
DATA = np.array([[1.0, 0.9, 0.0, 0.0], [0.9, 1.0, 0.1, 0.0], [0.0, 0.1, 1.0, 0.8],
                 [0.0, 0.0, 0.9, 1.0], [0.0, 0.1, 0.0, 1.0]], dtype="float32")


@pytest.fixture
def table():
    return Vectors(strings=StringStore(), data=DATA.copy(), keys=WORDS, name="test_vecs")


def test_lookup_by_text_and_hash(table):
    assert table.shape == (5, 4) and table.dim == 4 and len(table) == 5 and table.n_keys == 5
    assert "queen" in table and get_string_id("queen") in table and "zebra" not in table
    np.testing.assert_array_equal(table["apple"], DATA[2])
    np.testing.assert_array_equal(table[get_string_id("pear")], DATA[3])
    assert table.find(key="car") == 4 and table.find(key="zebra") == -1
    with pytest.raises(KeyError, match="E601"):
        table["zebra"]
    assert table.get("zebra") is None


def test_get_batch_strings_hashes_and_missing(table):
    out = table.get_batch(["car", "zebra", "king"])
    assert out.dtype == np.float32 and out.shape == (3, 4)
    np.testing.assert_array_equal(out, np.stack([DATA[4], np.zeros(4), DATA[0]]))
    hashes = np.array([get_string_id(w) for w in ["pear", "nope"]], dtype=np.uint64)
    np.testing.assert_array_equal(table.get_batch(hashes), np.stack([DATA[3], np.zeros(4)]))
    assert table.get_batch([]).shape == (0, 4)


def test_add_shared_rows_full_table_and_resize(table):
    table.add("monarch", row=table.find(key="king"))  # several keys may share a row
    np.testing.assert_array_equal(table.get_batch(["monarch"])[0], DATA[0])
    with pytest.raises(HeronError, match="E602"):
        table.add("zebra", vector=np.ones(4))
    removed = table.resize((7, 4))
    assert removed == [] and table.shape == (7, 4)
    row = table.add("zebra", vector=np.ones(4))
    assert row == 5 and np.all(table["zebra"] == 1)
    with pytest.raises(HeronError, match="E605"):
        table.add("lion", vector=np.ones(3))
    removed = table.resize((2, 4))  # dropping rows drops their keys
    assert {k for k, _ in removed} >= {get_string_id("apple"), get_string_id("zebra")}
    assert "apple" not in table and "queen" in table and "monarch" in table


def test_empty_shape_and_bad_args():
    empty = Vectors(shape=(3, 2))
    assert empty.shape == (3, 2) and empty.n_keys == 0 and not empty.get_batch(["a"]).any()
    with pytest.raises(HeronError, match="E600"):
        Vectors(shape=(2, 2), data=np.zeros((2, 2)))
    with pytest.raises(HeronError, match="E603"):
        Vectors(shape=(2, 2), mode="magic")


def test_most_similar_batched(table):
    keys, rows, scores = table.most_similar(table.get_batch(["king", "apple"]), n=2, batch_size=1)
    assert rows.tolist() == [[0, 1], [2, 3]]
    assert keys[0, 1] == get_string_id("queen") and keys[1, 1] == get_string_id("pear")
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-6) and scores[0, 0] >= scores[0, 1]
    expected = DATA[0] @ DATA[1] / np.linalg.norm(DATA[0]) / np.linalg.norm(DATA[1])
    assert scores[0, 1] == pytest.approx(expected, abs=1e-6)
    with pytest.raises(HeronError, match="E607"):
        table.most_similar(np.ones((1, 3)))


def test_prune_maps_removed_keys_to_nearest_kept_row(table):
    remap = table.prune(2)
    assert table.shape == (2, 4)
    # Every removed word points at the kept row most similar to its old vector.
    unit = DATA / np.linalg.norm(DATA, axis=1, keepdims=True)
    for word in ["apple", "pear", "car"]:
        best = int(np.argmax(unit[:2] @ unit[WORDS.index(word)]))
        assert table.find(key=word) == best
        kept_key, score = remap[get_string_id(word)]
        assert kept_key == get_string_id(WORDS[best])
        assert score == pytest.approx(float(unit[best] @ unit[WORDS.index(word)]), abs=1e-5)
    np.testing.assert_array_equal(table["apple"], DATA[1])  # queen shares (0.1 in dim 2)


def test_disk_round_trip_is_memory_mapped(table, tmp_path):
    table.add("monarch", row=0)
    table.to_disk(tmp_path / "vecs")
    assert sorted(p.name for p in (tmp_path / "vecs").iterdir()) == ["cfg.json", "key2row.npy", "vectors.npy"]
    loaded = Vectors().from_disk(tmp_path / "vecs")
    assert isinstance(loaded.data, np.memmap) and loaded.name == "test_vecs"
    assert loaded.shape == table.shape and loaded.key2row == table.key2row
    np.testing.assert_array_equal(loaded.get_batch(WORDS + ["monarch"]), table.get_batch(WORDS + ["monarch"]))
    loaded.add("zebra", row=1, vector=np.zeros(4))  # editing a memmapped table copies it first
    assert not isinstance(loaded.data, np.memmap)
    assert Vectors().from_disk(tmp_path / "vecs")["queen"][1] == pytest.approx(1.0)  # file untouched
    with pytest.raises(HeronError, match="E604"):
        Vectors().from_disk(tmp_path / "nothing")


def test_pipeline_vectors_api_and_reload(table, tmp_path):
    nlp = heron.blank("en")
    table.strings = nlp.vocab.strings
    nlp.vocab.vectors = table
    doc = nlp("king queen zebra")
    assert [t.has_vector for t in doc] == [True, True, False]
    np.testing.assert_array_equal(doc[0].vector, DATA[0])
    assert not doc[2].vector.any() and doc[2].vector.shape == (4,)
    assert doc[0].vector_norm == pytest.approx(float(np.linalg.norm(DATA[0])))
    cosine = float(DATA[0] @ DATA[1] / np.linalg.norm(DATA[0]) / np.linalg.norm(DATA[1]))
    assert doc[0].similarity(doc[1]) == pytest.approx(cosine, abs=1e-6)
    np.testing.assert_allclose(doc.vector, (DATA[0] + DATA[1]) / 3, rtol=1e-6)
    np.testing.assert_allclose(doc[0:2].vector, (DATA[0] + DATA[1]) / 2, rtol=1e-6)
    assert doc.similarity(nlp("apple pear")) < doc[0:2].similarity(nlp("queen king"))
    nlp.to_disk(tmp_path / "nlp")
    loaded = heron.load(tmp_path / "nlp")
    assert isinstance(loaded.vocab.vectors, Vectors) and loaded.vocab.vectors.name == "test_vecs"
    np.testing.assert_array_equal(loaded("queen")[0].vector, DATA[1])
    assert load_vectors_table(tmp_path / "nlp").shape == (5, 4)


def floret_table(strings=None):
    rng = np.random.default_rng(0)
    return Vectors(strings=strings, data=rng.normal(size=(50, 8)).astype("float32"), mode="floret",
                   minn=2, maxn=3, hash_count=2, name="flo")


def test_floret_every_string_has_a_deterministic_vector():
    table = floret_table()
    assert "never-seen-word" in table and table.n_keys == 0
    vecs = table.get_batch(["cat", "cats", "zebra"])
    assert vecs.shape == (3, 8) and np.abs(vecs).sum(axis=1).min() > 0
    np.testing.assert_array_equal(table["cat"], vecs[0])
    # vector = mean over entries (word + n-grams of "<cat>") of the sum of hash_count rows
    from heron.vectors.floret import char_ngrams, seeded_hashes
    entries = ["cat", *char_ngrams("<cat>", 2, 3)]
    rows = seeded_hashes(entries, 0)[:, :2].astype(np.int64) % 50
    np.testing.assert_allclose(vecs[0], table.data[rows.ravel()].sum(0) / len(entries), rtol=1e-5)
    # Same vector in a fresh process (no salted hash() anywhere).
    code = ("import numpy as np; from tests.vectors.test_table import floret_table; "
            "print(repr(floret_table()['zebra'].tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    np.testing.assert_allclose(eval(out.stdout), vecs[2], rtol=1e-6)


def test_floret_with_tokens_and_disk(tmp_path):
    nlp = heron.blank("en")
    nlp.vocab.vectors = floret_table(nlp.vocab.strings)
    doc = nlp("unseenword another")
    assert doc[0].has_vector and doc[0].vector.shape == (8,) and doc[0].vector_norm > 0
    nlp.to_disk(tmp_path / "nlp")
    loaded = heron.load(tmp_path / "nlp")
    assert loaded.vocab.vectors.mode == "floret"
    np.testing.assert_allclose(loaded("unseenword")[0].vector, doc[0].vector, rtol=1e-6)
    with pytest.raises(HeronError, match="E606"):
        Vectors(data=np.ones((3, 2)), mode="floret")[12345]
