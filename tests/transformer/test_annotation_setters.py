"""Annotation setters under both names (issue 15 item 4) and spaCy-transformers'
`doc._.trf_data.tensors`.

spacy-transformers' factory takes `set_extra_annotations` (heron's name too); its usage
guide writes `annotation_setter`, in configs and as `pipe.annotation_setter = f`. Both
must take effect: the guide's name is a deprecated alias (W303 in a config, W772 in Python)
and never silently ignored.
"""
from __future__ import annotations

import warnings

import msgpack
import numpy as np
import pytest

import heron
from heron.errors import HeronWarning
from heron.registry import registry
from heron.transformer import FullTransformerBatch, TransformerData

_CALLS = []


@registry.annotation_setters("test.marking_setter.v1")
def marking_setter(mark: str = "a"):
    def setter(docs, trf_batch):
        _CALLS.append(mark)
        for doc in docs:
            doc.user_data["mark"] = mark

    return setter


def make_nlp(model_dir, span_getter="heron.doc_spans.v1", **trf):
    nlp = heron.blank("en")
    config = {"model": {"name": str(model_dir), "get_spans": {"@span_getters": span_getter}}, **trf}
    nlp.add_pipe("transformer", config=config)
    return nlp


def test_config_key_annotation_setter_works_with_a_deprecation_warning(tiny_bert_dir):
    with pytest.warns(HeronWarning, match=r"W303.*set_extra_annotations"):
        nlp = make_nlp(tiny_bert_dir, annotation_setter={"@annotation_setters": "test.marking_setter.v1",
                                                         "mark": "guide"})
    nlp.initialize()
    assert nlp("one two").user_data["mark"] == "guide"


def test_annotation_setter_key_survives_save_and_load(tiny_bert_dir, tmp_path):
    with pytest.warns(HeronWarning, match="W303"):
        nlp = make_nlp(tiny_bert_dir, annotation_setter={"@annotation_setters": "test.marking_setter.v1",
                                                         "mark": "saved"})
    nlp.initialize()
    # Stored under the real name: the saved config reloads with no deprecation warning.
    block = nlp.config["components"]["transformer"]
    assert "annotation_setter" not in block and block["set_extra_annotations"]["mark"] == "saved"
    nlp.to_disk(tmp_path / "p")
    with warnings.catch_warnings():
        warnings.simplefilter("error", HeronWarning)
        loaded = heron.load(tmp_path / "p")
    assert loaded("one two").user_data["mark"] == "saved"


def test_both_keys_with_different_setters_is_a_coded_error(tiny_bert_dir):
    with pytest.raises(heron.HeronError, match=r"\[E372\].*set_extra_annotations"):
        make_nlp(tiny_bert_dir,
                 set_extra_annotations={"@annotation_setters": "heron.trf_tensor_setter.v1"},
                 annotation_setter={"@annotation_setters": "test.marking_setter.v1"})


def test_python_assignment_under_either_name_takes_effect(tiny_bert_dir):
    nlp = make_nlp(tiny_bert_dir)
    nlp.initialize()
    trf = nlp.get_pipe("transformer")
    first = registry.annotation_setters.get("test.marking_setter.v1")(mark="guide-name")
    with pytest.warns(HeronWarning, match=r"W772.*set_extra_annotations"):
        trf.annotation_setter = first
    assert trf.set_extra_annotations is first and trf.annotation_setter is first
    assert nlp("one two").user_data["mark"] == "guide-name"
    second = registry.annotation_setters.get("test.marking_setter.v1")(mark="heron-name")
    trf.set_extra_annotations = second
    assert trf.annotation_setter is second
    assert nlp("one two").user_data["mark"] == "heron-name"
    for name in ("annotation_setter", "set_extra_annotations"):
        with pytest.raises(heron.HeronError, match="E755"):
            setattr(trf, name, "not callable")


def test_tensors_last_is_the_last_hidden_state_per_span(tiny_bert_dir):
    nlp = make_nlp(tiny_bert_dir, span_getter="heron.sent_spans.v1")
    nlp.add_pipe("sentencizer", first=True)
    nlp.initialize()
    doc = nlp("Short one. A somewhat longer second sentence here.")
    data = doc._.trf_data
    spans = data.span_lengths.tolist()
    assert len(spans) == 2 and sum(spans) == data.n_pieces and spans[0] < spans[1]
    tensors = data.tensors
    assert isinstance(tensors, list) and len(tensors) >= 1
    last = tensors[-1]
    # spaCy-transformers' layout: (n_spans, longest span's wordpieces, width), zero-padded.
    assert last.shape == (2, max(spans), 32) and last.dtype == np.float32
    np.testing.assert_array_equal(last[0, :spans[0]], data.last_hidden[:spans[0]])
    np.testing.assert_array_equal(last[1], data.last_hidden[spans[0]:])
    assert not last[0, spans[0]:].any()


def test_tensors_of_one_span_docs_and_empty_data(tiny_bert_dir):
    nlp = make_nlp(tiny_bert_dir)
    nlp.initialize()
    doc = nlp("hello world")
    last = doc._.trf_data.tensors[-1]
    assert last.shape == (1, doc._.trf_data.n_pieces, 32)
    np.testing.assert_array_equal(last[0], doc._.trf_data.last_hidden)
    assert TransformerData.empty(n_tokens=2, width=5).tensors[-1].shape == (0, 0, 5)


def test_span_lengths_are_checked_and_serialised():
    from heron.errors import HeronValueError
    from heron.featurize.ragged import Ragged

    hidden = np.arange(12, dtype=np.float32).reshape(4, 3)
    data = TransformerData(["[CLS]", "a", "[SEP]", "[CLS]"], np.array([2, 7, 3, 2]), hidden,
                           Ragged.from_lists([[1]]), span_lengths=np.array([3, 1]))
    back = TransformerData.from_dict(msgpack.unpackb(msgpack.packb(data.to_dict())))
    assert back.span_lengths.tolist() == [3, 1]
    assert back.tensors[-1].shape == (2, 3, 3)
    # Data written before span_lengths existed reads as one span.
    old = data.to_dict()
    del old["span_lengths"]
    assert TransformerData.from_dict(old).span_lengths.tolist() == [4]
    with pytest.raises(HeronValueError, match="E707"):
        TransformerData(["a"], np.array([1]), hidden[:1], Ragged.from_lists([[0]]), span_lengths=np.array([2]))


def test_setter_still_receives_the_batch(tiny_bert_dir):
    _CALLS.clear()
    nlp = make_nlp(tiny_bert_dir, set_extra_annotations={"@annotation_setters": "test.marking_setter.v1"})
    nlp.initialize()
    list(nlp.pipe(["a b", "c"], batch_size=2))
    assert _CALLS == ["a"]
    assert isinstance(nlp.get_pipe("transformer").predict([nlp.make_doc("x")]), FullTransformerBatch)
