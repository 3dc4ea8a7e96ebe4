"""The Doc <-> tensor boundary: Docs in, typed batches out (and back).

Torch modules never see a Doc; `featurize(docs, attrs)` turns Docs into a `TokenBatch`
of attribute hashes and `unpad` splits a padded (B, T, W) output back into per-doc rows.
"""
from .tokens import LEXICAL_ATTRS, TokenBatch, featurize, normalize_attrs, unpad

__all__ = ["TokenBatch", "featurize", "unpad", "normalize_attrs", "LEXICAL_ATTRS"]
