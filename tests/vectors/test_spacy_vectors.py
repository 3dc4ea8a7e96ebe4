"""Reading a spaCy v3 pipeline's vectors (io_spacy.py): folders built by hand, packages, errors."""
from __future__ import annotations

import importlib
import json
import sys
import warnings

import msgpack
import numpy as np
import pytest
from spacy_vector_folders import FLORET_CFG, SPACY_IDS, floret_file, spacy_pipeline

import heron
from heron.errors import HeronError, HeronWarning
from heron.tokens._spacy_hash import spacy_string_ids
from heron.tokens.strings import get_string_id
from heron.vectors import Vectors, read_vectors
from heron.vectors.init import load_vectors_into
from heron.vectors.io_spacy import find_spacy_vocab, read_spacy_vectors

WORDS = ["apple", "pear", "root", "Paris", "日本語"]
DATA = np.arange(len(WORDS) * 4, dtype=np.float32).reshape(len(WORDS), 4) / 10


def test_spacy_string_ids_match_spacy():
    assert spacy_string_ids(list(SPACY_IDS)).tolist() == list(SPACY_IDS.values())
    assert spacy_string_ids([""]).tolist() == [0]


def test_default_table_is_rekeyed_through_strings(tmp_path):
    folder = spacy_pipeline(tmp_path / "pipe", data=DATA, words=WORDS)
    assert find_spacy_vocab(folder) == folder / "vocab" == find_spacy_vocab(folder / "vocab")
    nlp = heron.blank("en")
    table = read_spacy_vectors(folder / "vocab", strings=nlp.vocab.strings)
    assert table.mode == "default" and table.shape == (5, 4) and table.n_keys == 5
    assert table.name == "spacy_test_vectors"  # meta.json's vectors name
    for i, word in enumerate(WORDS):  # "root" is a spaCy symbol: keyed 449, not by hash
        np.testing.assert_array_equal(table[word], DATA[i])
        assert table.find(key=get_string_id(word)) == i and word in nlp.vocab.strings
    assert "pear" in table and "hello" not in table
    assert isinstance(table.data, np.memmap) and not table.data.flags.writeable  # not read into RAM


def test_shared_rows_and_srsly_numpy_ints(tmp_path):
    # Pruned spaCy tables map several keys to one row; srsly may store numpy ints as maps.
    def np_int(value):
        return {b"nd": False, b"type": "<u8", b"data": np.uint64(value).tobytes()}

    ids = spacy_string_ids(["apple", "pear", "plum"]).tolist()
    key2row = {ids[0]: 0, ids[1]: np_int(1), ids[2]: 1}
    folder = spacy_pipeline(tmp_path / "pipe", data=DATA[:2], words=["apple", "pear", "plum"], key2row=key2row)
    table = read_spacy_vectors(folder / "vocab")
    np.testing.assert_array_equal(table["plum"], table["pear"])
    assert table.n_keys == 3 and table.shape == (2, 4)


def test_unknown_keys_are_dropped_with_a_warning(tmp_path):
    key2row = {int(spacy_string_ids(["apple"])[0]): 0, 12345: 1}
    folder = spacy_pipeline(tmp_path / "pipe", data=DATA[:2], words=["apple"], key2row=key2row)
    with pytest.warns(HeronWarning, match=r"W560.*1 of 2.*12345"):
        table = read_spacy_vectors(folder / "vocab")
    assert table.n_keys == 1 and table.shape == (2, 4)


def test_floret_table_equals_the_floret_file_reader(tmp_path):
    data = np.random.default_rng(0).normal(size=(60, 4)).astype(np.float32)
    folder = spacy_pipeline(tmp_path / "pipe", data=data, key2row={}, cfg=FLORET_CFG, name=None)
    table = read_spacy_vectors(folder / "vocab")
    assert table.mode == "spacy_floret" and table.name == "spacy_pipe"
    assert (table.minn, table.maxn, table.hash_count, table.seed) == (2, 4, 2, 7)
    result = read_vectors(floret_file(tmp_path / "t.floret", data), mode="floret")
    reference = Vectors(data=result.data, **result.cfg)
    words = ["apple", "unseenword", "é", "a", "Zanzibar"]
    np.testing.assert_allclose(table.get_batch(words), reference.get_batch(words), rtol=1e-6)
    assert table["unseenword"].any() and not table.get_batch([""]).any()


def test_initialize_vectors_reads_spacy_folders(tmp_path):
    folder = spacy_pipeline(tmp_path / "pipe", data=DATA, words=WORDS)
    nlp = heron.blank("en")
    table = load_vectors_into(nlp, str(folder))
    assert nlp.vocab.vectors is table and table.strings is nlp.vocab.strings
    np.testing.assert_array_equal(nlp("Paris")[0].vector, DATA[3])
    assert nlp("apple pear").similarity(nlp("pear apple")) == pytest.approx(1.0)


def _install_fake_package(tmp_path, monkeypatch, name, *, with_data=True):
    """A spaCy-style package folder on sys.path whose __init__ fails if executed."""
    package = tmp_path / "site" / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('the package was imported')\n", encoding="utf8")
    if with_data:
        spacy_pipeline(package / f"{name}-1.0.0", data=DATA, words=WORDS)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    importlib.invalidate_caches()
    return package


def test_package_name_resolves_without_importing(tmp_path, monkeypatch):
    package = _install_fake_package(tmp_path, monkeypatch, "xx_fake_vectors_pkg")
    assert find_spacy_vocab("xx_fake_vectors_pkg") == package / "xx_fake_vectors_pkg-1.0.0" / "vocab"
    monkeypatch.chdir(tmp_path)  # a relative folder of that name doesn't exist here
    nlp = heron.blank("en")
    load_vectors_into(nlp, "xx_fake_vectors_pkg")
    np.testing.assert_array_equal(nlp.vocab.vectors["apple"], DATA[0])
    assert "xx_fake_vectors_pkg" not in sys.modules


def test_missing_package_and_package_without_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nlp = heron.blank("en")
    with pytest.raises(HeronError, match=r"E560.*\[initialize\] vectors = 'xx_no_such_pkg_42'.*no such folder"):
        load_vectors_into(nlp, "xx_no_such_pkg_42")
    _install_fake_package(tmp_path, monkeypatch, "xx_empty_pkg", with_data=False)
    with pytest.raises(HeronError, match=r"E561.*'xx_empty_pkg'.*no spaCy pipeline data"):
        load_vectors_into(nlp, "xx_empty_pkg")
    assert nlp.vocab.vectors is None


def _break(folder, name, content):
    path = folder / "vocab" / name
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf8"))


@pytest.mark.parametrize("name,content,match", [
    ("vectors", None, r"E562.*vocab/vectors.*missing"),
    ("vectors", b"not numpy", r"E562.*vocab/vectors.*not a numeric numpy"),
    ("key2row", b"\xc1\xc1", r"E562.*key2row.*not msgpack"),
    ("key2row", msgpack.packb({"apple": 0}), r"E562.*key2row.*integer"),
    ("key2row", msgpack.packb({1: 9}), r"E564.*key2row.*row 9.*5 rows"),
    ("key2row", msgpack.packb({}), r"E564.*no keys"),
    ("strings.json", None, r"E562.*strings.json"),
    ("vectors.cfg", '{"mode": "fancy"}', r"E563.*vectors.cfg sets mode = 'fancy'"),
    ("vectors.cfg", '{"mode": "default", "attr": 66}', r"E563.*attr = 66.*ORTH"),
    ("vectors.cfg", json.dumps({**FLORET_CFG, "hash_count": 5}), r"E563.*hash_count = 5"),
    ("vectors.cfg", json.dumps({**FLORET_CFG, "bow": None}), r"E563.*bow = None"),
])
def test_malformed_folders_are_coded_errors(tmp_path, name, content, match):
    folder = spacy_pipeline(tmp_path / "pipe", data=DATA, words=WORDS)
    _break(folder, name, content)
    with pytest.raises(HeronError, match=match):
        read_spacy_vectors(folder / "vocab")


def test_pickled_object_arrays_are_refused_and_empty_tables_too(tmp_path):
    folder = spacy_pipeline(tmp_path / "pipe", data=DATA, words=WORDS)
    with open(folder / "vocab" / "vectors", "wb") as f:
        np.save(f, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(HeronError, match=r"E562.*not a numeric numpy"):  # allow_pickle=False: never unpickled
        read_spacy_vectors(folder / "vocab")
    empty = spacy_pipeline(tmp_path / "sm", data=np.zeros((0, 0), np.float32), words=[])
    with pytest.raises(HeronError, match=r"E564.*empty.*en_core_web_md"):
        read_spacy_vectors(empty / "vocab")


def test_heron_folders_and_files_are_not_spacy(tmp_path):
    Vectors(data=DATA, keys=WORDS).to_disk(tmp_path / "bare")
    heron.blank("en").to_disk(tmp_path / "blank")
    (tmp_path / "vectors.txt").write_text("a 1 2\n", encoding="utf8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path in (tmp_path / "bare", tmp_path / "blank", tmp_path / "vectors.txt", tmp_path / "no" / "where"):
            assert find_spacy_vocab(path) is None
