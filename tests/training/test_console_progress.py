"""What `heron train` shows (issue 15 item 6): a progress bar when stderr is a terminal and
only the table's lines otherwise, with configs from `heron init config` too; and a trunk's
column is the norm of the gradient it received (GRAD), not a "loss" that always read 0.00."""
import io
import math

import pytest
from confection import Config
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers the commands)
from heron.cli._app import app
from heron.config import load_config
from heron.registry import registry
from heron.tokens import Doc, DocBin
from heron.training.loggers import ConsoleTable
from heron.training.loop import train

from fakes import TINY_TAGGER_TRAIN_CONFIG


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture(scope="module")
def generated_logger(tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "config.cfg"
    assert CliRunner().invoke(app, ["init", "config", str(path), "-p", "tok2vec,tagger"]).exit_code == 0
    block = load_config(path)["training"]["logger"]
    return registry.resolve({"logger": block})["logger"]


def _log_steps(setup, stderr, n=3):
    stdout = io.StringIO()
    log_step, finalize = setup(None, stdout, stderr, loss_names=["tagger"], score_weights={"tag_acc": 1.0},
                               eval_frequency=10)
    for _ in range(n):
        log_step(None)
    log_step({"epoch": 0, "step": n, "score": 0.5, "other_scores": {"tag_acc": 0.5}, "losses": {"tagger": 1.0}})
    finalize()
    return stdout.getvalue()


def test_generated_config_shows_a_bar_on_a_terminal(generated_logger):
    stderr = _Terminal()
    table = _log_steps(generated_logger, stderr)
    assert "/10 [" in stderr.getvalue()  # tqdm's bar: steps towards the next evaluation
    assert "TAG_ACC" in table


def test_generated_config_prints_only_table_lines_when_redirected(generated_logger):
    stderr = io.StringIO()
    table = _log_steps(generated_logger, stderr)
    assert stderr.getvalue() == ""
    assert [line.split()[0] for line in table.splitlines()] == ["E", "---", "0"]


def test_a_trunk_column_shows_its_gradient_norm():
    table = ConsoleTable(["tok2vec", "tagger"], ["tag_acc"], grad_names=["tok2vec"])
    assert table.head().split()[:6] == ["E", "#", "GRAD", "TOK2VEC", "LOSS", "TAGGER"]
    row = table.row({"epoch": 0, "step": 200, "score": 0.9, "other_scores": {"tag_acc": 0.9},
                     "losses": {"tok2vec": 0.0004, "tagger": 12.5}})
    assert row.split()[2:4] == ["0.02", "12.50"]  # sqrt(0.0004), and the head's loss as before
    zero = table.row({"epoch": 0, "step": 0, "score": 0.0, "other_scores": {}, "losses": {}})
    assert zero.split()[2] == "0"


CONFIG = TINY_TAGGER_TRAIN_CONFIG + """[training]
max_steps = 4
eval_frequency = 2

[training.optimizer]
@optimizers = "heron.Adam.v1"
learn_rate = 0.01
"""


def test_training_table_shows_the_trunks_gradient(tmp_path):
    vocab = heron.blank("en").vocab
    docs = [Doc(vocab, words=["Ada", "codes", "."], tags=["NNP", "VBZ", "."]),
            Doc(vocab, words=["Bob", "sleeps", "."], tags=["NNP", "VBZ", "."])]
    DocBin(docs=docs).to_disk(tmp_path / "train.heron")
    config = Config().from_str(CONFIG, interpolate=False)
    config["paths"].update({"train": str(tmp_path / "train.heron"), "dev": str(tmp_path / "train.heron")})
    stdout = io.StringIO()
    nlp, _ = train(config, stdout=stdout, stderr=io.StringIO())
    lines = stdout.getvalue().splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("E "))
    assert lines[head].split()[2:4] == ["GRAD", "TOK2VEC"]
    norms = [float(line.split()[2]) for line in lines[head + 2:head + 5]]  # steps 0, 2, 4
    assert all(math.isfinite(n) and n >= 0 for n in norms) and max(norms) > 0
