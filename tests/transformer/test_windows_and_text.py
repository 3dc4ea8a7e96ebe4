"""Issue 13: clamped strided windows keep their overlap (item 11), and text with lone
surrogates runs through a transformer pipeline (item 3)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronWarning
from heron.featurize.span_pieces import SpanPieces, tokenize_spans
from heron.featurize.windows import plan_span_windows
from heron.training.example import Example


def _span(n_content: int) -> SpanPieces:
    """[CLS] + n_content pieces + [SEP], ids = positions."""
    n = n_content + 2
    special = np.zeros(n, bool)
    special[[0, -1]] = True
    return SpanPieces(np.arange(n, dtype=np.int64), [str(i) for i in range(n)],
                      np.zeros((n, 2), np.int32), special)


def _content_starts(plan) -> list:
    return [int(t[1]) - 1 for t in plan.targets]  # first content target of each window


def test_clamped_window_keeps_the_configured_overlap_ratio():
    # window 128 / stride 96 (25% overlap) on a model limited to 64 pieces (62 + 2 specials).
    with pytest.warns(HeronWarning, match=r"\[W701\].*window = 62, stride = 46.*overlap") as record:
        plan = plan_span_windows([_span(300)], max_length=64, window=128, stride=96)
    assert len(record) == 1
    assert (plan.lengths <= 64).all()
    starts = _content_starts(plan)
    assert starts[:3] == [0, 46, 92]  # stride round(62 * 96 / 128) = 46: 16 pieces of overlap
    covered = np.zeros(300, int)
    for t in plan.targets:
        covered[t[1:-1] - 1] += 1
    assert (covered >= 1).all() and (covered >= 2).sum() > 0


@pytest.mark.parametrize("window,stride,want", [(100, 100, 14), (100, 8, 1), (30, 29, 14)])
def test_clamped_stride_is_proportional_and_at_least_one(window, stride, want):
    # max_length 16 leaves 14 content pieces per window.
    with pytest.warns(HeronWarning, match=rf"window = 14, stride = {want}\b"):
        plan = plan_span_windows([_span(40)], max_length=16, window=window, stride=stride)
    starts = _content_starts(plan)
    assert starts[1] - starts[0] == want


# ---- lone surrogates -----------------------------------------------------------------------------
def test_tokenize_spans_replaces_lone_surrogates_keeping_offsets(tiny_trf_dir, load_hf_tokenizer):
    tok = load_hf_tokenizer(tiny_trf_dir)
    text = "a \ud800 b \udfff"
    pieces, = tokenize_spans(tok, [text])
    clean, = tokenize_spans(tok, ["a \ufffd b \ufffd"])
    assert pieces.input_ids.tolist() == clean.input_ids.tolist()
    assert pieces.offsets.tolist() == clean.offsets.tolist()  # same length in Python characters
    assert pieces.offsets.max() <= len(text)


@pytest.fixture(scope="module")
def tagger_nlp(tiny_bert_dir):
    torch.manual_seed(0)
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={"model": {
        "name": str(tiny_bert_dir), "get_spans": {"@span_getters": "heron.doc_spans.v1"}}})
    nlp.add_pipe("tagger", config={"model": {"tok2vec": {"@architectures": "heron.TransformerListener.v1"}}})
    egs = [Example.from_dict(nlp.make_doc("a b c"), {"tags": ["X", "Y", "X"]})]
    nlp.initialize(lambda: egs)
    return nlp


def test_lone_surrogate_text_is_annotated_and_round_trips(tagger_nlp):
    text = "a \ud800 b"
    doc = tagger_nlp(text)
    assert doc.text == text
    assert all(t.tag_ in ("X", "Y") for t in doc)
    assert doc._.trf_data.last_hidden.shape[0] == len(doc._.trf_data.wordpieces)


def test_one_surrogate_text_in_a_stream_does_not_lose_the_others(tagger_nlp):
    texts = ["a b c", "x \udc80 y", "\ud83d\ude00 split pair", "c b a"]
    docs = list(tagger_nlp.pipe(texts, batch_size=4))
    assert [d.text for d in docs] == texts
    for doc in docs:
        assert all(t.tag_ in ("X", "Y") for t in doc)


# ---- a tokenizer.json regex that backtracks too much ---------------------------------------------
def test_tokenizer_regex_over_its_retry_limit_is_a_coded_error(tiny_bert_dir):
    """Oniguruma (the Rust tokenizers' regex engine) bounds backtracking, so a hostile pattern in
    a saved tokenizer.json can't hang the process; it panics instead (a BaseException that
    would escape every error handler), which heron turns into a coded error for that batch."""
    from tokenizers import Regex, pre_tokenizers
    from transformers import AutoTokenizer

    from heron.errors import HeronValueError

    tok = AutoTokenizer.from_pretrained(str(tiny_bert_dir), local_files_only=True)
    tok.backend_tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex("(a+)+c"), behavior="isolated")
    assert len(tokenize_spans(tok, ["hello"])[0]) == 3  # [CLS] hello [SEP]
    with pytest.raises(HeronValueError, match=r"\[E770\].*Fix: "):
        tokenize_spans(tok, ["a" * 40 + "b"])
