"""The accuracy benchmark's gold alignment (CoNLL-U words -> character spans)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from tokenizer_accuracy import gold_spans, score  # noqa: E402


def _rows(*forms):
    return [[tid, form] + ["_"] * 8 for tid, form in forms]


def test_multiword_tokens_split_by_word_forms():
    text = "We don't  cannot go."
    rows = _rows(("1", "We"), ("2-3", "don't"), ("2", "do"), ("3", "n't"), ("4-5", "cannot"),
                 ("4", "can"), ("5", "not"), ("6", "go"), ("7", "."))
    spans = gold_spans(text, rows)
    assert [text[a:b] for a, b in spans] == ["We", "do", "n't", "can", "not", "go", "."]


def test_unmatched_word_forms_fall_back_to_lengths():
    text = "Its fine"
    rows = _rows(("1-2", "Its"), ("1", "It"), ("2", "is"), ("3", "fine"))
    assert [text[a:b] for a, b in gold_spans(text, rows)] == ["It", "s", "fine"]


def test_text_mismatch_is_unalignable():
    assert gold_spans("Hello world", _rows(("1", "Hello"), ("2", "there"))) is None


def test_score_ignores_whitespace_tokens():
    text = "a  b"
    result = score([text], [[(0, 1), (3, 4)]], [[(0, 1), (2, 3), (3, 4)]])
    assert result["precision"] == result["recall"] == result["f1"] == 1.0
