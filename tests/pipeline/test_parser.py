"""The `parser` component (heron/pipeline/parser.py): it learns a generated grammar with a
non-projective construction to UAS/LAS 1.0 on held-out sentences (inline CNN and a
tok2vec listener), its parses don't depend on the batch, survive saving, and its labels,
min_action_freq and error messages behave as documented. Tree well-formedness over random
models and long Docs: test_parser_trees.py."""
from __future__ import annotations

import random
from typing import Any, Dict, List

import numpy as np
import pytest
import torch
from parser_data import assert_well_formed, treebank, uas_las

import heron
from heron.errors import HeronValueError
from heron.language import Language
from heron.pipeline.update import trainable_parameters
from heron.tokens import Doc
from heron.training.example import Example

from fakes import WIDTH, listener_model, trunk_model

TRAIN_STEPS = 50  # 1.0 on held-out sentences from step ~30 (inline and listener)


def parser_nlp(shared: bool = False, **settings: Any) -> Language:
    torch.manual_seed(0)  # the weights are made here: seeded, so the learning tests are deterministic
    nlp = heron.blank("en")
    if shared:
        nlp.add_pipe("tok2vec", config={"model": trunk_model(WIDTH)})
    model: Dict[str, Any] = {"hidden_width": 32, "tok2vec": listener_model(WIDTH) if shared else trunk_model(WIDTH)}
    model.update(settings.pop("model", {}))
    nlp.add_pipe("parser", config={"min_action_freq": 1, "model": model, **settings})
    return nlp


def examples_of(nlp: Language, docs: List[Doc]) -> List[Example]:
    return [Example(nlp.make_doc(d.text), d) for d in docs]


def train_parser(nlp: Language, docs: List[Doc], steps: int = TRAIN_STEPS) -> None:
    torch.manual_seed(0)
    random.seed(0)  # the oracle cut size is drawn with `random` per batch (spaCy's)
    examples = examples_of(nlp, docs)
    nlp.initialize(lambda: examples)
    optimizer = torch.optim.Adam(trainable_parameters(nlp), lr=0.01)
    for _ in range(steps):
        nlp.update(examples, sgd=optimizer)


@pytest.fixture(scope="module")
def trained():
    nlp = parser_nlp()
    train_parser(nlp, treebank(40, seed=1, vocab=nlp.vocab))
    return nlp


def check_learned(nlp: Language) -> None:
    gold = treebank(30, seed=2, vocab=nlp.vocab)
    docs = list(nlp.pipe([d.text for d in gold]))
    assert uas_las(docs, gold) == (1.0, 1.0)
    for doc in docs:
        assert_well_formed(doc)
    # The extraposed relative clauses (non-projective) come back to their nouns.
    relcl = [(t.head.i, t.head.text) for d in docs for t in d if t.dep_ == "relcl"]
    assert len(relcl) >= 5
    assert all(text in {"dog", "cat", "man", "woman", "bird", "house", "girl", "tree"} for _, text in relcl)
    scores = nlp.evaluate(examples_of(nlp, gold))
    assert (scores["dep_uas"], scores["dep_las"], scores["sents_f"]) == (1.0, 1.0, 1.0)


def test_learns_the_grammar_inline(trained):
    parser = trained.get_pipe("parser")
    assert "R-relcl||nsubj" in parser.move_names  # the lift is learned as a decorated label
    assert "relcl||nsubj" not in parser.cfg["labels"] and "relcl" in parser.cfg["labels"]
    check_learned(trained)


def test_learns_the_grammar_with_a_listener():
    nlp = parser_nlp(shared=True)
    train_parser(nlp, treebank(40, seed=1, vocab=nlp.vocab))
    check_learned(nlp)


def _parses(docs) -> List[Any]:
    return [([t.head.i for t in d], [t.dep_ for t in d]) for d in docs]


def test_batches_saving_and_bytes_give_identical_parses(trained, tmp_path):
    texts = [d.text for d in treebank(12, seed=5, vocab=trained.vocab)] + ["the", "dog dog dog"]
    batch = _parses(trained.pipe(texts, batch_size=64))
    assert _parses(trained(t) for t in texts) == batch
    assert _parses(trained.pipe(texts, batch_size=3)) == batch
    trained.to_disk(tmp_path / "model")
    assert _parses(heron.load(tmp_path / "model").pipe(texts)) == batch
    again = Language.from_config(trained.config).from_bytes(trained.to_bytes())
    assert _parses(again.pipe(texts)) == batch


def test_labels_from_add_label_and_initialize_settings():
    nlp = parser_nlp()
    parser = nlp.get_pipe("parser")
    parser.initialize(labels=["nsubj", "obj"])
    assert parser.move_names == ["S", "D", "B", "L-dep", "R-dep", "L-nsubj", "R-nsubj", "L-obj", "R-obj"]
    assert parser.add_label("amod") == 1 and parser.add_label("amod") == 0
    assert parser.move_names[-2:] == ["L-amod", "R-amod"] and parser.model.nO == 11
    assert_well_formed(nlp("the dog saw a cat"))
    # spaCy's labels file format: {move: {label: count}} (2 = LEFT, 3 = RIGHT).
    parser.initialize(labels={"2": {"det": 5}, "3": {"obj": 2}})
    assert parser.move_names == ["S", "D", "B", "L-dep", "R-dep", "L-det", "R-obj"]
    # [initialize.components.parser] labels, through nlp.initialize.
    config = parser_nlp().config.copy()
    config["initialize"]["components"] = {"parser": {"labels": ["nsubj", "punct"]}}
    nlp2 = Language.from_config(config)
    nlp2.initialize()
    assert set(nlp2.get_pipe("parser").move_names[3:]) == {"L-dep", "R-dep", "L-nsubj", "R-nsubj", "L-punct",
                                                         "R-punct"}


def test_min_action_freq_backs_off_to_dep():
    nlp = parser_nlp(min_action_freq=3)
    docs = [Doc(nlp.vocab, words=["a", "b", "c"], heads=[1, 1, 1], deps=["det", "ROOT", "rare" if i == 0 else "obj"])
            for i in range(4)]
    examples = examples_of(nlp, docs)
    nlp.initialize(lambda: examples)
    parser = nlp.get_pipe("parser")
    assert parser.move_names == ["S", "D", "B", "L-dep", "R-dep", "L-det", "R-obj"]
    # The rare arc trains as R-dep (its gold action), so training runs and predicts "dep" there.
    optimizer = torch.optim.Adam(trainable_parameters(nlp), lr=0.01)
    for _ in range(30):
        nlp.update(examples[:1] * 3, sgd=optimizer)
    assert [t.dep_ for t in nlp("a b c")] == ["det", "ROOT", "dep"]


def test_errors_name_the_fix():
    with pytest.raises(Exception, match="E390"):
        parser_nlp(model={"nr_feature_tokens": 3})
    nlp = parser_nlp()
    with pytest.raises(HeronValueError, match="E391"):
        nlp("the dog barked")
    parser = nlp.get_pipe("parser")
    for bad in ("", "two words", None):
        with pytest.raises(HeronValueError, match="E392"):
            parser.add_label(bad)
    with pytest.raises(HeronValueError, match="E393"):
        parser_nlp(model={"nO": 8}).get_pipe("parser").initialize(labels=["nsubj"])
    cyclic = Doc(nlp.vocab, words=["a", "b", "c"])
    cols = np.zeros((3, 2), dtype=np.uint64)
    cols[:, 0] = np.array([1, 1, -2], dtype=np.int64).view(np.uint64)  # 0 -> 1 -> 2 -> 0
    cols[:, 1] = nlp.vocab.strings.add("dep")
    cyclic.from_array(["HEAD", "DEP"], cols)
    with pytest.raises(HeronValueError, match="E394"):
        parser.initialize(lambda: [Example(nlp.make_doc("a b c"), cyclic)])
    ner_model = {"@architectures": "heron.TransitionBasedParser.v1", "state_type": "ner",
                 "tok2vec": trunk_model(WIDTH)}
    with pytest.raises(Exception, match="E395"):
        heron.blank("en").add_pipe("parser", config={"model": ner_model})
    with pytest.raises(HeronValueError, match="E396"):
        parser.initialize(lambda: [Example(nlp.make_doc("a b"), Doc(nlp.vocab, words=["a", "b"]))])
    with pytest.raises(Exception, match="E397"):
        parser_nlp(min_action_freq=-1)
    with pytest.raises(Exception, match="update_with_oracle_cut_size"):  # the config check (E310)
        parser_nlp(update_with_oracle_cut_size=1.5)
    parser_model = {"@architectures": "heron.TransitionBasedParser.v1", "state_type": "parser",
                    "tok2vec": trunk_model(WIDTH)}
    with pytest.raises(Exception, match="E380"):
        heron.blank("en").add_pipe("ner", config={"model": parser_model})


def test_partial_annotation_trains_and_unknown_arcs_are_free():
    """Reference Docs whose DEP is unset for some tokens train (missing != wrong)."""
    nlp = parser_nlp()
    full = treebank(10, seed=7, vocab=nlp.vocab)
    partial = []
    for doc in full:
        deps: List[Any] = [t.dep_ for t in doc]
        heads = [t.head.i for t in doc]
        for i in range(0, len(doc), 3):
            deps[i], heads[i] = None, i
        partial.append(Doc(nlp.vocab, words=doc.words, heads=heads, deps=deps))
    train_parser(nlp, partial, steps=5)
    for doc in nlp.pipe([d.text for d in full]):
        assert_well_formed(doc)
