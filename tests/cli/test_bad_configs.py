"""`heron debug config` and `heron train` agree on every bad config (issue 13 item 7).

Each case edits the output of `heron init config -p tok2vec,tagger,ner` (shrunk so the
pipeline builds fast) by plain string edits. For each, `debug config` must exit 1 with
the same error code as `train`, which runs on tiny generated corpora and is stopped
before its first step: reaching the training loop fails the test, and nothing may be
written in the output folder.
"""
import re

import pytest
from typer.testing import CliRunner

import heron
from heron.cli import app
from heron.tokens import Doc, DocBin
from heron.training import loop

runner = CliRunner()
CODE_RE = re.compile(r"\[([EW]\d{3})\]")


class ReachedTraining(Exception):
    """Raised instead of training: every check before the loop passed."""


@pytest.fixture(scope="module")
def base_config():
    result = runner.invoke(app, ["init", "config", "-", "-p", "tok2vec,tagger,ner"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    # Smaller layers: these cases test checks, not models.
    for old, new in [("width = 128", "width = 16"), ("depth = 4", "depth = 1"),
                     ("rows = 7000", "rows = 50"), ("nM = 64", "nM = 8"),
                     ("hidden_width = 64", "hidden_width = 8")]:
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_configs")
    vocab = heron.blank("en").vocab
    docs = [Doc(vocab, words=["Ada", "codes", "."], tags=["NNP", "VBZ", "."], ents=["U-PER", "O", "O"]),
            Doc(vocab, words=["Bob", "sleeps", "."], tags=["NNP", "VBZ", "."], ents=["U-PER", "O", "O"])]
    DocBin(docs=docs).to_disk(folder / "train.heron")
    DocBin(docs=docs[:1]).to_disk(folder / "dev.heron")
    return folder


# ---- string edits ------------------------------------------------------------------


def sub(old, new):
    def edit(text):
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


def drop(name):
    """Remove [name] and its subsections."""
    def edit(text):
        lines = text.split("\n")
        start = lines.index(f"[{name}]")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")
                    and not lines[i][1:-1].startswith(name + ".")), len(lines))
        return "\n".join(lines[:start] + lines[end:])
    return edit


def put(section, key, value):
    """Set `key = value` in [section]: replace the key's line, or add one."""
    def edit(text):
        lines = text.split("\n")
        start = lines.index(f"[{section}]")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
        for i in range(start + 1, end):
            if lines[i].startswith(f"{key} = "):
                lines[i] = f"{key} = {value}"
                break
        else:
            lines.insert(start + 1, f"{key} = {value}")
        return "\n".join(lines)
    return edit


def add(block):
    return lambda text: text + "\n" + block + "\n"


def both(*edits):
    def edit(text):
        for e in edits:
            text = e(text)
        return text
    return edit


BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"

CASES = [
    # (id, edit, expected error code)
    ("no-corpora-section", drop("corpora"), "E513"),
    ("negative-width", put("components.tok2vec.model.encode", "width", "-5"), "E152"),
    ("path-as-lang", put("nlp", "lang", '"../../etc"'), "E315"),
    ("unknown-lang", put("nlp", "lang", '"klingon"'), "E315"),
    ("unclosed-variable", sub("path = ${paths.train}", "path = ${paths.train"), "E225"),
    ("misspelt-parent-section", sub("[components.tagger.model]", "[components.tagger.modle]"), "E226"),
    ("binary-config", lambda text: BINARY, "E224"),
    ("empty-config", lambda text: "", "E227"),
    ("duplicate-setting", sub("max_steps = 20000", "max_steps = 20000\nmax_steps = 10"), "E202"),
    ("no-nlp-section", drop("nlp"), "E207"),
    ("lang-not-a-string", put("nlp", "lang", "5"), "E207"),
    ("misspelt-nlp-setting", put("nlp", "pipline", "[]"), "E207"),
    ("pipeline-names-missing-block", put("nlp", "pipeline", '["tok2vec", "tagger", "ner", "parser"]'), "E207"),
    ("unknown-factory", put("components.tagger", "factory", '"taggr"'), "E207"),
    ("unknown-architecture", sub('"heron.Tagger.v1"', '"heron.Tagger.v9"'), "E207"),
    ("unknown-registry", sub('@architectures = "heron.Tagger.v1"', '@architecturez = "heron.Tagger.v1"'), "E207"),
    ("unknown-tokenizer", put("nlp.tokenizer", "@tokenizers", '"heron.Tokenizr.v1"'), "E207"),
    ("unknown-architecture-argument", put("components.ner.model", "hiden_width", "8"), "E207"),
    ("unknown-section", add("[trainig]\nmax_steps = 3"), "E207"),
    ("unknown-optimizer-key", put("training.optimizer", "learn_rat", "0.1"), "E207"),
    ("unknown-optimizer", put("training.optimizer", "@optimizers", '"heron.Adamm.v1"'), "E207"),
    ("negative-learn-rate", put("training.optimizer", "learn_rate", "-0.1"), "E504"),
    ("learn-rate-for-unknown-component",
     put("training.optimizer", "component_learn_rates", '{"nope": 0.1}'), "E850"),
    ("learn-rate-for-frozen-component", both(
        put("training", "frozen_components", '["ner"]'),
        put("training.optimizer", "component_learn_rates", '{"ner": 0.1}')), "E850"),
    ("zero-batch-size", both(drop("training.batcher.size"), put("training.batcher", "size", "0")), "E505"),
    ("unknown-batcher", put("training.batcher", "@batchers", '"heron.batch_by_wordz.v1"'), "E207"),
    ("unknown-logger", put("training.logger", "@loggers", '"heron.ConsoleLoger.v1"'), "E207"),
    ("score-weight-not-a-number", put("training.score_weights", "tag_acc", '"high"'), "E207"),
    ("max-steps-not-a-number", put("training", "max_steps", '"many"'), "E207"),
    ("dropout-above-one", put("training", "dropout", "1.5"), "E207"),
    ("eval-frequency-zero", put("training", "eval_frequency", "0"), "E207"),
    ("accumulate-gradient-zero", put("training", "accumulate_gradient", "0"), "E207"),
    ("negative-patience", put("training", "patience", "-1"), "E207"),
    ("max-epochs-below-minus-one", put("training", "max_epochs", "-2"), "E207"),
    ("seed-not-a-number", put("system", "seed", '"abc"'), "E207"),
    ("unknown-frozen-component", put("training", "frozen_components", '["nope"]'), "E207"),
    ("unknown-annotating-component", put("training", "annotating_components", '["nope"]'), "E207"),
    ("train-corpus-names-no-corpus", put("training", "train_corpus", '"corpora.trian"'), "E513"),
    ("dev-corpus-names-no-corpus", put("training", "dev_corpus", '"corpora.deev"'), "E513"),
    ("unknown-corpus-reader", put("corpora.train", "@readers", '"heron.Corpuss.v1"'), "E207"),
    ("corpus-path-missing", put("corpora.dev", "path", '"missing.heron"'), "E506"),
    ("corpus-negative-max-length", put("corpora.train", "max_length", "-1"), "E516"),
    ("listener-without-trunk", put("nlp", "pipeline", '["tagger", "ner"]'), "E351"),
    ("listener-unknown-upstream", put("components.tagger.model.tok2vec", "upstream", '"nope"'), "E352"),
    ("listener-width-mismatch", put("components.tagger.model.tok2vec", "width", "32"), "E353"),
    ("unknown-initialize-key", put("initialize", "vectorz", "null"), "E207"),
    ("initialize-names-no-component", add("[initialize.components.taggr]\nlabels = []"), "E207"),
]


def test_there_are_enough_cases():
    assert len(CASES) >= 32 and len({case[0] for case in CASES}) == len(CASES)


def _write(tmp_path, content):
    path = tmp_path / "config.cfg"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf8")
    return path


def _run(command, path, corpora, out=None):
    args = [*command, str(path), "--paths.train", str(corpora / "train.heron"),
            "--paths.dev", str(corpora / "dev.heron")]
    return runner.invoke(app, args + (["-o", str(out)] if out is not None else []))


def _codes(result):
    return CODE_RE.findall(result.output)


@pytest.fixture
def no_training(monkeypatch):
    def stop(*args, **kwargs):
        raise ReachedTraining()
        yield

    monkeypatch.setattr(loop, "train_while_improving", stop)


def test_the_unedited_config_passes_both(base_config, corpora, tmp_path, no_training):
    path = _write(tmp_path, base_config)
    result = _run(["debug", "config"], path, corpora)
    assert result.exit_code == 0, result.output
    result = _run(["train"], path, corpora, out=tmp_path / "out")
    assert isinstance(result.exception, ReachedTraining), result.output


@pytest.mark.parametrize("edit,code", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_debug_config_and_train_reject_with_the_same_code(base_config, corpora, tmp_path, no_training,
                                                          edit, code):
    path = _write(tmp_path, edit(base_config))
    checked = _run(["debug", "config"], path, corpora)
    out = tmp_path / "out"
    trained = _run(["train"], path, corpora, out=out)
    assert not isinstance(trained.exception, ReachedTraining), "train accepted the config"
    assert checked.exit_code == 1, checked.output
    assert trained.exit_code == 1, trained.output
    assert "Traceback" not in checked.output + trained.output
    assert _codes(checked) and _codes(checked)[0] == code, checked.output
    assert _codes(trained) and _codes(trained)[0] == code, trained.output
    assert not out.exists()  # train stopped before writing anything
