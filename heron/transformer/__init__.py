"""Hugging Face transformers as the shared trunk of a heron pipeline.

    nlp.add_pipe("transformer", config={"model": {"name": "/path/to/model"}})
    nlp.add_pipe("tagger", config={"model": {"tok2vec": {
        "@architectures": "heron.TransformerListener.v1"}}})

Modules: data (Ragged, TransformerData = doc._.trf_data, FullTransformerBatch),
tokenize + align (wordpieces, windows, token alignment), span_getters, model
(heron.TransformerModel.v1), component (the `transformer` factory), listener
(heron.TransformerListener.v1), pooling (heron.reduce_*.v1), setters (annotation setters).

Importing this package registers everything but does NOT import `transformers` (a slow,
optional dependency: `pip install heron[transformers]`); it is imported when a model is
built or loaded.
"""
from . import data, span_getters, pooling, setters, model, listener, component  # noqa: F401
from .component import Transformer, make_transformer
from .data import FullTransformerBatch, Ragged, TransformerData
from .listener import TransformerListener, pool_docs
from .model import TransformerModel
from .pooling import Pooling
from .setters import install_vector_hooks

__all__ = ["Transformer", "make_transformer", "TransformerModel", "TransformerListener",
           "TransformerData", "FullTransformerBatch", "Ragged", "Pooling", "pool_docs",
           "install_vector_hooks"]
