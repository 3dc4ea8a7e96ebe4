"""nlp.pipe(n_process=2): same Docs, same order as n_process=1, for fork and spawn."""
import multiprocessing
import os

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


@Language.component("test_mp_exit_on_die")
def exit_on_die(doc):
    if doc.text == "die":
        os._exit(3)  # a crash no handler can catch (like the OOM killer)
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


BOOM_TEXTS = ["fine 0", "fine 1", "a boom here", "fine 3", "boom again", "fine 5"]


def _boom_nlp(handler=None):
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("test_mp_fail_on_boom")
    if handler is not None:
        nlp.set_error_handler(handler)
    return nlp


def _consume(stream):
    """(texts yielded before the stream raised, the error or None)."""
    out = []
    try:
        for doc in stream:
            out.append(doc.text)
    except HeronError as e:
        return out, e
    return out, None


@pytest.mark.parametrize("n_process", [1, 2])
def test_failing_document_is_named_and_the_ones_before_it_are_yielded(n_process):
    nlp = _boom_nlp()
    method = "fork" if available("fork") else None
    texts, error = _consume(nlp.pipe(BOOM_TEXTS, batch_size=2, n_process=n_process, start_method=method))
    assert texts == ["fine 0", "fine 1"]
    message = str(error)
    assert message.startswith("[E040]") and "document 2 of the stream ('a boom here')" in message
    assert "'test_mp_fail_on_boom'" in message and "ValueError: boom found" in message
    if n_process == 1:
        assert isinstance(error.__cause__, ValueError)  # the original, with its traceback


def test_failure_message_is_the_same_with_workers():
    method = "fork" if available("fork") else None
    results = [_consume(_boom_nlp().pipe(BOOM_TEXTS, batch_size=4, n_process=n, start_method=method))
               for n in (1, 2)]
    assert [(texts, str(e)) for texts, e in results[:1]] == [(texts, str(e)) for texts, e in results[1:]]


@pytest.mark.parametrize("n_process", [1, 2])
def test_ignore_error_keeps_every_other_document(n_process):
    from heron.pipeline import ignore_error

    nlp = _boom_nlp(ignore_error)
    method = "fork" if available("fork") else None
    docs = list(nlp.pipe(BOOM_TEXTS, batch_size=4, n_process=n_process, start_method=method))
    assert [d.text for d in docs] == ["fine 0", "fine 1", "fine 3", "fine 5"]
    # the good documents of a failing batch ran through every component all the same
    assert all(d.has_annotation("SENT_START") for d in docs)


def test_custom_handler_sees_the_same_calls_with_workers():
    method = "fork" if available("fork") else None
    calls = {}
    for n in (1, 2):
        seen = calls[n] = []

        def record(name, proc, docs, error, seen=seen):
            seen.append((name, type(proc).__name__, [d.text for d in docs],
                         [d.has_annotation("SENT_START") for d in docs], str(error)))

        items = BOOM_TEXTS[:3] + [42] + BOOM_TEXTS[3:]  # 42: not a text, the tokenizer fails
        out = [d.text for d in _boom_nlp(record).pipe(items, batch_size=3, n_process=n, start_method=method)]
        assert out == ["fine 0", "fine 1", "fine 3", "fine 5"]
    assert calls[1] == calls[2]
    (boom, not_text, boom_again) = calls[1]
    assert boom[:4] == ("test_mp_fail_on_boom", "function", ["a boom here"], [True])
    assert not_text[0] == "tokenizer" and not_text[2] == [] and "document 3 of the stream (a int)" in not_text[4]
    assert "[E313]" in not_text[4] and "document 5 of the stream ('boom again')" in boom_again[4]


def test_worker_that_dies_is_reported():
    nlp = heron.blank("en")
    nlp.add_pipe("test_mp_exit_on_die")
    method = "fork" if available("fork") else None
    with pytest.raises(HeronError, match=r"(?s)^\[E321\].*exited with code 3"):
        list(nlp.pipe(["fine", "die", "fine"], batch_size=1, n_process=2, start_method=method))


def test_empty_input(mp_nlp):
    assert list(mp_nlp.pipe([], n_process=2)) == []
