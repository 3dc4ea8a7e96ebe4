"""BiLSTM encoder: config, shapes, batch invariance, edge docs, gradients, errors, a
tagger that overfits and round-trips through to_disk/from_disk."""
import pytest
import torch

import heron
from heron.config import load_config_from_str, resolve_config
from heron.errors import HeronValueError
from heron.featurize import featurize
from heron.language import Language
from heron.nn import Tok2Vec
from heron.nn.lstm import BiLSTMEncoder
from heron.pipeline.update import trainable_parameters
from heron.registry import registry
from heron.tokens import Doc
from heron.training.example import Example

torch.set_num_threads(1)

CONFIG = """
[model]
@architectures = "heron.Tok2Vec.v1"

[model.embed]
@architectures = "heron.MultiHashEmbed.v1"
width = ${model.encode.width}
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [500, 100, 250, 250]
include_static_vectors = false

[model.encode]
@architectures = "heron.TorchBiLSTMEncoder.v1"
width = 32
depth = 2
dropout = 0.2
"""

TEXTS = ["The cat sat on the mat .", "Heron runs fast", "Hi", "",
         "A much longer sentence that has quite a few more tokens than the others do ."]


def _resolve(text=CONFIG):
    return resolve_config(load_config_from_str(text, interpolate=True), sections=False)["model"]


@pytest.fixture
def docs(en_vocab):
    return [Doc(en_vocab, words=t.split()) for t in TEXTS]


def test_build_from_config_shape_and_padding(docs):
    torch.manual_seed(0)
    model = _resolve().eval()
    assert isinstance(model, Tok2Vec) and isinstance(model.encode, BiLSTMEncoder)
    assert model.width == model.encode.width == 32
    assert model.encode.lstm.hidden_size == 16 and model.encode.lstm.num_layers == 2
    assert model.encode.lstm.bidirectional and model.encode.lstm.dropout == 0.2
    batch = featurize(docs, model.attrs)
    out = model(batch)
    assert out.shape == (5, max(len(d) for d in docs), 32)
    assert not out[~batch.mask].any() and out[batch.mask].abs().sum(-1).gt(0).all()
    info = registry.find("architectures", "heron.TorchBiLSTMEncoder.v1")
    assert info["module"].startswith("heron.nn") and "128-256" in info["docstring"]


def test_default_dropout_and_depth_one():
    enc = _resolve(CONFIG.replace("dropout = 0.2\n", "").replace("depth = 2", "depth = 1")).encode
    assert enc.dropout == 0.0 and enc.lstm.num_layers == 1


def test_batch_invariance(docs):
    """A doc's output is the same alone, among longer and shorter docs, or in another order."""
    torch.manual_seed(0)
    model = _resolve().eval()
    together = model(featurize(docs, model.attrs))
    for b, doc in enumerate(docs):
        alone = model(featurize([doc], model.attrs))
        assert torch.allclose(alone[0, : len(doc)], together[b, : len(doc)], atol=1e-5, rtol=1e-5)
    flipped = model(featurize(docs[::-1], model.attrs)).flip(0)
    assert torch.allclose(flipped, together, atol=1e-5, rtol=1e-5)


def test_padding_content_is_ignored_and_context_is_whole_doc():
    torch.manual_seed(0)
    enc = BiLSTMEncoder(8, 1).double().eval()
    lengths = torch.tensor([9, 4, 0])
    mask = torch.arange(9)[None] < lengths[:, None]
    X = torch.randn(3, 9, 8, dtype=torch.float64)
    base = enc(X, mask)
    noisy = X.clone()
    noisy[~mask] = 1e3
    assert torch.allclose(enc(noisy, mask), base, atol=1e-12)
    changed = X.clone()
    changed[0, 8] += 1.0  # last token of doc 0 reaches its first token, and no other doc
    diff = (enc(changed, mask) - base).abs().amax(-1)
    assert (diff[0] > 0).all() and not diff[1:].any()


def test_empty_and_one_token_docs(en_vocab):
    torch.manual_seed(0)
    model = _resolve().eval()
    empty = model(featurize([Doc(en_vocab, words=[])], model.attrs))
    assert empty.shape == (1, 1, 32) and not empty.any()
    one = model(featurize([Doc(en_vocab, words=["Hello"])], model.attrs))
    assert one.shape == (1, 1, 32) and one.abs().sum() > 0
    both = model(featurize([Doc(en_vocab, words=[]), Doc(en_vocab, words=["Hello"])], model.attrs))
    assert not both[0].any() and torch.allclose(both[1, :1], one[0], atol=1e-5, rtol=1e-5)


def test_gradients_reach_embed_and_every_parameter(docs):
    torch.manual_seed(0)
    model = _resolve().train()
    model(featurize(docs, model.attrs)).pow(2).sum().backward()
    for name, param in model.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    assert any(n.startswith("embed.") for n, _ in model.named_parameters())


def test_gradcheck_double():
    torch.manual_seed(0)
    enc = BiLSTMEncoder(4, 2).double()
    mask = torch.arange(3)[None] < torch.tensor([3, 1])[:, None]
    X = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: enc(x, mask), (X,))


@pytest.mark.parametrize("width", [31, 7])
def test_odd_width_is_coded_error(width):
    with pytest.raises(HeronValueError, match=r"E156.*`width` = " + str(width)):
        _resolve(CONFIG.replace("width = 32", f"width = {width}"))


@pytest.mark.parametrize("arg,value", [("depth", 0), ("width", 0), ("dropout", 1.0), ("dropout", -0.1)])
def test_bad_arguments_are_coded_errors(arg, value):
    kwargs = {"width": 8, "depth": 1, "dropout": 0.0, arg: value}
    with pytest.raises(HeronValueError, match=f"E152.*`{arg}`"):
        BiLSTMEncoder(**kwargs)


# ---- a tiny tagger on the BiLSTM trunk ------------------------------------------------

TAGGED = [  # hand-written
    ("Old ships rust slowly in the harbour .", ["JJ", "NNS", "VBP", "RB", "IN", "DT", "NN", "."]),
    ("My brother fixed the broken radio .", ["PRP$", "NN", "VBD", "DT", "JJ", "NN", "."]),
    ("Rain fell all day .", ["NN", "VBD", "DT", "NN", "."]),
    ("They will paint the fence tomorrow .", ["PRP", "MD", "VB", "DT", "NN", "NN", "."]),
    ("Quiet streets feel safe .", ["JJ", "NNS", "VBP", "JJ", "."]),
]


def _tagger_config():
    trunk = {"@architectures": "heron.Tok2Vec.v1",
             "embed": {"@architectures": "heron.MultiHashEmbed.v1", "width": 32,
                       "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [500, 100, 250, 250],
                       "include_static_vectors": False},
             "encode": {"@architectures": "heron.TorchBiLSTMEncoder.v1", "width": 32, "depth": 1,
                        "dropout": 0.0}}
    return {"nlp": {"lang": "en", "pipeline": ["tagger"]},
            "components": {"tagger": {"factory": "tagger", "model": {
                "@architectures": "heron.Tagger.v1", "nO": None, "tok2vec": trunk}}}}


def test_tagger_overfits_and_roundtrips(tmp_path):
    torch.manual_seed(0)
    nlp = Language.from_config(_tagger_config())
    examples = [Example.from_dict(nlp.make_doc(t), {"tags": tags}) for t, tags in TAGGED]
    nlp.initialize(lambda: examples)
    optimizer = torch.optim.Adam(trainable_parameters(nlp), lr=0.01)
    for step in range(40):
        losses = nlp.update(examples, sgd=optimizer, step=step)
    assert losses["tagger"] < 0.1, losses
    texts = [t for t, _ in TAGGED]
    docs = list(nlp.pipe(texts))
    assert [[t.tag_ for t in d] for d in docs] == [tags for _, tags in TAGGED]
    nlp.to_disk(tmp_path / "model")
    assert any(p.suffix == ".safetensors" for p in (tmp_path / "model").rglob("*"))
    loaded = heron.load(tmp_path / "model")
    reloaded = list(loaded.pipe(texts))
    assert [[t.tag_ for t in d] for d in reloaded] == [[t.tag_ for t in d] for d in docs]
    batch_a = featurize(docs, nlp.get_pipe("tagger").model.tok2vec.attrs)
    tok2vec_a = nlp.get_pipe("tagger").model.tok2vec.eval()
    tok2vec_b = loaded.get_pipe("tagger").model.tok2vec.eval()
    with torch.no_grad():
        assert torch.equal(tok2vec_a(batch_a), tok2vec_b(batch_a))
