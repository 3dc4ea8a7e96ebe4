"""Hugging Face transformers as the shared trunk of a heron pipeline.

    nlp.add_pipe("transformer", config={"model": {"name": "/path/to/model"}})
    nlp.add_pipe("tagger", config={"model": {"tok2vec": {
        "@architectures": "heron.TransformerListener.v1"}}})

Modules: data (TransformerData = doc._.trf_data, FullTransformerBatch), model
(heron.TransformerModel.v1: the encoder, tensors in, hidden states out), packed (its
padding-free forward pass), hf_loading (loading/saving the HF model and tokenizer), batch
(Docs -> FullTransformerBatch through heron.featurize's wordpieces), component (the
`transformer` factory), protocol (WordpieceEncoder: what any model of the component must
offer, so a custom architecture needs no subclassing), listener
(heron.TransformerListener.v1), inline (heron.TransformerTok2Vec.v1), encoder_tok2vec
(heron.EncoderTok2Vec.v1: a head's own custom encoder), pooling (heron.reduce_*.v1),
setters (annotation setters). Span getters, wordpiece tokenization,
windows and token alignment live in heron.featurize (Docs -> tensors).

Importing this package registers everything but does NOT import `transformers` (a slow,
optional dependency: `pip install heron[transformers]`); it is imported when a model is
built or loaded.
"""
from ..featurize import span_getters  # noqa: F401 (registers heron.*_spans.v1)
from . import component, data, encoder_tok2vec, inline, listener, model, pooling, protocol, setters  # noqa: F401
from .component import Transformer, make_transformer
from .data import FullTransformerBatch, Ragged, TransformerData
from .listener import TransformerListener, pool_docs
from .model import TransformerModel
from .pooling import Pooling
from .protocol import WordpieceEncoder
from .setters import install_vector_hooks

__all__ = ["Transformer", "make_transformer", "TransformerModel", "TransformerListener",
           "TransformerData", "FullTransformerBatch", "Ragged", "Pooling", "pool_docs",
           "install_vector_hooks", "WordpieceEncoder"]
