"""Per-component learning rates: trainable_parameter_groups + [training.optimizer]
component_learn_rates, with gradient accumulation, global clipping and averaging."""
import io

import pytest
import torch

import heron
from heron.config import load_config_from_str
from heron.errors import HeronValueError
from heron.pipeline.update import trainable_parameter_groups, trainable_parameters
from heron.registry import registry
from heron.tokens import Doc, DocBin
from heron.training import Example, loop, optim

torch.set_num_threads(1)
WIDTH = 16


def _pipeline():
    """tok2vec + tagger + senter; both heads listen to the trunk."""
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "heron.HashEmbedCNN.v1", "width": WIDTH, "depth": 1, "embed_size": 100,
        "window_size": 1, "maxout_pieces": 2, "subword_features": False, "pretrained_vectors": None}})
    listener = {"@architectures": "heron.Tok2VecListener.v1", "width": WIDTH, "upstream": "*"}
    for head in ("tagger", "senter"):
        nlp.add_pipe(head, config={"model": {"@architectures": "heron.Tagger.v1", "nO": None,
                                             "tok2vec": listener}})
    examples = [Example.from_dict(nlp.make_doc(t), {"tags": tags.split()}) for t, tags in SENTS]
    nlp.initialize(lambda: examples)
    return nlp


def test_groups_are_per_component_and_deduplicated():
    nlp = _pipeline()
    groups = trainable_parameter_groups(nlp)
    assert [g["name"] for g in groups] == ["tok2vec", "tagger", "senter"]
    ids = [id(p) for g in groups for p in g["params"]]
    assert len(ids) == len(set(ids))  # each parameter once: the trunk's under the trunk
    assert [id(p) for p in trainable_parameters(nlp)] == ids
    trunk = {id(p) for p in nlp.get_pipe("tok2vec").model.parameters()}
    assert {id(p) for p in groups[0]["params"]} == trunk
    assert [g["name"] for g in trainable_parameter_groups(nlp, exclude=["tok2vec"])] == ["tagger", "senter"]


def _params(*names):
    return [{"name": n, "params": [torch.nn.Parameter(torch.ones(3))]} for n in names]


def test_component_rates_floats_and_schedules():
    sched = optim.warmup_linear(initial_rate=0.1, warmup_steps=2, total_steps=10)
    make = optim.AdamW(learn_rate=0.01, component_learn_rates={"trunk": sched, "ner": 0.5})
    opt = make(_params("trunk", "tagger", "ner"))
    assert opt.learn_rates == {"trunk": 0.0, "tagger": 0.01, "ner": 0.5}
    assert opt.learn_rate == 0.01  # the main rate is the heads' (the first group on learn_rate)
    for _ in range(2):
        for g in opt.param_groups:
            g["params"][0].grad = torch.ones(3)
        opt.step()
    assert opt.learn_rates["trunk"] == pytest.approx(0.05)  # the schedule at step 1
    trunk, tagger, ner = (g["params"][0].detach() for g in opt.param_groups)
    assert not torch.equal(trunk, torch.ones(3)) and not torch.equal(tagger, torch.ones(3))


def test_explicit_group_rate_wins_and_adam_accepts_rates():
    groups = _params("a", "b")
    groups[0]["learn_rate"] = 0.3
    opt = optim.Adam(learn_rate=0.01, component_learn_rates={"a": 0.2, "b": 0.1})(groups)
    assert opt.learn_rates == {"a": 0.3, "b": 0.1}


def test_unknown_component_name_is_a_coded_error():
    make = optim.AdamW(component_learn_rates={"transfomer": 1e-5})
    with pytest.raises(HeronValueError, match=r"E850.*component_learn_rates.*'transfomer'.*tagger, ner"):
        make(_params("tagger", "ner"))
    with pytest.raises(HeronValueError, match="E851"):  # a flat list has no component names
        make([torch.nn.Parameter(torch.ones(2))])
    with pytest.raises(HeronValueError, match="E504.*component_learn_rates.ner"):
        optim.AdamW(component_learn_rates={"ner": -1.0})
    with pytest.raises(HeronValueError, match="E852"):
        optim.AdamW(component_learn_rates=[0.1])


def test_flat_params_still_work():
    w = torch.nn.Parameter(torch.ones(2))
    opt = optim.AdamW(learn_rate=0.1)([w])
    assert opt.learn_rates == {"0": 0.1} and opt.learn_rate == 0.1


def test_clipping_is_global_across_groups():
    groups = _params("a", "b")
    opt = optim.AdamW(learn_rate=0.0, grad_clip=1.0, weight_decay=0.0,
                      component_learn_rates={"a": 0.0})(groups)
    groups[0]["params"][0].grad = torch.full((3,), 3.0)
    groups[1]["params"][0].grad = torch.full((3,), 4.0)
    opt.step()
    norm = torch.cat([g["params"][0].grad for g in opt.param_groups]).norm()
    assert norm == pytest.approx(1.0, rel=1e-4)
    # The ratio between groups is kept: one norm over all of them, not one per group.
    a, b = (g["params"][0].grad[0].item() for g in opt.param_groups)
    assert a / b == pytest.approx(0.75)


def test_averages_cover_every_group():
    groups = _params("a", "b")
    opt = optim.AdamW(learn_rate=0.5, use_averages=True, component_learn_rates={"a": 0.1})(groups)
    for _ in range(3):
        for g in opt.param_groups:
            g["params"][0].grad = torch.ones(3)
        opt.step()
    current = [g["params"][0].detach().clone() for g in opt.param_groups]
    with opt.use_params():
        for g, now in zip(opt.param_groups, current):
            assert not torch.equal(g["params"][0].detach(), now)
    for g, now in zip(opt.param_groups, current):
        assert torch.equal(g["params"][0].detach(), now)


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
width = 16
depth = 1
embed_size = 100
window_size = 1
maxout_pieces = 2
subword_features = false
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
seed = 3
dropout = 0.0
max_steps = 4
eval_frequency = 2
patience = 0
accumulate_gradient = 2

[training.optimizer]
@optimizers = "heron.AdamW.v1"
learn_rate = 0.01
use_averages = true

[training.optimizer.component_learn_rates]
tok2vec = 0.0

[training.batcher]
@batchers = "heron.batch_by_sequence.v1"
size = 4
"""

SENTS = [("The cat sat .", "DT NN VBD ."), ("A dog ran fast .", "DT NN VBD RB ."),
         ("Cats sleep .", "NNS VBP ."), ("Birds sang loudly .", "NNS VBD RB .")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("groups")
    vocab = heron.blank("en").vocab
    docs = [Doc(vocab, words=t.split(), tags=tags.split()) for t, tags in SENTS]
    DocBin(docs=docs).to_disk(folder / "train.heron")
    DocBin(docs=docs[:2]).to_disk(folder / "dev.heron")
    return folder


def _config(corpus, **overrides):
    return load_config_from_str(CONFIG, {"paths.train": str(corpus / "train.heron"),
                                         "paths.dev": str(corpus / "dev.heron"), **overrides})


def test_training_loop_applies_component_rates_with_accumulation(corpus):
    """tok2vec at rate 0 stays bit-identical while the tagger (on learn_rate) trains;
    the loop steps once per batch of 2 accumulated sub-batches; averages are on."""
    from heron.training.initialize import init_nlp

    nlp = init_nlp(_config(corpus))
    trunk0 = [p.detach().clone() for p in nlp.get_pipe("tok2vec").model.parameters()]
    head0 = [p.detach().clone() for p in nlp.get_pipe("tagger").model.parameters()]
    loop.train_nlp(nlp, None, stdout=io.StringIO(), stderr=io.StringIO())
    assert all(torch.equal(a, b) for a, b in zip(trunk0, nlp.get_pipe("tok2vec").model.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(head0, nlp.get_pipe("tagger").model.parameters()))


def test_training_loop_rejects_unknown_component(corpus):
    from heron.training.initialize import init_nlp

    config = _config(corpus, **{"training.optimizer.component_learn_rates": {"tok2vecc": 0.1}})
    with pytest.raises(HeronValueError, match=r"E850.*'tok2vecc'.*tok2vec, tagger"):
        nlp = init_nlp(config)  # raises here since prepare_training checks the names before data
        loop.train_nlp(nlp, None, stdout=io.StringIO(), stderr=io.StringIO())


def test_schedule_block_in_config_resolves():
    registry.ensure_populated()
    config = load_config_from_str("""
[o]
@optimizers = "heron.AdamW.v1"
learn_rate = 0.001

[o.component_learn_rates]

[o.component_learn_rates.transformer]
@schedules = "heron.warmup_linear.v1"
initial_rate = 0.00005
warmup_steps = 10
total_steps = 100
""")
    make = registry.resolve(config)["o"]
    opt = make(_params("transformer", "tagger"))
    assert opt.learn_rates == {"transformer": 0.0, "tagger": 0.001}
