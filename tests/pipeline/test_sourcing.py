"""Sourcing components (issue 15 items 1 and 2).

1. A pipeline's config is self-contained per component: references into [components]
   (`width = ${components.tok2vec.model.encode.width}`, as `heron init config` writes them)
   are resolved to values, so any component can be sourced into another pipeline, and a
   pipeline reloads after any sequence of add/remove/rename/replace_listeners.
2. `replace_listeners = ["model.tok2vec"]` in a `source = ...` block gives the copy its own
   copy of the trunk it listened to, in the source's trained state (CNN and transformer
   trunks), and is refused with a coded error where it can't apply.

The end-to-end workflow through `heron train` is in tests/training/test_sourcing_workflow.py.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Dict, List

import pytest
import torch
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers the commands)
from heron.cli._app import app
from heron.config import load_config
from heron.errors import ConfigError, HeronValueError
from heron.language import Language
from heron.pipeline.listener import Tok2VecListener, iter_listeners

from fakes import ents_of, ner_examples, tagged_examples, train

runner = CliRunner()
TEXTS = ["Alice Smith flew to Paris on Monday .", "The cat sat on the warm mat .",
         "Bob works for Acme Corp in New York City ."]
# `heron init config -p tok2vec,tagger,ner`, made tiny for speed.
TINY = {"components.tok2vec.model.encode.width": 16, "components.tok2vec.model.encode.depth": 1,
        "components.tok2vec.model.embed.rows": 500, "components.tok2vec.model.embed.nM": 8}


def annotations(nlp: Language, names=("tagger", "ner")) -> List[Any]:
    out = []
    for doc in nlp.pipe(TEXTS):
        out.append(([t.tag_ for t in doc] if "tagger" in names else None,
                    ents_of(doc) if "ner" in names else None))
    return out


def sourced(components: Dict[str, Dict[str, Any]]) -> Language:
    return Language.from_config({"nlp": {"lang": "en", "pipeline": list(components)},
                                 "components": components})


def component_references(config: Dict[str, Any]) -> List[str]:
    from heron.pipeline._build import references

    return list(references(config["components"]))


@pytest.fixture(scope="module")
def init_config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("init") / "config.cfg"
    result = runner.invoke(app, ["init", "config", str(path), "-p", "tok2vec,tagger,ner"])
    assert result.exit_code == 0, result.output
    return path


def trained_from(config_path: Path) -> Language:
    """The `heron init config` pipeline, tiny, trained a little on the fakes' data."""
    torch.manual_seed(0)
    nlp = Language.from_config(load_config(config_path, overrides=TINY))
    examples = tagged_examples(nlp) + ner_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=15)
    return nlp


@pytest.fixture(scope="module")
def saved(init_config, tmp_path_factory):
    """(path of the saved trained pipeline, its annotations of TEXTS)."""
    nlp = trained_from(init_config)
    path = tmp_path_factory.mktemp("source") / "pipeline"
    nlp.to_disk(path)
    return path, annotations(nlp)


# ---- 1. self-contained component configs ------------------------------------------------


def test_config_resolves_references_into_components_and_keeps_paths(init_config):
    nlp = Language.from_config(load_config(init_config, overrides=TINY))
    config = nlp.config
    assert component_references(config) == []
    assert config["components"]["tok2vec"]["model"]["embed"]["width"] == 16
    for head in ("tagger", "ner"):
        assert config["components"][head]["model"]["tok2vec"]["width"] == 16
    # Variables into sections every pipeline keeps stay, as spaCy keeps them.
    assert config["corpora"]["train"]["path"] == "${paths.train}"
    assert config["training"]["seed"] == "${system.seed}"
    assert config["initialize"]["vectors"]["path"] == "${paths.vectors}"  # heron.lexeme_vectors.v1
    assert config["initialize"]["vectors"]["lang"] == "${nlp.lang}"


@pytest.mark.parametrize("names", [["tok2vec"], ["tok2vec", "tagger"], ["tok2vec", "ner"]])
def test_each_component_sources_into_a_fresh_pipeline(saved, names, tmp_path):
    path, expected = saved
    nlp = sourced({name: {"source": str(path)} for name in names})
    assert nlp.component_names == names and component_references(nlp.config) == []
    heads = tuple(n for n in names if n != "tok2vec")
    if heads:
        want = [(tags if "tagger" in heads else None, ents if "ner" in heads else None)
                for tags, ents in expected]
        assert annotations(nlp, heads) == want
    nlp.to_disk(tmp_path / "copy")
    reloaded = heron.load(tmp_path / "copy")
    assert reloaded.component_names == names
    if heads:
        assert annotations(reloaded, heads) == want


def test_source_in_python_with_a_fresh_trunk(saved):
    """A sourced head listening to a NEW trunk of the same width (e.g. to fine-tune it)."""
    path, _ = saved
    source = heron.load(path)
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": source.config["components"]["tok2vec"]["model"]})
    nlp.add_pipe("ner", source=source)
    assert nlp.get_pipe("ner").model.tok2vec.upstream is nlp.get_pipe("tok2vec")
    assert component_references(nlp.config) == []


def test_pipeline_reloads_after_replace_listeners_and_remove_pipe(saved, tmp_path):
    path, expected = saved
    nlp = heron.load(path)
    nlp.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
    nlp.replace_listeners("tok2vec", "tagger", ["model.tok2vec"])
    nlp.remove_pipe("tok2vec")
    assert annotations(nlp) == expected
    nlp.to_disk(tmp_path / "edited")
    reloaded = heron.load(tmp_path / "edited")
    assert reloaded.component_names == ["tagger", "ner"]
    assert annotations(reloaded) == expected


def test_rename_keeps_named_listeners_and_initialize_settings(saved, tmp_path):
    path, expected = saved
    nlp = heron.load(path)
    nlp._config["initialize"]["components"] = {"ner": {}, "tok2vec": {}}
    nlp.get_pipe("tagger").model.tok2vec.upstream_name = "tok2vec"  # named, not "*"
    nlp._state.configs["tagger"]["model"]["tok2vec"]["upstream"] = "tok2vec"
    nlp.rename_pipe("tok2vec", "trunk")
    nlp.rename_pipe("ner", "entities")
    assert nlp.config["components"]["tagger"]["model"]["tok2vec"]["upstream"] == "trunk"
    assert nlp.config["initialize"]["components"] == {"entities": {}, "trunk": {}}
    nlp.to_disk(tmp_path / "renamed")
    reloaded = heron.load(tmp_path / "renamed")
    assert reloaded.get_pipe("tagger").model.tok2vec.upstream is reloaded.get_pipe("trunk")
    assert annotations(reloaded, ("tagger",)) == [(tags, None) for tags, _ in expected]
    reloaded.remove_pipe("entities")
    assert reloaded.config["initialize"]["components"] == {"trunk": {}}


def test_pipelines_saved_with_references_still_source(saved, tmp_path):
    """config.cfg files written before component blocks were self-contained."""
    path, expected = saved
    old = tmp_path / "old"
    shutil.copytree(path, old)
    text = (old / "config.cfg").read_text(encoding="utf8")
    ref = "width = ${components.tok2vec.model.encode.width}"
    text = text.replace("[components.ner.model.tok2vec]\n@architectures = \"heron.Tok2VecListener.v1\"\n"
                        "width = 16", f"[components.ner.model.tok2vec]\n@architectures = "
                        f"\"heron.Tok2VecListener.v1\"\n{ref}")
    assert ref in text
    (old / "config.cfg").write_text(text, encoding="utf8")
    nlp = sourced({"tok2vec": {"source": str(old)}, "ner": {"source": str(old)}})
    assert annotations(nlp, ("ner",)) == [(None, ents) for _, ents in expected]
    assert nlp.config["components"]["ner"]["model"]["tok2vec"]["width"] == 16


def test_sourced_block_interpolates_the_sources_own_variables(tmp_path):
    """A component block with ${paths.x} is copied with the source's value."""
    config = load_config(Path(heron.__file__).parent / "configs" / "default.cfg")
    config["paths"]["punct"] = ["!"]
    config["nlp"].update(lang="en", pipeline=["sentencizer"])
    config["components"] = {"sentencizer": {"factory": "sentencizer", "punct_chars": "${paths.punct}"}}
    source = Language.from_config(config)
    assert source.config["components"]["sentencizer"]["punct_chars"] == "${paths.punct}"
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer", source=source)
    assert nlp.config["components"]["sentencizer"]["punct_chars"] == ["!"]


# ---- 2. replace_listeners in a sourced block ---------------------------------------------


def test_sourced_head_gets_the_trained_trunk(saved, tmp_path):
    path, expected = saved
    nlp = sourced({"ner": {"source": str(path), "replace_listeners": ["model.tok2vec"]}})
    ner = nlp.get_pipe("ner")
    assert not list(iter_listeners(ner))
    trunk = heron.load(path).get_pipe("tok2vec").model.state_dict()
    own = ner.model.tok2vec.state_dict()
    assert own.keys() == trunk.keys() and all(torch.equal(own[k], trunk[k]) for k in own)
    block = nlp.config["components"]["ner"]["model"]["tok2vec"]
    assert block["@architectures"] == "heron.Tok2Vec.v1" and block["embed"]["width"] == 16
    assert annotations(nlp, ("ner",)) == [(None, ents) for _, ents in expected]
    nlp.to_disk(tmp_path / "copy")
    assert annotations(heron.load(tmp_path / "copy"), ("ner",)) == [(None, ents) for _, ents in expected]


def test_sourced_head_ignores_the_new_pipelines_trunk(saved):
    path, expected = saved
    nlp = sourced({
        "tok2vec": {"factory": "tok2vec", "model": heron.load(path).config["components"]["tok2vec"]["model"]},
        "ner": {"source": str(path), "replace_listeners": ["model.tok2vec"]},
        "tagger": {"source": str(path)},  # listens to the NEW tok2vec
    })
    assert nlp.get_pipe("tok2vec").listening_components == ["tagger"]
    assert annotations(nlp, ("ner",)) == [(None, ents) for _, ents in expected]
    # The source pipeline loaded for it was not changed: the tagger came with its listener.
    assert isinstance(nlp.get_pipe("tagger").model.tok2vec, Tok2VecListener)


@pytest.mark.parametrize("value,pattern", [
    (["model.nope"], r"E368.*no listener at 'model.nope'.*\['model.tok2vec'\]"),
    (["model.tok2vec", "model.tok2vec"], r"E368.*listed twice"),
])
def test_replace_listeners_that_cant_apply(saved, value, pattern):
    path, _ = saved
    with pytest.raises(HeronValueError, match=pattern):
        sourced({"ner": {"source": str(path), "replace_listeners": value}})


def test_component_that_owns_its_tok2vec(saved, tmp_path):
    path, _ = saved
    nlp = sourced({"ner": {"source": str(path), "replace_listeners": ["model.tok2vec"]}})
    nlp.to_disk(tmp_path / "own")
    with pytest.raises(HeronValueError, match=r"E368.*has no listeners.*remove replace_listeners"):
        sourced({"ner": {"source": str(tmp_path / "own"), "replace_listeners": ["model.tok2vec"]}})


def test_sourced_listener_without_a_trunk_names_replace_listeners(saved, tmp_path):
    with pytest.raises(HeronValueError, match=r"E371.*\[components.ner\].*'model.tok2vec'.*replace_listeners"):
        sourced({"ner": {"source": str(saved[0])}})
    named = heron.load(saved[0])  # the tagger listens to upstream = "tok2vec" by name
    named.get_pipe("tagger").model.tok2vec.upstream_name = "tok2vec"
    named._state.configs["tagger"]["model"]["tok2vec"]["upstream"] = "tok2vec"
    named.to_disk(tmp_path / "named")
    with pytest.raises(HeronValueError, match=r"E371.*\[components.tagger\]"):
        sourced({"trunk": {"source": str(tmp_path / "named"), "component": "tok2vec"},
                 "tagger": {"source": str(tmp_path / "named")}})
    bad = {"tok2vec": {"factory": "tok2vec", "model": {"@architectures": "heron.HashEmbedCNN.v1", "width": 8,
                                                        "depth": 1, "embed_size": 100, "window_size": 1,
                                                        "maxout_pieces": 2, "subword_features": True,
                                                        "pretrained_vectors": None}},
           "ner": {"source": str(saved[0])}}
    with pytest.raises(HeronValueError, match=r"E353"):  # a trunk is there: its width is what's wrong
        sourced(bad)


def test_source_without_the_trunk(saved):
    from heron.pipeline._replace import plan_sourced_replacement

    source = heron.load(saved[0])
    source.remove_pipe("tok2vec")  # its heads' listeners are unbound now
    with pytest.raises(HeronValueError, match=r"E369.*'model.tok2vec'.*source pipeline"):
        plan_sourced_replacement("ner", source, "ner", ["model.tok2vec"])


@pytest.mark.parametrize("block,key", [
    ({"replace_listeners": "model.tok2vec"}, "components.ner.replace_listeners"),
    ({"replace_listener": ["model.tok2vec"]}, "components.ner.replace_listener"),
    ({"factory": "ner"}, "components.ner.factory"),
])
def test_source_blocks_are_checked(saved, block, key):
    with pytest.raises(ConfigError, match=rf"{key}:"):
        sourced({"ner": {"source": str(saved[0]), **block}})


def test_replace_listeners_needs_a_source():
    with pytest.raises(ConfigError, match=r"components.ner.replace_listeners: applies only to a component copied"):
        sourced({"tok2vec": {"factory": "tok2vec"},
                 "ner": {"factory": "ner", "replace_listeners": ["model.tok2vec"]}})


def test_debug_config_catches_what_cant_apply(saved, init_config, tmp_path):
    config = load_config(init_config, overrides=TINY)
    config["components"]["ner"] = {"source": str(saved[0]), "replace_listeners": ["model.nope"]}
    (tmp_path / "config.cfg").write_text(config.to_str(), encoding="utf8")
    corpus = tmp_path / "train.heron"
    from heron.tokens import DocBin

    DocBin(docs=[heron.blank("en")("Hi .")]).to_disk(corpus)
    args = ["debug", "config", str(tmp_path / "config.cfg"), "--paths.train", str(corpus),
            "--paths.dev", str(corpus)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "[E368]" in result.output, result.output
    config["components"]["ner"]["replace_listeners"] = ["model.tok2vec"]
    (tmp_path / "config.cfg").write_text(config.to_str(), encoding="utf8")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output


# ---- transformer trunks --------------------------------------------------------------------


def test_sourced_head_gets_its_own_transformer(tiny_bert_dir, tmp_path):
    from heron.transformer.inline import TransformerTok2Vec

    model_dir = tmp_path / "bert-copy"  # deleted below: the copy must not need it
    shutil.copytree(tiny_bert_dir, model_dir)
    torch.manual_seed(0)
    source = heron.blank("en")
    source.add_pipe("transformer", config={"model": {"name": str(model_dir),
                                                     "get_spans": {"@span_getters": "heron.doc_spans.v1"}}})
    source.add_pipe("ner", config={"model": {"@architectures": "heron.TransitionBasedParser.v1", "hidden_width": 16,
                                             "tok2vec": {"@architectures": "heron.TransformerListener.v1"}}})
    examples = ner_examples(source)
    optimizer = source.initialize(lambda: examples)
    for _ in range(3):
        source.update(examples, sgd=optimizer)
    expected = [ents_of(doc) for doc in source.pipe(TEXTS)]
    source.to_disk(tmp_path / "source")
    nlp = sourced({"ner": {"source": str(tmp_path / "source"), "replace_listeners": ["model.tok2vec"]}})
    own = nlp.get_pipe("ner").model.tok2vec
    assert isinstance(own, TransformerTok2Vec)
    trunk = source.get_pipe("transformer").model.transformer.state_dict()
    mine = own.model.transformer.state_dict()
    assert all(torch.equal(mine[k], trunk[k]) for k in trunk)
    assert nlp.config["components"]["ner"]["model"]["tok2vec"]["@architectures"] == "heron.TransformerTok2Vec.v1"
    assert [ents_of(doc) for doc in nlp.pipe(TEXTS)] == expected
    nlp.to_disk(tmp_path / "copy")
    shutil.rmtree(model_dir)
    assert [ents_of(doc) for doc in heron.load(tmp_path / "copy").pipe(TEXTS)] == expected
