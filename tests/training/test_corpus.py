"""heron.Corpus.v1 over DocBin files written in tmp."""
import pytest

from heron.errors import HeronValueError
from heron.registry import registry
from heron.tokens import Doc, DocBin
from heron.training import Corpus


def _write(path, vocab, docs_words):
    docs = []
    for words in docs_words:
        n = len(words)
        starts = [w[0].isupper() for w in words]
        docs.append(Doc(vocab, words=words, tags=["T"] * n, sent_starts=starts))
    DocBin(docs=docs).to_disk(path)


@pytest.fixture
def corpus_dir(tmp_path, en_vocab):
    _write(tmp_path / "a.heron", en_vocab, [["Hello", "there", "."], ["Cats", "can't", "fly", "."]])
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "b.heron", en_vocab, [["One", "two", ".", "Three", "four", "five", "."]])
    return tmp_path


def test_reads_folder_and_retokenizes(nlp, corpus_dir):
    corpus = registry.resolve({"c": {"@readers": "heron.Corpus.v1", "path": str(corpus_dir)}})["c"]
    examples = list(corpus(nlp))
    assert len(examples) == 3
    eg = examples[1]
    # predicted = heron's tokenizer over the gold text; reference keeps gold tokens.
    assert eg.reference.words == ["Cats", "can't", "fly", "."]
    assert eg.predicted.words == nlp.make_doc(eg.reference.text).words
    assert not eg.predicted.has_annotation("TAG")
    assert eg.get_aligned("TAG")[0] == "T"


def test_single_file_limit_and_gold_preproc(nlp, corpus_dir):
    assert len(list(Corpus(corpus_dir / "a.heron", limit=1)(nlp))) == 1
    gold = list(Corpus(corpus_dir / "sub" / "b.heron", gold_preproc=True)(nlp))
    # gold_preproc: gold tokens, split into gold sentences
    assert [eg.predicted.words for eg in gold] == [["One", "two", "."], ["Three", "four", "five", "."]]


def test_max_length_splits_and_skips(nlp, corpus_dir, en_vocab, tmp_path):
    corpus = Corpus(corpus_dir / "sub" / "b.heron", max_length=3)
    with pytest.warns(UserWarning, match="W501"):
        examples = list(corpus(nlp))
    assert [eg.reference.words for eg in examples] == [["One", "two", "."]]  # 4-token sentence skipped
    assert corpus.n_skipped == 1
    # without sentence boundaries an over-long Doc is skipped, with a warning
    DocBin(docs=[Doc(en_vocab, words=["a", "b", "c", "d"])]).to_disk(tmp_path / "nosent.heron")
    corpus = Corpus(tmp_path / "nosent.heron", max_length=2)
    with pytest.warns(UserWarning, match="W501"):
        assert list(corpus(nlp)) == []


def test_shuffle_keeps_all(nlp, corpus_dir):
    texts = sorted(eg.text for eg in Corpus(corpus_dir, shuffle=True)(nlp))
    assert texts == sorted(eg.text for eg in Corpus(corpus_dir)(nlp))


def test_errors_name_the_path(tmp_path):
    with pytest.raises(HeronValueError, match="E506.*missing.heron"):
        Corpus(tmp_path / "missing.heron")
    (tmp_path / "empty").mkdir()
    with pytest.raises(HeronValueError, match="E507"):
        Corpus(tmp_path / "empty")
    with pytest.raises(HeronValueError, match="E508"):
        Corpus(None)
    bad = tmp_path / "bad.heron"
    bad.write_text("not a docbin")
    corpus = Corpus(bad)
    with pytest.raises(HeronValueError, match="bad.heron"):
        list(corpus(type("N", (), {"vocab": None, "make_doc": None})()))
