"""Wordpiece tokenization of span texts: one `SpanPieces` (ids, piece strings, character
offsets, special-token mask) per span, from one batched call into a fast tokenizer.

    pieces = tokenize_spans(hf_tokenizer, [span.text for span in spans])

A span is tokenized whole, never truncated: `windows.plan_span_windows` cuts the long ones.
`transformers` is never imported here: the caller passes a loaded tokenizer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..errors import Errors, HeronValueError


@dataclass
class SpanPieces:
    """One span's wordpieces, special tokens included, in the tokenizer's order.

    input_ids:    int64 (n,)
    wordpieces:   the piece strings (e.g. "##ing", "Ġthe", "▁the", "[CLS]")
    offsets:      int32 (n, 2) [start, end) character offsets relative to the span text; special
                  tokens have (0, 0) and pieces the tokenizer invents (e.g. a lone "Ġ") may be empty
    special_mask: bool (n,), True on special tokens added by the tokenizer's template
    """

    input_ids: np.ndarray
    wordpieces: List[str]
    offsets: np.ndarray
    special_mask: np.ndarray

    def __len__(self) -> int:
        return int(self.input_ids.size)

    @property
    def content(self) -> Tuple[int, int]:
        """[start, end) of the non-special pieces (specials sit only at the two ends)."""
        idx = np.flatnonzero(~self.special_mask)
        if idx.size:
            return int(idx[0]), int(idx[-1]) + 1
        # An empty span is all specials: let the first half (rounded up) lead, which matches
        # [CLS] [SEP], <s> </s> and single-eos templates.
        n_lead = len(self) - len(self) // 2
        return n_lead, n_lead


def require_fast_tokenizer(hf_tokenizer) -> None:
    """E701 unless the tokenizer can give character offsets (a Rust-backed 'fast' tokenizer)."""
    if not getattr(hf_tokenizer, "is_fast", False):
        name = getattr(hf_tokenizer, "name_or_path", type(hf_tokenizer).__name__)
        raise HeronValueError(Errors.E701.format(name=name))


def tokenize_spans(hf_tokenizer, texts: Sequence[str], *,
                   max_length: Optional[int] = None) -> List[SpanPieces]:
    """Tokenize each text whole (no truncation, no padding) with special tokens and offsets.

    `max_length` is accepted for the contract and only documents intent: spans longer than it
    are returned whole and must go through `plan_span_windows`, never truncated here.
    Costs one batched call into the Rust tokenizer.
    """
    require_fast_tokenizer(hf_tokenizer)
    if not texts:
        return []
    try:
        enc = hf_tokenizer(replace_lone_surrogates(texts), add_special_tokens=True, truncation=False,
                           padding=False, return_offsets_mapping=True, return_special_tokens_mask=True,
                           return_attention_mask=False, return_token_type_ids=False, verbose=False)
    except BaseException as e:
        # A Rust panic (pyo3's PanicException) is a BaseException that would escape every
        # error handler; Oniguruma's retry limit on a pathological tokenizer.json regex is
        # one. Turn it into a coded error so only this batch fails.
        if type(e).__name__ != "PanicException":
            raise
        name = getattr(hf_tokenizer, "name_or_path", type(hf_tokenizer).__name__)
        raise HeronValueError(Errors.E770.format(name=name, detail=str(e).splitlines()[0] if str(e) else "",
                                                 n=len(texts))) from None
    out = []
    for i in range(len(texts)):
        ids = np.asarray(enc["input_ids"][i], dtype=np.int64)
        offsets = np.asarray(enc["offset_mapping"][i], dtype=np.int32).reshape(-1, 2)
        special = np.asarray(enc["special_tokens_mask"][i], dtype=bool)
        offsets[special] = 0
        out.append(SpanPieces(ids, enc.tokens(i), offsets, special))
    return out


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(texts: Sequence[str]) -> List[str]:
    """Each lone surrogate (a code point U+D800..U+DFFF: in a Python str every one is lone)
    replaced by U+FFFD. Rust tokenizers reject such strings; one character for one keeps the
    length, so the tokenizer's character offsets still index the original text."""
    return [_LONE_SURROGATE.sub("\ufffd", text) for text in texts]
