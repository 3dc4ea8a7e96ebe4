"""Loading a transformer must never run code shipped with it, unpickle, or reach the network.

Every attack is built on a saved tiny pipeline (or a copy of the tiny BERT folder) and
plants an `evilmod.py` that writes a marker file when imported: the load must be refused
with a coded error AND the marker must not exist.
"""
from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
import torch

import heron
from heron.errors import HeronError
from heron.training.example import Example

SPANS = {"@span_getters": "heron.doc_spans.v1"}
LISTENER = {"@architectures": "heron.TransformerListener.v1"}


@pytest.fixture(scope="module")
def saved_dir(tiny_bert_dir, tmp_path_factory) -> Path:
    """A tiny transformer + tagger pipeline, initialized (not trained) and saved."""
    torch.manual_seed(0)
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={"model": {"name": str(tiny_bert_dir), "get_spans": SPANS}})
    nlp.add_pipe("tagger", config={"model": {"tok2vec": LISTENER}})
    egs = [Example.from_dict(nlp.make_doc("I like eggs"), {"tags": ["PRP", "VBP", "NNS"]})]
    nlp.initialize(lambda: egs)
    out = tmp_path_factory.mktemp("saved") / "nlp"
    nlp.to_disk(out)
    return out


def _evil_module(folder: Path, marker: Path, base: str) -> None:
    """evilmod.py: writes `marker` when imported, and defines EvilTok / EvilConfig."""
    (folder / "evilmod.py").write_text(
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('code from the model folder ran')\n"
        f"from transformers import {base}\n"
        f"class EvilTok({base}):\n    pass\n"
        f"class EvilConfig({base}):\n    pass\n", encoding="utf8")


def _edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text(encoding="utf8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf8")


def _tampered(saved_dir: Path, tmp_path: Path) -> tuple:
    """(copy of the saved pipeline, its transformer/model folder, the marker path)."""
    copy = tmp_path / "nlp"
    shutil.copytree(saved_dir, copy)
    return copy, copy / "transformer" / "model", tmp_path / "MARKER"


def _add_cfg_line(pipeline: Path, section: str, line: str) -> None:
    cfg = pipeline / "config.cfg"
    text = cfg.read_text(encoding="utf8")
    header = f"[components.transformer.model.{section}]\n"
    assert header in text
    cfg.write_text(text.replace(header, header + line + "\n"), encoding="utf8")


# ---- the two attacks of issue 13 item 1 ------------------------------------------------------
def test_tokenizer_auto_map_with_trust_remote_code_runs_nothing(saved_dir, tmp_path):
    copy, model_dir, marker = _tampered(saved_dir, tmp_path)
    _add_cfg_line(copy, "tokenizer_config", "trust_remote_code = true")
    _edit_json(model_dir / "tokenizer_config.json", auto_map={"AutoTokenizer": [None, "evilmod.EvilTok"]})
    _evil_module(model_dir, marker, "BertTokenizerFast")
    with pytest.raises(HeronError, match=r"\[E764\] tokenizer_config\.trust_remote_code"):
        heron.load(copy)
    assert not marker.exists()


def test_config_auto_map_with_trust_remote_code_runs_nothing(saved_dir, tmp_path):
    copy, model_dir, marker = _tampered(saved_dir, tmp_path)
    _add_cfg_line(copy, "transformer_config", "trust_remote_code = true")
    _edit_json(model_dir / "config.json", auto_map={"AutoConfig": "evilmod.EvilConfig"})
    _evil_module(model_dir, marker, "BertConfig")
    with pytest.raises(HeronError, match=r"\[E764\] transformer_config\.trust_remote_code"):
        heron.load(copy)
    assert not marker.exists()


# ---- the saved files alone (config.cfg untouched) -----------------------------------------------
@pytest.mark.parametrize("file,changes,named", [
    ("tokenizer_config.json", {"auto_map": {"AutoTokenizer": [None, "evilmod.EvilTok"]}}, "auto_map"),
    ("tokenizer_config.json", {"auto_map": [None, "evilmod.EvilTok"]}, "auto_map"),  # legacy form
    ("config.json", {"auto_map": {"AutoConfig": "evilmod.EvilConfig"}}, "auto_map"),
    ("config.json", {"auto_map": {"AutoModel": "evilmod.EvilConfig"}}, "auto_map"),
    ("tokenizer_config.json", {"trust_remote_code": True}, "trust_remote_code"),
    ("config.json", {"trust_remote_code": 1}, "trust_remote_code"),
    # A class name that isn't built into transformers: never looked up in the folder.
    ("tokenizer_config.json", {"tokenizer_class": "EvilTok"}, "tokenizer_class"),
    ("config.json", {"model_type": "evilmod"}, "model_type"),
    # Attention "implementations" that are hub repos are compiled kernels fetched and run.
    ("config.json", {"attn_implementation": "kernels-community/flash-attn"}, "attn_implementation"),
    # transformers honours an explicit weights file name; only safetensors may be named.
    ("config.json", {"transformers_weights": "adapter_model.bin"}, "transformers_weights"),
])
def test_unsafe_saved_json_is_refused(saved_dir, tmp_path, file, changes, named):
    copy, model_dir, marker = _tampered(saved_dir, tmp_path)
    _edit_json(model_dir / file, **changes)
    _evil_module(model_dir.parent, marker, "BertTokenizerFast")  # beside, not inside: sys.path bait
    with pytest.raises(HeronError, match=rf"\[E767\] .*{file}.*{named}.*Fix: "):
        heron.load(copy)
    assert not marker.exists()


def test_auto_map_nested_in_a_sub_config_is_refused(saved_dir, tmp_path):
    copy, model_dir, _ = _tampered(saved_dir, tmp_path)
    _edit_json(model_dir / "config.json", text_config={"auto_map": {"AutoConfig": "evilmod.EvilConfig"}})
    with pytest.raises(HeronError, match=r"\[E767\] .*config\.json.*text_config\.auto_map"):
        heron.load(copy)


def test_code_files_in_a_saved_transformer_folder_are_refused(saved_dir, tmp_path):
    copy, model_dir, marker = _tampered(saved_dir, tmp_path)
    _evil_module(model_dir, marker, "BertTokenizerFast")
    with pytest.raises(HeronError, match=r"\[E767\] .*evilmod\.py"):
        heron.load(copy)
    assert not marker.exists()


def test_untampered_pipeline_still_loads(saved_dir):
    nlp = heron.load(saved_dir)
    assert len(nlp("I like eggs")) == 3


# ---- config.cfg settings: an allowlist, nothing dropped silently ---------------------------------
@pytest.mark.parametrize("section,line,pattern", [
    ("tokenizer_config", "trust_remote_code = \"yes\"", r"\[E764\] tokenizer_config\.trust_remote_code"),
    ("tokenizer_config", "cache_dir = \"/tmp/elsewhere\"", r"\[E765\] tokenizer_config.*'cache_dir'"),
    ("tokenizer_config", "code_revision = \"main\"", r"\[E765\] tokenizer_config.*'code_revision'"),
    ("transformer_config", "gguf_file = \"x.gguf\"", r"\[E765\] transformer_config.*'gguf_file'"),
    ("transformer_config", "local_files_only = false", r"\[E765\] transformer_config.*'local_files_only'"),
    ("transformer_config", "hidden_dropout_prob = \"high\"", r"\[E766\] transformer_config\.hidden_dropout_prob"),
    ("transformer_config", "attn_implementation = \"kernels-community/flash-attn\"",
     r"\[E766\] transformer_config\.attn_implementation"),
])
def test_unsafe_or_unknown_config_keys_are_refused_at_load(saved_dir, tmp_path, section, line, pattern):
    copy, _, _ = _tampered(saved_dir, tmp_path)
    _add_cfg_line(copy, section, line)
    with pytest.raises(HeronError, match=pattern + r".*Fix: "):
        heron.load(copy)


def test_known_safe_settings_are_passed_on(tiny_bert_dir):
    from heron.registry import registry

    make = registry.get("architectures", "heron.TransformerModel.v1")
    getter = registry.get("span_getters", "heron.doc_spans.v1")()
    model = make(name=str(tiny_bert_dir), get_spans=getter,
                 tokenizer_config={"use_fast": True, "model_max_length": 48, "trust_remote_code": False},
                 transformer_config={"hidden_dropout_prob": 0.3, "attn_implementation": "eager"})
    model.load()
    assert model.tokenizer.model_max_length == 48
    assert model.hf_config.hidden_dropout_prob == 0.3


# ---- how Hugging Face is called ------------------------------------------------------------------
def test_every_hf_call_is_local_offline_and_trusts_no_code(saved_dir, tiny_bert_dir, monkeypatch):
    import transformers
    from huggingface_hub import constants

    calls = []

    def spy(cls):
        original = cls.from_pretrained

        def from_pretrained(*args, **kwargs):
            calls.append((cls.__name__, dict(kwargs), constants.is_offline_mode()))
            return original(*args, **kwargs)

        monkeypatch.setattr(cls, "from_pretrained", from_pretrained)

    for cls in (transformers.AutoConfig, transformers.AutoTokenizer, transformers.AutoModel):
        spy(cls)
    offline_before = constants.is_offline_mode()
    heron.load(saved_dir)
    from heron.featurize.span_getters import doc_spans
    from heron.transformer.model import TransformerModel

    TransformerModel(str(tiny_bert_dir), doc_spans(), {}, {}).load()
    assert {name for name, _, _ in calls} == {"AutoConfig", "AutoTokenizer", "AutoModel"}
    for name, kwargs, offline in calls:
        assert kwargs.get("local_files_only") is True, (name, kwargs)
        assert kwargs.get("trust_remote_code") is False, (name, kwargs)
        assert offline, f"{name}.from_pretrained ran with the hub online"
        if name == "AutoModel":
            assert kwargs.get("use_safetensors") is True
    assert constants.is_offline_mode() == offline_before  # restored afterwards


def test_a_model_not_here_fails_without_touching_the_network(monkeypatch):
    from heron.featurize.span_getters import doc_spans
    from heron.transformer.model import TransformerModel

    attempts = []

    def no_connect(self, address, *args):
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    model = TransformerModel("heron-test-org/model-that-is-not-cached", doc_spans(), {}, {})
    with pytest.raises(HeronError, match=r"\[E750\]"):
        model.load()
    assert attempts == []


# ---- the user's `name` folder --------------------------------------------------------------------
def _name_copy(tiny_bert_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "bert"
    shutil.copytree(tiny_bert_dir, folder)
    return folder


def test_name_folder_with_auto_map_is_refused_before_anything_loads(tiny_bert_dir, tmp_path):
    from heron.featurize.span_getters import doc_spans
    from heron.transformer.model import TransformerModel

    folder = _name_copy(tiny_bert_dir, tmp_path)
    marker = tmp_path / "MARKER"
    _edit_json(folder / "config.json", auto_map={"AutoConfig": "evilmod.EvilConfig"})
    _evil_module(folder, marker, "BertConfig")
    with pytest.raises(HeronError, match=r"\[E767\] .*config\.json.*auto_map"):
        TransformerModel(str(folder), doc_spans(), {}, {})
    assert not marker.exists()


def test_name_folder_with_only_pickled_weights_is_refused(tiny_bert_dir, tmp_path, monkeypatch):
    """Decision: never unpickle, not even with torch.load(weights_only=True)."""
    from safetensors.torch import load_file

    from heron.featurize.span_getters import doc_spans
    from heron.transformer.model import TransformerModel

    folder = _name_copy(tiny_bert_dir, tmp_path)
    torch.save(load_file(str(folder / "model.safetensors")), str(folder / "pytorch_model.bin"))
    (folder / "model.safetensors").unlink()
    unpickled = []
    real_load = torch.load
    monkeypatch.setattr(torch, "load", lambda *a, **k: unpickled.append(a) or real_load(*a, **k))
    model = TransformerModel(str(folder), doc_spans(), {}, {})
    with pytest.raises(HeronError, match=r"\[E769\] .*pytorch_model\.bin.*Fix: "):
        model.load()
    assert unpickled == []


# ---- the inline transformer files kept in a head's cfg.json --------------------------------------
def test_inline_files_with_auto_map_or_code_are_refused(tiny_bert_dir, tmp_path):
    from heron.featurize.span_getters import doc_spans
    from heron.transformer.inline import build_from_files, hf_files
    from heron.transformer.model import TransformerModel

    source = TransformerModel(str(tiny_bert_dir), doc_spans(), {}, {})
    source.load()
    files = hf_files(source)
    marker = tmp_path / "MARKER"
    evil = dict(files)
    tok_cfg = json.loads(evil["tokenizer_config.json"])
    tok_cfg["auto_map"] = {"AutoTokenizer": [None, "evilmod.EvilTok"]}
    evil["tokenizer_config.json"] = json.dumps(tok_cfg)
    fresh = TransformerModel("not-here", doc_spans(), {}, {})
    with pytest.raises(HeronError, match=r"\[E767\] .*ner\.model\.tok2vec.*tokenizer_config\.json.*auto_map"):
        build_from_files(fresh, evil, "ner.model.tok2vec")
    code = dict(files, **{"evilmod.py": f"open({str(marker)!r}, 'w').write('ran')\n"})
    with pytest.raises(HeronError, match=r"\[E767\] .*evilmod\.py"):
        build_from_files(fresh, code, "ner.model.tok2vec")
    assert not marker.exists()
    build_from_files(fresh, files, "ner.model.tok2vec")  # the untouched files still rebuild
    assert fresh.loaded


# ---- the component's own cfg.json ----------------------------------------------------------------
@pytest.mark.parametrize("value", [-1, 0, "4096", True])
def test_tampered_max_batch_items_in_cfg_json_is_a_coded_error(saved_dir, tmp_path, value):
    copy, _, _ = _tampered(saved_dir, tmp_path)
    _edit_json(copy / "transformer" / "cfg.json", max_batch_items=value)
    with pytest.raises(HeronError, match=r"\[E753\].*max_batch_items"):
        heron.load(copy)


def test_offline_settings_survive_nested_and_concurrent_loads(monkeypatch):
    import os
    import threading

    from huggingface_hub import constants

    from heron.transformer.safe_loading import offline

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    inside, release = threading.Event(), threading.Event()

    def other_load():
        with offline():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other_load)
    with offline():
        thread.start()
        inside.wait(10)
    # This load finished first: the other one is still running and must stay offline.
    assert constants.is_offline_mode() and os.environ.get("HF_HUB_OFFLINE") == "1"
    release.set()
    thread.join(10)
    assert not constants.is_offline_mode() and "HF_HUB_OFFLINE" not in os.environ
