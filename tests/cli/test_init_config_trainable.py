"""`heron init config -p tok2vec,tagger,ner [-o efficiency|accuracy]`: a complete config
that validates, builds, and trains as is (a few steps on sentences written here)."""
import pytest
from typer.testing import CliRunner

from heron.cli import app
from heron.config import fill_config, load_config
from heron.registry import registry

runner = CliRunner()
LISTENER = "heron.Tok2VecListener.v1"


def _has(reg_name, name):
    registry.ensure_populated()
    return registry.has(reg_name, name)


def _init(tmp_path, *args):
    out = tmp_path / "config.cfg"
    result = runner.invoke(app, ["init", "config", str(out), *args])
    assert result.exit_code == 0, result.output
    return out, load_config(out)


@pytest.mark.parametrize("optimize,width,depth", [("efficiency", 128, 4), ("accuracy", 256, 8)])
def test_shared_trunk_config_is_complete(tmp_path, optimize, width, depth):
    _, config = _init(tmp_path, "-p", "tok2vec,tagger,ner", "-o", optimize)
    comps = config["components"]
    assert config["nlp"]["pipeline"] == ["tok2vec", "tagger", "ner"]
    encode = comps["tok2vec"]["model"]["encode"]
    assert (encode["width"], encode["depth"], encode["window_size"]) == (width, depth, 1)
    assert comps["tok2vec"]["model"]["embed"]["width"] == "${components.tok2vec.model.encode.width}"
    for head in ("tagger", "ner"):
        t2v = comps[head]["model"]["tok2vec"]
        assert t2v["@architectures"] == LISTENER and t2v["upstream"] == "*"
        assert t2v["width"] == "${components.tok2vec.model.encode.width}"
    assert comps["ner"]["model"]["state_type"] == "ner"
    assert fill_config(config) == config  # nothing left to fill: every setting is written
    # The interpolated config gives the listeners the trunk's width.
    resolved = config.interpolate()
    assert resolved["components"]["tagger"]["model"]["tok2vec"]["width"] == width


def test_heads_without_tok2vec_get_an_inline_cnn(tmp_path):
    _, config = _init(tmp_path, "-p", "tagger,senter")
    for head in ("tagger", "senter"):
        t2v = config["components"][head]["model"]["tok2vec"]
        assert t2v["@architectures"] == "heron.HashEmbedCNN.v1"
        assert (t2v["width"], t2v["depth"], t2v["subword_features"]) == (96, 4, True)
    assert "tok2vec" not in config["components"]


def test_training_blocks_are_written(tmp_path):
    _, config = _init(tmp_path, "-p", "tok2vec,tagger,ner")
    training, corpora = config["training"], config["corpora"]
    if _has("batchers", "heron.batch_by_words.v1") and _has("schedules", "heron.compounding.v1"):
        assert training["batcher"]["size"]["@schedules"] == "heron.compounding.v1"
    if _has("optimizers", "heron.Adam.v1"):
        assert training["optimizer"]["learn_rate"] == 0.001
    if _has("readers", "heron.Corpus.v1"):
        assert corpora["train"]["path"] == "${paths.train}"
        assert corpora["dev"]["gold_preproc"] is False
    else:
        pytest.skip("heron.Corpus.v1 not registered yet")


TRAIN_TEXT = [
    ("Anna lives in Paris .", ["NNP", "VBZ", "IN", "NNP", "."], ["B-PER", "O", "O", "B-LOC", "O"]),
    ("Bob works for Acme .", ["NNP", "VBZ", "IN", "NNP", "."], ["B-PER", "O", "O", "B-ORG", "O"]),
    ("The dog sleeps .", ["DT", "NN", "VBZ", "."], ["O", "O", "O", "O"]),
    ("Carla visited Rome today .", ["NNP", "VBD", "NNP", "NN", "."], ["B-PER", "O", "B-LOC", "O", "O"]),
]


def _docbin(path):
    from heron.tokens import Doc, DocBin, Vocab

    vocab, db = Vocab(), DocBin()
    for text, tags, ents in TRAIN_TEXT:
        words = text.split()
        spaces = [True] * (len(words) - 2) + [False, False]
        db.add(Doc(vocab, words=words, spaces=spaces, tags=tags, ents=ents))
    db.to_disk(path)
    return path


def test_generated_config_trains_as_is(tmp_path):
    """The written file, unedited, trains a few steps with `heron train` and saves a model
    that loads and tags."""
    for reg_name, name in (("readers", "heron.Corpus.v1"), ("optimizers", "heron.Adam.v1"),
                           ("factories", "ner"), ("factories", "tagger")):
        if not _has(reg_name, name):
            pytest.skip(f"{name} not registered yet")
    import heron

    cfg, _ = _init(tmp_path, "-p", "tok2vec,tagger,ner")
    data = _docbin(tmp_path / "train.heron")
    out = tmp_path / "out"
    result = runner.invoke(app, [
        "train", str(cfg), "-o", str(out), "--paths.train", str(data), "--paths.dev", str(data),
        "--training.max_steps", "6", "--training.eval_frequency", "3",
    ])
    assert result.exit_code == 0, result.output
    nlp = heron.load(out / "model-last")
    assert nlp.pipe_names == ["tok2vec", "tagger", "ner"]
    doc = nlp("Anna lives in Paris.")
    assert all(t.tag_ in {"NNP", "VBZ", "IN", ".", "DT", "NN", "VBD"} for t in doc)
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG"}
