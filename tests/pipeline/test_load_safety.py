"""What loading a saved pipeline refuses (issue 13, items 2, 9 and 10):

- a trained component whose weights, settings or folder are missing, or whose weights file
  is truncated or doesn't match the architecture (coded errors naming the file/tensor);
- symbolic links that lead out of the pipeline folder;
and what saving cleans up: temp entries left beside the target by a killed save.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import msgpack
import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

import heron
from heron.errors import HeronError
from heron.language import Language
from heron.training.example import Example
from heron.util import atomic_output_dir, atomic_write_bytes, temp_name_prefix
from heron.vectors.table import Vectors

from fakes import WIDTH, listener_model, trunk_model

TRAINED = ["tok2vec", "tagger", "senter", "ner"]
TEXT = "Acme sells cats . Bob buys dogs"


def head(architecture: str, **settings) -> dict:
    return {"model": {"@architectures": architecture, "tok2vec": listener_model(WIDTH), **settings}}


def build_pipeline() -> Language:
    """tok2vec + tagger + senter + ner (listening) + entity_ruler + a stateless function."""
    torch.manual_seed(0)
    nlp = heron.blank("en")
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=np.ones((2, 3), dtype=np.float32),
                                keys=["cats", "dogs"], name="tiny_vectors")
    nlp.add_pipe("tok2vec", config={"model": trunk_model(WIDTH)})
    nlp.add_pipe("tagger", config=head("heron.Tagger.v1", nO=None))
    nlp.add_pipe("senter", config=head("heron.Tagger.v1", nO=None))
    nlp.add_pipe("ner", config=head("heron.TransitionBasedParser.v1", hidden_width=16))
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "Acme"}])
    nlp.add_pipe("test_load_safety_noop")
    doc = nlp.make_doc(TEXT)
    eg = Example.from_dict(doc, {"tags": ["NNP", "VBZ", "NNS", ".", "NNP", "VBZ", "NNS"],
                                 "entities": ["U-ORG", "O", "O", "O", "U-PER", "O", "O"],
                                 "sent_starts": [1, 0, 0, 0, 1, 0, 0]})
    nlp.initialize(lambda: [eg])
    return nlp


@Language.component("test_load_safety_noop")
def noop(doc):
    return doc


@pytest.fixture(scope="module")
def trained():
    return build_pipeline()


@pytest.fixture(scope="module")
def saved_once(trained, tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "pipeline"
    trained.to_disk(path)
    return path


@pytest.fixture
def saved(saved_once, tmp_path):
    """A private copy of the saved pipeline that a test may damage."""
    path = tmp_path / "pipeline"
    shutil.copytree(saved_once, path)
    return path


def load_both_ways(path, trained, **kwargs):
    """heron.load(path), and nlp.from_disk(path) into a pipeline built from the trained
    one's config: one callable per way, for pytest.raises blocks."""
    yield lambda: heron.load(path, **kwargs)
    yield lambda: Language.from_config(trained.config).from_disk(path, **kwargs)


def tags(nlp):
    return [(t.tag_, t.is_sent_start, t.ent_type_) for t in nlp(TEXT)]


# ---- item 2: missing or damaged state --------------------------------------------------


def test_intact_pipeline_loads_and_records_what_it_wrote(trained, saved):
    meta = json.loads((saved / "meta.json").read_text())
    files = meta["files"]
    assert files["tagger"] == ["tagger/cfg.json", "tagger/model.safetensors"]
    assert files["entity_ruler"] == ["entity_ruler/cfg.json", "entity_ruler/patterns.jsonl"]
    assert files["test_load_safety_noop"] == []  # stateless: saved nothing, needs nothing
    assert "vocab/vectors/vectors.npy" in files["vocab"] and files["tokenizer"] == ["tokenizer"]
    for load in load_both_ways(saved, trained):
        nlp = load()
        assert tags(nlp) == tags(trained)
        assert "files" not in nlp.meta  # describes one folder, not the live pipeline


@pytest.mark.parametrize("name", TRAINED)
def test_missing_weights_file_is_refused(trained, saved, name):
    (saved / name / "model.safetensors").unlink()
    for load in load_both_ways(saved, trained):
        with pytest.raises(HeronError, match=r"\[E364\]") as e:
            load()
        assert str(saved / name / "model.safetensors") in str(e.value)


@pytest.mark.parametrize("name", TRAINED + ["entity_ruler"])
def test_missing_component_folder_is_refused(trained, saved, name):
    shutil.rmtree(saved / name)
    for load in load_both_ways(saved, trained):
        with pytest.raises(HeronError, match=rf"\[E364\].*'{name}'") as e:
            load()
        assert str(saved / name) in str(e.value)


@pytest.mark.parametrize("relative", ["tagger/cfg.json", "entity_ruler/patterns.jsonl",
                                      "vocab/vectors/key2row.npy", "tokenizer"])
def test_any_recorded_file_missing_is_refused(saved, relative):
    (saved / relative).unlink()
    with pytest.raises(HeronError, match=r"\[E364\]") as e:
        heron.load(saved)
    assert str(saved / relative) in str(e.value)


def test_excluded_part_is_not_checked(saved):
    shutil.rmtree(saved / "entity_ruler")
    nlp = heron.load(saved, exclude=["entity_ruler"])
    assert "entity_ruler" not in nlp.component_names


def test_without_a_record_trained_components_are_still_checked(saved):
    """A meta.json without "files" (older heron, or written by hand): the component's own
    rules apply: a trained component needs its folder, cfg.json and weights."""
    meta = json.loads((saved / "meta.json").read_text())
    del meta["files"]
    (saved / "meta.json").write_text(json.dumps(meta))
    shutil.rmtree(saved / "entity_ruler")  # rule component: nothing to tell it was saved
    assert len(heron.load(saved).get_pipe("entity_ruler")) == 0
    (saved / "senter" / "model.safetensors").unlink()
    with pytest.raises(HeronError, match=r"\[E364\].*model\.safetensors"):
        heron.load(saved)
    shutil.rmtree(saved / "senter")
    with pytest.raises(HeronError, match=r"\[E364\].*'senter'"):
        heron.load(saved)


@pytest.mark.parametrize("bad", [["../../etc/passwd"], ["/etc/passwd"], "tagger/cfg.json", [3]])
def test_malformed_file_record_is_refused(saved, bad):
    meta = json.loads((saved / "meta.json").read_text())
    meta["files"]["tagger"] = bad
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(HeronError, match=r"\[E367\].*meta\.json"):
        heron.load(saved)


def test_excluded_at_save_warns_at_load(trained, tmp_path):
    trained.to_disk(tmp_path / "p", exclude=["tagger"])
    with pytest.warns(UserWarning, match=r"\[W302\].*'tagger'"):
        nlp = heron.load(tmp_path / "p")
    assert nlp.get_pipe("tagger").labels == ()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        heron.load(tmp_path / "p", exclude=["tagger"])


def rewrite_weights(path: Path, change) -> None:
    weights = load_file(str(path))
    change(weights)
    save_file(weights, str(path))


@pytest.mark.parametrize("change, expected", [
    (lambda w: w.pop("output.weight"), r"output\.weight: built by the config .* not in the file"),
    (lambda w: w.__setitem__("extra", torch.zeros(2)), r"extra: in the file"),
    (lambda w: w.__setitem__("output.bias", torch.zeros(99)), r"output\.bias: shape \(99,\) in the file"),
])
def test_missing_unexpected_or_misshaped_tensor_is_refused(trained, saved, change, expected):
    rewrite_weights(saved / "tagger" / "model.safetensors", change)
    for load in load_both_ways(saved, trained):
        with pytest.raises(HeronError, match=rf"(?s)\[E355\].*'tagger'.*{expected}"):
            load()


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_weights_file_is_a_coded_error_naming_it(trained, saved, damage):
    weights = saved / "ner" / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes({"truncate": data[: len(data) // 2], "garbage": os.urandom(64),
                         "empty": b""}[damage])
    for load in load_both_ways(saved, trained):
        with pytest.raises(HeronError, match=r"\[E362\]") as e:
            load()
        assert str(weights) in str(e.value)


def bytes_without(data: bytes, name: str) -> bytes:
    msg = msgpack.unpackb(data, raw=False)
    del msg["components"][name]
    return msgpack.packb(msg, use_bin_type=True)


@pytest.mark.parametrize("name", TRAINED)
def test_bytes_missing_a_trained_component_are_refused(trained, name):
    data = bytes_without(trained.to_bytes(), name)
    with pytest.raises(HeronError, match=rf"\[E366\].*'{name}'"):
        Language.from_config(trained.config).from_bytes(data)
    # Skipping it on purpose is fine.
    Language.from_config(trained.config).from_bytes(data, exclude=[name])


def test_bytes_excluded_at_save_warn(trained):
    data = trained.to_bytes(exclude=["ner"])
    with pytest.warns(UserWarning, match=r"\[W302\].*'ner'"):
        Language.from_config(trained.config).from_bytes(data)
    rebuilt = Language.from_config(trained.config).from_bytes(trained.to_bytes())
    assert tags(rebuilt) == tags(trained)


# ---- item 9: symbolic links ----------------------------------------------------------------


def replace_by_outside_link(saved: Path, relative: str, outside: Path) -> Path:
    """Move `relative` out of the folder and leave a symlink to it (same content)."""
    target = outside / relative.replace("/", "_")
    outside.mkdir(exist_ok=True)
    shutil.move(str(saved / relative), str(target))
    os.symlink(target, saved / relative)
    return target


@pytest.mark.parametrize("relative", ["config.cfg", "meta.json", "tokenizer", "vocab/strings.json",
                                      "vocab/vectors/vectors.npy", "vocab/vectors", "tagger",
                                      "ner/model.safetensors", "entity_ruler/patterns.jsonl"])
def test_link_leaving_the_folder_is_refused(trained, saved, tmp_path, relative):
    target = replace_by_outside_link(saved, relative, tmp_path / "elsewhere")
    for load in load_both_ways(saved, trained):
        with pytest.raises(HeronError, match=r"\[E365\]") as e:
            load()
        assert str(saved / relative) in str(e.value) and str(target) in str(e.value)
    # An explicit opt-in follows it (same content, so the pipeline works).
    for load in load_both_ways(saved, trained, allow_symlinks=True):
        assert load().pipe_names[:2] == ["tok2vec", "tagger"]


def test_relative_link_escaping_with_dotdot_is_refused(saved, tmp_path):
    (tmp_path / "secret.txt").write_text("not yours")
    os.symlink("../../secret.txt", saved / "tagger" / "notes.txt")
    with pytest.raises(HeronError, match=r"\[E365\].*notes\.txt.*secret\.txt"):
        heron.load(saved)


def test_dangling_link_outside_is_refused(saved, tmp_path):
    os.symlink(tmp_path / "nowhere", saved / "vocab" / "dangling")
    with pytest.raises(HeronError, match=r"\[E365\].*dangling"):
        heron.load(saved)


def test_links_inside_the_folder_and_a_linked_root_are_allowed(saved, tmp_path):
    (saved / "tagger" / "cfg.json").rename(saved / "tagger_cfg.json")
    os.symlink("../tagger_cfg.json", saved / "tagger" / "cfg.json")
    os.symlink("tagger", saved / "alias")
    os.symlink(saved, tmp_path / "latest")
    assert heron.load(tmp_path / "latest").get_pipe("tagger").labels


# ---- item 10: stale temp entries of killed saves ------------------------------------------


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def make_entry(parent: Path, name: str, *, folder: bool = True, age_s: float = 0.0) -> Path:
    path = parent / name
    if folder:
        path.mkdir()
        (path / "weights.bin").write_bytes(b"x" * 10)
    else:
        path.write_bytes(b"x")
    if age_s:
        old = time.time() - age_s
        for item in [path, *path.rglob("*")] if folder else [path]:
            os.utime(item, (old, old))
    return path


def stale_and_live_entries(parent: Path, target: str, *, folder: bool = True):
    """Temp entries beside `parent / target`: (names a save must remove, names it must keep)."""
    gone = dead_pid()
    hours = 7200.0
    stale = {  # name -> age in seconds
        f"{temp_name_prefix(parent / target, pid=gone)}abcd1234.tmp": 0.0,  # dead process
        f"{temp_name_prefix(parent / target, old=True, pid=gone)}efgh5678": 0.0,
        f".{target}.k2j4h5g6.tmp": hours,  # older heron (no pid in the name), idle 2 hours
        f".{target}.old-q1w2e3r4": hours,
        f".{target}.otherhost-{gone}-abcd1234.tmp": hours,  # another machine, idle 2 hours
        # This process's pid, but not being written by it: left by a killed process
        # that had the same pid (a restarted container often does).
        f"{temp_name_prefix(parent / target)}mine1234.tmp": 0.0,
        f"{temp_name_prefix(parent / target, old=True)}mine5678": 0.0,
    }
    live = [f".{target}.zzzz9999.tmp",  # older heron, written a moment ago
            f".{target}.otherhost-{gone}-fresh123.tmp",  # another machine, a moment ago
            f".{target}x.k2j4h5g6.tmp", f".other.{target}.tmp", "unrelated"]  # not ours
    for name, age in stale.items():
        make_entry(parent, name, folder=folder, age_s=age)
    for name in live:
        make_entry(parent, name, folder=folder)
    return list(stale), live


def test_save_removes_stale_temp_folders_of_dead_processes_only(trained, tmp_path):
    trained.to_disk(tmp_path / "model-last")
    stale, live = stale_and_live_entries(tmp_path, "model-last")
    trained.to_disk(tmp_path / "model-last")
    remaining = sorted(p.name for p in tmp_path.iterdir())
    assert remaining == sorted(live + ["model-last"])
    assert heron.load(tmp_path / "model-last").pipe_names == trained.pipe_names


def test_atomic_writes_name_temp_entries_by_process_and_clean_files(tmp_path):
    seen = []
    with atomic_output_dir(tmp_path / "out") as tmp:
        seen.append(tmp.name)
    assert seen[0].startswith(temp_name_prefix(tmp_path / "out")) and seen[0].endswith(".tmp")
    stale, live = stale_and_live_entries(tmp_path, "data.heron", folder=False)
    atomic_write_bytes(tmp_path / "data.heron", b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(live + ["data.heron", "out"])
    assert (tmp_path / "data.heron").read_bytes() == b"new"


def test_a_save_in_progress_in_this_process_is_never_removed(trained, tmp_path):
    """A save of the same target finishing while another (outer) one is still writing."""
    with atomic_output_dir(tmp_path / "m") as outer:
        (outer / "marker").write_text("outer")
        trained.to_disk(tmp_path / "m")
        assert outer.exists() and (outer / "marker").exists()
    assert (tmp_path / "m" / "marker").read_text() == "outer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_a_save_in_progress_elsewhere_is_never_removed(trained, tmp_path):
    """Another live process (here: a child that sleeps) owns a temp folder: kept."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        busy = make_entry(tmp_path, f"{temp_name_prefix(tmp_path / 'm', pid=child.pid)}busy1234.tmp")
        trained.to_disk(tmp_path / "m")
        assert busy.exists()
    finally:
        child.kill()
        child.wait()
    trained.to_disk(tmp_path / "m")
    assert not busy.exists()
