"""heron.lexeme_vectors.v1: spacy-lookups-data's word frequencies and Brown clusters as a
vectors table (heron/vectors/lexemes.py), and where `heron init config` uses it."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from heron.cli.init_config import LEXEME_ROWS, Optimize, Options, build_config
from heron.errors import HeronValueError
from heron.vectors.lexemes import DIM, N_BITS, LexemeVectorsRequest, build_lexeme_vectors, lexeme_rows, lexeme_vectors

PROBS = {"the": -3.0, "apple": -9.0, "Apple": -9.5, "laughter": -11.0, "Laughter": -15.0, "two words": -5.0}
CLUSTERS = {"the": 0b1011, "apple": 0b110, "Apple": 0}


def test_rows_are_sorted_by_frequency_and_skip_words_with_spaces():
    words, data = lexeme_rows(CLUSTERS, PROBS, -20.0, 0)
    assert words == ["the", "apple", "Apple", "laughter", "Laughter"]
    assert data.shape == (5, DIM) and data.dtype == np.float32
    assert lexeme_rows(CLUSTERS, PROBS, -20.0, 2)[0] == ["the", "apple"]


def test_columns_hold_cluster_bits_frequency_and_case_profile():
    words, data = lexeme_rows(CLUSTERS, PROBS, -20.0, 0)
    row = dict(zip(words, data))
    # Brown path bits, lowest bit = first branch: 0b1011 -> 1, 1, 0, 1, then 0s.
    assert list(row["the"][:5]) == [1, 1, -1, 1, -1] and row["the"][N_BITS] == 1
    assert not row["Apple"][:N_BITS + 1].any()  # cluster 0 = none: no bits, no flag
    assert all(r[N_BITS + 1] == 1 for r in data)  # every row is in the table
    assert row["the"][N_BITS + 2] > row["apple"][N_BITS + 2]  # more frequent
    lower = N_BITS + 3
    # "Laughter" is far more frequent lowercased (clipped at +8 / 4); "Apple" barely.
    assert row["Laughter"][lower] == pytest.approx(1.0)
    assert row["Apple"][lower] == pytest.approx(0.5 / 4)
    assert row["apple"][lower] == 0 and row["apple"][lower + 1] == pytest.approx(-0.5 / 4)
    # An unseen variant counts at the out-of-vocabulary probability.
    assert row["the"][lower + 2] == pytest.approx(max(-20.0 + 3.0, -8.0) / 4)


def test_english_table_from_spacy_lookups_data():
    pytest.importorskip("spacy_lookups_data")
    table = build_lexeme_vectors("en", rows=1000)
    assert table.shape == (1000, DIM) and "the" in table and "The" in table
    assert table.name == "en_lexemes_1000"


def test_missing_package_and_missing_language_are_coded_errors(monkeypatch):
    with pytest.raises(HeronValueError, match=r"E659.*rows = -1"):
        build_lexeme_vectors("en", rows=-1)
    pytest.importorskip("spacy_lookups_data")
    with pytest.raises(HeronValueError, match=r"E659.*no table xx_lexeme_prob"):
        build_lexeme_vectors("xx", rows=10)
    monkeypatch.setitem(sys.modules, "spacy_lookups_data", None)
    with pytest.raises(HeronValueError, match=r"E659.*not installed.*heron\[lookups\]"):
        build_lexeme_vectors("de", rows=11)


def test_own_vectors_take_the_place_of_the_lexemes():
    assert lexeme_vectors("en", 10, path="my_vectors") == "my_vectors"
    request = lexeme_vectors("en", 10, path=None)
    assert isinstance(request, LexemeVectorsRequest) and (request.lang, request.rows) == ("en", 10)


@pytest.mark.parametrize("lang, pipeline, expected", [
    ("en", ["tok2vec", "tagger"], True),
    ("de", ["tok2vec", "tagger"], False),   # tables there, but not measured
    ("en", ["tagger"], False),              # no shared trunk: the tagger's inline CNN
])
def test_init_config_writes_lexeme_vectors_for_english_cnn_trunks(lang, pipeline, expected):
    config = build_config(Options(lang, pipeline, Optimize.efficiency, False, False))
    vectors = config["initialize"]["vectors"]
    if expected:
        assert vectors == {"@misc": "heron.lexeme_vectors.v1", "lang": "${nlp.lang}", "rows": LEXEME_ROWS,
                           "path": "${paths.vectors}"}
        assert config["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] is True
    else:
        assert vectors == "${paths.vectors}"
