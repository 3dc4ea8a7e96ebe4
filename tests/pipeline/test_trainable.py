"""TrainablePipe protocol: pure predict, modes, update, optimizers, serialisation errors."""
from __future__ import annotations

import json

import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.language import Language
from heron.pipeline.update import set_dropout, trainable_parameters
from heron.registry import registry
from heron.training.example import Example

from fakes import NER, SENTS, TAGGED, make_nlp, ner_examples, sent_examples, tagged_examples, train


@pytest.fixture
def nlp():
    torch.manual_seed(0)
    nlp = make_nlp(["tagger"])
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=5)
    return nlp


def test_fake_data_is_consistent():
    """The hand-written data in tests/fakes.py: one annotation per token."""
    blank = heron.blank("en")
    for text, tags in TAGGED:
        assert len(blank.make_doc(text)) == len(tags)
    assert len(sent_examples(blank)) == len(SENTS)  # asserts the lengths itself
    assert len(ner_examples(blank)) == len(NER)
    assert registry.has("architectures", "heron.Tok2VecListener.v1")


def test_predict_is_pure_and_uses_eval_mode(nlp):
    tagger = nlp.get_pipe("tagger")
    docs = [nlp.make_doc(text) for text, _ in TAGGED]
    tagger.forward_train([Example(d, d) for d in docs])
    assert tagger.model.training
    nlp.get_pipe("tok2vec").clear_batch_cache()
    predictions = tagger.predict(docs)
    assert not tagger.model.training
    assert len(predictions) == len(docs) and [len(p) for p in predictions] == [len(d) for d in docs]
    assert not any(d.has_annotation("TAG") for d in docs)
    assert all(d.tensor.size == 0 for d in docs)


def test_update_default_optimizer_and_losses_accumulate(nlp):
    examples = tagged_examples(nlp)
    before = nlp.get_pipe("tagger").model.output.weight.detach().clone()
    losses = nlp.update(examples)  # sgd=None: the optimizer nlp.initialize created
    losses = nlp.update(examples, losses=losses)
    assert set(losses) == {"tok2vec", "tagger"} and losses["tagger"] > 0
    assert not torch.equal(nlp.get_pipe("tagger").model.output.weight, before)
    assert nlp.update([]) == {"tok2vec": 0.0, "tagger": 0.0}
    with pytest.raises(HeronValueError, match="E358"):
        nlp.update(["The cat sat ."])


def test_heron_adam_and_component_update(nlp):
    examples = tagged_examples(nlp)
    optimizer = registry.get("optimizers", "heron.Adam.v1")(learn_rate=0.01)(trainable_parameters(nlp))
    first = nlp.update(examples, sgd=optimizer)["tagger"]
    for _ in range(5):
        last = nlp.update(examples, sgd=optimizer)["tagger"]
    assert last < first
    # A component can also be updated alone (spaCy's pipe.update).
    losses = nlp.get_pipe("tagger").update(examples, sgd=optimizer)
    assert losses["tagger"] > 0


def test_trainable_parameters_exclude(nlp):
    all_params = trainable_parameters(nlp)
    head = list(nlp.get_pipe("tagger").model.parameters())
    assert trainable_parameters(nlp, exclude=["tok2vec"]) == head
    assert len(all_params) == len(head) + len(list(nlp.get_pipe("tok2vec").model.parameters()))


def test_set_dropout():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
    set_dropout(model, 0.2)
    assert model[1].p == 0.2
    set_dropout(model, None)
    assert model[1].p == 0.2


def test_saved_files_are_safetensors_and_json(nlp, tmp_path):
    nlp.to_disk(tmp_path / "p")
    assert sorted(p.name for p in (tmp_path / "p" / "tagger").iterdir()) == ["cfg.json", "model.safetensors"]
    cfg = json.loads((tmp_path / "p" / "tagger" / "cfg.json").read_text())
    assert cfg["labels"] == list(nlp.get_pipe("tagger").labels)


def test_architecture_mismatch_on_load_is_a_coded_error(nlp, tmp_path):
    nlp.to_disk(tmp_path / "p")
    expected = (r"(?s)E355.*'tok2vec'.*components.tok2vec.model.width = 32 in the saved config.cfg, 24 now"
                r".*shape .* in the file")
    with pytest.raises(HeronValueError, match=expected):
        heron.load(tmp_path / "p", config={"components.tok2vec.model.width": 24,
                                           "components.tagger.model.tok2vec.width": 24})


def test_corrupt_weights_are_a_coded_error(nlp, tmp_path):
    nlp.to_disk(tmp_path / "p")
    (tmp_path / "p" / "tagger" / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(HeronValueError, match=r"E362.*'tagger'"):
        heron.load(tmp_path / "p")
    with pytest.raises(HeronValueError, match="E362"):
        nlp.get_pipe("tagger").from_bytes(b"junk")


def test_from_bytes_restores_labels_and_weights(nlp):
    copy = Language.from_config(nlp.config)
    assert copy.get_pipe("tagger").labels == ()
    copy.from_bytes(nlp.to_bytes())
    assert copy.get_pipe("tagger").labels == nlp.get_pipe("tagger").labels
    text = TAGGED[0][0]
    assert [t.tag_ for t in copy(text)] == [t.tag_ for t in nlp(text)]


def test_model_must_be_a_torch_module():
    from heron.pipeline.tagger import Tagger

    with pytest.raises(TypeError, match="E361"):
        Tagger(heron.blank("en").vocab, model="not a module")


def test_initialize_with_explicit_labels():
    nlp = make_nlp(["tagger"])
    nlp.get_pipe("tagger").initialize(labels=["B", "A"])
    assert nlp.get_pipe("tagger").labels == ("A", "B")
    assert nlp.get_pipe("tagger").model.nO == 2


def test_rule_based_pipeline_has_no_optimizer_and_can_annotate_in_update():
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    assert nlp.initialize() is None
    tagged = make_nlp(["tagger"])
    tagged.add_pipe("sentencizer", first=True)
    examples = tagged_examples(tagged)
    tagged.initialize(lambda: examples)
    tagged.update(examples, annotates=["sentencizer"])
    assert all(eg.predicted.has_annotation("SENT_START") for eg in examples)
