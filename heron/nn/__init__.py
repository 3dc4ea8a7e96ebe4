"""Pure torch layers: hash embeddings, window CNN encoders, the Tok2Vec trunk.

Modules here never import heron.tokens: they see `TokenBatch` tensors made by
`heron.featurize`. Importing this package registers the architectures
(heron.HashEmbed.v1, heron.MultiHashEmbed.v1, heron.MaxoutWindowEncoder.v1,
heron.MishWindowEncoder.v1, heron.Tok2Vec.v1, heron.HashEmbedCNN.v1,
heron.StaticVectors.v1, heron.CharacterEmbed.v1, the transition-based parser model,
the text classifiers and the span categorizer with its layers).
"""
from . import (
           lstm,  # noqa: F401  (registers heron.TorchBiLSTMEncoder.v1)
           spancat,  # noqa: F401  (registers heron.SpanCategorizer.v1 and its reducer/scorer layers)
           textcat,  # noqa: F401  (registers the heron.TextCat* architectures)
           transition,  # noqa: F401  (registers heron.TransitionBasedParser.v1)
)
from .char_embed import CharacterEmbed, chars_needed
from .embed import HashEmbed, MultiHashEmbed
from .encode import MaxoutWindowEncoder, MishWindowEncoder, WindowEncoder
from .grad import scale_grad
from .layers import Maxout, MishLayer, set_dropout_rate
from .static_vectors import StaticVectors, set_vectors_dim, vectors_attr
from .tok2vec import Tok2Vec

__all__ = ["HashEmbed", "MultiHashEmbed", "MaxoutWindowEncoder", "MishWindowEncoder",
           "WindowEncoder", "Tok2Vec", "Maxout", "MishLayer", "scale_grad", "set_dropout_rate",
           "StaticVectors", "set_vectors_dim", "vectors_attr", "CharacterEmbed", "chars_needed"]
