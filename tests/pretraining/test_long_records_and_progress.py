"""Issue 15 items 6 and 7 for `heron pretrain`: one huge record never ends a run (it is skipped
and counted, W802), and a run whose stderr isn't a terminal prints progress lines."""
import io
import json
import warnings

import pytest
from confection import Config

import heron
from heron.errors import HeronWarning
from heron.pretraining import loop as pretrain_loop
from heron.pretraining import pretrain
from heron.pretraining.corpus import JsonlCorpus

WORDS = "we walked along the shore and watched ships sail past old stone towers".split()


def _records(n):
    return [" ".join(WORDS[(i + k) % len(WORDS)] for k in range(6 + i % 5)) + "." for i in range(n)]


def _write_jsonl(path, texts):
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf8")
    return path


def _read(corpus, nlp):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts = [eg.predicted.text for eg in corpus(nlp)]
    return texts, [str(w.message) for w in caught if issubclass(w.category, HeronWarning)]


def test_a_text_over_nlp_max_length_is_skipped_and_counted(tmp_path):
    nlp = heron.blank("en")
    nlp.max_length = 40
    texts = ["A short one here.", "x " * 30, "Another short text."]
    texts_read, messages = _read(JsonlCorpus(_write_jsonl(tmp_path / "raw.jsonl", texts)), nlp)
    assert texts_read == [texts[0], texts[2]]  # no E314: the run goes on
    assert len(messages) == 1 and "[W802]" in messages[0]
    assert "skipped 1 of 3 documents" in messages[0] and "nlp.max_length = 40 characters" in messages[0]


def test_texts_over_max_length_tokens_are_counted_too(tmp_path):
    nlp = heron.blank("en")
    texts = ["one two", "one two three four five six", "one two three four five six seven"]
    corpus = JsonlCorpus(_write_jsonl(tmp_path / "raw.jsonl", texts), max_length=4)
    texts_read, messages = _read(corpus, nlp)
    assert texts_read == ["one two"]
    assert "skipped 2 of 3 documents" in messages[0] and "2 longer than max_length = 4 tokens" in messages[0]
    again, messages = _read(corpus, nlp)  # the next epoch reads the same texts: no second warning
    assert again == texts_read and messages == []


def test_no_warning_when_nothing_is_too_long(tmp_path):
    nlp = heron.blank("en")
    _, messages = _read(JsonlCorpus(_write_jsonl(tmp_path / "raw.jsonl", _records(5)), max_length=50), nlp)
    assert messages == []


def _config(raw_path):
    return Config({
        "paths": {"raw_text": str(raw_path)},
        "nlp": {"lang": "en", "pipeline": ["tok2vec"]},
        "components": {"tok2vec": {"factory": "tok2vec", "model": {
            "@architectures": "heron.HashEmbedCNN.v1", "width": 16, "depth": 1, "embed_size": 100,
            "window_size": 1, "maxout_pieces": 2, "subword_features": True, "pretrained_vectors": None}}},
        "corpora": {"pretrain": {"@readers": "heron.JsonlCorpus.v1", "path": "${paths.raw_text}",
                                 "min_length": 1, "max_length": 0}},
        "pretraining": {"max_epochs": 1, "dropout": 0.0,
                        "objective": {"@architectures": "heron.PretrainCharacters.v1", "maxout_pieces": 2,
                                      "hidden_size": 16, "n_characters": 2},
                        "batcher": {"@batchers": "heron.batch_by_words.v1", "size": 40, "tolerance": 0.2,
                                    "discard_oversize": False}},
    })


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_pretraining_goes_on_past_a_huge_record(tmp_path):
    texts = _records(10)
    texts.insert(5, "word " * 200_001)  # 1,000,005 characters: over nlp.max_length (10**6)
    raw = _write_jsonl(tmp_path / "raw.jsonl", texts)
    with pytest.warns(HeronWarning, match=r"W802.*skipped 1 of 11 documents"):
        last = pretrain(_config(raw), tmp_path / "out", stdout=io.StringIO(), stderr=io.StringIO())
    assert last.exists() and (tmp_path / "out" / "model0.safetensors").exists()


def test_progress_lines_when_stderr_is_not_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrain_loop, "LOG_EVERY", 2)
    raw = _write_jsonl(tmp_path / "raw.jsonl", _records(40))
    stdout, stderr = io.StringIO(), io.StringIO()
    pretrain(_config(raw), tmp_path / "out", stdout=stdout, stderr=stderr)
    lines = [line for line in stdout.getvalue().splitlines() if line.startswith("epoch 0")]
    steps = [int(line.split()[3]) for line in lines if "saved" not in line]
    assert steps[:2] == [2, 4] and all("words" in line and "loss" in line for line in lines)
    assert stderr.getvalue() == ""  # no bar written to a file

    stdout, stderr = io.StringIO(), _Terminal()
    pretrain(_config(raw), tmp_path / "out2", stdout=stdout, stderr=stderr)
    assert "words" in stderr.getvalue()  # the bar
    assert all("saved" in line for line in stdout.getvalue().splitlines() if line.startswith("epoch"))
