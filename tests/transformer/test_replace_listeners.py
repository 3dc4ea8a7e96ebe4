"""nlp.replace_listeners on a transformer trunk, and heron.TransformerTok2Vec.v1 (a head's
own transformer): copied weights and identical outputs, the rewritten config, save/load
without the original model folder, independent training, coded errors, `heron train`."""
from __future__ import annotations

import shutil
from typing import Dict, List

import pytest
import torch
from typer.testing import CliRunner

import heron
from heron.errors import HeronValueError
from heron.pipeline.listener import embed_docs
from heron.tokens import Doc, DocBin
from heron.training.example import Example
from heron.transformer.inline import CFG_KEY, TransformerTok2Vec
from heron.transformer.listener import TransformerListener

TAGGED = [
    ("Alice visits Paris today", ["NNP", "VBZ", "NNP", "NN"], ["U-PER", "O", "U-LOC", "O"]),
    ("the small dog barks", ["DT", "JJ", "NN", "VBZ"], ["O", "O", "O", "O"]),
    ("Bob met Carol in Rome", ["NNP", "VBD", "NNP", "IN", "NNP"], ["U-PER", "O", "U-PER", "O", "U-LOC"]),
]
TEXTS = [text for text, _, _ in TAGGED] + ["Unbelievably, Zürich welcomed Dr. Smith."]
SPANS = {"@span_getters": "heron.doc_spans.v1"}


def listener(**extra) -> dict:
    return {"@architectures": "heron.TransformerListener.v1", **extra}


def make_nlp(model_dir, ner_upstream: str = "*", second_trunk=None):
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={"model": {"name": str(model_dir), "get_spans": SPANS}})
    if second_trunk is not None:
        nlp.add_pipe("transformer", name="transformer2",
                     config={"model": {"name": str(second_trunk), "get_spans": SPANS}})
    nlp.add_pipe("tagger", config={"model": {"tok2vec": listener(upstream="transformer")}})
    nlp.add_pipe("ner", config={"model": {
        "@architectures": "heron.TransitionBasedParser.v1", "hidden_width": 16,
        "tok2vec": listener(upstream=ner_upstream, grad_factor=0.5,
                            pooling={"@layers": "heron.reduce_max.v1"})}})
    return nlp


def examples(nlp) -> List[Example]:
    out = []
    for text, tags, ents in TAGGED:
        doc = nlp.make_doc(text)
        out.append(Example(doc, Doc(nlp.vocab, words=doc.words, spaces=doc.spaces, tags=tags, ents=ents)))
    return out


def trained(model_dir):
    torch.manual_seed(0)
    nlp = make_nlp(model_dir)
    egs = examples(nlp)
    opt = nlp.initialize(lambda: egs)
    for _ in range(2):  # output layers start at zero: train a little so outputs differ
        nlp.update(egs, sgd=opt)
    return nlp, egs


def ner_vectors(nlp) -> torch.Tensor:
    with torch.inference_mode():
        X, _ = embed_docs(nlp.get_pipe("ner").model.tok2vec, [nlp.make_doc(t) for t in TEXTS])
    return X.clone()


def annotations(nlp) -> List[list]:
    return [[(t.tag_, t.ent_iob_, t.ent_type_) for t in doc] for doc in nlp.pipe(TEXTS)]


def state(module) -> Dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def same(a: Dict[str, torch.Tensor], b: Dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture()
def replaced(tiny_bert_dir, tmp_path):
    """A trained transformer + tagger + ner on a COPY of the tiny BERT (tests delete it),
    with the ner's listener replaced; plus what the ner produced before the replacement."""
    model_dir = tmp_path / "bert-copy"
    shutil.copytree(tiny_bert_dir, model_dir)
    nlp, egs = trained(model_dir)
    before = (ner_vectors(nlp), annotations(nlp))
    nlp.replace_listeners("transformer", "ner", ["model.tok2vec"])
    return nlp, egs, before, model_dir


def test_replace_copies_transformer_and_keeps_outputs(replaced):
    nlp, _, (vectors, annots), _ = replaced
    ner, trunk = nlp.get_pipe("ner"), nlp.get_pipe("transformer")
    own = ner.model.tok2vec
    assert isinstance(own, TransformerTok2Vec) and own.grad_factor == 0.5
    assert own.pooling.reduction == "max"  # the listener's pooling, not the default
    assert trunk.listening_components == ["tagger"]
    mine = dict(own.model.transformer.named_parameters())
    for key, value in trunk.model.transformer.named_parameters():
        assert torch.equal(mine[key], value) and mine[key] is not value
    assert torch.allclose(ner_vectors(nlp), vectors, atol=1e-6)
    assert annotations(nlp) == annots
    block = nlp.config["components"]["ner"]["model"]["tok2vec"]
    assert block["@architectures"] == "heron.TransformerTok2Vec.v1"
    assert block["name"] == nlp.config["components"]["transformer"]["model"]["name"]
    assert block["get_spans"] == SPANS and block["width"] == 32 and block["grad_factor"] == 0.5
    assert block["pooling"] == {"@layers": "heron.reduce_max.v1"}


def test_round_trip_without_the_original_model(replaced, tmp_path):
    nlp, _, _, model_dir = replaced
    vectors, annots = ner_vectors(nlp), annotations(nlp)
    nlp.to_disk(tmp_path / "pipeline")
    shutil.rmtree(model_dir)  # `name` now points nowhere: everything must come from the folder
    files = sorted(p.name for p in (tmp_path / "pipeline" / "ner").iterdir())
    assert files == ["cfg.json", "model.safetensors"]
    from safetensors.torch import load_file

    saved = load_file(str(tmp_path / "pipeline" / "ner" / "model.safetensors"))
    assert any(k.startswith("tok2vec.model.transformer.") for k in saved)
    loaded = heron.load(tmp_path / "pipeline")
    assert isinstance(loaded.get_pipe("ner").model.tok2vec, TransformerTok2Vec)
    assert CFG_KEY in loaded.get_pipe("ner").cfg
    assert torch.equal(ner_vectors(loaded), vectors)
    assert annotations(loaded) == annots


def test_head_and_trunk_train_independently(replaced):
    nlp, egs, _, _ = replaced
    trunk = nlp.get_pipe("transformer").model
    own = nlp.get_pipe("ner").model.tok2vec.model
    opt = nlp.get_optimizer()  # re-created: it now includes the copy's weights
    trunk_before, own_before = state(trunk), state(own)
    for _ in range(2):
        nlp.update(egs, sgd=opt, exclude=["tagger"])  # only ner learns
    assert same(state(trunk), trunk_before)
    assert not same(state(own), own_before)
    own_before = state(own)
    for _ in range(2):
        nlp.update(egs, sgd=opt, exclude=["ner"])  # only the tagger (and its trunk) learn
    assert same(state(own), own_before)
    assert not same(state(trunk), trunk_before)


def test_errors_name_the_argument_and_change_nothing(tiny_bert_dir, tiny_roberta_dir):
    nlp = make_nlp(tiny_bert_dir, ner_upstream="transformer2", second_trunk=tiny_roberta_dir)
    cases = [
        (("transformer", "parser", ["model.tok2vec"]), r"E761.*pipe_name is at fault.*no component 'parser'"),
        (("transformer", "tagger", ["model.nope"]), r"E761.*listeners is at fault.*no listener at 'model.nope'"),
        (("transformer", "ner", ["model.tok2vec"]), r"E761.*tok2vec_name is at fault.*listens to 'transformer2'"),
        (("nope", "ner", ["model.tok2vec"]), r"E357.*no component 'nope'"),
        (("tagger", "ner", ["model.tok2vec"]), r"E357.*not a tok2vec-like component"),
    ]
    for args, pattern in cases:
        with pytest.raises(HeronValueError, match=pattern):
            nlp.replace_listeners(*args)
    for name in ("tagger", "ner"):
        assert isinstance(nlp.get_pipe(name).model.tok2vec, TransformerListener)
        assert nlp.config["components"][name]["model"]["tok2vec"]["@architectures"] == \
            "heron.TransformerListener.v1"


def test_unavailable_width_is_a_coded_error(tmp_path):
    nlp = heron.blank("en")
    with pytest.raises(HeronValueError, match=r"E762.*width"):
        nlp.add_pipe("tagger", config={"model": {"tok2vec": {
            "@architectures": "heron.TransformerTok2Vec.v1", "name": str(tmp_path / "missing"),
            "get_spans": SPANS}}})


def test_inline_grad_factor_zero_keeps_pretrained_weights(tiny_bert_dir):
    torch.manual_seed(0)
    nlp = heron.blank("en")
    nlp.add_pipe("tagger", config={"model": {"tok2vec": {
        "@architectures": "heron.TransformerTok2Vec.v1", "name": str(tiny_bert_dir),
        "get_spans": SPANS, "grad_factor": 0.0}}})
    egs = examples(nlp)
    opt = nlp.initialize(lambda: egs)
    own = nlp.get_pipe("tagger").model.tok2vec.model
    before = state(own)
    for _ in range(2):
        nlp.update(egs, sgd=opt)
    assert same(state(own), before)


CONFIG = """
[paths]
train = null
dev = null
bert = null

[nlp]
lang = "en"
pipeline = ["tagger"]

[components]

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "heron.Tagger.v1"
nO = null

[components.tagger.model.tok2vec]
@architectures = "heron.TransformerTok2Vec.v1"
name = ${paths.bert}
grad_factor = 1.0

[components.tagger.model.tok2vec.get_spans]
@span_getters = "heron.strided_spans.v1"
window = 16
stride = 12

[components.tagger.model.tok2vec.pooling]
@layers = "heron.reduce_first.v1"

[corpora]

[corpora.train]
@readers = "heron.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "heron.Corpus.v1"
path = ${paths.dev}

[training]
max_steps = 2
eval_frequency = 2

[training.optimizer]
@optimizers = "heron.Adam.v1"
learn_rate = 0.01
"""


def test_inline_transformer_in_a_config_trains_with_heron_train(tiny_bert_dir, tmp_path):
    from transformers import AutoModel

    import heron.cli  # noqa: F401  (registers the commands)
    from heron.cli._app import app

    vocab = heron.blank("en").vocab
    docs = [Doc(vocab, words=w.split(), tags=t) for w, t in
            [("Ada codes .", ["NNP", "VBZ", "."]), ("Bob sleeps .", ["NNP", "VBZ", "."])]]
    DocBin(docs=docs).to_disk(tmp_path / "train.heron")
    (tmp_path / "config.cfg").write_text(CONFIG)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["train", str(tmp_path / "config.cfg"), "-o", str(out),
                                      "--paths.train", str(tmp_path / "train.heron"),
                                      "--paths.dev", str(tmp_path / "train.heron"),
                                      "--paths.bert", str(tiny_bert_dir)])
    assert result.exit_code == 0, result.output
    nlp = heron.load(out / "model-last")
    own = nlp.get_pipe("tagger").model.tok2vec
    assert isinstance(own, TransformerTok2Vec) and own.pooling.reduction == "first"
    pretrained = AutoModel.from_pretrained(str(tiny_bert_dir), local_files_only=True).state_dict()
    tuned = own.model.transformer.state_dict()
    # The optimizer saw the transformer's weights: fine-tuning moved them.
    assert not all(torch.equal(pretrained[k], tuned[k]) for k in pretrained)
    assert [t.tag_ for t in nlp("Ada codes.")] != ["", "", ""]
