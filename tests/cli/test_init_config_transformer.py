"""`heron init config -p tagger,ner --transformer NAME [-o accuracy]`: a complete transformer
config that validates (`heron debug config`) and trains a few steps with a tiny BERT
(the `tiny_bert_dir` fixture of tests/conftest.py: random weights, tokenizer trained on
sentences written in tests/tiny_transformers.py; nothing downloaded)."""
import io
import json

import pytest
from typer.testing import CliRunner

import heron
from heron.cli import app
from heron.config import fill_config, load_config
from heron.registry import registry
from heron.tokens import Doc, DocBin, Span

runner = CliRunner()
LISTENER = "heron.TransformerListener.v1"


def _has_transformer_pieces() -> bool:
    registry.ensure_populated()
    return all(registry.has(reg, name) for reg, name in [
        ("architectures", "heron.TransformerModel.v1"), ("architectures", LISTENER),
        ("layers", "heron.reduce_mean.v1"), ("span_getters", "heron.strided_spans.v1"),
        ("annotation_setters", "heron.null_annotation_setter.v1")])


needs_trf = pytest.mark.skipif(not _has_transformer_pieces(), reason="heron.transformer not available")


def _init(tmp_path, *args, name="some/model"):
    out = tmp_path / "config.cfg"
    result = runner.invoke(app, ["init", "config", str(out), "--force", "--transformer", str(name), *args])
    assert result.exit_code == 0, result.output
    return out, load_config(out)


@needs_trf
@pytest.mark.parametrize("optimize,window", [("efficiency", 128), ("accuracy", 256)])
def test_transformer_config_is_complete_and_valid(tmp_path, optimize, window):
    path, config = _init(tmp_path, "-p", "tagger,ner", "-o", optimize)
    assert config["nlp"]["pipeline"] == ["transformer", "tagger", "ner"]
    trf = config["components"]["transformer"]
    assert trf["factory"] == "transformer"
    assert trf["model"]["@architectures"] == "heron.TransformerModel.v1" and trf["model"]["name"] == "some/model"
    spans = trf["model"]["get_spans"]
    assert spans["@span_getters"] == "heron.strided_spans.v1" and spans["window"] == window
    assert spans["stride"] < spans["window"]  # overlapping windows
    for head in ("tagger", "ner"):
        t2v = config["components"][head]["model"]["tok2vec"]
        assert t2v["@architectures"] == LISTENER and t2v["upstream"] == "transformer"
        assert t2v["pooling"]["@layers"] == "heron.reduce_mean.v1"
    training = config["training"]
    opt = training["optimizer"]
    assert opt["@optimizers"] == "heron.AdamW.v1"
    assert opt["learn_rate"]["@schedules"] == "heron.warmup_linear.v1"
    trf_rate = opt["component_learn_rates"]["transformer"]
    assert trf_rate["@schedules"] == "heron.warmup_linear.v1"
    assert trf_rate["initial_rate"] < opt["learn_rate"]["initial_rate"] / 10
    assert trf_rate["total_steps"] == opt["learn_rate"]["total_steps"] == training["max_steps"]
    assert training["batcher"]["@batchers"] == "heron.batch_by_padded.v1"
    assert training["accumulate_gradient"] > 1
    assert fill_config(config) == config  # every setting written
    # `heron debug config` builds the pipeline like `heron train`, so it needs a real
    # model: it is checked in test_transformer_config_trains_a_few_steps.


@pytest.mark.parametrize("args,message", [
    (["-p", "tok2vec,tagger"], "also has a tok2vec"),
    (["-p", "tagger", "--transformer", " "], "name is empty"),
])
def test_bad_combinations_are_coded_errors(tmp_path, args, message):
    result = runner.invoke(app, ["init", "config", str(tmp_path / "c.cfg"), "--transformer", "m", *args])
    assert result.exit_code != 0
    assert "E854" in result.output and message in result.output, result.output


def _model_folder(tmp_path, config, files=()):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config), encoding="utf8")
    for name in files:
        (folder / name).write_bytes(b"not read")
    return folder


@needs_trf
@pytest.mark.parametrize("config,named", [
    ({"model_type": "bert", "auto_map": {"AutoModel": "modeling_mine.MyModel"}}, "auto_map"),
    ({"model_type": "my-custom-encoder"}, "model_type"),
])
def test_model_that_needs_remote_code_is_refused_with_the_reason(tmp_path, config, named):
    pytest.importorskip("transformers")
    folder = _model_folder(tmp_path, config, files=["modeling_mine.py"])
    result = runner.invoke(app, ["init", "config", str(tmp_path / "c.cfg"), "-p", "tagger",
                                 "--transformer", str(folder)])
    assert result.exit_code != 0
    output = " ".join(result.output.split())
    assert "E768" in output and named in output and "never runs code" in output, output
    assert "Fix: choose a model supported natively by transformers" in output
    assert not (tmp_path / "c.cfg").exists()


@needs_trf
def test_model_with_pickled_weights_only_is_refused(tmp_path):
    folder = _model_folder(tmp_path, {"model_type": "bert"}, files=["pytorch_model.bin"])
    result = runner.invoke(app, ["init", "config", str(tmp_path / "c.cfg"), "-p", "tagger",
                                 "--transformer", str(folder)])
    assert result.exit_code != 0
    assert "E769" in result.output and "pytorch_model.bin" in result.output, result.output


@needs_trf
def test_transformer_named_in_pipeline_is_added_once(tmp_path):
    _, config = _init(tmp_path, "-p", "transformer,tagger")
    assert config["nlp"]["pipeline"] == ["transformer", "tagger"]


def test_without_transformer_nothing_changes(tmp_path):
    result = runner.invoke(app, ["init", "config", "-", "-p", "tok2vec,tagger"])
    assert result.exit_code == 0 and "transformer" not in result.output.lower()


# ---- training a few steps with the tiny BERT fixture ---------------------------------

TAGGED = [
    ("Anna lives in Paris .", "NNP VBZ IN NNP .", [(0, 1, "PERSON"), (3, 4, "GPE")]),
    ("The cat sat on the mat .", "DT NN VBD IN DT NN .", []),
    ("Bob visited London yesterday .", "NNP VBD NNP NN .", [(0, 1, "PERSON"), (2, 3, "GPE")]),
    ("Dogs bark at night .", "NNS VBP IN NN .", []),
]


@needs_trf
def test_transformer_config_trains_a_few_steps(tmp_path, tiny_bert_dir):
    pytest.importorskip("transformers")
    import torch

    from heron.training import loop

    torch.set_num_threads(1)
    model_dir = tiny_bert_dir  # tests/conftest.py: shared, built once per session
    vocab = heron.blank("en").vocab
    docs = []
    for text, tags, ents in TAGGED:
        doc = Doc(vocab, words=text.split(), tags=tags.split())
        doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
        docs.append(doc)
    DocBin(docs=docs).to_disk(tmp_path / "train.heron")
    path, _ = _init(tmp_path, "-p", "tagger,ner", name=model_dir)
    paths = ["--paths.train", str(tmp_path / "train.heron"), "--paths.dev", str(tmp_path / "train.heron")]
    result = runner.invoke(app, ["debug", "config", str(path), *paths])
    assert result.exit_code == 0 and "Config is valid" in result.output, result.output
    # The tiny BERT lowercases, so the tagger also reads a CNN over the characters (the
    # ner doesn't: CASE_HEADS).
    assert "tok2vec, transformer, tagger, ner" in result.output
    config = load_config(path, overrides={
        "paths.train": str(tmp_path / "train.heron"), "paths.dev": str(tmp_path / "train.heron"),
        "training.max_steps": 1, "training.eval_frequency": 100, "training.accumulate_gradient": 2,
        "components.transformer.model.get_spans.window": 16,
        "components.transformer.model.get_spans.stride": 12})
    out = io.StringIO()
    nlp, _ = loop.train(config, tmp_path / "out", stdout=out, stderr=io.StringIO())
    assert nlp.pipe_names == ["tok2vec", "transformer", "tagger", "ner"]
    from heron.pipeline.concat_tok2vec import ConcatTok2Vec
    from heron.transformer.listener import TransformerListener

    tagger_input = nlp.get_pipe("tagger").model.tok2vec
    assert isinstance(tagger_input, ConcatTok2Vec)
    assert tagger_input.widths == (nlp.get_pipe("transformer").model.width, nlp.get_pipe("tok2vec").model.width)
    assert isinstance(nlp.get_pipe("ner").model.tok2vec, TransformerListener)
    # The optimizer of the config gives the transformer its own, 20x lower rate.
    from heron.pipeline.update import trainable_parameter_groups
    from heron.training.initialize import resolve_training

    groups = trainable_parameter_groups(nlp)
    assert [g["name"] for g in groups] == ["tok2vec", "transformer", "tagger", "ner"]
    assert len(groups[1]["params"]) == len(list(nlp.get_pipe("transformer").model.parameters()))
    optimizer = resolve_training(nlp.config)[0]["optimizer"](groups)
    optimizer.step_count = 250  # the end of warm-up
    optimizer._set_rates()
    rates = optimizer.learn_rates
    assert rates["transformer"] == pytest.approx(5e-5)
    assert rates["tok2vec"] == rates["tagger"] == rates["ner"] == pytest.approx(1e-3)
    reloaded = heron.load(tmp_path / "out" / "model-last")
    doc = reloaded("Anna visited Paris .")
    assert len(doc) == 4 and all(t.tag_ for t in doc)



@needs_trf
@pytest.mark.parametrize("lowercase", [True, False])
def test_only_an_uncased_transformer_gets_the_character_cnn(tmp_path, tiny_bert_dir, lowercase):
    """The tokenizer's own normalizer decides: a cased copy of the tiny BERT gets plain
    listeners, an uncased one a CNN `tok2vec` beside it for the case-sensitive heads."""
    import shutil

    model = tmp_path / "bert"
    shutil.copytree(tiny_bert_dir, model)
    tokenizer = json.loads((model / "tokenizer.json").read_text())
    tokenizer["normalizer"]["lowercase"] = lowercase
    (model / "tokenizer.json").write_text(json.dumps(tokenizer))
    _, config = _init(tmp_path, "-p", "morphologizer,trainable_lemmatizer,parser,ner", name=model)
    heads = ["morphologizer", "trainable_lemmatizer", "parser", "ner"]
    inputs = {h: config["components"][h]["model"]["tok2vec"]["@architectures"] for h in heads}
    if lowercase:
        assert config["nlp"]["pipeline"] == ["tok2vec", "transformer", *heads]
        assert inputs == {"morphologizer": "heron.ConcatTok2Vec.v1", "trainable_lemmatizer": "heron.ConcatTok2Vec.v1",
                          "parser": "heron.TransformerListener.v1", "ner": "heron.TransformerListener.v1"}
    else:
        assert config["nlp"]["pipeline"] == ["transformer", *heads]
        assert set(inputs.values()) == {"heron.TransformerListener.v1"}


def test_concat_tok2vec_needs_parts_with_widths():
    from torch import nn

    from heron.errors import HeronValueError
    from heron.pipeline.concat_tok2vec import build_concat_tok2vec

    with pytest.raises(HeronValueError, match=r"E159.*no parts"):
        build_concat_tok2vec()
    with pytest.raises(HeronValueError, match=r"E159.*part 0 \(Linear\)"):
        build_concat_tok2vec(nn.Linear(2, 2))
