"""trainable_lemmatizer (heron/pipeline/trainable_lemmatizer.py): labels as spaCy's (with
case_script = false), partial gold, top_k fallback, backoff, overwrite, label_data, settings
errors, init config; case scripts (heron's default).
Its contract row (overfit, save, reload, every trunk kind) is in test_contract.py."""
from __future__ import annotations

from typing import List

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.language import Language
from heron.pipeline.trainable_lemmatizer import NO_TREE
from heron.tokens import Doc
from heron.training.example import Example

from fakes import WIDTH, train, trunk_model

# Hand-written (form, lemma) sentences: suffix rules, irregulars, a changed prefix case.
LEMMAS = [
    ("The cats were sitting on mats .", "the cat be sit on mat ."),
    ("She walked home and jumped .", "she walk home and jump ."),
    ("Dogs barked at geese .", "dog bark at goose ."),
    ("He is reading better books .", "he be read good book ."),
    ("Birds sang in trees .", "bird sing in tree ."),
]
# spaCy 3.8's tests/pipeline/test_edit_tree_lemmatizer.py data.
SPACY_DATA = [("She likes green eggs", ["she", "like", "green", "egg"]), ("Eat blue ham", ["eat", "blue", "ham"])]


def lemma_examples(nlp: Language, data=LEMMAS) -> List[Example]:
    out = []
    for text, lemmas in data:
        doc = nlp.make_doc(text)
        lemmas = lemmas.split() if isinstance(lemmas, str) else lemmas
        ref = Doc(nlp.vocab, words=doc.words, spaces=doc.spaces, lemmas=lemmas)
        out.append(Example(doc, ref))
    return out


def make_nlp(**config) -> Language:
    """spaCy's case-sensitive trees unless the test asks for case_script."""
    config.setdefault("case_script", False)
    nlp = heron.blank("en")
    model = {"@architectures": "heron.Tagger.v1", "nO": None, "tok2vec": trunk_model(WIDTH)}
    nlp.add_pipe("trainable_lemmatizer", config={"model": model, **config})
    return nlp


def test_labels_and_trees_as_spacy():
    """Same data, same tree ids and label_data as spaCy 3.8's test_initialize_from_labels."""
    nlp = make_nlp(min_tree_freq=1)
    nlp.initialize(lambda: lemma_examples(nlp, SPACY_DATA))
    lemmatizer = nlp.get_pipe("trainable_lemmatizer")
    assert lemmatizer.labels == (1, 3, 4, 6)
    other = make_nlp()
    other.get_pipe("trainable_lemmatizer").initialize(labels=lemmatizer.label_data)
    assert other.get_pipe("trainable_lemmatizer").label_data == lemmatizer.label_data


def test_min_tree_freq_keeps_frequent_trees_only():
    nlp = make_nlp(min_tree_freq=3)
    nlp.initialize(lambda: lemma_examples(nlp))
    lemmatizer = nlp.get_pipe("trainable_lemmatizer")
    names = [lemmatizer.trees.tree_to_str(t) for t in lemmatizer.labels]
    # first-seen order; "The" -> "the" (once) and the irregulars are rarer than 3
    assert names == ["(m 0 1 () (s 's' ''))", "(m 0 0 () ())", "(m 0 2 () (s 'ed' ''))"]
    assert lemmatizer.model.nO == len(lemmatizer.labels)


def test_no_lemmas_is_e933():
    nlp = make_nlp()
    examples = [Example.from_dict(nlp.make_doc("No lemmas here"), {"tags": ["DT", "NNS", "RB"]})]
    with pytest.raises(HeronValueError, match="E933.*no lemmas"):
        nlp.initialize(lambda: examples)
    with pytest.raises(HeronValueError, match="E933.*none seen 50"):
        make_nlp(min_tree_freq=50).initialize(lambda: lemma_examples(nlp))


def test_partial_and_misaligned_gold_is_ignored_by_the_loss():
    nlp = make_nlp(min_tree_freq=1)
    doc = nlp.make_doc("He hates green eggs")
    partial = Doc(nlp.vocab, words=["He", "hat", "es", "green", "eggs"], spaces=[True, False, True, True, False],
                  lemmas=["", "hat", "e", "green", ""])
    examples = [Example(doc, partial)] + lemma_examples(nlp, SPACY_DATA)
    nlp.initialize(lambda: examples)
    lemmatizer = nlp.get_pipe("trainable_lemmatizer")
    targets = lemmatizer._targets(examples[:1], (1, 4), "cpu")
    assert targets[0].tolist()[:3] == [-100, -100, lemmatizer.labels.index(lemmatizer.trees.find("green", "green"))]
    assert targets[0, 3] == -100


@pytest.mark.parametrize("top_k", [1, 5, 30])
def test_overfits_and_reloads(top_k, tmp_path):
    torch.manual_seed(0)
    nlp = make_nlp(min_tree_freq=1, top_k=top_k)
    examples = lemma_examples(nlp)
    nlp.initialize(lambda: examples)
    assert train(nlp, examples, steps=40)["trainable_lemmatizer"] < 0.01
    docs = list(nlp.pipe([text for text, _ in LEMMAS]))
    assert [" ".join(t.lemma_ for t in doc) for doc in docs] == [lemmas for _, lemmas in LEMMAS]
    nlp.to_disk(tmp_path / "p")
    loaded = heron.load(tmp_path / "p")
    assert [t.lemma_ for t in loaded("She walked home")] == ["she", "walk", "home"]


def _fixed(nlp: Language, logits: List[List[float]], words: List[str], **cfg):
    """Predictions of a lemmatizer with two trees (identity; "xyz" -> "a") for these logits."""
    lemmatizer = nlp.get_pipe("trainable_lemmatizer")
    lemmatizer.cfg.update(cfg)
    doc = Doc(nlp.vocab, words=words)
    scores = torch.tensor(logits), torch.ones(1, len(words), dtype=torch.bool)  # (N, nO), (B, T)
    return doc, lemmatizer._predictions([doc], scores)


def _two_tree_nlp(**config) -> Language:
    nlp = make_nlp(**config)
    lemmatizer = nlp.get_pipe("trainable_lemmatizer")
    lemmatizer.initialize(labels={"trees": [{"prefix_len": 0, "suffix_len": 0, "prefix_tree": 2 ** 32 - 1,
                                             "suffix_tree": 2 ** 32 - 1}, {"orig": "xyz", "subst": "a"}],
                                  "labels": [1, 0]})
    return nlp


def test_top_k_falls_back_to_the_next_tree_that_fits():
    nlp = _two_tree_nlp()
    lemmatizer = nlp.get_pipe("trainable_lemmatizer")
    logits = [[5.0, 1.0], [5.0, 1.0]]  # "xyz" -> "a" preferred for both tokens
    doc, preds = _fixed(nlp, logits, ["xyz", "Cats"], top_k=1)
    assert preds[0].tolist() == [1, NO_TREE]
    lemmatizer.set_annotations([doc], preds)
    assert [t.lemma_ for t in doc] == ["a", "Cats"]  # backoff "orth"
    doc, preds = _fixed(nlp, logits, ["xyz", "Cats"], top_k=2)
    assert preds[0].tolist() == [1, 0]


@pytest.mark.parametrize("backoff, lemma", [("orth", "Cats"), ("lower", "cats"), ("norm", "cats"), (None, "")])
def test_backoff(backoff, lemma):
    nlp = _two_tree_nlp(backoff=backoff)
    doc, preds = _fixed(nlp, [[5.0, 1.0]], ["Cats"])
    nlp.get_pipe("trainable_lemmatizer").set_annotations([doc], preds)
    assert doc[0].lemma_ == lemma


@pytest.mark.parametrize("overwrite", [False, True])
def test_overwrite(overwrite):
    nlp = _two_tree_nlp(overwrite=overwrite, backoff=None)
    doc, preds = _fixed(nlp, [[5.0, 1.0], [5.0, 1.0]], ["xyz", "Cats"])
    doc[0].lemma_ = "kept"
    doc[1].lemma_ = "set earlier"
    nlp.get_pipe("trainable_lemmatizer").set_annotations([doc], preds)
    # token 1 gets no lemma (no tree fits, no backoff): it keeps its own either way
    assert [t.lemma_ for t in doc] == ["a" if overwrite else "kept", "set earlier"]


@pytest.mark.parametrize("key, value", [("backoff", "shape"), ("top_k", 0), ("min_tree_freq", -1)])
def test_bad_settings_are_e931(key, value):
    with pytest.raises(Exception, match=f"E931.*{key}"):
        make_nlp(**{key: value})


def test_add_label_and_bad_label_data():
    nlp = make_nlp()
    lemmatizer = nlp.get_pipe("trainable_lemmatizer")
    with pytest.raises(HeronValueError, match="E932"):
        lemmatizer.add_label("x")
    with pytest.raises(HeronValueError, match="E934.*labels"):
        lemmatizer.initialize(labels=[1, 2])
    with pytest.raises(HeronValueError, match="E934.*not ids"):
        lemmatizer.initialize(labels={"trees": [{"orig": "a", "subst": "b"}], "labels": [0, 3]})


def test_empty_docs_and_scores():
    nlp = make_nlp(min_tree_freq=1)
    examples = lemma_examples(nlp)
    nlp.initialize(lambda: examples)
    assert len(nlp("")) == 0
    scores = nlp.get_pipe("trainable_lemmatizer").score(
        [Example(nlp(eg.reference.text), eg.reference) for eg in examples])
    assert 0.0 <= scores["lemma_acc"] <= 1.0


def test_init_config_pipeline_trains_and_predicts():
    from heron.cli.init_config import Optimize, Options, build_config

    config = build_config(Options(lang="en", pipeline=["tok2vec", "tagger", "trainable_lemmatizer"],
                                  optimize=Optimize.efficiency, gpu=False, pretraining=False))
    block = config["components"]["trainable_lemmatizer"]
    assert block["model"]["tok2vec"]["@architectures"] == "heron.Tok2VecListener.v1"
    assert block["backoff"] == "orth" and block["min_tree_freq"] == 3 and block["top_k"] == 1
    nlp = Language.from_config(config)
    examples = []
    for eg in lemma_examples(nlp):  # the tagger needs tags as well
        ref = eg.reference
        examples.append(Example(eg.predicted, Doc(nlp.vocab, words=ref.words, spaces=ref.spaces,
                                                  lemmas=[t.lemma_ for t in ref], tags=["X"] * len(ref))))
    nlp.initialize(lambda: examples)
    assert np.all([t.lemma_ for t in nlp("Dogs barked")])


def test_case_script_shares_trees_across_casings():
    nlp = make_nlp(min_tree_freq=1, case_script=True)
    lemmatizer = nlp.get_pipe("trainable_lemmatizer")
    data = [("Books and books", "book and book"), ("GISB sent it", "GISB send it"), ("kerala", "Kerala")]
    nlp.initialize(lambda: lemma_examples(nlp, data))
    label = {pair: lemmatizer._label(*pair, lemmatizer.trees, intern=False)
             for pair in [("Books", "book"), ("books", "book"), ("GISB", "GISB"), ("kerala", "Kerala")]}
    assert label["Books", "book"] == label["books", "book"]  # one tree, casing "lower"
    tree_id, casing = divmod(label["GISB", "GISB"], 4)
    assert (lemmatizer.trees.apply(tree_id, "gisb"), casing) == ("gisb", 1)  # identity, casing "form"
    assert lemmatizer._lemma(label["GISB", "GISB"], "RFP") == "RFP"  # never "rFP"
    assert lemmatizer._lemma(label["kerala", "Kerala"], "delhi") == "Delhi"
    assert lemmatizer.label_data["case_script"] is True
    assert set(lemmatizer.labels) == set(label.values()) | {lemmatizer._label("and", "and", lemmatizer.trees, False),
                                                             lemmatizer._label("sent", "send", lemmatizer.trees, False)}


def test_case_script_overfits_and_reloads(tmp_path):
    torch.manual_seed(0)
    nlp = make_nlp(min_tree_freq=1, case_script=True)
    data = LEMMAS + [("Cats SAT on Mats .", "cat sit on mat ."), ("NASA Walked home .", "NASA walk home .")]
    examples = lemma_examples(nlp, data)
    nlp.initialize(lambda: examples)
    assert train(nlp, examples, steps=40)["trainable_lemmatizer"] < 0.01
    docs = list(nlp.pipe([text for text, _ in data]))
    assert [" ".join(t.lemma_ for t in doc) for doc in docs] == [lemmas for _, lemmas in data]
    nlp.to_disk(tmp_path / "p")
    loaded = heron.load(tmp_path / "p")
    assert [t.lemma_ for t in loaded("NASA Walked home .")] == ["NASA", "walk", "home", "."]


def test_case_script_label_data_must_match():
    spacy_style = make_nlp(min_tree_freq=1)
    spacy_style.initialize(lambda: lemma_examples(spacy_style, SPACY_DATA))
    cased = make_nlp(case_script=True)
    with pytest.raises(HeronValueError, match="E934.*case_script = false.*case_script = true"):
        cased.get_pipe("trainable_lemmatizer").initialize(labels=spacy_style.get_pipe("trainable_lemmatizer").label_data)


def test_state_saved_before_case_scripts_loads_case_sensitive():
    nlp = make_nlp(min_tree_freq=1)
    nlp.initialize(lambda: lemma_examples(nlp, SPACY_DATA))
    state = dict(nlp.get_pipe("trainable_lemmatizer")._state())
    del state["case_script"]  # cfg.json written before the setting existed
    other = make_nlp(case_script=True).get_pipe("trainable_lemmatizer")
    other._load_state(state)
    assert other.cfg["case_script"] is False and other.labels == (1, 3, 4, 6)
