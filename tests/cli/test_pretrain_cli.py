"""`heron pretrain` end to end: init config --pretraining, then pretrain on generated text."""
import json
import random

import pytest
from typer.testing import CliRunner

import heron.cli  # noqa: F401  (registers the commands)
from heron.cli._app import app
from heron.pretraining import init_tok2vec, read_pretrained

runner = CliRunner()
SMALL = ["--components.tok2vec.model.encode.width", "16", "--components.tok2vec.model.encode.depth", "1",
         "--components.tok2vec.model.embed.rows", "100", "--components.tok2vec.model.embed.nM", "8",
         "--pretraining.objective.hidden_size", "16", "--pretraining.batcher.size", "400"]


@pytest.fixture(scope="module")
def config_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "config.cfg"
    result = runner.invoke(app, ["init", "config", str(path), "-p", "tok2vec,tagger", "--pretraining"])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def raw_text(tmp_path_factory):
    rng = random.Random(1)
    words = "we walked along the shore and watched ships sail past old stone towers".split()
    path = tmp_path_factory.mktemp("raw") / "raw.jsonl"
    lines = [json.dumps({"text": " ".join(rng.choice(words) for _ in range(rng.randint(6, 14))) + "."})
             for _ in range(80)]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def test_init_config_writes_a_pretraining_section(config_path):
    text = config_path.read_text()
    assert "[pretraining]" in text and "raw_text = null" in text
    assert "heron.PretrainCharacters.v1" in text and "[pretraining.optimizer]" in text


def test_pretrain_end_to_end(config_path, raw_text, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["pretrain", str(config_path), str(out), "--paths.raw_text", str(raw_text),
                                 "--pretraining.max_epochs", "2", *SMALL])
    assert result.exit_code == 0, result.output
    assert {"model0.safetensors", "model1.safetensors", "model-last.safetensors", "log.jsonl"} <= \
        {p.name for p in out.iterdir()}
    rows = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert rows[-1]["epoch"] == 1 and rows[-1]["words"] > 0 and rows[-1]["wps"] > 0
    _, meta = read_pretrained(out / "model-last.safetensors")
    assert meta["settings"]["width"] == 16 and meta["settings"]["depth"] == 1
    # resume: the epoch count continues from model1 -> epoch 2
    result = runner.invoke(app, ["pretrain", str(config_path), str(out), "--paths.raw_text", str(raw_text),
                                 "--pretraining.max_epochs", "3", "--resume-path",
                                 str(out / "model1.safetensors"), *SMALL])
    assert result.exit_code == 0, result.output
    assert (out / "model2.safetensors").exists()
    # the weights load into a pipeline built from the same config
    from heron.config import load_config
    from heron.language import Language

    overrides = {"components.tok2vec.model.encode.width": 16, "components.tok2vec.model.encode.depth": 1,
                 "components.tok2vec.model.embed.rows": 100, "components.tok2vec.model.embed.nM": 8}
    config = load_config(config_path, overrides=overrides)
    nlp = Language.from_config(config)
    # The trunk was pretrained reading the config's lexeme vectors: they must be there again.
    from heron.registry import registry
    from heron.vectors import load_vectors_into

    load_vectors_into(nlp, registry.resolve({"v": config.interpolate()["initialize"]["vectors"]})["v"])
    init_tok2vec(nlp, out / "model2.safetensors")


def test_bad_jsonl_is_one_clean_error(config_path, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine here"}\n{"text": oops}\n', encoding="utf8")
    result = runner.invoke(app, ["pretrain", str(config_path), str(tmp_path / "out"), "--paths.raw_text",
                                 str(bad), *SMALL])
    assert result.exit_code == 1
    assert "[E800]" in result.output and f"{bad}:2" in result.output and "Traceback" not in result.output


def test_missing_section_and_renamed_resume_file(config_path, raw_text, tmp_path):
    plain = tmp_path / "plain.cfg"
    plain.write_text(config_path.read_text().split("[pretraining]")[0], encoding="utf8")
    result = runner.invoke(app, ["pretrain", str(plain), str(tmp_path / "out")])
    assert result.exit_code == 1 and "[E811]" in result.output
    weights = tmp_path / "weights.safetensors"
    weights.write_bytes(b"")
    result = runner.invoke(app, ["pretrain", str(config_path), str(tmp_path / "out"), "--paths.raw_text",
                                 str(raw_text), "--resume-path", str(weights), *SMALL])
    assert result.exit_code == 1 and "[E810]" in result.output
