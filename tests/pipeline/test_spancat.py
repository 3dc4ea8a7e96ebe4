"""spancat / spancat_singlelabel: suggesters, the batched span model, training on overlapping
spans, threshold and max_positive, empty and short Docs, labels without gold, saving.

The contract row (every trunk kind, save/reload) is in test_contract.py; span_ruler is in
test_span_ruler.py. Data is written here (never read from ../shared/data).
"""
from __future__ import annotations

import warnings
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.language import Language
from heron.nn.spancat import pool_spans
from heron.pipeline._suggesters import (
    build_ngram_range_suggester,
    build_ngram_suggester,
    build_noun_chunk_suggester,
    build_preset_spans_suggester,
    check_suggestions,
)
from heron.tokens import Doc, Span
from heron.training.example import Example

from fakes import WIDTH, fresh_examples, train, trunk_model

# (text, [(start, end, label)]): nested and overlapping spans, one span with two labels.
SPANS = [
    ("Alice Smith lives in New York City .", [(0, 2, "PER"), (4, 7, "LOC"), (4, 6, "CITY")]),
    ("Bob visited Paris in May .", [(0, 1, "PER"), (2, 3, "LOC"), (2, 3, "CITY"), (4, 5, "DATE")]),
    ("The weather was nice .", []),
    ("Carol met Dave Jones in Rome .", [(0, 1, "PER"), (2, 4, "PER"), (5, 6, "LOC"), (5, 6, "CITY")]),
    ("In June Eve flew to Oslo .", [(1, 2, "DATE"), (2, 3, "PER"), (5, 6, "CITY")]),
]
SMALL_MODEL = {"@architectures": "heron.SpanCategorizer.v1",
               "reducer": {"@layers": "heron.mean_max_reducer.v1", "hidden_size": 32},
               "scorer": {"@layers": "heron.LinearLogistic.v1"}}


def spancat_examples(nlp: Language, data: Sequence[Tuple[str, list]] = SPANS, key: str = "sc") -> List[Example]:
    """Examples whose reference Docs hold the gold spans under doc.spans[key]."""
    out = []
    for text, spans in data:
        predicted = nlp.make_doc(text)
        reference = Doc(nlp.vocab, words=predicted.words, spaces=predicted.spaces)
        reference.spans[key] = [Span(reference, s, e, label=label) for s, e, label in spans]
        out.append(Example(predicted, reference))
    return out


def spans_of(doc: Any, key: str = "sc") -> List[Tuple[int, int, str]]:
    return sorted((s.start, s.end, s.label_) for s in doc.spans[key]) if key in doc.spans else []


def make_spancat(factory: str = "spancat", **config: Any) -> Language:
    model = dict(SMALL_MODEL, tok2vec=trunk_model(WIDTH))
    if factory == "spancat_singlelabel":
        model["scorer"] = {"@layers": "heron.SpanSoftmax.v1"}
    nlp = heron.blank("en")
    nlp.add_pipe(factory, name="spancat", config={"model": model, **config})
    return nlp


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(0)
    nlp = make_spancat()
    examples = spancat_examples(nlp)
    nlp.initialize(lambda: examples)
    losses = train(nlp, examples, steps=60)
    return nlp, examples, losses


# ---- suggesters -------------------------------------------------------------------------
def _docs(*lengths: int) -> List[Doc]:
    vocab = heron.blank("en").vocab
    return [Doc(vocab, words=[f"w{i}" for i in range(n)]) for n in lengths]


def test_ngram_suggester_matches_spacy_order_and_skips_sizes_longer_than_the_doc():
    out = build_ngram_suggester(sizes=[1, 3])(_docs(4, 2, 0))
    assert out[0].tolist() == [[0, 1], [1, 2], [2, 3], [3, 4], [0, 3], [1, 4]]
    assert out[1].tolist() == [[0, 1], [1, 2]]  # size 3 doesn't fit in 2 tokens
    assert out[2].shape == (0, 2) and out[0].dtype == np.int64


def test_ngram_range_suggester_is_the_ngram_suggester_of_the_range():
    docs = _docs(5, 1)
    got = build_ngram_range_suggester(min_size=2, max_size=4)(docs)
    want = build_ngram_suggester(sizes=[2, 3, 4])(docs)
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
    assert got[1].shape == (0, 2)


@pytest.mark.parametrize("build,kwargs,arg", [
    (build_ngram_suggester, {"sizes": []}, "sizes"),
    (build_ngram_suggester, {"sizes": [0, 1]}, "sizes"),
    (build_ngram_range_suggester, {"min_size": 3, "max_size": 2}, "max_size"),
    (build_ngram_range_suggester, {"min_size": 0, "max_size": 2}, "min_size"),
    (build_preset_spans_suggester, {"spans_key": ""}, "spans_key"),
])
def test_bad_suggester_settings_are_coded_errors(build, kwargs, arg):
    with pytest.raises(HeronValueError, match=rf"\[E982\].*{arg}.*Fix:"):
        build(**kwargs)


def test_preset_spans_suggester_reads_a_group_once_per_span():
    doc, other = _docs(5, 3)
    doc.spans["cands"] = [doc[1:3], doc[0:1], Span(doc, 1, 3, label="X")]
    got = build_preset_spans_suggester(spans_key="cands")([doc, other])
    assert got[0].tolist() == [[1, 3], [0, 1]]  # the same span twice is one candidate
    assert got[1].shape == (0, 2)  # no such key: nothing suggested


def test_noun_chunk_suggester_needs_a_parse():
    vocab = heron.blank("en").vocab
    parsed = Doc(vocab, words=["The", "big", "dog", "barked"], heads=[2, 2, 3, 3],
                 deps=["det", "amod", "nsubj", "ROOT"], pos=["DET", "ADJ", "NOUN", "VERB"])
    suggest = build_noun_chunk_suggester()
    assert suggest([parsed, Doc(vocab, words=[])])[0].tolist() == [[0, 3]]
    with pytest.raises(HeronValueError, match=r"\[E983\].*parser"):
        suggest([Doc(vocab, words=["no", "parse"])])


@pytest.mark.parametrize("bad,detail", [
    ([np.array([[0, 1]])], "1 items for 2 Docs"),
    ([np.array([[0, 1]]), np.array([[1, 1]])], r"the span \(1, 1\) for Doc 1"),
    ([np.array([[0, 9]]), np.zeros((0, 2))], r"the span \(0, 9\) for Doc 0"),
    ([np.array([0.0, 1.0]), np.zeros((0, 2))], "shape"),
])
def test_suggester_output_is_checked(bad, detail):
    with pytest.raises(HeronValueError, match=rf"\[E981\].*{detail}"):
        check_suggestions("spancat", _docs(3, 2), bad)


def test_a_ragged_suggester_output_is_accepted():
    class Ragged:  # what spaCy suggesters return: (total, 2) data + per-Doc lengths
        dataXd = np.array([[0, 1], [0, 2], [1, 2]], dtype=np.int32)
        lengths = np.array([2, 0, 1], dtype=np.int32)

    out = check_suggestions("spancat", _docs(2, 0, 2), Ragged())
    assert [o.tolist() for o in out] == [[[0, 1], [0, 2]], [], [[1, 2]]]


# ---- the model --------------------------------------------------------------------------
def test_pool_spans_is_last_first_mean_max_with_gradients():
    X = torch.randn(12, 5, requires_grad=True)
    starts, ends = torch.tensor([0, 3, 7, 11]), torch.tensor([1, 7, 9, 12])
    got = pool_spans(X, starts, ends)
    want = torch.stack([torch.cat([X[e - 1], X[s], X[s:e].mean(0), X[s:e].max(0).values])
                        for s, e in zip(starts.tolist(), ends.tolist())])
    assert torch.allclose(got, want)
    got.sum().backward()
    assert X.grad is not None and X.grad[10].abs().sum() == 0  # row 10 is in no span
    assert pool_spans(X, starts[:0], ends[:0]).shape == (0, 20)


# ---- training and prediction --------------------------------------------------------------
def test_learns_overlapping_and_nested_spans(trained):
    nlp, examples, losses = trained
    assert losses["spancat"] < 0.1, losses
    assert nlp.get_pipe("spancat").labels == ("CITY", "DATE", "LOC", "PER")
    docs = list(nlp.pipe([eg.reference.text for eg in examples]))
    assert [spans_of(d) for d in docs] == [sorted(spans) for _, spans in SPANS]
    group = docs[0].spans["sc"]
    assert group.name == "sc" and len(group.attrs["scores"]) == len(group)
    assert all(0.5 <= s <= 1.0 for s in group.attrs["scores"])
    scores = nlp.get_pipe("spancat").score([Example(d, eg.reference) for d, eg in zip(docs, examples)])
    nothing = nlp.get_pipe("spancat").score(fresh_examples(nlp, examples))  # Docs never annotated
    assert nothing["spans_sc_r"] == nothing["spans_sc_f"] == 0.0
    assert scores["spans_sc_f"] == scores["spans_sc_p"] == scores["spans_sc_r"] == 1.0
    assert set(scores["spans_sc_per_type"]) == {"CITY", "DATE", "LOC", "PER"}


def test_predict_is_pure_and_independent_of_the_batch(trained):
    nlp, examples, _ = trained
    spancat = nlp.get_pipe("spancat")
    docs = [nlp.make_doc(eg.reference.text) for eg in examples]
    candidates, probs = spancat.predict(docs)
    assert all("sc" not in d.spans for d in docs)  # predict never writes
    alone = spancat.predict(docs[1:2])[1]
    start = len(candidates[0])
    assert np.allclose(probs[start:start + len(candidates[1])], alone, atol=1e-5)


def test_threshold_and_max_positive(trained):
    nlp, examples, _ = trained
    spancat = nlp.get_pipe("spancat")
    text = examples[0].reference.text  # "New York City" is LOC, "New York" CITY
    cfg = dict(spancat.cfg)
    try:
        default = nlp(text)
        scores = default.spans["sc"].attrs["scores"]
        spancat.cfg["threshold"] = min(scores) + 1e-6  # drops the least sure span
        sure = nlp(text)
        assert set(spans_of(sure)) < set(spans_of(default)) and len(sure.spans["sc"]) == len(scores) - 1
        assert all(score >= spancat.cfg["threshold"] for score in sure.spans["sc"].attrs["scores"])
        spancat.cfg["threshold"] = 0.0  # every label of every candidate
        doc = nlp(text)
        n_candidates = len(spancat.suggest([doc])[0])
        assert len(doc.spans["sc"]) == n_candidates * len(spancat.labels)
        spancat.cfg["max_positive"] = 1  # ... but only the best label of each
        doc = nlp(text)
        assert len(doc.spans["sc"]) == n_candidates
        assert len({(s.start, s.end) for s in doc.spans["sc"]}) == n_candidates
    finally:
        spancat.cfg.update(cfg)
    # A span with two gold labels keeps both at max_positive = 2, only one at 1.
    paris = nlp(examples[1].reference.text)
    assert [(2, 3, "CITY"), (2, 3, "LOC")] == [s for s in spans_of(paris) if s[:2] == (2, 3)]
    spancat.cfg["max_positive"] = 1
    try:
        assert len([s for s in spans_of(nlp(examples[1].reference.text)) if s[:2] == (2, 3)]) == 1
    finally:
        spancat.cfg.update(cfg)


def test_empty_docs_and_docs_shorter_than_the_sizes(trained):
    nlp, examples, _ = trained
    spancat = nlp.get_pipe("spancat")
    texts = ["", "Bob", "   ", examples[1].reference.text]
    docs = list(nlp.pipe(texts))
    assert [len(d.spans["sc"]) for d in docs[:3]] == [0, len(docs[1].spans["sc"]), 0]
    assert spans_of(docs[3]) == sorted(SPANS[1][1])
    # A batch with nothing to score at all, predicted and trained.
    assert [len(d.spans["sc"]) for d in nlp.pipe(["", ""])] == [0, 0]
    empty = spancat_examples(nlp, [("", [])])
    assert nlp.update(empty)["spancat"] == 0.0
    sizes = spancat.suggester.sizes
    spancat.suggester.sizes = [9]  # longer than every doc: no candidates, no error
    try:
        assert [len(d.spans["sc"]) for d in nlp.pipe(texts)] == [0, 0, 0, 0]
        assert nlp.update(spancat_examples(nlp))["spancat"] == 0.0
    finally:
        spancat.suggester.sizes = sizes


def test_serialisation_round_trip(trained, tmp_path):
    nlp, examples, _ = trained
    texts = [eg.reference.text for eg in examples]
    before = [(spans_of(d), d.spans["sc"].attrs["scores"]) for d in nlp.pipe(texts)]
    nlp.to_disk(tmp_path / "model")
    assert (tmp_path / "model" / "spancat" / "model.safetensors").exists()
    loaded = heron.load(tmp_path / "model")
    assert loaded.get_pipe("spancat").labels == nlp.get_pipe("spancat").labels
    assert [(spans_of(d), d.spans["sc"].attrs["scores"]) for d in loaded.pipe(texts)] == before
    again = Language.from_config(nlp.config).from_bytes(nlp.to_bytes())
    assert [spans_of(again(t)) for t in texts] == [b[0] for b in before]
    # The predicted groups survive Doc serialisation (scores are plain floats).
    doc = nlp(texts[0])
    assert spans_of(Doc(nlp.vocab).from_bytes(doc.to_bytes())) == spans_of(doc)


def test_labels_without_gold_and_gold_labels_it_doesnt_know():
    torch.manual_seed(0)
    nlp = make_spancat()
    examples = spancat_examples(nlp)
    # DATE is not a label: its gold spans are ignored; NEVER has no gold span at all.
    nlp.initialize(lambda: examples)
    spancat = nlp.get_pipe("spancat")
    spancat.initialize(lambda: examples, labels=["CITY", "LOC", "NEVER", "PER"])
    assert spancat.labels == ("CITY", "LOC", "NEVER", "PER")
    train(nlp, examples, steps=60)
    docs = list(nlp.pipe([eg.reference.text for eg in examples]))
    want = [sorted(s for s in spans if s[2] != "DATE") for _, spans in SPANS]
    assert [spans_of(d) for d in docs] == want
    # A label added after training keeps what was learnt.
    spancat.add_label("NEW")
    assert [spans_of(d) for d in nlp.pipe([eg.reference.text for eg in examples])] == want


def test_reference_docs_without_the_key_are_not_annotated_negatives():
    nlp = make_spancat()
    examples = spancat_examples(nlp)
    nlp.initialize(lambda: examples)
    spancat = nlp.get_pipe("spancat")
    unannotated = Example(nlp.make_doc("Alice Smith lives in Oslo ."),
                          Doc(nlp.vocab, words="Alice Smith lives in Oslo .".split()))
    scores = spancat.forward_train([unannotated])
    assert float(spancat.get_loss([unannotated], scores).detach()) == 0.0
    assert float(spancat.get_loss(examples[:1], spancat.forward_train(examples[:1])).detach()) > 0.0


def test_initialize_errors_and_coverage_warning():
    nlp = make_spancat(spans_key="other")
    examples = spancat_examples(nlp)
    with pytest.raises(HeronValueError, match=r"\[E984\].*doc.spans\['other'\].*\['sc'\]"):
        nlp.initialize(lambda: examples)
    nlp = make_spancat(suggester={"@misc": "heron.ngram_suggester.v1", "sizes": [1, 2]})
    warning = r"\[W981\].*6 of the 7 gold spans.*'New York City' \(3 tokens\).*max_size = 3"
    with pytest.warns(UserWarning, match=warning):
        nlp.initialize(lambda: spancat_examples(nlp, SPANS[:2]))
    with pytest.raises(HeronValueError, match=r"\[E350\]"):
        make_spancat()("not initialized")


@pytest.mark.parametrize("config,code,key", [
    ({"threshold": 1.5}, "E980", "threshold"),
    ({"max_positive": 0}, "E980", "max_positive"),
    ({"spans_key": ""}, "E980", "spans_key"),
])
def test_bad_settings_are_coded_errors(config, code, key):
    with pytest.raises(HeronValueError, match=rf"\[{code}\].*\[components.spancat\] {key}.*Fix:"):
        make_spancat(**config)


def test_a_softmax_scorer_in_spancat_is_refused():
    model = dict(SMALL_MODEL, tok2vec=trunk_model(WIDTH), scorer={"@layers": "heron.SpanSoftmax.v1"})
    with pytest.raises(HeronValueError, match=r"\[E985\].*heron.LinearLogistic.v1"):
        heron.blank("en").add_pipe("spancat", config={"model": model})


# ---- spancat_singlelabel ------------------------------------------------------------------
SINGLE = [(text, [s for s in spans if s[2] != "CITY"]) for text, spans in SPANS]


def test_singlelabel_learns_and_can_forbid_overlaps():
    torch.manual_seed(0)
    nlp = make_spancat("spancat_singlelabel")
    examples = spancat_examples(nlp, SINGLE)
    nlp.initialize(lambda: examples)
    spancat = nlp.get_pipe("spancat")
    assert spancat.model.nO == len(spancat.labels) + 1  # + the negative label
    train(nlp, examples, steps=60)
    texts = [eg.reference.text for eg in examples]
    assert [spans_of(d) for d in nlp.pipe(texts)] == [sorted(s) for _, s in SINGLE]
    # allow_overlap = false: "New York City" (LOC) and "New York" can't both be kept.
    spancat.cfg["allow_overlap"] = False
    for doc in nlp.pipe(texts):
        taken: Dict[int, int] = {}
        for span in doc.spans["sc"]:
            assert not any(i in taken for i in range(span.start, span.end))
            taken.update((i, 1) for i in range(span.start, span.end))
    spancat.cfg["allow_overlap"] = True
    # A new label keeps the negative label last and the predictions unchanged.
    spancat.add_label("ZZZ")
    assert spancat.model.nO == len(spancat.labels) + 1
    assert [spans_of(d) for d in nlp.pipe(texts)] == [sorted(s) for _, s in SINGLE]


def test_set_candidates_writes_the_suggestions(trained):
    nlp, _, _ = trained
    doc = nlp.make_doc("Bob visited Paris")
    nlp.get_pipe("spancat").set_candidates([doc])
    assert [(s.start, s.end) for s in doc.spans["candidates"]] == [
        (0, 1), (1, 2), (2, 3), (0, 2), (1, 3), (0, 3)]


def test_no_warning_when_the_suggester_covers_the_gold():
    nlp = make_spancat()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nlp.initialize(lambda: spancat_examples(nlp))


def test_a_scorer_input_width_that_differs_from_the_reducer_is_refused():
    model = dict(SMALL_MODEL, tok2vec=trunk_model(WIDTH), scorer={"@layers": "heron.LinearLogistic.v1", "nI": 7})
    with pytest.raises(HeronValueError, match=r"\[E152\].*nI.*32"):
        heron.blank("en").add_pipe("spancat", config={"model": model})
