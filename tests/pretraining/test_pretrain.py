"""The pretraining loop, saving, resuming and init_tok2vec on a tiny trunk and raw text."""
import copy
import json
import random

import numpy as np
import pytest
import torch
from confection import Config

from heron.errors import ConfigError, HeronValueError
from heron.language import Language
from heron.pretraining import get_trunk, init_tok2vec, pretrain, read_pretrained, setup_pretraining
from heron.pretraining.loop import pretrain_steps, train_step

WORDS = ("the quick brown fox jumps over a lazy dog while seven small birds sing softly "
         "near green hills and rivers").split()
TRUNK = {"@architectures": "heron.HashEmbedCNN.v1", "width": 16, "depth": 1, "embed_size": 100,
         "window_size": 1, "maxout_pieces": 2, "subword_features": True, "pretrained_vectors": None}
CHARS = {"@architectures": "heron.PretrainCharacters.v1", "maxout_pieces": 2, "hidden_size": 16, "n_characters": 2}


@pytest.fixture(scope="module")
def raw_text(tmp_path_factory):
    rng = random.Random(0)
    path = tmp_path_factory.mktemp("raw") / "raw.txt"
    lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12))) + "." for _ in range(60)]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def make_config(raw_path, *, trunk=None, objective=None, vectors=None, **pretraining):
    section = {"max_epochs": 2, "dropout": 0.0, "objective": objective or dict(CHARS),
               "batcher": {"@batchers": "heron.batch_by_words.v1", "size": 150, "tolerance": 0.2,
                           "discard_oversize": False},
               "optimizer": {"@optimizers": "heron.Adam.v1", "learn_rate": 0.01}}
    section.update(pretraining)
    return Config({
        "paths": {"raw_text": str(raw_path), "vectors": vectors},
        "nlp": {"lang": "en", "pipeline": ["tok2vec"]},
        "components": {"tok2vec": {"factory": "tok2vec", "model": dict(trunk or TRUNK)}},
        "corpora": {"pretrain": {"@readers": "heron.JsonlCorpus.v1", "path": "${paths.raw_text}",
                                 "min_length": 1, "max_length": 0}},
        "initialize": {"vectors": "${paths.vectors}"},
        "pretraining": section,
    })


def trunk_nlp(trunk=None, pipeline=("tok2vec",), tagger_tok2vec=None):
    """A fresh pipeline built from a config (what `heron train` does before init_tok2vec)."""
    components = {"tok2vec": {"factory": "tok2vec", "model": dict(trunk or TRUNK)}}
    if tagger_tok2vec is not None:
        components["tagger"] = {"factory": "tagger", "model": {"@architectures": "heron.Tagger.v1",
                                                               "tok2vec": tagger_tok2vec}}
    return Language.from_config({"nlp": {"lang": "en", "pipeline": list(pipeline)}, "components": components})


@pytest.fixture(scope="module")
def run(raw_text, tmp_path_factory):
    """One 2-epoch run (n_save_every = 2), then a resumed run to epoch 4."""
    out = tmp_path_factory.mktemp("pretrain")
    torch.manual_seed(0)
    pretrain(make_config(raw_text, n_save_every=2), out)
    first_log = (out / "log.jsonl").read_text().splitlines()
    pretrain(make_config(raw_text, max_epochs=4), out, resume_path=out / "model1.safetensors")
    return out, first_log


def test_a_few_steps_lower_the_loss(raw_text):
    torch.manual_seed(0)
    setup = setup_pretraining(make_config(raw_text))
    docs = [eg.predicted for eg in list(setup.corpus(setup.nlp))[:20]]
    losses = [train_step(setup.trunk, setup.objective, setup.optimizer, docs) for _ in range(15)]
    assert losses[-1] < losses[0] * 0.8


def test_trunk_weights_change_and_steps_stream(raw_text):
    setup = setup_pretraining(make_config(raw_text, max_epochs=1))
    before = copy.deepcopy(setup.trunk.state_dict())
    infos = list(pretrain_steps(setup, 0, max_steps=2))
    assert [i["step"] for i in infos] == [1, 2] and infos[-1]["words"] > 0
    changed = [k for k, v in setup.trunk.state_dict().items() if not torch.equal(v, before[k])]
    assert any("embed" in k for k in changed) and any("encode" in k for k in changed)


def test_run_writes_epoch_files_log_and_temp_saves(run):
    out, first_log = run
    names = {p.name for p in out.iterdir()}
    assert {"model0.safetensors", "model1.safetensors", "model-last.safetensors", "log.jsonl",
            "model0_temp.safetensors"} <= names
    rows = [json.loads(line) for line in first_log]
    assert {"epoch", "step", "words", "loss", "wps"} <= set(rows[0])
    assert [r["epoch"] for r in rows][-1] == 1 and rows[-1]["words"] > rows[0]["words"]
    assert not list(out.glob("*.tmp*")) and not list(out.glob(".*"))  # atomic writes left nothing


def test_resume_continues_the_epoch_count(run):
    out, first_log = run
    assert (out / "model2.safetensors").exists() and (out / "model3.safetensors").exists()
    assert not (out / "model4.safetensors").exists()
    rows = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert len(rows) > len(first_log)  # the log is continued, not replaced
    assert [r["epoch"] for r in rows[len(first_log):]][-1] == 3
    _, meta = read_pretrained(out / "model-last.safetensors")
    assert meta["epoch"] == 3 and meta["epoch_complete"]


def test_resume_path_needs_an_epoch(run, raw_text, tmp_path):
    out, _ = run
    with pytest.raises(HeronValueError, match="E810"):
        pretrain(make_config(raw_text), tmp_path, resume_path=out / "model-last.safetensors")


def test_init_tok2vec_loads_weights_into_the_trunk(run):
    out, _ = run
    nlp = trunk_nlp()
    nlp.initialize()
    trunk = get_trunk(nlp)
    before = {k: v.clone() for k, v in trunk.state_dict().items()}
    meta = init_tok2vec(nlp, out / "model-last.safetensors")
    tensors, _ = read_pretrained(out / "model-last.safetensors")
    state = trunk.state_dict()
    assert meta["settings"]["width"] == 16
    for name, value in state.items():
        assert torch.equal(value, tensors[f"trunk.{name}"])
    assert any(not torch.equal(state[k], before[k]) for k in state)
    doc = nlp("the quick fox")  # the pipeline still runs with the loaded trunk
    assert doc.tensor.shape == (3, 16)


def test_init_tok2vec_into_an_inline_layer(run):
    out, _ = run
    nlp = trunk_nlp(pipeline=("tagger",), tagger_tok2vec=dict(TRUNK))
    init_tok2vec(nlp, out / "model-last.safetensors", component="tagger", layer="tok2vec")
    tensors, _ = read_pretrained(out / "model-last.safetensors")
    weight = nlp.get_pipe("tagger").model.tok2vec.state_dict()["embed.embeds.0.weight"]
    assert torch.equal(weight, tensors["trunk.embed.embeds.0.weight"])


@pytest.mark.parametrize("change,setting", [
    ({"width": 24}, "width"), ({"depth": 2}, "depth"), ({"embed_size": 120}, "rows"),
    ({"window_size": 2}, "window_size"), ({"maxout_pieces": 3}, "maxout_pieces"),
    ({"subword_features": False}, "attrs"),
])
def test_mismatch_names_the_setting(run, change, setting):
    out, _ = run
    nlp = trunk_nlp(trunk={**TRUNK, **change})
    with pytest.raises(HeronValueError, match=rf"E809.*{setting} was") as info:
        init_tok2vec(nlp, out / "model0.safetensors")
    assert "torch.Size" not in str(info.value)


def test_bad_files_and_targets_are_coded(run, tmp_path):
    out, _ = run
    with pytest.raises(HeronValueError, match=r"E808.*no such file"):
        init_tok2vec(trunk_nlp(), tmp_path / "missing.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"not safetensors at all")
    with pytest.raises(HeronValueError, match="E808"):
        init_tok2vec(trunk_nlp(), tmp_path / "junk.safetensors")
    from safetensors.torch import save_file

    save_file({"x": torch.zeros(2)}, str(tmp_path / "foreign.safetensors"))
    with pytest.raises(HeronValueError, match=r"E808.*heron pretrain"):
        init_tok2vec(trunk_nlp(), tmp_path / "foreign.safetensors")
    with pytest.raises(HeronValueError, match=r"E807.*no such component"):
        init_tok2vec(trunk_nlp(), out / "model0.safetensors", component="parser")
    with pytest.raises(HeronValueError, match=r"E807.*no such sub-layer"):
        init_tok2vec(trunk_nlp(), out / "model0.safetensors", layer="nothing")
    listener = {"@architectures": "heron.Tok2VecListener.v1", "width": 16}
    nlp = trunk_nlp(pipeline=("tok2vec", "tagger"), tagger_tok2vec=listener)
    with pytest.raises(HeronValueError, match=r"E807.*listener"):
        init_tok2vec(nlp, out / "model0.safetensors", component="tagger", layer="tok2vec")


def test_missing_section_and_corpus_are_coded(raw_text):
    config = make_config(raw_text)
    del config["pretraining"]
    with pytest.raises(ConfigError, match="E811"):
        setup_pretraining(config)
    config = make_config(raw_text, corpus="corpora.nothing")
    with pytest.raises(ConfigError, match=r"E807.*corpora.nothing"):
        setup_pretraining(config)


def test_missing_pretrain_corpus_falls_back_to_raw_text(raw_text):
    config = make_config(raw_text)
    del config["corpora"]["pretrain"]
    with pytest.warns(UserWarning, match="W801"):
        setup = setup_pretraining(config)
    assert setup.corpus.files == [raw_text]


def _vectors_folder(tmp_path):
    from heron.vectors import Vectors

    rng = np.random.default_rng(0)
    table = Vectors(data=rng.normal(size=(len(WORDS), 8)).astype("float32"), keys=list(WORDS), name="tiny")
    table.to_disk(tmp_path / "vectors")
    return tmp_path / "vectors"


def test_vectors_objective_lowers_the_loss(raw_text, tmp_path):
    objective = {"@architectures": "heron.PretrainVectors.v1", "maxout_pieces": 2, "hidden_size": 16,
                 "loss": "cosine"}
    torch.manual_seed(0)
    setup = setup_pretraining(make_config(raw_text, objective=objective, vectors=str(_vectors_folder(tmp_path))))
    assert setup.objective.dim == 8
    docs = [eg.predicted for eg in list(setup.corpus(setup.nlp))[:20]]
    losses = [train_step(setup.trunk, setup.objective, setup.optimizer, docs) for _ in range(15)]
    assert losses[-1] < losses[0] * 0.8


def test_vectors_objective_without_vectors_is_coded(raw_text):
    objective = {"@architectures": "heron.PretrainVectors.v1", "maxout_pieces": 2, "hidden_size": 16}
    with pytest.raises(HeronValueError, match="E804"):
        setup_pretraining(make_config(raw_text, objective=objective))


def test_static_vectors_setting_is_checked(raw_text, tmp_path):
    folder = _vectors_folder(tmp_path)
    with_vectors = {**TRUNK, "pretrained_vectors": True}
    out = tmp_path / "out"
    pretrain(make_config(raw_text, trunk=with_vectors, vectors=str(folder), max_epochs=1), out, max_steps=1)
    nlp = trunk_nlp()  # no static vectors in this trunk
    with pytest.raises(HeronValueError, match=r"E809.*include_static_vectors"):
        init_tok2vec(nlp, out / "model-last.safetensors")
    from heron.vectors import load_vectors_into

    nlp = trunk_nlp(trunk=with_vectors)
    load_vectors_into(nlp, folder)
    nlp.initialize()
    init_tok2vec(nlp, out / "model-last.safetensors")
    from heron.vectors import Vectors

    other = Vectors(data=np.ones((2, 4), dtype="float32"), keys=["a", "b"], name="other")
    other.to_disk(tmp_path / "other")
    nlp = trunk_nlp(trunk=with_vectors)
    load_vectors_into(nlp, tmp_path / "other")
    nlp.initialize()
    with pytest.raises(HeronValueError, match=r"E809.*vectors was .*tiny"):
        init_tok2vec(nlp, out / "model-last.safetensors")


def test_init_tok2vec_from_config_reads_the_pretraining_section(run):
    from heron.pretraining import init_tok2vec_from_config

    out, _ = run
    nlp = trunk_nlp(pipeline=("tagger",), tagger_tok2vec=dict(TRUNK))
    assert init_tok2vec_from_config(nlp, None, {}) is None  # [initialize] init_tok2vec = null
    config = {"pretraining": {"component": "tagger", "layer": "tok2vec"}}
    meta = init_tok2vec_from_config(nlp, str(out / "model0.safetensors"), config)
    assert meta["epoch"] == 0
    with pytest.raises(HeronValueError, match=r"E807.*'tok2vec'"):  # default component: not in this pipeline
        init_tok2vec_from_config(nlp, str(out / "model0.safetensors"), {})


def test_bilstm_trunks_differ_by_depth_in_their_settings():
    from heron.pretraining.init_tok2vec import trunk_settings
    from heron.registry import registry

    def trunk(depth):
        arch = registry.architectures.get
        embed = arch("heron.MultiHashEmbed.v1")(width=16, attrs=["NORM", "SHAPE"], rows=[50, 20],
                                                 include_static_vectors=False)
        return arch("heron.Tok2Vec.v1")(embed=embed, encode=arch("heron.TorchBiLSTMEncoder.v1")(width=16, depth=depth))

    one, two = trunk_settings(trunk(1)), trunk_settings(trunk(2))
    assert one["encoder"] == two["encoder"] == "BiLSTMEncoder"
    assert (one["depth"], two["depth"]) == (1, 2)
