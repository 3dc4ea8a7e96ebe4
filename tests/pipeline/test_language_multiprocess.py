"""nlp.pipe(n_process=2): same Docs, same order as n_process=1, for fork and spawn."""
import multiprocessing

import pytest

import heron
from heron.errors import HeronError
from heron.language import Language
from heron.pipeline import Pipe


class Stateful(Pipe):
    """State set after construction: lost unless workers load nlp.to_bytes()."""

    def __init__(self, name):
        super().__init__(name, marker="")

    def __call__(self, doc):
        for token in doc:
            if token.is_title:
                token.lemma_ = self.cfg["marker"] + token.lower_
        doc.user_data["seen_by"] = self.name
        return doc


@Language.factory("test_mp_stateful")
def make_stateful(nlp, name):
    return Stateful(name)


@Language.component("test_mp_fail_on_boom")
def fail_on_boom(doc):
    if "boom" in doc.text:
        raise ValueError("boom found")
    return doc


def signature(doc):
    return (doc.text, [t.lemma_ for t in doc], [t.is_sent_start for t in doc],
            [(e.start, e.end, e.label_) for e in doc.ents], doc.user_data.get("seen_by"))


@pytest.fixture(scope="module")
def mp_nlp():
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Heron"},
                        {"label": "NUM", "pattern": [{"LIKE_NUM": True}]}])
    nlp.add_pipe("test_mp_stateful", name="stateful").cfg["marker"] = "*"
    return nlp


TEXTS = [f"Text {i} from Heron. Next sentence {i * 7}!" for i in range(40)]


def available(method):
    return method in multiprocessing.get_all_start_methods()


@pytest.mark.parametrize("start_method", [
    pytest.param(m, marks=pytest.mark.skipif(not available(m), reason=f"no {m}"))
    for m in ("fork", "spawn")
])
def test_same_results_as_single_process(mp_nlp, start_method):
    expected = [signature(d) for d in mp_nlp.pipe(TEXTS, batch_size=3)]
    assert expected[0][1][0] == "*text"  # the stateful component ran
    docs = list(mp_nlp.pipe(TEXTS, batch_size=3, n_process=2, start_method=start_method))
    assert [signature(d) for d in docs] == expected
    assert all(d.vocab is mp_nlp.vocab for d in docs)  # Docs come back in the caller's vocab


def test_as_tuples_docs_and_unpicklable_context(mp_nlp):
    method = "fork" if available("fork") else None
    contexts = [lambda: i for i in range(len(TEXTS))]  # lambdas can't be pickled
    pairs = list(mp_nlp.pipe(zip(TEXTS, contexts), as_tuples=True, batch_size=5, n_process=2,
                             start_method=method))
    assert [d.text for d, _ in pairs] == TEXTS
    assert [c for _, c in pairs] == contexts
    docs = [mp_nlp.make_doc(t) for t in TEXTS[:6]]
    out = list(mp_nlp.pipe(docs, batch_size=2, n_process=2, start_method=method))
    assert [signature(d) for d in out] == [signature(mp_nlp(t)) for t in TEXTS[:6]]


def test_worker_error_is_reported(mp_nlp):
    nlp = heron.blank("en")
    nlp.add_pipe("test_mp_fail_on_boom")
    method = "fork" if available("fork") else None
    with pytest.raises(HeronError) as e:
        list(nlp.pipe(["fine", "a boom here", "fine"], batch_size=1, n_process=2,
                      start_method=method))
    assert str(e.value).startswith("[E321]") and "boom found" in str(e.value)


def test_empty_input(mp_nlp):
    assert list(mp_nlp.pipe([], n_process=2)) == []
