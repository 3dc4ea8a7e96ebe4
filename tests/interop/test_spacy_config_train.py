"""The five spaCy 3.8 init configs of issue 19 (tests/fixtures/spacy_configs), translated by
`heron init config --from-spacy`, validate with `heron debug config` and train a few steps
on a tiny corpus written here. The only overrides: the corpus paths, a local vectors folder
(for -o accuracy's en_core_web_lg), the tiny BERT of tests/conftest.py (for -G's
roberta-base), and a few-step budget."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

import heron
from heron.cli import app
from heron.config import load_config
from heron.tokens import Doc, DocBin, Span
from heron.training import loop

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spacy_configs"
runner = CliRunner()

# words, tags, entities (start, end, label), category: tags, entities, a flat tree and cats.
SENTENCES = [
    ("Anna lives in Paris .", "NNP VBZ IN NNP .", [(0, 1, "PERSON"), (3, 4, "GPE")], "PLACE"),
    ("The cat sat on the mat .", "DT NN VBD IN DT NN .", [], "HOME"),
    ("Bob visited London yesterday .", "NNP VBD NNP NN .", [(0, 1, "PERSON"), (2, 3, "GPE")], "PLACE"),
    ("Dogs bark at night .", "NNS VBP IN NN .", [], "HOME"),
]
WORDS = sorted({w for text, *_ in SENTENCES for w in text.split()})


def _corpus(path: Path) -> Path:
    vocab = heron.blank("en").vocab
    docs = []
    for text, tags, ents, cat in SENTENCES:
        words = text.split()
        root = 1 if len(words) > 1 else 0
        doc = Doc(vocab, words=words, tags=tags.split(), heads=[root] * len(words),
                  deps=["ROOT" if i == root else "dep" for i in range(len(words))])
        doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
        doc.cats = {"PLACE": float(cat == "PLACE"), "HOME": float(cat == "HOME")}
        docs.append(doc)
    DocBin(docs=docs, store_user_data=True).to_disk(path)
    return path


def _vectors(tmp_path: Path) -> Path:
    """A tiny vectors pipeline from `heron init vectors` (the local stand-in for en_core_web_lg)."""
    source = tmp_path / "vectors.txt"
    rows = [f"{w} " + " ".join(str(((i * 7 + j) % 5) / 5) for j in range(8)) for i, w in enumerate(WORDS)]
    source.write_text(f"{len(rows)} 8\n" + "\n".join(rows) + "\n", encoding="utf8")
    result = runner.invoke(app, ["init", "vectors", "en", str(source), str(tmp_path / "vectors"), "--no-progress"])
    assert result.exit_code == 0, result.output
    return tmp_path / "vectors"


def _translate(tmp_path: Path, name: str) -> Path:
    out = tmp_path / "heron.cfg"
    result = runner.invoke(app, ["init", "config", str(out), "--from-spacy", str(FIXTURES / name)])
    assert result.exit_code == 0, result.output
    assert "[W540]" in result.output and "Translated" in result.output
    return out


# W701: the tiny BERT has 64 positions, fewer than spaCy's 128-piece windows (heron shrinks them).
@pytest.mark.filterwarnings("ignore:.*W701")
@pytest.mark.parametrize("name,pipes", [
    ("tagger_ner_efficiency.cfg", ["tok2vec", "tagger", "ner"]),
    ("tagger_ner_accuracy.cfg", ["tok2vec", "tagger", "ner"]),
    ("tagger_parser_ner.cfg", ["tok2vec", "tagger", "parser", "ner"]),
    ("textcat.cfg", ["textcat"]),
    ("tagger_ner_transformer.cfg", ["transformer", "tagger", "ner"]),
])
def test_translated_spacy_config_validates_and_trains(tmp_path, name, pipes, request):
    import torch

    torch.set_num_threads(1)
    config_path = _translate(tmp_path, name)
    corpus = str(_corpus(tmp_path / "train.heron"))
    overrides = {"paths.train": corpus, "paths.dev": corpus}
    if "accuracy" in name:
        overrides["paths.vectors"] = str(_vectors(tmp_path))
    if "transformer" in name:
        pytest.importorskip("transformers")
        overrides["components.transformer.model.name"] = str(request.getfixturevalue("tiny_bert_dir"))
    args = [x for key, value in overrides.items() for x in (f"--{key}", value)]
    result = runner.invoke(app, ["debug", "config", str(config_path), *args])
    assert result.exit_code == 0 and "Config is valid" in result.output, result.output
    config = load_config(config_path, overrides={
        **overrides, "training.max_steps": 2, "training.eval_frequency": 2, "training.patience": 0})
    nlp, _ = loop.train(config, tmp_path / "out", stdout=io.StringIO(), stderr=io.StringIO())
    assert nlp.pipe_names == pipes
    reloaded = heron.load(tmp_path / "out" / "model-last")
    doc = reloaded("Anna visited Paris .")
    assert len(doc) == 4
    if "tagger" in pipes:
        assert all(token.tag_ for token in doc)
    if "textcat" in pipes:
        assert set(doc.cats) == {"PLACE", "HOME"}
    if "accuracy" in name:
        assert reloaded.vocab.vectors.shape == (len(WORDS), 8)


def test_cli_writes_stdout_and_refuses_bad_paths(tmp_path):
    spacy_cfg = str(FIXTURES / "textcat.cfg")
    result = runner.invoke(app, ["init", "config", "-", "--from-spacy", spacy_cfg])
    assert result.exit_code == 0 and '@architectures = "heron.TextCatBOW.v3"' in result.stdout, result.output
    assert "[W540]" in result.stderr and "[W540]" not in result.stdout
    existing = tmp_path / "heron.cfg"
    existing.write_text("keep", encoding="utf8")
    result = runner.invoke(app, ["init", "config", str(existing), "--from-spacy", spacy_cfg])
    assert result.exit_code == 1 and "E220" in result.output and existing.read_text(encoding="utf8") == "keep"
    result = runner.invoke(app, ["init", "config", str(tmp_path / "new.cfg"), "--from-spacy", "missing.cfg"])
    assert result.exit_code == 1 and "E201" in result.output and not (tmp_path / "new.cfg").exists()
