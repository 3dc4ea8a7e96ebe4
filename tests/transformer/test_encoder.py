"""The pure transformer encoder: `TransformerModel.forward` takes a window batch (tensors
only) and gives the Hugging Face model's hidden states of the real pieces, on both paths."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.featurize import featurize_wordpieces
from heron.registry import registry

TEXTS = ["Alice visits Paris today.", "Hi", "",
         "The quick brown fox jumps over the lazy dog while Bob reads a very long book in Berlin."]


def make_model(model_dir):
    get_spans = registry.span_getters.get("heron.doc_spans.v1")()
    model = registry.architectures.get("heron.TransformerModel.v1")(name=str(model_dir), get_spans=get_spans)
    model.ensure_loaded()
    return model.eval()


@pytest.fixture(scope="module")
def nlp():
    return heron.blank("en")


def window_chunks(model, docs, max_batch_items=64):
    batch = featurize_wordpieces(docs, model.get_spans, model.tokenizer, max_length=model.max_length)
    return list(batch.chunks(max_batch_items, pad_id=model.pad_id, device=model.device))


@pytest.mark.parametrize("packed", [True, False])
def test_forward_takes_a_window_batch_and_gives_the_hf_hidden_states(tiny_trf_dir, nlp, packed):
    model = make_model(tiny_trf_dir)
    model.use_packed = packed
    chunks = window_chunks(model, [nlp.make_doc(t) for t in TEXTS])
    assert len(chunks) > 1 and any(c.attention_mask.min() == 0 for c in chunks)  # padding in play
    with torch.no_grad():
        for chunk in chunks:
            got = model(chunk)
            hf = model.transformer(input_ids=chunk.input_ids, attention_mask=chunk.attention_mask)
            want = hf.last_hidden_state[chunk.attention_mask.bool()]
            assert got.dtype == torch.float32 and got.shape == (sum(chunk.lengths), 32)
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
    assert (model._packed() is not None) == packed


def test_forward_rows_split_into_windows_by_length(tiny_bert_dir, nlp):
    model = make_model(tiny_bert_dir)
    chunk = window_chunks(model, [nlp.make_doc(t) for t in TEXTS], max_batch_items=10_000)[0]
    with torch.no_grad():
        rows = torch.split(model(chunk), chunk.lengths)
        for b, n in enumerate(chunk.lengths):  # each window alone: the same states
            alone = model(SimpleNamespace(input_ids=chunk.input_ids[b:b + 1, :n],
                                          attention_mask=chunk.attention_mask[b:b + 1, :n]))
            torch.testing.assert_close(rows[b], alone, rtol=1e-5, atol=1e-6)


def test_forward_refuses_docs_and_malformed_batches(tiny_bert_dir, nlp):
    model = make_model(tiny_bert_dir)
    ids = torch.ones((2, 5), dtype=torch.long)
    mask = torch.ones((2, 5), dtype=torch.long)
    bad = [([nlp.make_doc("hello")], "got a list with input_ids NoneType"),
           (SimpleNamespace(input_ids=ids[0], attention_mask=mask[0]), r"shape \(5,\)"),
           (SimpleNamespace(input_ids=ids, attention_mask=mask[:, :4]), r"attention_mask \(2, 4\)"),
           (SimpleNamespace(input_ids=ids.float(), attention_mask=mask), "dtype torch.float32")]
    for windows, detail in bad:
        with pytest.raises(HeronValueError, match=rf"\[E771\].*{detail}.*featurize_wordpieces"):
            model(windows)
    assert model(SimpleNamespace(input_ids=ids, attention_mask=mask)).shape == (10, 32)
