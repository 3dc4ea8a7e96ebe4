"""The Doc <-> tensor boundary: Docs in, typed batches out (and back).

Torch modules never see a Doc. For the CNN trunk, `featurize(docs, attrs)` turns Docs into
a `TokenBatch` of attribute hashes and `unpad` splits a padded (B, T, W) output back into
per-doc rows. For transformers, `featurize_wordpieces(docs, get_spans, tokenizer)` gives a
`WordpieceBatch`: span getters (span_getters), wordpiece tokenization (span_pieces),
windows for long spans (windows) and the token <-> wordpiece alignment (alignment, ragged).
"""
from .ragged import Ragged
from .tokens import LEXICAL_ATTRS, TokenBatch, featurize, normalize_attrs, unpad
from .wordpieces import WindowChunk, WordpieceBatch, featurize_wordpieces

__all__ = ["TokenBatch", "featurize", "unpad", "normalize_attrs", "LEXICAL_ATTRS",
           "WordpieceBatch", "WindowChunk", "featurize_wordpieces", "Ragged"]
