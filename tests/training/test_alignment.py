"""Alignment of two tokenizations by character offsets (whitespace ignored)."""
import pytest

from heron.errors import HeronValueError
from heron.tokens import Doc
from heron.training import Alignment, biluo_tags_to_offsets, biluo_to_iob, iob_to_biluo, offsets_to_biluo_tags


def test_one_to_one():
    a = Alignment.from_strings(["a", "bc", "d"], ["a", "bc", "d"])
    assert a.x2y.to_lists() == [[0], [1], [2]]
    assert a.y2x.to_lists() == [[0], [1], [2]]


def test_split_and_merge():
    # x splits "don't" into two tokens; x merges "New York" into one token.
    x = ["I", "do", "n't", "like", "NewYork"]
    y = ["I", "don't", "like", "New", "York"]
    a = Alignment.from_strings(x, y)
    assert a.x2y.to_lists() == [[0], [1], [1], [2], [3, 4]]
    assert a.y2x.to_lists() == [[0], [1, 2], [3], [4], [4]]
    assert a.x2y.lengths.tolist() == [1, 1, 1, 1, 2]
    assert a.y2x[1:3].tolist() == [1, 2, 3]


def test_crossing_boundaries():
    a = Alignment.from_strings(["ab", "cd"], ["a", "bc", "d"])
    assert a.x2y.to_lists() == [[0, 1], [1, 2]]
    assert a.y2x.to_lists() == [[0], [0, 1], [1]]


def test_whitespace_differences_and_space_tokens():
    x = ["Hello", "\n", "world", "!"]
    y = ["Hello", "world!"]
    a = Alignment.from_strings(x, y)
    assert a.x2y.to_lists() == [[0], [], [1], [1]]
    assert a.y2x.to_lists() == [[0], [2, 3]]
    assert a.x_offsets.tolist() == [[0, 5], [5, 5], [5, 10], [10, 11]]


def test_different_texts_raise_coded_error():
    with pytest.raises(HeronValueError, match="E500"):
        Alignment.from_strings(["abc"], ["abd"])


def test_case_only_difference_aligns():
    a = Alignment.from_strings(["Hello"], ["hello"])
    assert a.x2y.to_lists() == [[0]]


def test_empty():
    a = Alignment.from_strings([], [])
    assert len(a.x2y) == 0 and len(a.y2x) == 0


def test_biluo_helpers(en_vocab):
    doc = Doc(en_vocab, words=["Ada", "Lovelace", "was", "in", "Paris"])
    tags = offsets_to_biluo_tags(doc, [(0, 12, "PER"), (20, 25, "LOC")])
    assert tags == ["B-PER", "L-PER", "O", "O", "U-LOC"]
    assert biluo_tags_to_offsets(doc, tags) == [(0, 12, "PER"), (20, 25, "LOC")]
    # Misaligned offsets mark the touched tokens unknown, never O.
    assert offsets_to_biluo_tags(doc, [(1, 12, "PER")]) == ["-", "-", "O", "O", "O"]
    assert offsets_to_biluo_tags(doc, [], missing=None) == [None] * 5
    iob = ["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "B-LOC"]
    assert iob_to_biluo(iob) == ["B-PER", "L-PER", "O", "U-LOC", "U-LOC", "U-LOC"]
    assert biluo_to_iob(["B-PER", "L-PER", "U-LOC", "-"]) == ["B-PER", "I-PER", "B-LOC", "-"]
