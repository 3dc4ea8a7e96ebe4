"""morphologizer: combined POS+FEATS labels, overwrite/extend, scoring, init config."""
from __future__ import annotations

from typing import List

import pytest
import torch

import heron
from heron.errors import HeronError
from heron.language import Language
from heron.scorer import score_morphologizer
from heron.tokens import Doc
from heron.training.example import Example

from fakes import WIDTH, listener_model, train, trunk_model

# Hand-written sentences with UPOS and FEATS; "Foo=Bar" is a feature name UD doesn't
# have, kept as it is.
MORPHED = [
    ("She reads old books .", ["PRON", "VERB", "ADJ", "NOUN", "PUNCT"],
     ["Case=Nom|Number=Sing|Person=3|PronType=Prs", "Number=Sing|Person=3|Tense=Pres",
      "Degree=Pos", "Number=Plur", ""]),
    ("We walked home .", ["PRON", "VERB", "ADV", "PUNCT"],
     ["Case=Nom|Number=Plur|Person=1|PronType=Prs", "Tense=Past|VerbForm=Fin", "", "Foo=Bar"]),
    ("The cat sat .", ["DET", "NOUN", "VERB", "PUNCT"],
     ["Definite=Def|PronType=Art", "Number=Sing", "Tense=Past|VerbForm=Fin", ""]),
]


def morph_examples(nlp: Language, data=MORPHED) -> List[Example]:
    return [Example.from_dict(nlp.make_doc(text), {"pos": pos, "morphs": morphs}) for text, pos, morphs in data]


def _analyses(doc) -> List[str]:
    return [f"{t.pos_}:{t.morph}" for t in doc]


def _gold(eg) -> List[str]:
    return _analyses(eg.reference)


def _nlp(shared: bool = True) -> Language:
    nlp = heron.blank("en")
    if shared:
        nlp.add_pipe("tok2vec", config={"model": trunk_model(WIDTH)})
    tok2vec = listener_model(WIDTH) if shared else trunk_model(WIDTH)
    nlp.add_pipe("morphologizer", config={"model": {"@architectures": "heron.Tagger.v1", "tok2vec": tok2vec}})
    return nlp


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(0)
    nlp = _nlp()
    examples = morph_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=60)
    return nlp, examples


def test_labels_are_the_combinations_seen(trained):
    nlp, _ = trained
    morph = nlp.get_pipe("morphologizer")
    assert "Number=Plur|POS=NOUN" in morph.labels and "Foo=Bar|POS=PUNCT" in morph.labels
    assert "POS=PUNCT" in morph.labels and list(morph.labels) == sorted(morph.labels)
    assert morph.label_data["pos"]["Number=Plur|POS=NOUN"] == "NOUN"
    assert morph.label_data["morph"]["Foo=Bar|POS=PUNCT"] == "Foo=Bar"


def test_overfits_and_sets_pos_and_morph(trained):
    nlp, examples = trained
    docs = list(nlp.pipe([eg.reference.text for eg in examples]))
    assert [_analyses(d) for d in docs] == [_gold(eg) for eg in examples]
    doc = docs[0]
    assert doc[0].morph.get("Case") == ["Nom"] and "Person=3" in doc[0].morph
    assert doc[4].has_morph() and str(doc[4].morph) == "" and doc.has_annotation("MORPH")
    scores = nlp.evaluate(morph_examples(nlp))
    assert scores["pos_acc"] == 1.0 and scores["morph_acc"] == 1.0 and scores["morph_micro_f"] == 1.0
    assert scores["morph_per_feat"]["Tense"]["f"] == 1.0


def test_never_predicts_an_unseen_combination(trained):
    nlp, examples = trained
    labels = set(nlp.get_pipe("morphologizer").labels)
    for doc in nlp.pipe(["Old cats read books .", "home She sat the", "unknown words everywhere"]):
        for t in doc:
            feats = t.morph.to_dict()
            if t.pos_:
                feats["POS"] = t.pos_
            assert nlp.vocab.morphology.normalize_features(feats) in labels


def test_save_load_and_bytes(trained, tmp_path):
    nlp, examples = trained
    texts = [eg.reference.text for eg in examples]
    expected = [_analyses(d) for d in nlp.pipe(texts)]
    nlp.to_disk(tmp_path / "m")
    loaded = heron.load(tmp_path / "m")
    assert [_analyses(d) for d in loaded.pipe(texts)] == expected
    again = Language.from_config(nlp.config).from_bytes(nlp.to_bytes())
    assert [_analyses(again(t)) for t in texts] == expected


def test_overwrite_and_extend():
    torch.manual_seed(0)
    nlp = _nlp(shared=False)
    morph = nlp.get_pipe("morphologizer")
    morph.initialize(labels=["POS=NOUN|Number=Sing"])
    doc = nlp.make_doc("cat")

    def run(overwrite, extend, start_pos="PROPN", start="Number=Plur|Case=Acc"):
        d = Doc(nlp.vocab, ["cat"], pos=[start_pos], morphs=[start])
        morph.cfg.update(overwrite=overwrite, extend=extend)
        morph.set_annotations([d], morph.predict([d]))
        return d[0].pos_, str(d[0].morph)

    assert run(True, False) == ("NOUN", "Number=Sing")
    assert run(False, False) == ("PROPN", "Case=Acc|Number=Plur")
    assert run(True, True) == ("NOUN", "Case=Acc|Number=Sing")  # prediction wins a shared field
    assert run(False, True) == ("PROPN", "Case=Acc|Number=Plur")  # existing values win
    assert run(False, False, start_pos=None, start=None) == ("NOUN", "Number=Sing")
    assert len(doc) == 1


def test_initialize_labels_forms_and_errors():
    nlp = _nlp(shared=False)
    morph = nlp.get_pipe("morphologizer")
    morph.initialize(labels={"morph": {"Number=Sing|POS=NOUN": "Number=Sing"}, "pos": {"Number=Sing|POS=NOUN": "NOUN"}})
    assert morph.labels == ("Number=Sing|POS=NOUN",)
    assert morph.add_label("POS=VERB|Tense=Past") == 1 and morph.add_label("Tense=Past|POS=VERB") == 0
    assert morph.model.nO == 2
    with pytest.raises(HeronError, match=r"\[E900\].*POS='Noun'"):
        morph.add_label("POS=Noun")
    with pytest.raises(HeronError, match=r"\[E901\]"):
        morph.initialize(labels={"morph": {}})
    with pytest.raises(HeronError, match=r"\[E027\]"):
        morph.add_label("Number")


def test_missing_and_partial_gold_is_ignored_in_the_loss():
    nlp = _nlp(shared=False)
    morph = nlp.get_pipe("morphologizer")
    examples = morph_examples(nlp)
    nlp.initialize(lambda: examples)
    partial = Example.from_dict(nlp.make_doc("She reads"), {"pos": ["PRON", None]})
    targets = morph._aligned_targets(partial)
    assert targets[1] == -100 and targets[0] == -100  # "POS=PRON" alone was never seen
    pos_only = Example.from_dict(nlp.make_doc("home ."), {"pos": ["ADV", "PUNCT"]})
    assert morph._aligned_targets(pos_only).tolist() == [morph.labels.index("POS=ADV"),
                                                          morph.labels.index("POS=PUNCT")]


def test_scorer_matches_spacy_semantics():
    nlp = heron.blank("en")
    gold = Doc(nlp.vocab, ["a", "b", "c", "d"], pos=["NOUN", "VERB", "ADJ", None],
               morphs=["Number=Sing|Case=Nom", "Tense=Past", "", None])
    pred = Doc(nlp.vocab, ["a", "b", "c", "d"], pos=["NOUN", "NOUN", "ADJ", "X"],
               morphs=["Number=Sing|Case=Acc", "Tense=Past|Mood=Ind", "Degree=Pos", "Foo=Bar"])
    scores = score_morphologizer([Example(pred, gold)])
    assert scores["pos_acc"] == pytest.approx(2 / 3)
    assert scores["morph_acc"] == pytest.approx(0.0)  # 3 scored tokens, none exactly right
    # token c has empty gold features and d missing ones: their predictions aren't scored
    assert scores["morph_micro_p"] == pytest.approx(2 / 4) and scores["morph_micro_r"] == pytest.approx(2 / 3)
    assert scores["morph_per_feat"]["Case"] == {"p": pytest.approx(0.0), "r": pytest.approx(0.0),
                                                "f": pytest.approx(0.0)}
    assert scores["morph_per_feat"]["Number"]["f"] == pytest.approx(1.0)
    assert set(scores["morph_per_feat"]) == {"Case", "Number", "Tense", "Mood"}


def test_init_config_full_pipeline_trains(tmp_path):
    from typer.testing import CliRunner

    from heron.cli import app
    from heron.config import load_config

    out = tmp_path / "config.cfg"
    pipes = "tok2vec,tagger,morphologizer,parser,trainable_lemmatizer,ner"  # the full UD pipeline
    result = CliRunner().invoke(app, ["init", "config", str(out), "-p", pipes])
    assert result.exit_code == 0, result.output
    config = load_config(out)
    assert config["components"]["morphologizer"]["model"]["tok2vec"]["@architectures"] == "heron.Tok2VecListener.v1"
    config["components"]["trainable_lemmatizer"]["min_tree_freq"] = 1  # a tiny corpus: keep every tree
    nlp = Language.from_config(config)
    lemma_of = {"reads": "read", "books": "book", "walked": "walk", "sat": "sit"}
    examples = [Example.from_dict(nlp.make_doc(text), {
        "pos": pos, "morphs": morphs, "tags": [p[:2] for p in pos], "heads": [1] * len(pos),
        "deps": ["nsubj", "ROOT"] + ["obj"] * (len(pos) - 2), "entities": ["U-PER"] + ["O"] * (len(pos) - 1),
        "lemmas": [lemma_of.get(w, w.lower()) for w in text.split()]})
        for text, pos, morphs in MORPHED]
    optimizer = nlp.initialize(lambda: examples)
    for step in range(3):
        losses = nlp.update(examples, sgd=optimizer, step=step)
    assert nlp.pipe_names == pipes.split(",")
    assert losses["morphologizer"] > 0 and losses["trainable_lemmatizer"] > 0
    doc = nlp("She walked home .")
    assert all(t.pos_ and t.lemma_ for t in doc) and doc.has_annotation("DEP")
