"""`heron train` and `heron evaluate` end to end on a tiny config and corpus in tmp."""
import json

import pytest
import torch
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers the commands)
from heron.cli._app import app
from heron.tokens import Doc, DocBin

from fakes import TINY_TAGGER_TRAIN_CONFIG

runner = CliRunner()

CONFIG = TINY_TAGGER_TRAIN_CONFIG + """
[training]
max_steps = 4
eval_frequency = 2

[training.optimizer]
@optimizers = "heron.Adam.v1"
learn_rate = 0.01
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_train")
    vocab = heron.blank("en").vocab
    docs = [Doc(vocab, words=["Ada", "codes", "."], tags=["NNP", "VBZ", "."], ents=["U-PER", "O", "O"]),
            Doc(vocab, words=["Bob", "sleeps", "."], tags=["NNP", "VBZ", "."], ents=["U-PER", "O", "O"])]
    DocBin(docs=docs).to_disk(folder / "train.heron")
    (folder / "config.cfg").write_text(CONFIG)
    return folder


@pytest.fixture(scope="module")
def trained(workdir):
    out = workdir / "out"
    result = runner.invoke(app, ["train", str(workdir / "config.cfg"), "-o", str(out),
                                 "--paths.train", str(workdir / "train.heron"),
                                 "--paths.dev", str(workdir / "train.heron")])
    return result, out


def test_train_cli_writes_outputs(trained):
    result, out = trained
    assert result.exit_code == 0, result.output
    assert "TAG_ACC" in result.output and "model-last" in result.output
    for name in ("model-best", "model-last"):
        assert (out / name / "config.cfg").exists()
    assert len((out / "train_log.jsonl").read_text().splitlines()) == 3  # steps 0, 2, 4
    assert [t.tag_ for t in heron.load(out / "model-best")("Ada codes.")] != ["", "", ""]


def test_evaluate_cli(trained, workdir):
    _, out = trained
    scores_path = workdir / "scores.json"
    viz = workdir / "viz"
    result = runner.invoke(app, ["evaluate", str(out / "model-best"), str(workdir / "train.heron"),
                                 "--output", str(scores_path), "--displacy-path", str(viz)])
    assert result.exit_code == 0, result.output
    assert "TAG" in result.output and "SPEED" in result.output
    scores = json.loads(scores_path.read_text())
    assert 0.0 <= scores["tag_acc"] <= 1.0 and scores["token_acc"] == 1.0 and scores["speed"] > 0
    page = (viz / "entities.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Ada codes ." in page
    assert "http" not in page and "<script" not in page  # self-contained


def test_render_entities_escapes_and_labels():
    from heron.cli.evaluate import render_entities

    vocab = heron.blank("en").vocab
    doc = Doc(vocab, words=["<b>", "Ada"], ents=["O", "U-PER"])
    page = render_entities([doc])
    assert "&lt;b&gt;" in page and ">Ada<span class=\"label\">PER</span></mark>" in page


def test_train_cli_missing_corpus_is_a_coded_error(workdir):
    result = runner.invoke(app, ["train", str(workdir / "config.cfg"),
                                 "--paths.train", str(workdir / "nope.heron"),
                                 "--paths.dev", str(workdir / "train.heron")])
    assert result.exit_code == 1
    assert "E506" in result.output and "nope.heron" in result.output


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only error")
def test_train_cli_gpu_without_cuda(workdir):
    result = runner.invoke(app, ["train", str(workdir / "config.cfg"), "--gpu-id", "0",
                                 "--paths.train", str(workdir / "train.heron"),
                                 "--paths.dev", str(workdir / "train.heron")])
    assert result.exit_code == 1 and "E511" in result.output


# ---- a broken corpus stops the run before anything is written (issue 13 item 8) ---------


def _train(workdir, out, train, dev, *extra):
    return runner.invoke(app, ["train", str(workdir / "config.cfg"), "-o", str(out),
                               "--paths.train", str(train), "--paths.dev", str(dev), *extra])


def test_broken_dev_corpus_fails_before_anything_is_written(workdir, tmp_path):
    bad = tmp_path / "dev.heron"
    bad.write_bytes(b"this is not a DocBin")
    out = tmp_path / "out"
    result = _train(workdir, out, workdir / "train.heron", bad)
    assert result.exit_code == 1, result.output
    assert "[E028]" in result.output and "dev.heron" in result.output
    assert "Training failed" not in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_broken_file_in_a_dev_folder_is_named(workdir, tmp_path):
    dev = tmp_path / "dev"
    dev.mkdir()
    (dev / "a.heron").write_bytes((workdir / "train.heron").read_bytes())
    (dev / "b.heron").write_bytes((workdir / "train.heron").read_bytes()[:20])  # truncated
    out = tmp_path / "out"
    result = _train(workdir, out, workdir / "train.heron", dev)
    assert result.exit_code == 1 and "b.heron" in result.output, result.output
    assert not out.exists()


def test_empty_dev_corpus_is_a_coded_error(workdir, tmp_path):
    empty = tmp_path / "empty.heron"
    DocBin(docs=[]).to_disk(empty)
    out = tmp_path / "out"
    result = _train(workdir, out, workdir / "train.heron", empty)
    assert result.exit_code == 1, result.output
    assert "[E517]" in result.output and "corpora.dev" in result.output and "empty.heron" in result.output
    assert not out.exists()


def test_empty_train_corpus_is_a_coded_error(workdir, tmp_path):
    empty = tmp_path / "empty.heron"
    DocBin(docs=[]).to_disk(empty)
    out = tmp_path / "out"
    result = _train(workdir, out, empty, workdir / "train.heron")
    assert result.exit_code == 1, result.output
    assert "corpora.train" in result.output and "[E517]" in result.output
    assert not out.exists()


def test_reader_failure_names_the_corpus(workdir, tmp_path):
    import catalogue

    from heron.registry import registry

    @registry.readers("test_train.failing_reader.v1")
    def failing_reader():
        def read(nlp):
            raise PermissionError("dev.heron: permission denied")
            yield  # a generator, like real readers

        return read

    config = tmp_path / "config.cfg"
    config.write_text(CONFIG.replace('[corpora.dev]\n@readers = "heron.Corpus.v1"\npath = ${paths.dev}',
                                     '[corpora.dev]\n@readers = "test_train.failing_reader.v1"'))
    out = tmp_path / "out"
    try:
        result = runner.invoke(app, ["train", str(config), "-o", str(out),
                                     "--paths.train", str(workdir / "train.heron")])
    finally:
        catalogue._remove(("heron", "readers", "test_train.failing_reader.v1"))
    assert result.exit_code == 1, result.output
    assert "[E518]" in result.output and "corpora.dev" in result.output
    assert "PermissionError: dev.heron: permission denied" in result.output
    assert not out.exists()


def test_failure_before_the_first_step_saves_no_untrained_model(workdir, tmp_path, monkeypatch):
    from heron.training import loop

    def broken_step(*args, **kwargs):
        raise RuntimeError("boom")
        yield

    monkeypatch.setattr(loop, "train_while_improving", broken_step)
    out = tmp_path / "out"
    result = _train(workdir, out, workdir / "train.heron", workdir / "train.heron")
    assert isinstance(result.exception, RuntimeError)
    assert not (out / "model-last").exists() and not (out / "model-best").exists()


def test_training_start_removes_temp_folders_of_a_killed_run(workdir, tmp_path, monkeypatch):
    import subprocess
    import sys

    from heron.training import loop
    from heron.util import temp_name_prefix

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    out = tmp_path / "out"
    out.mkdir()
    stale = [f"{temp_name_prefix(out / 'model-last', pid=gone.pid)}abcd1234.tmp",
             f"{temp_name_prefix(out / 'model-best', old=True, pid=gone.pid)}efgh5678"]
    for name in stale:
        (out / name).mkdir()

    def no_steps(*args, **kwargs):  # stop before any save: cleaning must not wait for one
        raise RuntimeError("stop")
        yield

    monkeypatch.setattr(loop, "train_while_improving", no_steps)
    result = _train(workdir, out, workdir / "train.heron", workdir / "train.heron")
    assert isinstance(result.exception, RuntimeError)
    assert not any((out / name).exists() for name in stale)
