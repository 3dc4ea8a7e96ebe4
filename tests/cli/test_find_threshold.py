"""`heron find-threshold` and heron.training.thresholds.find_threshold."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Tuple

import pytest
import torch
from typer.testing import CliRunner

import heron
import heron.cli.find_threshold  # noqa: F401  (registers the command)
from heron.cli._app import app
from heron.config import load_config
from heron.errors import HeronValueError, HeronWarning
from heron.tokens import DocBin
from heron.training.example import Example
from heron.training.thresholds import find_threshold

from fakes import train

runner = CliRunner()
LABELS = ["PRICE", "QUALITY", "SPEED"]
# Overlapping cue words, so the scores are uncertain and the threshold matters.
DATA: List[Tuple[str, List[str]]] = [
    ("cheap and fast", ["PRICE", "SPEED"]), ("cheap but broke", ["PRICE", "QUALITY"]),
    ("fast and sturdy", ["SPEED", "QUALITY"]), ("nothing special", []), ("sturdy build", ["QUALITY"]),
    ("cheap price", ["PRICE"]), ("slow and broke", ["QUALITY"]), ("fast shipping", ["SPEED"]),
    ("fair price , fast", ["PRICE", "SPEED"]), ("it is fine", []),
]


def examples(nlp: Any) -> List[Example]:
    return [Example.from_dict(nlp.make_doc(t), {"cats": {lab: float(lab in labels) for lab in LABELS}})
            for t, labels in DATA]


@pytest.fixture(scope="module")
def model_and_dev(tmp_path_factory) -> Tuple[Path, Path]:
    torch.manual_seed(0)
    nlp = heron.blank("en")
    nlp.add_pipe("textcat_multilabel", config={"model": {
        "@architectures": "heron.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 1, "length": 1024}})
    egs = examples(nlp)
    nlp.initialize(lambda: egs)
    train(nlp, egs[:6], steps=8, lr=0.05)  # a little: scores spread around 0.5
    folder = tmp_path_factory.mktemp("find_threshold")
    nlp.to_disk(folder / "model")
    DocBin(docs=[eg.reference for eg in egs]).to_disk(folder / "dev.heron")
    return folder / "model", folder / "dev.heron"


def test_the_search_runs_the_model_once_and_scores_every_trial(model_and_dev, monkeypatch):
    model, dev = model_and_dev
    nlp = heron.load(model)
    pipe = nlp.get_pipe("textcat_multilabel")
    calls = []
    predict = pipe.predict
    monkeypatch.setattr(pipe, "predict", lambda docs: calls.append(len(docs)) or predict(docs))
    search = find_threshold(nlp, examples(nlp), "textcat_multilabel", "cats_macro_f", n_trials=5)
    assert calls == [len(DATA)]
    assert list(search.trials) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert search.best_score == max(search.trials.values()) == search.trials[search.best_threshold]
    # Each trial's score is the component's own score at that threshold.
    fresh = heron.load(model)
    docs = list(fresh.pipe(t for t, _ in DATA))
    for t, score in search.trials.items():
        fresh.get_pipe("textcat_multilabel").cfg["threshold"] = t
        direct = fresh.get_pipe("textcat_multilabel").score([Example(d, eg.reference)
                                                             for d, eg in zip(docs, examples(fresh))])
        assert direct["cats_macro_f"] == pytest.approx(score)
    assert pipe.cfg["threshold"] == search.best_threshold == nlp.config["components"]["textcat_multilabel"][
        "threshold"]


def test_per_label_thresholds_beat_the_single_best(model_and_dev):
    model, _ = model_and_dev
    nlp = heron.load(model)
    search = find_threshold(nlp, examples(nlp), "textcat_multilabel", "cats_macro_f", n_trials=21, per_label=True)
    assert sorted(search.per_label) == LABELS
    assert search.per_label_score is not None and search.per_label_score >= search.best_score - 1e-9
    thresholds = nlp.get_pipe("textcat_multilabel").cfg["thresholds"]
    assert thresholds == {label: t for label, (t, _) in search.per_label.items()}


def test_cli_prints_a_table_and_saves_the_thresholds(model_and_dev, tmp_path):
    model, dev = model_and_dev
    result = runner.invoke(app, ["find-threshold", str(model), str(dev), "textcat_multilabel", "cats_macro_f",
                                 "--n-trials", "6", "--per-label", "--output", str(tmp_path / "tuned")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["threshold", "cats_macro_f"] and len([ln for ln in lines if ln[:1] == "0"]) >= 5
    assert "Best threshold" in result.stderr and "PRICE" in result.stdout
    cfg = json.loads((tmp_path / "tuned" / "textcat_multilabel" / "cfg.json").read_text())
    assert sorted(cfg["thresholds"]) == LABELS
    saved = load_config(tmp_path / "tuned" / "config.cfg")["components"]["textcat_multilabel"]["threshold"]
    assert saved == cfg["threshold"]
    loaded = heron.load(tmp_path / "tuned")
    assert loaded.get_pipe("textcat_multilabel").cfg["thresholds"] == cfg["thresholds"]
    # spaCy's order, THRESHOLD_KEY SCORE_KEY, works too.
    result = runner.invoke(app, ["find-threshold", str(model), str(dev), "textcat_multilabel", "threshold",
                                 "cats_micro_f", "-n", "3"])
    assert result.exit_code == 0, result.output
    assert "cats_micro_f" in result.stdout


@pytest.mark.parametrize("args, code", [
    (["nope", "cats_macro_f"], "E456"),
    (["textcat_multilabel", "cats_nope"], "E457"),
    (["textcat_multilabel", "no_such_setting", "cats_macro_f"], "E456"),
    (["textcat_multilabel", "cats_macro_f", "--n-trials", "0"], "E456"),
    (["textcat_multilabel", "a", "b", "c"], "E456"),
])
def test_cli_errors_are_coded(model_and_dev, args, code):
    model, dev = model_and_dev
    result = runner.invoke(app, ["find-threshold", str(model), str(dev), *args])
    assert result.exit_code == 1 and code in result.stderr, result.output


def test_per_label_needs_a_text_classifier_and_flat_scores_warn():
    nlp = heron.blank("en")
    nlp.add_pipe("textcat_multilabel", config={"model": {
        "@architectures": "heron.TextCatBOW.v3", "exclusive_classes": False, "length": 64}})
    egs = examples(nlp)
    nlp.initialize(lambda: egs)
    with pytest.warns(HeronWarning, match="W961"):  # an untrained model scores 0.5 everywhere: flat below 0.5
        find_threshold(nlp, egs, "textcat_multilabel", "cats_macro_auc", n_trials=3)
    nlp.add_pipe("sentencizer")
    with pytest.raises(HeronValueError, match="E456"):
        find_threshold(nlp, egs, "sentencizer", "sents_f", per_label=True)
