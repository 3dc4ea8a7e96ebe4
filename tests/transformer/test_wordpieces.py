"""heron.featurize.wordpieces: Docs -> WordpieceBatch (spans, pieces, windows, alignment) and
its padded window chunks. Here beside the tiny Hugging Face tokenizers it needs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import heron
from heron.featurize import WordpieceBatch, featurize_wordpieces
from heron.featurize.alignment import align_doc
from heron.featurize.span_pieces import tokenize_spans
from heron.registry import registry

TEXTS = ["Alice visits Paris today.", "", "A café in Zürich.  Bob said: no!",
         " ".join(["the quick brown fox jumps over the lazy dog"] * 4)]


@pytest.fixture(scope="module")
def nlp():
    return heron.blank("en")


def strided(window=8, stride=5):
    return registry.span_getters.get("heron.strided_spans.v1")(window=window, stride=stride)


def test_docs_become_spans_pieces_windows_and_alignment(tiny_trf_dir, load_hf_tokenizer, nlp):
    tok = load_hf_tokenizer(tiny_trf_dir)
    docs = [nlp.make_doc(t) for t in TEXTS]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # windows that fit: no W700/W701
        batch = featurize_wordpieces(docs, strided(), tok, max_length=64)
    assert isinstance(batch, WordpieceBatch) and len(batch) == len(docs)
    assert batch.spans == [[(0, len(doc.text))] for doc in docs]
    want = tokenize_spans(tok, [doc.text for doc in docs])
    assert [p.input_ids.tolist() for p in batch.pieces] == [p.input_ids.tolist() for p in want]
    assert batch.n_pieces.tolist() == [len(p) for p in want]
    assert batch.doc_offsets.tolist() == np.concatenate([[0], np.cumsum(batch.n_pieces)]).tolist()
    for doc, group, align in zip(docs, batch.doc_pieces(), batch.align):
        assert align == align_doc(doc, [0], group) and len(align) == len(doc)
    # The long doc is read in windows of at most 8 content pieces + specials, all pieces covered.
    long = [w for w, s in enumerate(batch.windows.span_index) if s == len(docs) - 1]
    assert len(long) > 2 and max(batch.windows.lengths[long]) <= 8 + 2
    covered = np.unique(np.concatenate([batch.windows.targets[w] for w in long]))
    assert covered.tolist() == list(range(len(batch.pieces[-1])))


def test_chunks_bound_padding_and_cover_every_window_once(tiny_bert_dir, load_hf_tokenizer, nlp):
    tok = load_hf_tokenizer(tiny_bert_dir)
    batch = featurize_wordpieces([nlp.make_doc(t) for t in TEXTS], strided(), tok, max_length=64)
    chunks = list(batch.chunks(24, pad_id=7))
    seen = np.concatenate([c.windows for c in chunks])
    assert sorted(seen.tolist()) == list(range(len(batch.windows)))
    for chunk in chunks:
        rows, width = chunk.input_ids.shape
        assert rows == 1 or rows * width <= 24
        assert chunk.attention_mask.sum(1).tolist() == chunk.lengths
        for row, (w, n) in enumerate(zip(chunk.windows.tolist(), chunk.lengths)):
            assert chunk.input_ids[row, :n].tolist() == batch.windows.input_ids[w].tolist()
            assert (chunk.input_ids[row, n:] == 7).all()


def test_no_docs_is_an_empty_batch(tiny_bert_dir, load_hf_tokenizer):
    batch = featurize_wordpieces([], strided(), load_hf_tokenizer(tiny_bert_dir), max_length=64)
    assert len(batch) == 0 and batch.doc_offsets.tolist() == [0] and list(batch.chunks(16, pad_id=0)) == []
