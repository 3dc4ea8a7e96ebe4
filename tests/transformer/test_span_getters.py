"""Span getters: registry names, spans returned, window settings and their validation."""
from __future__ import annotations

import pytest

import heron
from heron.config import resolve_config
from heron.errors import HeronValueError
from heron.featurize.span_getters import (
    doc_spans,
    get_span_chars,
    sent_spans,
    strided_spans,
    validate_window,
    window_settings,
)
from heron.registry import registry
from heron.tokens import Doc


@pytest.fixture(scope="module")
def nlp():
    return heron.blank("en")


def _sentenced(vocab):
    words = ["Hello", "there", ".", "Bye", "now", "."]
    return Doc(vocab, words=words, spaces=[True, False, True, True, False, False],
               sent_starts=[True, False, False, True, False, False])


def test_registered_names():
    for name in ("heron.doc_spans.v1", "heron.sent_spans.v1", "heron.strided_spans.v1"):
        assert callable(registry.span_getters.get(name))
        assert registry.find("span_getters", name)["file"].endswith("span_getters.py")


def test_align_modules_do_not_import_transformers_at_module_level():
    """`import heron.transformer.*` must stay cheap: transformers/tokenizers only inside functions."""
    import ast
    from pathlib import Path

    import heron.featurize
    import heron.transformer

    featurize, transformer = Path(heron.featurize.__file__).parent, Path(heron.transformer.__file__).parent
    paths = [featurize / name for name in ("alignment.py", "ragged.py", "span_pieces.py", "span_getters.py",
                                           "windows.py", "wordpieces.py")]
    paths += [transformer / name for name in ("data.py", "batch.py", "model.py", "packed.py", "hf_loading.py")]
    for path in paths:
        name = path.name
        tree = ast.parse(path.read_text(encoding="utf8"))
        for node in tree.body:   # module level only; imports inside functions are fine
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] in ("transformers", "tokenizers") for n in names), name


def test_doc_spans_whole_doc(nlp):
    docs = [nlp("One two. Three."), nlp("")]
    spans = doc_spans()(docs)
    assert [[(s.start, s.end) for s in d] for d in spans] == [[(0, 5)], [(0, 0)]]
    assert spans[0][0].doc is docs[0]
    assert get_span_chars(doc_spans(), docs) == [[(0, 15)], [(0, 0)]]
    assert window_settings(doc_spans()) == (None, None)


def test_sent_spans(nlp):
    doc = _sentenced(nlp.vocab)
    spans = sent_spans()([doc, nlp("")])
    assert [s.text for s in spans[0]] == ["Hello there.", "Bye now."]
    assert len(spans[1]) == 1 and len(spans[1][0]) == 0
    assert get_span_chars(sent_spans(), [doc]) == [[(0, 12), (13, 21)]]
    assert window_settings(sent_spans()) == (None, None)


def test_sent_spans_without_boundaries_explains(nlp):
    with pytest.raises(HeronValueError, match=r"E703.*sentencizer.*doc_spans"):
        sent_spans()([nlp("No sentence boundaries here")])


def test_sent_spans_after_sentencizer(nlp):
    nlp2 = heron.blank("en")
    nlp2.add_pipe("sentencizer")
    doc = nlp2("First sentence. Second one!")
    assert [s.text for s in sent_spans()([doc])[0]] == ["First sentence.", "Second one!"]


def test_strided_spans_carry_window_settings(nlp):
    getter = strided_spans(window=64, stride=48)
    doc = nlp("A b c d e f")
    assert [[s.text for s in d] for d in getter([doc])] == [["A b c d e f"]]
    assert window_settings(getter) == (64, 48)
    assert "window=64" in repr(getter)


def test_strided_spans_from_config():
    cfg = {"get_spans": {"@span_getters": "heron.strided_spans.v1", "window": 32, "stride": 16}}
    getter = resolve_config(cfg, sections=False)["get_spans"]
    assert window_settings(getter) == (32, 16)
    bad = {"get_spans": {"@span_getters": "heron.strided_spans.v1", "window": 8, "stride": 9}}
    with pytest.raises(HeronValueError, match="E702.*stride"):
        resolve_config(bad, sections=False)


@pytest.mark.parametrize("window,stride,key", [
    (0, 1, "window"), (-5, 1, "window"), (10, 0, "stride"), (10, 11, "stride"),
    (10.5, 5, "window"), (10, "5", "stride"), (True, 1, "window"),
])
def test_strided_spans_validation_names_the_key(window, stride, key):
    with pytest.raises(HeronValueError, match=rf"E702.*{key} = .*strided_spans"):
        strided_spans(window=window, stride=stride)


def test_window_settings_of_user_getter():
    def mine(docs):
        return [[doc[:]] for doc in docs]

    assert window_settings(mine) == (None, None)
    mine.window = 20
    assert window_settings(mine) == (20, 20)
    mine.stride = 30
    with pytest.raises(HeronValueError, match="E702"):
        window_settings(mine)
    validate_window(5, 5)


def test_get_span_chars_checks_getter_output(nlp):
    docs = [nlp("a b"), nlp("c d")]
    with pytest.raises(HeronValueError, match="E710"):
        get_span_chars(lambda ds: [[d[:]] for d in ds][:1], docs)
    with pytest.raises(HeronValueError, match="E710"):
        get_span_chars(lambda ds: [[ds[1][:]], [ds[1][:]]], docs)
    overlapping = get_span_chars(lambda ds: [[d[0:2], d[1:2]] for d in ds], docs)
    assert overlapping == [[(0, 3), (2, 3)], [(0, 3), (2, 3)]]
