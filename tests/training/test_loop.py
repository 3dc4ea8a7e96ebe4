"""The training loop: generator logic with stand-ins, and a real tiny tagger run."""
import contextlib
import json

import pytest

import heron
from heron.config import load_config_from_str
from heron.errors import HeronValueError
from heron.registry import registry
from heron.tokens import Doc, DocBin
from heron.training import loop

# ---- the generator, with stand-ins (fast) ----------------------------------------


class _FakeNLP:
    pipe_names = ["a", "b"]

    def __init__(self):
        self.updates = []

    def update(self, examples, *, drop, sgd, losses, exclude, annotates, step):
        assert sgd is False  # the loop steps the optimizer itself, once per batch
        self.updates.append((step, len(examples), drop))
        losses["a"] = losses.get("a", 0.0) + 1.0
        return losses

    def get_pipe_meta(self, name):
        weights = {"a": {"tag_acc": 1.0}, "b": {"ents_f": 1.0, "ents_p": 0.0, "ents_per_type": None}}[name]
        return type("Meta", (), {"default_score_weights": weights})()


class _FakeOptimizer:
    learn_rate = 0.001

    def __init__(self):
        self.steps = 0
        self.averaged_evals = 0
        self.last_score = None

    def step(self):
        self.steps += 1

    def zero_grad(self):
        pass

    @contextlib.contextmanager
    def use_params(self):
        self.averaged_evals += 1
        yield


def _run(scores, **settings):
    nlp, opt = _FakeNLP(), _FakeOptimizer()
    data = ((0, ["x" * 3, "y" * 5, "z"]) for _ in range(100))
    it = iter(scores)
    evaluate = lambda: (next(it), {"tag_acc": 0.5})  # noqa: E731
    kwargs = dict(dropout=0.2, eval_frequency=2, accumulate_gradient=1, patience=0, max_steps=0,
                  exclude=(), annotating_components=(), before_update=None)
    kwargs.update(settings)
    out = list(loop.train_while_improving(nlp, opt, data, evaluate, **kwargs))
    return nlp, opt, out


def test_generator_steps_evaluates_and_stops_on_max_steps():
    nlp, opt, out = _run([0.1, 0.2, 0.3, 0.2], max_steps=6)
    assert [info["step"] for _, info, _ in out] == list(range(7))
    assert [best for _, _, best in out] == [True, None, True, None, True, None, False]
    assert opt.steps == 7 and opt.averaged_evals == 4
    assert out[-1][1]["words"] == 7 * 9
    assert nlp.updates[0] == (0, 3, 0.2)
    # losses accumulate between evaluations, then restart
    assert out[1][1]["losses"] == {"a": 1.0} and out[2][1]["losses"] == {"a": 2.0}
    assert out[3][1]["losses"] == {"a": 1.0}


def test_generator_patience_and_accumulation():
    nlp, opt, out = _run([0.5, 0.4, 0.4, 0.4, 0.9], patience=4, accumulate_gradient=2)
    assert out[-1][1]["step"] == 4  # best at step 0, no improvement for 4 steps
    assert len(nlp.updates) == 2 * len(out) and opt.steps == len(out)


def test_subdivide_batch():
    batch = ["a" * n for n in (1, 9, 2, 8)]
    subs = list(loop.subdivide_batch(batch, 2))
    assert [[len(x) for x in s] for s in subs] == [[1, 2], [8, 9]]
    assert len(list(loop.subdivide_batch(batch, 10))) == 4
    assert list(loop.subdivide_batch(batch, 1)) == [batch]


def test_create_train_batches_shuffles_and_counts_epochs():
    corpus = lambda nlp: iter(range(10))  # noqa: E731
    batcher = lambda items: ([x] for x in items)  # noqa: E731
    pairs = list(loop.create_train_batches(None, corpus, batcher, max_epochs=2))
    assert [e for e, _ in pairs] == [0] * 10 + [1] * 10
    assert sorted(b[0] for _, b in pairs[:10]) == list(range(10))
    with pytest.raises(HeronValueError, match="E512"):
        next(loop.create_train_batches(None, lambda nlp: iter([]), batcher, max_epochs=1))


def test_default_score_weights_normalised():
    weights = loop.default_score_weights(_FakeNLP())
    assert weights == {"tag_acc": 0.5, "ents_f": 0.5, "ents_p": 0.0, "ents_per_type": None}
    weights = loop.default_score_weights(_FakeNLP(), {"ents_f": 3.0})
    assert weights["tag_acc"] == 0.25 and weights["ents_f"] == 0.75
    with pytest.raises(HeronValueError, match="E514"):
        loop.default_score_weights(_FakeNLP(), {"tag_acc": "high"})


# ---- a real tiny pipeline ------------------------------------------------------------

CONFIG = """
[paths]
train = null
dev = null

[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger"]

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "heron.HashEmbedCNN.v1"
width = 32
depth = 1
embed_size = 300
window_size = 1
maxout_pieces = 2
subword_features = true
pretrained_vectors = null

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "heron.Tagger.v1"
nO = null

[components.tagger.model.tok2vec]
@architectures = "heron.Tok2VecListener.v1"
width = ${components.tok2vec.model.width}
upstream = "*"

[corpora]

[corpora.train]
@readers = "heron.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "heron.Corpus.v1"
path = ${paths.dev}

[training]
seed = 1
dropout = 0.0
max_steps = 12
eval_frequency = 4
patience = 0

[training.optimizer]
@optimizers = "heron.Adam.v1"
learn_rate = 0.01
use_averages = true

[training.batcher]
@batchers = "heron.batch_by_words.v1"
size = 60
"""

SENTS = [("The cat sat .", "DT NN VBD ."), ("A dog ran fast .", "DT NN VBD RB ."),
         ("Cats sleep .", "NNS VBP ."), ("The bird sang loudly .", "DT NN VBD RB ."),
         ("Dogs bark .", "NNS VBP .")]


def write_corpus(folder):
    vocab = heron.blank("en").vocab
    docs = []
    for text, tags in SENTS:
        words = text.split()
        docs.append(Doc(vocab, words=words, spaces=[True] * (len(words) - 2) + [False, False], tags=tags.split()))
    DocBin(docs=docs).to_disk(folder / "train.heron")
    DocBin(docs=docs[:3]).to_disk(folder / "dev.heron")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    write_corpus(folder)
    config = load_config_from_str(CONFIG, {"paths.train": str(folder / "train.heron"),
                                           "paths.dev": str(folder / "dev.heron")})
    import io

    out = io.StringIO()
    nlp, best = loop.train(config, folder / "out", stdout=out, stderr=io.StringIO())
    return folder, nlp, best, out.getvalue(), config


def test_train_writes_models_and_log(trained):
    folder, nlp, best, printed, _ = trained
    out = folder / "out"
    assert best == out / "model-best"
    assert (out / "model-best" / "config.cfg").exists() and (out / "model-last" / "meta.json").exists()
    records = [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [0, 4, 8, 12]
    assert records[-1]["losses"]["tagger"] < records[1]["losses"]["tagger"]  # the loss went down
    assert records[-1]["other_scores"]["tag_acc"] >= 0.9
    assert "TAG_ACC" in printed and "LOSS TAGGER" in printed
    meta = json.loads((out / "model-best" / "meta.json").read_text())
    assert "tag_acc" in meta["performance"]


def test_trained_model_reloads_and_tags(trained):
    folder, _, best, _, _ = trained
    nlp = heron.load(best)
    doc = nlp("The dog sat .")
    assert [t.tag_ for t in doc] == ["DT", "NN", "VBD", "."]


@registry.callbacks("test.interrupt_at_step_2.v1")
def _interrupt():
    def before_update(nlp, info):
        if info["step"] == 2:
            raise KeyboardInterrupt

    return before_update


def test_ctrl_c_saves_model_last(trained, tmp_path):
    import io

    folder, _, _, _, config = trained
    config = config.copy()
    config["training"]["before_update"] = {"@callbacks": "test.interrupt_at_step_2.v1"}
    with pytest.raises(loop.TrainingInterrupted, match="step 1") as err:
        loop.train(config, tmp_path / "out", stdout=io.StringIO(), stderr=io.StringIO())
    assert err.value.path == tmp_path / "out" / "model-last"
    assert (tmp_path / "out" / "model-last" / "config.cfg").exists()
    heron.load(tmp_path / "out" / "model-last")


def test_console_logger_table_and_jsonl(tmp_path):
    import io

    from heron.training.loggers import console_logger

    setup = console_logger(progress_bar=False, output_file=str(tmp_path / "log.jsonl"))
    out = io.StringIO()
    log_step, finalize = setup(None, out, io.StringIO(), loss_names=["tagger"],
                               score_weights={"tag_acc": 1.0, "ents_per_type": None}, eval_frequency=2)
    log_step(None)
    log_step({"epoch": 1, "step": 2, "score": 0.5, "other_scores": {"tag_acc": 0.5}, "losses": {"tagger": 3.25}})
    finalize()
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["E", "#", "LOSS", "TAGGER", "TAG_ACC", "SCORE"]
    assert lines[2].split() == ["1", "2", "3.25", "50.00", "0.50"]
    assert json.loads((tmp_path / "log.jsonl").read_text())["step"] == 2


def test_initialize_components_skips_frozen():
    from heron.training.initialize import initialize_components

    nlp = heron.blank("en")
    calls = []

    class Recorder:
        def __init__(self, name):
            self.name = name

        def __call__(self, doc):
            return doc

        def initialize(self, get_examples, *, nlp=None):
            calls.append(self.name)

    nlp._state.components = [("a", Recorder("a")), ("b", Recorder("b"))]
    initialize_components(nlp, lambda: [], frozen=["a"])
    assert calls == ["b"]
